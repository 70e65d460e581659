//! Completion rate (完成率), time benchmark (序时进度), gap and status, in exact integer arithmetic.

use std::fmt;

use serde::{Serialize, Serializer};

use super::Period;

/// A percentage held in tenths of a percent, so 72.3% is `Tenths(723)`: exact, never NaN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tenths(pub i64);

impl Tenths {
    /// The value as a float, for charts and JSON only: never compute with it.
    pub fn as_f64(self) -> f64 {
        self.0 as f64 / 10.0
    }
}

impl fmt::Display for Tenths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let magnitude = self.0.unsigned_abs();
        write!(f, "{sign}{}.{}", magnitude / 10, magnitude % 10)
    }
}

impl Serialize for Tenths {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.as_f64())
    }
}

/// cumulative / target as a percentage with one decimal, rounded half up.
/// No target, or a target of 0, has no rate.
pub fn completion_rate(cumulative: i64, target: Option<i64>) -> Option<Tenths> {
    let target = i128::from(target.filter(|&t| t > 0)?);
    let cumulative = i128::from(cumulative);
    // Per mille, rounded half up: (c·1000·2 + t) / (t·2). Per mille is tenths of a percent.
    let per_mille = (cumulative * 2000 + target) / (target * 2);
    Some(Tenths(i64::try_from(per_mille).unwrap_or(i64::MAX)))
}

/// 序时进度: how far through the year the period is, 25% a quarter.
pub fn time_benchmark(period: Period) -> Tenths {
    Tenths(i64::from(period.quarter()) * 250)
}

/// Percentage points between the rate and the benchmark; negative when behind.
pub fn gap(rate: Tenths, benchmark: Tenths) -> Tenths {
    Tenths(rate.0 - benchmark.0)
}

/// 同比: the change from `before` to `now` as a percentage of `before`, rounded half away from
/// zero; none when `before` is not positive.
pub fn growth(now: i64, before: i64) -> Option<Tenths> {
    let change = now.checked_sub(before)?;
    let magnitude = completion_rate(change.checked_abs()?, Some(before))?;
    Some(Tenths(if change < 0 { -magnitude.0 } else { magnitude.0 }))
}

/// How far below the benchmark a rate may fall before it is `behind` rather than `lagging`.
pub const BEHIND_THRESHOLD: Tenths = Tenths(100);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    OnTrack,
    Lagging,
    Behind,
    NoTarget,
    NotReported,
    /// A parent some of whose expected children have not reported: its sum is partial, so it is
    /// never called lagging or behind (报送不全).
    Incomplete,
}

impl Status {
    pub fn of(cumulative: Option<i64>, target: Option<i64>, period: Period) -> Status {
        let Some(cumulative) = cumulative else {
            return Status::NotReported;
        };
        match completion_rate(cumulative, target) {
            None => Status::NoTarget,
            Some(rate) => Status::from_gap(gap(rate, time_benchmark(period))),
        }
    }

    pub fn from_gap(gap: Tenths) -> Status {
        if gap.0 >= 0 {
            Status::OnTrack
        } else if gap.0 > -BEHIND_THRESHOLD.0 {
            Status::Lagging
        } else {
            Status::Behind
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Status::OnTrack => "on_track",
            Status::Lagging => "lagging",
            Status::Behind => "behind",
            Status::NoTarget => "no_target",
            Status::NotReported => "not_reported",
            Status::Incomplete => "incomplete",
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
    fn published_guangdong_rates() {
        assert_eq!(completion_rate(7899, Some(10918)), Some(Tenths(723)));
        // 3,734 basic completions (308,247.65 m²; 广州日报, 21 April 2020, citing the department).
        assert_eq!(completion_rate(3734, Some(10813)), Some(Tenths(345)));
        assert_eq!(completion_rate(19911, Some(25140)), Some(Tenths(792)));
        assert_eq!(completion_rate(7899, Some(10918)).unwrap().to_string(), "72.3");
    }

    #[test]
    fn rounds_half_up() {
        // 1/8 = 12.5% exactly; 1/16 = 6.25% → 6.3; 1/3 = 33.33…% → 33.3; 2/3 → 66.7.
        assert_eq!(completion_rate(1, Some(8)), Some(Tenths(125)));
        assert_eq!(completion_rate(1, Some(16)), Some(Tenths(63)));
        assert_eq!(completion_rate(1, Some(3)), Some(Tenths(333)));
        assert_eq!(completion_rate(2, Some(3)), Some(Tenths(667)));
        assert_eq!(completion_rate(1, Some(2000)), Some(Tenths(1)));
        assert_eq!(completion_rate(1, Some(2001)), Some(Tenths(0)));
    }

    #[test]
    fn no_target_or_zero_target_has_no_rate() {
        assert_eq!(completion_rate(5, None), None);
        assert_eq!(completion_rate(5, Some(0)), None);
        assert_eq!(Status::of(Some(5), Some(0), period("2020Q1")), Status::NoTarget);
        assert_eq!(Status::of(Some(5), None, period("2020Q1")), Status::NoTarget);
    }

    #[test]
    fn huge_values_do_not_overflow() {
        let trillion = 1_000_000_000_000;
        assert_eq!(
            completion_rate(trillion * 3000, Some(trillion * 3000)),
            Some(Tenths(1000))
        );
    }

    #[test]
    fn benchmark_is_a_quarter_per_quarter() {
        let benchmarks: Vec<String> = (1..=4)
            .map(|q| time_benchmark(Period::new(2020, q).unwrap()).to_string())
            .collect();
        assert_eq!(benchmarks, ["25.0", "50.0", "75.0", "100.0"]);
    }

    #[test]
    fn status_thresholds() {
        let q2 = period("2020Q2");
        // Exactly on the benchmark: 500/1000 = 50.0%.
        assert_eq!(Status::of(Some(500), Some(1000), q2), Status::OnTrack);
        // 40.1% is 9.9 pp below.
        assert_eq!(Status::of(Some(401), Some(1000), q2), Status::Lagging);
        // 40.0% is 10.0 pp below.
        assert_eq!(Status::of(Some(400), Some(1000), q2), Status::Behind);
        assert_eq!(Status::of(None, Some(1000), q2), Status::NotReported);
        assert_eq!(Status::from_gap(Tenths(-99)), Status::Lagging);
        assert_eq!(Status::from_gap(Tenths(-100)), Status::Behind);
    }

    #[test]
    fn growth_is_signed_and_needs_a_positive_base() {
        assert_eq!(growth(110, 100), Some(Tenths(100)));
        assert_eq!(growth(90, 100), Some(Tenths(-100)));
        // -1/16 = -6.25% → -6.3, rounded away from zero like +6.3.
        assert_eq!(growth(15, 16), Some(Tenths(-63)));
        assert_eq!(growth(17, 16), Some(Tenths(63)));
        assert_eq!(growth(5, 0), None);
        assert_eq!(growth(5, -3), None);
    }

    #[test]
    fn negative_tenths_format_with_sign() {
        assert_eq!(Tenths(-5).to_string(), "-0.5");
        assert_eq!(Tenths(-123).to_string(), "-12.3");
        assert_eq!(gap(Tenths(345), Tenths(250)).to_string(), "9.5");
        assert_eq!(serde_json::to_string(&Tenths(723)).unwrap(), "72.3");
        assert_eq!(serde_json::to_string(&Tenths(250)).unwrap(), "25.0");
    }
}
