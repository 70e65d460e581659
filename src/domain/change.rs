//! What a write changed, and which periods' figures that can change: the rule every cache,
//! ETag and incremental roll-up follows.

use super::Period;

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
    /// A report counts in its own period and is the base of the next quarter's increment in
    /// the same year; a target counts in every quarter of its year.
    pub fn periods(&self) -> Option<Vec<Period>> {
        match self {
            Changed::Report { period, .. } => {
                let next = period.next().filter(|next| next.year() == period.year());
                Some(std::iter::once(*period).chain(next).collect())
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
    fn a_report_changes_its_period_and_the_next_quarters_increment_only() {
        let change = Changed::Report {
            region: "440100".into(),
            period: period("2021Q3"),
        };
        assert_eq!(change.periods(), Some(vec![period("2021Q3"), period("2021Q4")]));
        assert!(!change.affects(period("2021Q2")));
        assert!(!change.affects(period("2022Q1")));
        // Q4 is the base of nothing: Q1 restarts the cumulative figures.
        let q4 = Changed::Report {
            region: "440100".into(),
            period: period("2021Q4"),
        };
        assert_eq!(q4.periods(), Some(vec![period("2021Q4")]));
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
