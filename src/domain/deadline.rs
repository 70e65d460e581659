//! Reporting deadlines: which quarter is due on a given day and whether a submission was late.

use chrono::{Days, NaiveDate};

use super::Period;

/// The last day a report for `period` may be submitted without being late: `late_after_days`
/// days after the quarter ends.
pub fn due_date(period: Period, late_after_days: u32) -> NaiveDate {
    period
        .last_day()
        .checked_add_days(Days::new(u64::from(late_after_days)))
        .unwrap_or(NaiveDate::MAX)
}

/// A report submitted on `submitted_on` is late when that is after its due date.
pub fn is_late(period: Period, submitted_on: NaiveDate, late_after_days: u32) -> bool {
    submitted_on > due_date(period, late_after_days)
}

/// Whether a report submitted on `submitted_on` (none: not submitted) came in late.
pub fn submitted_late(period: Period, submitted_on: Option<NaiveDate>, late_after_days: u32) -> bool {
    submitted_on.is_some_and(|day| is_late(period, day, late_after_days))
}

/// A report not submitted by `today` is overdue once its due date has passed.
pub fn is_overdue(period: Period, today: NaiveDate, late_after_days: u32) -> bool {
    today > due_date(period, late_after_days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_report_is_late_the_day_after_the_grace_period() {
        let q1: Period = "2020Q1".parse().unwrap();
        assert_eq!(due_date(q1, 15), day(2020, 4, 15));
        assert!(!is_late(q1, day(2020, 3, 20), 15));
        assert!(!is_late(q1, day(2020, 4, 15), 15));
        assert!(is_late(q1, day(2020, 4, 16), 15));
        assert!(is_late(q1, day(2020, 4, 1), 0));
    }

    #[test]
    fn q4_is_due_in_the_next_year() {
        let q4: Period = "2020Q4".parse().unwrap();
        assert_eq!(due_date(q4, 15), day(2021, 1, 15));
        assert!(is_overdue(q4, day(2021, 1, 16), 15));
        assert!(!is_overdue(q4, day(2021, 1, 15), 15));
    }
}
