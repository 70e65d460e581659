//! The one place that reads the clock: dates are in Asia/Shanghai (UTC+8, no daylight saving).

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset")
}

/// Today's date in China.
pub fn today() -> NaiveDate {
    Utc::now().with_timezone(&shanghai()).date_naive()
}

/// The present moment as Beijing time, `2020-04-27 10:00:05`.
pub fn now_local() -> String {
    Utc::now()
        .with_timezone(&shanghai())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

/// A stored UTC timestamp (`2020-04-27T02:00:00.000Z`) as Beijing time, `2020-04-27 10:00`.
pub fn local_time(stored: &str) -> String {
    DateTime::parse_from_rfc3339(stored)
        .map(|t| t.with_timezone(&shanghai()).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|_| stored.to_owned())
}

/// A stored UTC timestamp's date in China.
pub fn local_date(stored: &str) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(stored)
        .ok()
        .map(|t| t.with_timezone(&shanghai()).date_naive())
}

#[cfg(test)]
mod tests {
    #[test]
    fn shows_beijing_time() {
        assert_eq!(super::local_time("2020-04-27T18:30:00.000Z"), "2020-04-28 02:30");
    }
}
