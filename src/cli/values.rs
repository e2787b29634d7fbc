//! Parsers of flag values, each refusing what the library could not use
//! with a message clap shows under the flag's name.

use std::time::Duration;

/// A number of seconds: more than 0, at most a day, decimals allowed.
pub fn parse_secs(s: &str) -> Result<Duration, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !v.is_finite() || v <= 0.0 || v > 86_400.0 {
        return Err(format!(
            "{s:?}: must be more than 0 and at most 86400 seconds"
        ));
    }
    Ok(Duration::from_secs_f64(v))
}

/// A sample rate the provider takes for WAV: 8000 or 11025.
pub fn rate(s: &str) -> Result<u32, String> {
    match s.trim() {
        "8000" => Ok(8000),
        "11025" => Ok(11025),
        _ => Err("the provider accepts 8000 or 11025".into()),
    }
}

/// The sample rate of an input: 4000 to 768000 Hz.
pub fn input_rate(s: &str) -> Result<u32, String> {
    let v: u32 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a whole number of Hz"))?;
    if (4000..=768_000).contains(&v) {
        Ok(v)
    } else {
        Err("a rate between 4000 and 768000 Hz".into())
    }
}

fn number_in(s: &str, lo: f64, hi: f64, what: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    if v.is_finite() && (lo..=hi).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{what} must be between {lo} and {hi}"))
    }
}

/// A level in dBFS, -120 to 0.
pub fn db_level(s: &str) -> Result<f64, String> {
    number_in(s, -120.0, 0.0, "a level in dBFS")
}

/// A time in seconds, 0 to an hour.
pub fn seconds(s: &str) -> Result<f64, String> {
    number_in(s, 0.0, 3600.0, "a time in seconds")
}

/// A percentage, 0 to 100.
pub fn percent(s: &str) -> Result<f64, String> {
    number_in(s, 0.0, 100.0, "a percentage")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_of_a_timeout() {
        assert_eq!(parse_secs("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_secs(" 86400 "), Ok(Duration::from_secs(86_400)));
        for bad in ["0", "-1", "x", "nan", "inf", "86400.5"] {
            assert!(parse_secs(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(rate("11025"), Ok(11025));
        assert_eq!(input_rate("6000"), Ok(6000));
        assert!(input_rate("1").is_err() && input_rate("x").is_err());
        assert!(rate("16000").is_err());
        assert_eq!(db_level("-30"), Ok(-30.0));
        assert!(db_level("3").is_err() && db_level("nan").is_err());
        assert!(seconds("-1").is_err());
        assert_eq!(percent("2.5"), Ok(2.5));
    }
}
