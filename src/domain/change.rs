//! What a write changed, and which periods' figures that can change: the rule every cache,
//! ETag and incremental roll-up follows.

use super::Period;
use super::projection::HISTORY_YEARS;

/// One write's change to the figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Changed {
    /// A report of `region` for `period`: its figures, notes or status.
    Report { region: String, period: Period },
    /// An explicit target of `region` for `year`.
    Target { region: String, year: i32 },
    /// Anything (a bulk load, or a change whose record is no longer on file).
    Everything,
}

impl Changed {
    /// The periods whose progress tables and pages the change can alter; `None` for all.
    ///
    /// A report counts in its own period, is the base of the next quarter's increment in the
    /// same year, and is history for the projections of the next [`HISTORY_YEARS`] years (at
    /// its own quarter; a Q4 report, the year end, at Q1–Q3); a target counts in every quarter
    /// of its year.
    pub fn periods(&self) -> Option<Vec<Period>> {
        match self {
            Changed::Report { period, .. } => {
                let next = period.next().filter(|next| next.year() == period.year());
                let history_quarters: &[u8] = match period.quarter() {
                    4 => &[1, 2, 3],
                    quarter => &[quarter][..],
                };
                let later = (1..=HISTORY_YEARS).flat_map(|ahead| {
                    history_quarters
                        .iter()
                        .filter_map(move |&quarter| Period::new(period.year() + ahead, quarter).ok())
                });
                Some(std::iter::once(*period).chain(next).chain(later).collect())
            }
            Changed::Target { year, .. } => Some(Period::quarters_of(*year).map(Vec::from).unwrap_or_default()),
            Changed::Everything => None,
        }
    }

    /// Whether the change can alter `period`'s figures.
    pub fn affects(&self, period: Period) -> bool {
        self.periods().is_none_or(|periods| periods.contains(&period))
    }

    /// The region whose own inputs changed, when it is one region.
    pub fn region(&self) -> Option<&str> {
        match self {
            Changed::Report { region, .. } | Changed::Target { region, .. } => Some(region),
            Changed::Everything => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(text: &str) -> Period {
        text.parse().unwrap()
    }

    #[test]
    fn a_report_changes_its_period_the_next_quarters_increment_and_later_projections() {
        let change = Changed::Report {
            region: "440100".into(),
            period: period("2021Q3"),
        };
        let periods = ["2021Q3", "2021Q4", "2022Q3", "2023Q3", "2024Q3"].map(period);
        assert_eq!(change.periods(), Some(periods.to_vec()));
        assert!(!change.affects(period("2021Q2")));
        assert!(!change.affects(period("2022Q1")));
        assert!(!change.affects(period("2025Q3")));
        // Q4 is the base of no increment (Q1 restarts the cumulative figures), but it is the
        // year end that the next years' Q1–Q3 projections are drawn from.
        let q4 = Changed::Report {
            region: "440100".into(),
            period: period("2021Q4"),
        };
        let q4_periods = q4.periods().unwrap();
        assert_eq!(q4_periods.len(), 1 + 3 * 3);
        assert!(q4.affects(period("2024Q3")) && !q4.affects(period("2022Q4")));
    }

    #[test]
    fn a_target_changes_its_year_and_everything_changes_all() {
        let change = Changed::Target {
            region: "440000".into(),
            year: 2021,
        };
        assert!(change.affects(period("2021Q1")) && change.affects(period("2021Q4")));
        assert!(!change.affects(period("2020Q4")) && !change.affects(period("2022Q1")));
        assert!(Changed::Everything.affects(period("2030Q2")));
        assert_eq!(Changed::Everything.region(), None);
    }
}
