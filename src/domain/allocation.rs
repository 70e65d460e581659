//! How a parent's target is split among its children (目标任务分解): whether the cities' targets
//! add up to the province's own, and a city's units' to the city's, fall short of it, or exceed it.

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

/// [`check`] of `parent` in `catalogue` against its children, each region's target read by
/// `target`; none for a region without children.
pub fn check_region(
    catalogue: &super::catalogue::Catalogue,
    parent: &str,
    target: impl Fn(&str) -> Option<i64>,
) -> Option<Allocation> {
    if !catalogue.has_children(parent) {
        return None;
    }
    let children: Vec<Option<i64>> = catalogue.children(parent).map(|child| target(&child.code)).collect();
    Some(check(target(parent), &children))
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

    /// The check in words, with the indicator's unit, for a parent at `level` (`province`:
    /// its cities; `city`: its county-level units): 分解不完整（各市合计 9,800 套，尚差 1,118 套）.
    pub fn describe(&self, level: &str, unit: &str, lang: Lang) -> String {
        let amount = |v: i64| format!("{} {}", format::thousands(v), format::unit(unit, lang));
        let Words {
            children,
            parent,
            counted,
        } = Words::of(level, lang);
        match (self, lang) {
            (Allocation::NoParentTarget { sum }, Lang::Zh) => {
                format!("未设{parent}，按{children}合计 {}", amount(*sum))
            }
            (Allocation::NoParentTarget { sum }, Lang::En) => {
                format!("No own target: {children}' sum, {}", amount(*sum))
            }
            (Allocation::Matched, Lang::Zh) => format!("{children}合计与{parent}一致"),
            (Allocation::Matched, Lang::En) => format!("{} add up to the target", capitalised(children)),
            (Allocation::Incomplete { sum, missing, unset }, Lang::Zh) => {
                let unset = if *unset > 0 {
                    format!("，{unset} 个{counted}未设目标")
                } else {
                    String::new()
                };
                format!(
                    "分解不完整（{children}合计 {}，尚差 {}{unset}）",
                    amount(*sum),
                    amount(*missing)
                )
            }
            (Allocation::Incomplete { sum, missing, unset }, Lang::En) => {
                let unset = if *unset > 0 {
                    format!("; {unset} {counted} without a target")
                } else {
                    String::new()
                };
                format!(
                    "Incomplete: {children} sum to {}, {} short{unset}",
                    amount(*sum),
                    amount(*missing)
                )
            }
            (Allocation::Over { sum, excess }, Lang::Zh) => {
                format!("超出{parent} {}（{children}合计 {}）", amount(*excess), amount(*sum))
            }
            (Allocation::Over { sum, excess }, Lang::En) => {
                format!(
                    "Over {parent} by {} ({children} sum to {})",
                    amount(*excess),
                    amount(*sum)
                )
            }
        }
    }
}

/// How a breakdown names a parent's children and target at each level.
struct Words {
    /// 各市, the cities.
    children: &'static str,
    /// 省级目标, the target.
    parent: &'static str,
    /// 市 (as in 3 个市), cities.
    counted: &'static str,
}

impl Words {
    fn of(level: &str, lang: Lang) -> Self {
        let (children, parent, counted) = match (level, lang) {
            ("country", Lang::Zh) => ("各省", "全国目标", "省"),
            ("country", Lang::En) => ("the provinces", "the target", "provinces"),
            ("province", Lang::Zh) => ("各市", "省级目标", "市"),
            ("province", Lang::En) => ("the cities", "the target", "cities"),
            ("city", Lang::Zh) => ("各县区", "市级目标", "县区"),
            ("city", Lang::En) => ("the counties", "the city's target", "counties"),
            (_, Lang::Zh) => ("下级地区", "本级目标", "下级地区"),
            (_, Lang::En) => ("the parts", "the target", "parts"),
        };
        Self {
            children,
            parent,
            counted,
        }
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |first| first.to_uppercase().chain(chars).collect())
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
            short.describe("province", "套", Lang::Zh),
            "分解不完整（各市合计 9,800 套，尚差 1,118 套，1 个市未设目标）"
        );
        assert_eq!(short.kind(), "incomplete");
        let over = check(Some(100), &[Some(150)]);
        assert_eq!(
            over.describe("province", "户", Lang::Zh),
            "超出省级目标 50 户（各市合计 150 户）"
        );
        assert_eq!(
            over.describe("province", "户", Lang::En),
            "Over the target by 50 households (the cities sum to 150 households)"
        );
        assert_eq!(
            check(Some(100), &[Some(60), Some(40)]).describe("province", "套", Lang::En),
            "The cities add up to the target"
        );
    }

    #[test]
    fn a_city_breaks_down_to_its_units() {
        let short = check(Some(500), &[Some(200), None, Some(100)]);
        assert_eq!(
            short.describe("city", "套", Lang::Zh),
            "分解不完整（各县区合计 300 套，尚差 200 套，1 个县区未设目标）"
        );
        assert_eq!(
            short.describe("city", "套", Lang::En),
            "Incomplete: the counties sum to 300 units, 200 units short; 1 counties without a target"
        );
        let over = check(Some(100), &[Some(80), Some(30)]);
        assert_eq!(
            over.describe("city", "套", Lang::Zh),
            "超出市级目标 10 套（各县区合计 110 套）"
        );
        assert_eq!(
            over.describe("city", "套", Lang::En),
            "Over the city's target by 10 units (the counties sum to 110 units)"
        );
        assert_eq!(
            check(Some(110), &[Some(80), Some(30)]).describe("city", "套", Lang::Zh),
            "各县区合计与市级目标一致"
        );
    }
}
