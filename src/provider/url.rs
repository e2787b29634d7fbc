//! Base URL validation and query encoding. We build the query string
//! ourselves, so that `--dry-run` prints exactly what goes on the wire.

use super::ProviderError;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

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
pub fn encode(value: &str) -> String {
    utf8_percent_encode(value, QUERY).to_string()
}

/// A validated base URL: `http` or `https`, a host, an optional path prefix,
/// no query, fragment or user info; kept without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// Validate `url`.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] saying what is wrong.
    pub fn parse(url: &str) -> Result<BaseUrl, ProviderError> {
        let bad = |why: &str| ProviderError::Invalid(format!("base URL {url:?}: {why}"));
        let uri: ureq::http::Uri = url.trim().parse().map_err(|_| bad("not a URL"))?;
        match uri.scheme_str() {
            Some("http" | "https") => {}
            _ => return Err(bad("must start with http:// or https://")),
        }
        let authority = uri.authority().ok_or_else(|| bad("has no host"))?;
        if authority.as_str().contains('@') {
            return Err(bad(
                "must not carry user info; credentials come from QXT_CP_NAME/QXT_CP_PASSWORD",
            ));
        }
        if authority.host().is_empty() {
            return Err(bad("has no host"));
        }
        if uri.query().is_some() || url.contains('#') {
            return Err(bad("must not have a query or fragment"));
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
pub fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = String::from(url);
    for (i, (k, v)) in pairs.iter().enumerate() {
        out.push(if i == 0 { '?' } else { '&' });
        out.push_str(k);
        out.push('=');
        out.push_str(&encode(v));
    }
    out
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
        let b = BaseUrl::parse("https://example.com/api/v1/").unwrap();
        assert_eq!(
            b.join("Recv_center"),
            "https://example.com/api/v1/Recv_center"
        );
        for bad in [
            "",
            "qxt.fungo.cn",
            "ftp://x",
            "http://u:p@host",
            "http://h/?a=b",
            "http://h/#x",
            "http://",
        ] {
            assert!(BaseUrl::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn query_building() {
        assert_eq!(
            with_query("http://h/x", &[("a", "1 2"), ("b", "é")]),
            "http://h/x?a=1%202&b=%C3%A9"
        );
    }
}
