//! Year-end projection and required pace (预计年底完成、剩余季度每季度需完成): where a region
//! will end the year at its usual seasonal pace, and how much it needs per remaining quarter.

use serde::Serialize;

use super::Tenths;
use super::rate::completion_rate;

/// Past years a region needs, with both the quarter's and the year-end figure, before its own
/// pattern is used; with fewer, its parent's pattern stands in.
pub const MIN_HISTORY_YEARS: u32 = 1;

/// How many past years the projection looks back.
pub const HISTORY_YEARS: i32 = 3;

/// The first quarter from which a projection is firm enough to state. On the demo history the
/// seasonal projection made at Q1 misses the year end by 84.7 points of the target on average
/// (Q2 28.0, Q3 8.9; `tests/backtest.rs`), so a Q1 projection is shown as indicative (仅供参考)
/// and the bulletin names no city from it.
pub const FIRM_FROM_QUARTER: u8 = 2;

/// Whether a projection made at the end of `quarter` is only indicative (仅供参考).
pub fn is_indicative(quarter: u8) -> bool {
    quarter < FIRM_FROM_QUARTER
}

/// A region's seasonality: over past years, the cumulative reached by the end of quarters 1–3
/// and the year-end figure of the same years, pooled (summed), so that a parent's pattern is
/// the sum of its children's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Seasonality {
    reached: [i64; 3],
    year_end: [i64; 3],
    years: [u32; 3],
}

impl Seasonality {
    /// Adds one past year's cumulative figures by quarter (`None`: not reported).
    pub fn add_year(&mut self, quarters: [Option<i64>; 4]) {
        let Some(year_end) = quarters[3] else {
            return;
        };
        for (index, reached) in quarters[..3].iter().enumerate() {
            if let Some(reached) = reached {
                self.reached[index] += reached;
                self.year_end[index] += year_end;
                self.years[index] += 1;
            }
        }
    }

    /// Adds another region's pattern (a child's, for its parent).
    pub fn add(&mut self, other: &Seasonality) {
        for index in 0..3 {
            self.reached[index] += other.reached[index];
            self.year_end[index] += other.year_end[index];
            self.years[index] += other.years[index];
        }
    }

    /// The share of the year-end figure usually reached by the end of `quarter` (1–3), as
    /// (reached, year end), when there is enough history and both are positive. Capped at 1:
    /// a figure revised down in Q4 does not project a year end below the cumulative.
    pub fn share(&self, quarter: u8) -> Option<(i64, i64)> {
        let index = usize::from(quarter.checked_sub(1)?);
        if index >= 3 || self.years[index] < MIN_HISTORY_YEARS {
            return None;
        }
        let (reached, year_end) = (self.reached[index], self.year_end[index]);
        (reached > 0 && year_end > 0).then_some((reached.min(year_end), year_end))
    }
}

/// Which pattern a projection followed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The region's own past years.
    Own,
    /// Its parent's (or a further ancestor's) past years.
    Parent,
    /// No history anywhere: cumulative ÷ time benchmark.
    Benchmark,
    /// Q4: the year is over, the cumulative is the year end.
    Final,
}

/// Where a region is projected to end the year on one indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Projection {
    pub year_end: i64,
    /// `year_end` over the target; none without a positive target.
    pub rate: Option<Tenths>,
    /// Units per remaining quarter to reach the target (0 when met); none without a target or
    /// when no quarter remains.
    pub required_per_quarter: Option<i64>,
    pub basis: Basis,
}

impl Projection {
    /// 预计难以完成: the projected year end falls short of a positive target.
    pub fn misses_target(&self) -> bool {
        self.rate.is_some_and(|rate| rate.0 < 1000)
    }
}

/// `value × numerator ÷ denominator`, rounded half up, without overflow.
fn scale(value: i64, numerator: i64, denominator: i64) -> i64 {
    let (v, n, d) = (i128::from(value), i128::from(numerator), i128::from(denominator));
    i64::try_from((2 * v * n + d) / (2 * d)).unwrap_or(i64::MAX)
}

/// The naive projection: the cumulative scaled by the time benchmark (cumulative ÷ q/4).
pub fn naive_year_end(cumulative: i64, quarter: u8) -> i64 {
    scale(cumulative, 4, i64::from(quarter.clamp(1, 4)))
}

/// Projects the year end of `cumulative` at the end of `quarter` (1–4) against `target`,
/// using `own` seasonality when it has enough history, else the first of `ancestors` (nearest
/// first) that does, else the time benchmark.
pub fn project(
    cumulative: i64,
    target: Option<i64>,
    quarter: u8,
    own: &Seasonality,
    ancestors: &[&Seasonality],
) -> Projection {
    let quarter = quarter.clamp(1, 4);
    let (year_end, basis) = if quarter == 4 {
        (cumulative, Basis::Final)
    } else if let Some((reached, year_end)) = own.share(quarter) {
        (scale(cumulative, year_end, reached), Basis::Own)
    } else if let Some((reached, year_end)) = ancestors.iter().find_map(|s| s.share(quarter)) {
        (scale(cumulative, year_end, reached), Basis::Parent)
    } else {
        (naive_year_end(cumulative, quarter), Basis::Benchmark)
    };
    let year_end = year_end.max(cumulative);
    let positive_target = target.filter(|&t| t > 0);
    let remaining = i64::from(4 - quarter);
    let required_per_quarter = match positive_target {
        Some(target) if remaining > 0 => {
            let shortfall = (target - cumulative).max(0);
            Some((shortfall + remaining - 1) / remaining)
        }
        _ => None,
    };
    Projection {
        year_end,
        rate: completion_rate(year_end, positive_target),
        required_per_quarter,
        basis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pattern from past years given as their four quarters' cumulatives.
    fn history(years: &[[i64; 4]]) -> Seasonality {
        let mut seasonality = Seasonality::default();
        for year in years {
            seasonality.add_year(year.map(Some));
        }
        seasonality
    }

    #[test]
    fn seasonality_scales_by_the_share_usually_reached() {
        // Past years reached 20% by Q1 and 60% by Q2.
        let own = history(&[[20, 60, 80, 100], [40, 120, 160, 200]]);
        let q1 = project(30, Some(200), 1, &own, &[]);
        assert_eq!((q1.year_end, q1.basis), (150, Basis::Own));
        assert_eq!(q1.rate, Some(Tenths(750)));
        assert!(q1.misses_target());
        assert_eq!(q1.required_per_quarter, Some(57)); // 170 over 3 quarters, rounded up.
        let q2 = project(120, Some(200), 2, &own, &[]);
        assert_eq!(q2.year_end, 200);
        assert!(!q2.misses_target());
        // The naive projection would say 120 × 2 = 240.
        assert_eq!(naive_year_end(120, 2), 240);
    }

    #[test]
    fn too_little_history_falls_back_to_the_parent() {
        let parent = history(&[[25, 50, 75, 100]]);
        let none = Seasonality::default();
        let projection = project(10, Some(100), 1, &none, &[&none, &parent]);
        assert_eq!((projection.year_end, projection.basis), (40, Basis::Parent));
        // A year with only Q4 reported teaches nothing about Q1.
        let mut partial = Seasonality::default();
        partial.add_year([None, None, None, Some(100)]);
        assert_eq!(partial.share(1), None);
        assert_eq!(project(10, Some(100), 1, &partial, &[&parent]).basis, Basis::Parent);
    }

    #[test]
    fn no_history_anywhere_uses_the_time_benchmark() {
        let none = Seasonality::default();
        let projection = project(30, Some(100), 2, &none, &[&none]);
        assert_eq!((projection.year_end, projection.basis), (60, Basis::Benchmark));
        assert_eq!(projection.rate, Some(Tenths(600)));
        assert_eq!(projection.required_per_quarter, Some(35));
        // Past years with nothing by Q1 cannot scale a Q1 figure either.
        let late_starter = history(&[[0, 10, 50, 100]]);
        assert_eq!(project(5, Some(100), 1, &late_starter, &[]).basis, Basis::Benchmark);
        assert_eq!(project(5, Some(100), 2, &late_starter, &[]).year_end, 50);
    }

    #[test]
    fn a_target_already_met_needs_nothing_more() {
        let own = history(&[[50, 70, 90, 100]]);
        let projection = project(120, Some(100), 1, &own, &[]);
        assert_eq!(projection.required_per_quarter, Some(0));
        assert!(!projection.misses_target());
        assert_eq!(projection.year_end, 240);
        // Q4: the year end is the cumulative and no quarter remains.
        let last = project(80, Some(100), 4, &own, &[]);
        assert_eq!(
            (last.year_end, last.basis, last.required_per_quarter),
            (80, Basis::Final, None)
        );
        assert!(last.misses_target());
    }

    #[test]
    fn a_zero_or_missing_target_has_no_rate_and_no_pace() {
        let own = history(&[[25, 50, 75, 100]]);
        for target in [Some(0), None] {
            let projection = project(10, target, 1, &own, &[]);
            assert_eq!(projection.year_end, 40);
            assert_eq!((projection.rate, projection.required_per_quarter), (None, None));
            assert!(!projection.misses_target());
        }
    }

    #[test]
    fn a_year_end_revised_down_never_projects_below_the_cumulative() {
        let revised = history(&[[120, 120, 120, 100]]);
        assert_eq!(revised.share(1), Some((100, 100)));
        assert_eq!(project(70, Some(100), 1, &revised, &[]).year_end, 70);
    }

    #[test]
    fn only_a_first_quarter_projection_is_indicative() {
        assert!(is_indicative(1));
        assert!(!is_indicative(2) && !is_indicative(3) && !is_indicative(4));
    }

    #[test]
    fn a_parents_pattern_is_the_pool_of_its_childrens() {
        let mut parent = history(&[[10, 20, 30, 40]]);
        parent.add(&history(&[[0, 10, 30, 60]]));
        assert_eq!(parent.share(1), Some((10, 100)));
        assert_eq!(parent.share(3), Some((60, 100)));
        assert_eq!(parent.share(4), None);
    }
}
