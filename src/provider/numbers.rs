//! Destination numbers (`DesMobile`): mainland China mobile numbers,
//! validated, normalised, de-duplicated and split into requests of at most
//! 200 (status code -1007: "一次批量发送消息条数太多（限制200条）").
//!
//! The document does not name the separator between numbers; a comma is the
//! convention of this family of APIs (provider-api.md, note on `DesMobile`).

use super::ProviderError;
use serde::Serialize;
use std::collections::HashSet;
use std::fmt;

/// The most numbers one request may carry (code -1007).
pub const MAX_PER_REQUEST: usize = 200;

/// How many bad numbers an error lists before "and N more".
const MAX_LISTED: usize = 10;

/// A mainland mobile number: `1`, a digit 3-9, nine more digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Mobile(String);

impl Mobile {
    /// Normalise and validate: spaces, tabs and dashes are removed, then a
    /// `+86` or `86` country prefix.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] quoting the input.
    pub fn parse(input: &str) -> Result<Mobile, ProviderError> {
        Mobile::check(input).map_err(ProviderError::Invalid)
    }

    fn check(input: &str) -> Result<Mobile, String> {
        let compact: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '\t' | '-'))
            .collect();
        let national = if let Some(rest) = compact.strip_prefix("+86") {
            rest
        } else if compact.len() == 13 && compact.starts_with("86") {
            &compact[2..]
        } else {
            &compact
        };
        let b = national.as_bytes();
        let ok = b.len() == 11
            && b.iter().all(u8::is_ascii_digit)
            && b[0] == b'1'
            && (b'3'..=b'9').contains(&b[1]);
        if !ok {
            return Err(format!(
                "{:?} is not a mainland mobile number (11 digits starting 13 to 19, optionally +86)",
                input.trim()
            ));
        }
        Ok(Mobile(national.to_string()))
    }

    /// The eleven digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Mobile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A non-empty list of distinct destination numbers, in first-seen order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipients {
    numbers: Vec<Mobile>,
    duplicates: usize,
}

impl Recipients {
    /// Parse a comma-separated list (`"138 0013 8000, +8613900139000"`).
    /// Empty items (a trailing comma) are skipped.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] listing every bad item, or saying the list is empty.
    pub fn parse_list(list: &str) -> Result<Recipients, ProviderError> {
        let items = list
            .split(',')
            .enumerate()
            .filter(|(_, s)| !s.trim().is_empty())
            .map(|(i, s)| (format!("item {}", i + 1), s));
        Recipients::parse_items(items)
    }

    /// Parse one number per line of `text` (from the file called `source`).
    /// Blank lines and lines starting with `#` are skipped.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] listing every bad line as `source:line`.
    pub fn parse_lines(text: &str, source: &str) -> Result<Recipients, ProviderError> {
        let items = text
            .lines()
            .enumerate()
            .filter(|(_, s)| !s.trim().is_empty() && !s.trim_start().starts_with('#'))
            .map(|(i, s)| (format!("{source}:{}", i + 1), s));
        Recipients::parse_items(items)
    }

    fn parse_items<'a>(
        items: impl Iterator<Item = (String, &'a str)>,
    ) -> Result<Recipients, ProviderError> {
        let mut good = Vec::new();
        let mut bad = Vec::new();
        for (where_, item) in items {
            match Mobile::check(item) {
                Ok(m) => good.push(m),
                Err(e) => bad.push(format!("{where_}: {e}")),
            }
        }
        if !bad.is_empty() {
            let n = bad.len();
            let mut msg = format!(
                "{n} invalid destination number{}",
                if n == 1 { "" } else { "s" }
            );
            for line in bad.iter().take(MAX_LISTED) {
                msg.push_str("\n  ");
                msg.push_str(line);
            }
            if n > MAX_LISTED {
                msg.push_str(&format!("\n  and {} more", n - MAX_LISTED));
            }
            return Err(ProviderError::Invalid(msg));
        }
        Recipients::new(good)
    }

    /// De-duplicate `numbers`, keeping the first occurrence of each.
    ///
    /// # Errors
    /// [`ProviderError::Invalid`] when `numbers` is empty.
    pub fn new(numbers: Vec<Mobile>) -> Result<Recipients, ProviderError> {
        if numbers.is_empty() {
            return Err(ProviderError::Invalid(
                "no destination numbers given".into(),
            ));
        }
        let total = numbers.len();
        let mut seen = HashSet::with_capacity(total);
        let numbers: Vec<Mobile> = numbers
            .into_iter()
            .filter(|m| seen.insert(m.clone()))
            .collect();
        Ok(Recipients {
            duplicates: total - numbers.len(),
            numbers,
        })
    }

    /// The distinct numbers.
    pub fn numbers(&self) -> &[Mobile] {
        &self.numbers
    }

    /// How many duplicates were dropped.
    pub fn duplicates_removed(&self) -> usize {
        self.duplicates
    }

    /// The numbers in groups of at most [`MAX_PER_REQUEST`], one per request.
    pub fn batches(&self) -> std::slice::Chunks<'_, Mobile> {
        self.numbers.chunks(MAX_PER_REQUEST)
    }
}

/// The `DesMobile` value for one batch: numbers joined by commas.
pub(crate) fn join(batch: &[Mobile]) -> String {
    let mut s = String::with_capacity(batch.len() * 12);
    for (i, m) in batch.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        s.push_str(m.as_str());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_prefixes_and_separators() {
        for input in [
            "13800138000",
            "+8613800138000",
            "8613800138000",
            "138-0013-8000",
            " +86 138 0013 8000 ",
        ] {
            assert_eq!(
                Mobile::parse(input).unwrap().as_str(),
                "13800138000",
                "{input}"
            );
        }
        assert_eq!(
            Mobile::parse("19912345678").unwrap().as_str(),
            "19912345678"
        );
    }

    #[test]
    fn rejects_non_mobiles() {
        for bad in [
            "",
            "1380013800",
            "138001380001",
            "12800138000",
            "23800138000",
            "1380013800x",
            "+85213800138000",
            "010-12345678",
            "１３８００１３８０００",
        ] {
            assert!(Mobile::parse(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn lists_dedup_in_order() {
        let r = Recipients::parse_list("13900139000, 13800138000,+8613900139000,").unwrap();
        assert_eq!(join(r.numbers()), "13900139000,13800138000");
        assert_eq!(r.duplicates_removed(), 1);
    }

    #[test]
    fn errors_list_every_bad_item() {
        let e = Recipients::parse_list("123,13800138000,abc")
            .unwrap_err()
            .to_string();
        assert!(e.contains("2 invalid destination numbers"), "{e}");
        assert!(
            e.contains("item 1: \"123\"") && e.contains("item 3: \"abc\""),
            "{e}"
        );
        assert!(
            Recipients::parse_list(" , ")
                .unwrap_err()
                .to_string()
                .contains("no destination")
        );
    }

    #[test]
    fn files_skip_blanks_and_comments_and_name_lines() {
        let r =
            Recipients::parse_lines("# team\n13800138000\n\n  13900139000\r\n", "to.txt").unwrap();
        assert_eq!(r.numbers().len(), 2);
        let e = Recipients::parse_lines("13800138000\n99\n", "to.txt")
            .unwrap_err()
            .to_string();
        assert!(e.contains("to.txt:2"), "{e}");
    }

    #[test]
    fn batches_of_200() {
        let numbers: Vec<Mobile> = (0..450)
            .map(|i| Mobile::parse(&format!("138{:08}", i)).unwrap())
            .collect();
        let r = Recipients::new(numbers).unwrap();
        let sizes: Vec<usize> = r.batches().map(<[Mobile]>::len).collect();
        assert_eq!(sizes, [200, 200, 50]);
        let r = Recipients::new(r.numbers()[..200].to_vec()).unwrap();
        assert_eq!(r.batches().count(), 1);
    }

    #[test]
    fn long_error_lists_are_cut() {
        let list = vec!["1"; 25].join(",");
        let e = Recipients::parse_list(&list).unwrap_err().to_string();
        assert!(e.contains("25 invalid") && e.contains("and 15 more"), "{e}");
    }
}
