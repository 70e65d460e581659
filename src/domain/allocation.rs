//! How a parent's target is split among its children (目标分解): whether the cities' targets add
//! up to the province's own, fall short of it, or exceed it.

use super::Lang;
use super::format;

/// The children's targets of one indicator against the parent's own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allocation {
    /// No own target for the parent: it counts as the children's sum.
    NoParentTarget { sum: i64 },
    /// The children add up to the parent's target.
    Matched,
    /// The children's targets fall short of the parent's: `missing` still to allocate.
    Incomplete { sum: i64, missing: i64, unset: usize },
    /// The children's targets exceed the parent's by `excess`.
    Over { sum: i64, excess: i64 },
}

/// Compares `children` (one entry per child: its target, if set) with the parent's own target.
pub fn check(parent: Option<i64>, children: &[Option<i64>]) -> Allocation {
    let sum: i64 = children.iter().flatten().sum();
    let unset = children.iter().filter(|c| c.is_none()).count();
    match parent {
        None => Allocation::NoParentTarget { sum },
        Some(target) if sum == target => Allocation::Matched,
        Some(target) if sum < target => Allocation::Incomplete {
            sum,
            missing: target - sum,
            unset,
        },
        Some(target) => Allocation::Over {
            sum,
            excess: sum - target,
        },
    }
}

impl Allocation {
    /// A short class name for the page: matched, incomplete, over, none.
    pub fn kind(&self) -> &'static str {
        match self {
            Allocation::NoParentTarget { .. } => "none",
            Allocation::Matched => "matched",
            Allocation::Incomplete { .. } => "incomplete",
            Allocation::Over { .. } => "over",
        }
    }

    /// The check in words, with the indicator's unit: 分解不完整（各市合计 9,800 套，尚差 1,118 套）.
    pub fn describe(&self, unit: &str, lang: Lang) -> String {
        let amount = |v: i64| format!("{} {}", format::thousands(v), format::unit(unit, lang));
        match (self, lang) {
            (Allocation::NoParentTarget { sum }, Lang::Zh) => format!("未设省级目标，按各市合计 {}", amount(*sum)),
            (Allocation::NoParentTarget { sum }, Lang::En) => {
                format!("No own target: the cities' sum, {}", amount(*sum))
            }
            (Allocation::Matched, Lang::Zh) => "各市合计与省级目标一致".to_owned(),
            (Allocation::Matched, Lang::En) => "The cities add up to the target".to_owned(),
            (Allocation::Incomplete { sum, missing, unset }, Lang::Zh) => {
                let unset = if *unset > 0 {
                    format!("，{unset} 个市未设目标")
                } else {
                    String::new()
                };
                format!(
                    "分解不完整（各市合计 {}，尚差 {}{unset}）",
                    amount(*sum),
                    amount(*missing)
                )
            }
            (Allocation::Incomplete { sum, missing, unset }, Lang::En) => {
                let unset = if *unset > 0 {
                    format!("; {unset} cities without a target")
                } else {
                    String::new()
                };
                format!(
                    "Incomplete: the cities sum to {}, {} short{unset}",
                    amount(*sum),
                    amount(*missing)
                )
            }
            (Allocation::Over { sum, excess }, Lang::Zh) => {
                format!("超出省级目标 {}（各市合计 {}）", amount(*excess), amount(*sum))
            }
            (Allocation::Over { sum, excess }, Lang::En) => {
                format!(
                    "Over the target by {} (the cities sum to {})",
                    amount(*excess),
                    amount(*sum)
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cities_add_up_fall_short_or_exceed() {
        assert_eq!(check(Some(100), &[Some(60), Some(40)]), Allocation::Matched);
        assert_eq!(
            check(Some(100), &[Some(60), None]),
            Allocation::Incomplete {
                sum: 60,
                missing: 40,
                unset: 1
            }
        );
        assert_eq!(
            check(Some(100), &[Some(60), Some(50)]),
            Allocation::Over { sum: 110, excess: 10 }
        );
        assert_eq!(check(None, &[Some(60), None]), Allocation::NoParentTarget { sum: 60 });
        assert_eq!(check(Some(0), &[]), Allocation::Matched);
    }

    #[test]
    fn says_which_way_in_each_language() {
        let short = check(Some(10_918), &[Some(9_800), None]);
        assert_eq!(
            short.describe("套", Lang::Zh),
            "分解不完整（各市合计 9,800 套，尚差 1,118 套，1 个市未设目标）"
        );
        assert_eq!(short.kind(), "incomplete");
        let over = check(Some(100), &[Some(150)]);
        assert_eq!(over.describe("户", Lang::Zh), "超出省级目标 50 户（各市合计 150 户）");
        assert_eq!(
            over.describe("户", Lang::En),
            "Over the target by 50 households (the cities sum to 150 households)"
        );
    }
}
