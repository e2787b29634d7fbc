//! Times on the command line: RFC 3339 in UTC for output, and the values
//! `status` takes (`--since`, `--pending-older-than`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Unix milliseconds as RFC 3339 in UTC to the second,
/// `2026-11-29T19:30:05Z`.
pub fn utc_millis(ms: i64) -> String {
    let secs = u64::try_from(ms.div_euclid(1000)).unwrap_or(0);
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// Days since 1970-01-01 to (year, month, day): Howard Hinnant's
/// `civil_from_days`, for days on or after the epoch.
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) to days since 1970-01-01: Hinnant's
/// `days_from_civil`, for dates on or after the epoch.
fn days_from_civil(y: u64, m: u64, d: u64) -> u64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A duration: a whole number with a unit, `s`, `m`, `h` or `d` (`90s`,
/// `30m`, `2h`, `7d`).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 90s, 30m, 2h or 7d"))?;
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err(format!("{s:?}: give a unit: s, m, h or d (30m, 2h)")),
    };
    n.checked_mul(secs)
        .filter(|&v| v <= 100 * 365 * 86_400)
        .map(Duration::from_secs)
        .ok_or_else(|| format!("{s:?} is too long"))
}

/// When `--since` means: a duration before now (`24h`: the last day), or
/// a UTC date or time, `2026-12-01`, `2026-12-01T08:00` or
/// `2026-12-01T08:00:00Z`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Since {
    /// This long before now.
    Ago(Duration),
    /// This moment.
    At(SystemTime),
}

impl Since {
    /// The moment, given the time now.
    pub fn resolve(self, now: SystemTime) -> SystemTime {
        match self {
            Since::Ago(d) => now
                .checked_sub(d)
                .filter(|t| *t >= UNIX_EPOCH)
                .unwrap_or(UNIX_EPOCH),
            Since::At(t) => t,
        }
    }
}

/// Parse a `--since` value.
pub fn parse_since(s: &str) -> Result<Since, String> {
    let t = s.trim();
    if t.ends_with(['s', 'm', 'h', 'd']) && !t.contains('-') {
        return parse_duration(t).map(Since::Ago);
    }
    let bad = || {
        format!("{s:?} is neither a duration (24h) nor a UTC date or time (2026-12-01T08:00:00Z)")
    };
    let t = t.strip_suffix('Z').unwrap_or(t);
    let (date, time) = t.split_once(['T', ' ']).unwrap_or((t, "00:00:00"));
    let num = |p: &str, len: usize| -> Result<u64, String> {
        if p.len() != len || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        p.parse().map_err(|_| bad())
    };
    let d: Vec<&str> = date.split('-').collect();
    let [y, mo, da] = d[..] else {
        return Err(bad());
    };
    let (y, mo, da) = (num(y, 4)?, num(mo, 2)?, num(da, 2)?);
    let tm: Vec<&str> = time.split(':').collect();
    let (h, mi, se) = match tm[..] {
        [h, m] => (num(h, 2)?, num(m, 2)?, 0),
        [h, m, s] => (num(h, 2)?, num(m, 2)?, num(s, 2)?),
        _ => return Err(bad()),
    };
    if y < 1970
        || !(1..=12).contains(&mo)
        || !(1..=31).contains(&da)
        || h > 23
        || mi > 59
        || se > 59
    {
        return Err(bad());
    }
    let days = days_from_civil(y, mo, da);
    // 2026-02-31 would be March 3rd: refuse a day past its month's end.
    if civil_from_days(days) != (y, mo, da) {
        return Err(bad());
    }
    let secs = days * 86_400 + h * 3600 + mi * 60 + se;
    Ok(Since::At(UNIX_EPOCH + Duration::from_secs(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times() {
        assert_eq!(utc_millis(0), "1970-01-01T00:00:00Z");
        // `date -u -d @1795980605 +%FT%TZ`
        assert_eq!(utc_millis(1_795_980_605_999), "2026-11-29T19:30:05Z");
        assert_eq!(utc_millis(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_secs(7200)));
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(604_800)));
        for bad in ["", "30", "m", "1.5h", "-1h", "2w", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn since_values() {
        let at = |secs: u64| Ok(Since::At(UNIX_EPOCH + Duration::from_secs(secs)));
        assert_eq!(
            parse_since("24h"),
            Ok(Since::Ago(Duration::from_secs(86_400)))
        );
        assert_eq!(parse_since("2026-11-29T19:30:05Z"), at(1_795_980_605));
        assert_eq!(parse_since("2026-11-29 19:30:05"), at(1_795_980_605));
        assert_eq!(parse_since("2026-11-29T19:30"), at(1_795_980_600));
        assert_eq!(parse_since("2000-02-29"), at(951_782_400));
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "yesterday",
            "2026-1-1",
            "1969-12-31",
            "12:00",
        ] {
            assert!(parse_since(bad).is_err(), "{bad:?}");
        }
        let now = UNIX_EPOCH + Duration::from_secs(100);
        assert_eq!(
            Since::Ago(Duration::from_secs(40)).resolve(now),
            UNIX_EPOCH + Duration::from_secs(60)
        );
        assert_eq!(
            Since::Ago(Duration::from_secs(400)).resolve(now),
            UNIX_EPOCH
        );
    }
}
