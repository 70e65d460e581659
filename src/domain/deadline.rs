//! Reporting deadlines: which quarter is due on a given day, whether a submission was late, and
//! what a region still owes (its to-do and the province's 催报 list).

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::{Period, ReportStatus};

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

/// Whole days since the due date passed (0 while it has not).
pub fn days_overdue(period: Period, today: NaiveDate, late_after_days: u32) -> i64 {
    (today - due_date(period, late_after_days)).num_days().max(0)
}

/// Every quarter from `first` to the one containing `today`, newest first: what a region may
/// report on (the period picker) and what it may owe.
pub fn reporting_periods(first: Period, today: NaiveDate) -> Vec<Period> {
    let Ok(current) = Period::containing(today) else {
        return Vec::new();
    };
    let mut periods = Vec::new();
    let mut period = Some(first.min(current));
    while let Some(p) = period.filter(|p| *p <= current) {
        periods.push(p);
        period = p.next();
    }
    periods.reverse();
    periods
}

/// A quarter a region has not yet submitted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owed {
    pub period: Period,
    /// `None`: nothing entered yet; else a draft or a returned report.
    pub status: Option<ReportStatus>,
    pub due_date: NaiveDate,
    pub days_overdue: i64,
}

/// Every quarter from `first` to today's that has no submitted or approved report, newest first.
pub fn owed(
    first: Period,
    today: NaiveDate,
    late_after_days: u32,
    statuses: &BTreeMap<Period, ReportStatus>,
) -> Vec<Owed> {
    reporting_periods(first, today)
        .into_iter()
        .filter(|p| !statuses.get(p).is_some_and(|s| s.counts()))
        .map(|period| Owed {
            period,
            status: statuses.get(&period).copied(),
            due_date: due_date(period, late_after_days),
            days_overdue: days_overdue(period, today, late_after_days),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_owes_every_unsubmitted_quarter_since_it_started() {
        let first: Period = "2021Q3".parse().unwrap();
        let statuses = BTreeMap::from([
            ("2021Q3".parse().unwrap(), ReportStatus::Approved),
            ("2021Q4".parse().unwrap(), ReportStatus::Returned),
            ("2022Q1".parse().unwrap(), ReportStatus::Submitted),
            ("2022Q3".parse().unwrap(), ReportStatus::Draft),
        ]);
        let owed = owed(first, day(2022, 11, 20), 15, &statuses);
        let periods: Vec<String> = owed.iter().map(|o| o.period.to_string()).collect();
        assert_eq!(periods, ["2022Q4", "2022Q3", "2022Q2", "2021Q4"]);
        assert_eq!(owed[0].status, None);
        assert_eq!(owed[0].days_overdue, 0);
        assert_eq!(owed[1].status, Some(ReportStatus::Draft));
        // 2022Q3 was due on 15 October: 36 days before 20 November.
        assert_eq!(owed[1].days_overdue, 36);
        assert_eq!(owed[3].status, Some(ReportStatus::Returned));
        assert_eq!(reporting_periods(first, day(2022, 1, 1)).len(), 3);
        assert_eq!(reporting_periods("2030Q1".parse().unwrap(), day(2022, 1, 1)).len(), 1);
    }

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
