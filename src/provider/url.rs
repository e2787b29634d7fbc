//! Base URL validation and query encoding. We build the query string
//! ourselves, so that a dry run shows exactly what goes on the wire.

use super::{ProviderError, REDACTED};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use std::fmt;

/// The provider's endpoint.
pub const DEFAULT_BASE_URL: &str = "http://qxt.fungo.cn";

/// Everything but RFC 3986 unreserved characters is percent-encoded, except
/// the comma: the comma separating destination numbers is a sub-delimiter
/// that is legal in a query, and public callers of this API send it bare.
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b',');

/// Percent-encode a query value (UTF-8).
pub(crate) fn encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY).to_string()
}

/// A validated base URL: `http` (or `https`, with the `tls` cargo feature),
/// a host, an optional path prefix, no query, fragment or user info; kept
/// without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

/// What is wrong with a base URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum BaseUrlProblem {
    /// Not a URL at all.
    NotUrl,
    /// A scheme other than `http` (or `https`).
    Scheme,
    /// `https`, in a build without the `tls` cargo feature.
    HttpsWithoutTls,
    /// No host.
    NoHost,
    /// `user:password@` before the host: the credentials are sent as
    /// `CpName` and `CpPassword`, never in the URL.
    UserInfo,
    /// A query or a fragment: the endpoints' own parameters follow the path.
    QueryOrFragment,
}

impl fmt::Display for BaseUrlProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BaseUrlProblem::NotUrl => "not a URL",
            BaseUrlProblem::Scheme if cfg!(feature = "tls") => {
                "must start with http:// or https://"
            }
            BaseUrlProblem::Scheme => "must start with http://",
            BaseUrlProblem::HttpsWithoutTls => {
                "https needs voxprep built with the `tls` cargo feature; \
                 the provider's own URL is plain http"
            }
            BaseUrlProblem::NoHost => "has no host",
            BaseUrlProblem::UserInfo => "must not carry user info",
            BaseUrlProblem::QueryOrFragment => "must not have a query or fragment",
        })
    }
}

/// A base URL that [`BaseUrl::parse`] refused. It converts into
/// [`ProviderError::Invalid`] with the same message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("provider: base URL {url:?}: {problem}")]
pub struct BaseUrlError {
    /// The URL as given, any user info replaced by `***`.
    pub url: String,
    /// What is wrong with it.
    pub problem: BaseUrlProblem,
}

impl From<BaseUrlError> for ProviderError {
    fn from(e: BaseUrlError) -> ProviderError {
        ProviderError::Invalid(format!("base URL {:?}: {}", e.url, e.problem))
    }
}

impl BaseUrl {
    /// Validate `url`.
    ///
    /// # Errors
    /// [`BaseUrlError`] saying what is wrong; an `https` URL is refused
    /// unless voxprep is built with the `tls` cargo feature.
    pub fn parse(url: &str) -> Result<BaseUrl, BaseUrlError> {
        let bad = |problem| BaseUrlError {
            url: without_user_info(url),
            problem,
        };
        let uri: ureq::http::Uri = url
            .trim()
            .parse()
            .map_err(|_| bad(BaseUrlProblem::NotUrl))?;
        match uri.scheme_str() {
            Some("http") => {}
            Some("https") if cfg!(feature = "tls") => {}
            Some("https") => return Err(bad(BaseUrlProblem::HttpsWithoutTls)),
            _ => return Err(bad(BaseUrlProblem::Scheme)),
        }
        let authority = uri.authority().ok_or_else(|| bad(BaseUrlProblem::NoHost))?;
        if authority.as_str().contains('@') {
            return Err(bad(BaseUrlProblem::UserInfo));
        }
        if authority.host().is_empty() {
            return Err(bad(BaseUrlProblem::NoHost));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(bad(BaseUrlProblem::QueryOrFragment));
        }
        let path = uri.path().trim_end_matches('/');
        let scheme = uri.scheme_str().unwrap_or("http");
        Ok(BaseUrl(format!("{scheme}://{authority}{path}")))
    }

    /// `base/endpoint`.
    pub fn join(&self, endpoint: &str) -> String {
        format!("{}/{endpoint}", self.0)
    }

    /// The base URL as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for BaseUrl {
    fn default() -> BaseUrl {
        BaseUrl(DEFAULT_BASE_URL.to_string())
    }
}

/// Build `url?k=v&k=v` with every value encoded by [`encode`].
pub(crate) fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = String::from(url);
    for (i, (k, v)) in pairs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&encode(v));
    }
    out
}

/// `url` for an error message: whatever stands between `scheme://` and the
/// last `@` of the authority (user info, perhaps a password) becomes `***`.
fn without_user_info(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..end].rfind('@') {
        Some(at) => format!("{scheme}://{REDACTED}{}", &rest[at..]),
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_utf8_and_reserved_characters() {
        assert_eq!(
            encode("【语音验证码】1234"),
            "%E3%80%90%E8%AF%AD%E9%9F%B3%E9%AA%8C%E8%AF%81%E7%A0%81%E3%80%911234"
        );
        assert_eq!(
            encode("a|b c&d=e+f/g?h#i%"),
            "a%7Cb%20c%26d%3De%2Bf%2Fg%3Fh%23i%25"
        );
        assert_eq!(encode("13800138000,13900139000"), "13800138000,13900139000");
        assert_eq!(encode("x-y.z_w~"), "x-y.z_w~");
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            BaseUrl::default().join("Recv_center"),
            "http://qxt.fungo.cn/Recv_center"
        );
        let b = BaseUrl::parse("http://127.0.0.1:8080/").unwrap();
        assert_eq!(b.join("QueryBlance"), "http://127.0.0.1:8080/QueryBlance");
        let b = BaseUrl::parse("http://example.com/api/v1/").unwrap();
        assert_eq!(
            b.join("Recv_center"),
            "http://example.com/api/v1/Recv_center"
        );
        for (bad, problem) in [
            ("", BaseUrlProblem::NotUrl),
            ("qxt.fungo.cn", BaseUrlProblem::Scheme),
            ("ftp://x", BaseUrlProblem::Scheme),
            ("http://u:p@host", BaseUrlProblem::UserInfo),
            ("http://h/?a=b", BaseUrlProblem::QueryOrFragment),
            ("http://h/#x", BaseUrlProblem::QueryOrFragment),
            ("http://", BaseUrlProblem::NotUrl),
        ] {
            assert_eq!(
                BaseUrl::parse(bad).map_err(|e| e.problem),
                Err(problem),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn user_info_is_refused_and_never_quoted() {
        let e = BaseUrl::parse("http://acme:s3cret@qxt.fungo.cn/x").unwrap_err();
        assert_eq!(e.problem, BaseUrlProblem::UserInfo);
        assert_eq!(
            e.to_string(),
            "provider: base URL \"http://***@qxt.fungo.cn/x\": must not carry user info"
        );
        let e = ProviderError::from(e);
        assert!(matches!(&e, ProviderError::Invalid(_)), "{e:?}");
        assert_eq!(
            e.to_string(),
            "provider: base URL \"http://***@qxt.fungo.cn/x\": must not carry user info"
        );
        // Refused for its scheme, the password is still not quoted.
        let e = BaseUrl::parse("ftp://a:b@c@h/").unwrap_err();
        assert_eq!(e.url, "ftp://***@h/");
        assert_eq!(without_user_info("http://h/p@q"), "http://h/p@q");
    }

    #[cfg(feature = "tls")]
    #[test]
    fn https_is_taken_with_the_tls_feature() {
        let b = BaseUrl::parse("https://example.com/api/v1/").unwrap();
        assert_eq!(
            b.join("Recv_center"),
            "https://example.com/api/v1/Recv_center"
        );
        let e = BaseUrl::parse("ftp://x").unwrap_err().to_string();
        assert!(e.ends_with("must start with http:// or https://"), "{e}");
    }

    #[cfg(not(feature = "tls"))]
    #[test]
    fn https_is_refused_without_the_tls_feature() {
        let e = BaseUrl::parse("https://example.com/api").unwrap_err();
        assert_eq!(e.problem, BaseUrlProblem::HttpsWithoutTls);
        let e = ProviderError::from(e);
        assert!(matches!(&e, ProviderError::Invalid(_)), "{e:?}");
        assert_eq!(
            e.to_string(),
            "provider: base URL \"https://example.com/api\": https needs voxprep built with \
             the `tls` cargo feature; the provider's own URL is plain http"
        );
        let e = BaseUrl::parse("ftp://x").unwrap_err().to_string();
        assert!(e.ends_with("must start with http://"), "{e}");
    }

    #[test]
    fn query_building() {
        assert_eq!(
            with_query("http://h/x", &[("a", "1 2"), ("b", "é")]),
            "http://h/x?a=1%202&b=%C3%A9"
        );
    }
}
