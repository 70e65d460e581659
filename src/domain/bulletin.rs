//! The generated bulletin (通报): a few paragraphs in the register of a provincial bulletin,
//! written from the progress table's rows for the home region and its children.

use super::Lang;
use super::catalogue::{Catalogue, Indicator, Region};
use super::format;
use super::progress::{Figure, ProgressTable};
use super::rate::Status;

/// The bulletin for one period: a title and its paragraphs, in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bulletin {
    pub title: String,
    pub paragraphs: Vec<String>,
}

impl Bulletin {
    /// Title and paragraphs separated by blank lines, ready to paste.
    pub fn text(&self) -> String {
        let mut out = self.title.clone();
        for paragraph in &self.paragraphs {
            out.push_str("\n\n");
            out.push_str(paragraph);
        }
        out
    }
}

/// How the bulletin names an indicator's work: "新开工棚户区改造安置住房7899套".
fn work_phrase(indicator: &Indicator, english: bool) -> String {
    let (zh, en) = match indicator.key.as_str() {
        "shantytown_starts" => ("新开工棚户区改造安置住房", "started construction of"),
        "shantytown_completions" => ("基本建成棚改安置住房", "basically completed"),
        "public_rental_starts" => ("新开工公共租赁住房", "started construction of"),
        "public_rental_completions" => ("基本建成公共租赁住房", "basically completed"),
        "rent_subsidy_households" => ("发放租赁补贴", "paid rent subsidies to"),
        _ => ("", ""),
    };
    if english {
        if en.is_empty() {
            indicator.name_en.clone()
        } else {
            en.to_owned()
        }
    } else if zh.is_empty() {
        indicator.name_zh.clone()
    } else {
        zh.to_owned()
    }
}

/// The object of the English phrase: "7,899 shantytown resettlement units".
fn english_object(indicator: &Indicator, value: i64) -> String {
    let count = format::thousands(value);
    match indicator.key.as_str() {
        "shantytown_starts" | "shantytown_completions" => format!("{count} shantytown resettlement units"),
        "public_rental_starts" | "public_rental_completions" => format!("{count} public rental units"),
        "rent_subsidy_households" => format!("{count} households"),
        _ => format!("{count} ({})", format::unit(&indicator.unit, Lang::En)),
    }
}

/// "广州市" → "广州": the short form a bulletin lists cities by.
fn short_name(region: &Region, english: bool) -> &str {
    if english {
        return &region.name_en;
    }
    region
        .name_zh
        .strip_suffix('市')
        .filter(|s| s.chars().count() >= 2)
        .unwrap_or(&region.name_zh)
}

fn join_zh(items: &[String]) -> String {
    items.join("、")
}

fn join_en(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Writes the bulletin for the catalogue's home region from `table`.
pub fn generate(table: &ProgressTable, catalogue: &Catalogue, english: bool) -> Bulletin {
    let period = table.period;
    let lang = Lang::english(english);
    let benchmark = format::percent(table.time_benchmark);
    let title = if english {
        format!("Housing security progress, {}", format::period(period, lang))
    } else {
        format!("{}全省住房保障工作进展情况通报", format::period(period, lang))
    };
    let Some(home) = catalogue.home_region() else {
        return Bulletin {
            title,
            paragraphs: vec![],
        };
    };
    let Some(home_position) = catalogue.position(&home.code) else {
        return Bulletin {
            title,
            paragraphs: vec![],
        };
    };
    let indicators = catalogue.indicators();
    let cities: Vec<(usize, &Region)> = catalogue
        .children(&home.code)
        .filter_map(|r| catalogue.position(&r.code).map(|p| (p, r)))
        .collect();
    let mut paragraphs = Vec::new();

    // 1. The province's figures against the annual targets.
    let reported: Vec<(&Indicator, &Figure)> = indicators
        .iter()
        .enumerate()
        .filter(|(_, i)| i.has_target)
        .map(|(column, i)| (i, table.figure(home_position, column)))
        .filter(|(_, f)| f.cumulative.is_some() && f.rate.is_some())
        .collect();
    if reported.is_empty() {
        paragraphs.push(if english {
            format!(
                "No figures have been submitted for {} yet.",
                format::period(period, lang)
            )
        } else {
            format!("截至目前,{}尚无已报送的进度数据。", format::period(period, lang))
        });
    } else {
        paragraphs.push(province_paragraph(&reported, &benchmark, period, home, english));
    }

    // 2. Cities behind the time benchmark, per indicator.
    let mut lagging_parts = Vec::new();
    for (column, indicator) in indicators.iter().enumerate().filter(|(_, i)| i.has_target) {
        let mut behind: Vec<(&Region, &Figure)> = cities
            .iter()
            .map(|&(p, r)| (r, table.figure(p, column)))
            .filter(|(_, f)| matches!(f.status, Status::Lagging | Status::Behind))
            .collect();
        if behind.is_empty() {
            continue;
        }
        behind.sort_by_key(|(r, f)| (f.rate, r.code.clone()));
        let names: Vec<String> = behind
            .iter()
            .map(|(r, f)| {
                let rate = f.rate.map(format::percent).unwrap_or_default();
                if english {
                    format!("{} ({rate})", r.name_en)
                } else {
                    format!("{}({rate})", r.name_zh)
                }
            })
            .collect();
        lagging_parts.push(if english {
            format!("{}: {}", indicator.name_en, names.join(", "))
        } else {
            format!("{}进度滞后的有{}", indicator.name_zh, join_zh(&names))
        });
    }
    if !reported.is_empty() {
        paragraphs.push(match (lagging_parts.is_empty(), english) {
            (true, false) => format!("对照序时进度({benchmark}),已报送各市各项目标任务均达到序时进度。"),
            (true, true) => format!("Every reporting city is at or above the time benchmark ({benchmark}) on every target."),
            (false, false) => format!(
                "对照序时进度({benchmark}),{}。请上述城市加快推进,确保按期完成年度目标任务。",
                lagging_parts.join(";")
            ),
            (false, true) => format!(
                "Cities below the time benchmark ({benchmark}) — {}. These cities should speed up to meet the annual targets.",
                lagging_parts.join("; ")
            ),
        });
    }

    // 3. Completeness.
    let completeness = table.completeness(catalogue, &home.code);
    if completeness.expected > 0 {
        let missing: Vec<String> = completeness
            .missing
            .iter()
            .filter_map(|code| catalogue.region(code))
            .map(|r| r.name(english).to_owned())
            .collect();
        paragraphs.push(match (missing.is_empty(), english) {
            (true, false) if completeness.approved == completeness.expected => {
                format!("本季度{}个地级以上市均已报送数据并通过审核。", completeness.expected)
            }
            (true, false) => format!(
                "本季度{}个地级以上市均已报送数据,其中{}个已审核。",
                completeness.expected, completeness.approved
            ),
            (true, true) => format!(
                "All {} cities have submitted their figures; {} have been approved.",
                completeness.expected, completeness.approved
            ),
            (false, false) => format!(
                "已报送{}/{}个市,已审核{}个;{}尚未报送本季度数据,请抓紧报送。",
                completeness.submitted,
                completeness.expected,
                completeness.approved,
                join_zh(&missing)
            ),
            (false, true) => format!(
                "{} of {} cities have submitted ({} approved); not yet reported: {}.",
                completeness.submitted,
                completeness.expected,
                completeness.approved,
                join_en(&missing)
            ),
        });
    }

    // 4. Rent relief, when any city reported it.
    if let Some(paragraph) = relief_paragraph(table, catalogue, home_position, &cities, english) {
        paragraphs.push(paragraph);
    }

    Bulletin { title, paragraphs }
}

fn province_paragraph(
    reported: &[(&Indicator, &Figure)],
    benchmark: &str,
    period: super::Period,
    home: &Region,
    english: bool,
) -> String {
    let all_on_track = reported.iter().all(|(_, f)| f.status == Status::OnTrack);
    let all_above = reported.iter().all(|(_, f)| f.gap.is_some_and(|g| g.0 > 0));
    let below: Vec<String> = reported
        .iter()
        .filter(|(_, f)| f.status != Status::OnTrack)
        .map(|(i, _)| i.name(english).to_owned())
        .collect();
    let rate = |f: &Figure| f.rate.map(format::percent).unwrap_or_default();
    let (first, rest) = (reported[0], &reported[1..]);
    let cumulative = |f: &Figure| f.cumulative.unwrap_or_default();
    if english {
        let mut text = format!(
            "In {}, {} {} {}, {} of the annual target",
            format::period(period, Lang::En),
            home.name_en,
            work_phrase(first.0, true),
            english_object(first.0, cumulative(first.1)),
            rate(first.1)
        );
        if !rest.is_empty() {
            let works: Vec<String> = rest
                .iter()
                .map(|(i, f)| format!("{} {}", work_phrase(i, true), english_object(i, cumulative(f))))
                .collect();
            let rates: Vec<String> = rest.iter().map(|(_, f)| rate(f)).collect();
            text.push_str(&format!(
                "; it also {}, respectively {} of the annual targets",
                join_en(&works),
                join_en(&rates)
            ));
        }
        text.push_str(&match (all_on_track, all_above) {
            (true, true) => format!(", all above the time benchmark of {benchmark}."),
            (true, false) => format!(", all at or above the time benchmark of {benchmark}."),
            _ => format!(". Below the time benchmark of {benchmark}: {}.", join_en(&below)),
        });
        text
    } else {
        let mut text = format!(
            "{},全省{}{},达到年度目标任务的{}",
            format::period(period, Lang::Zh),
            work_phrase(first.0, false),
            format::in_text_zh(cumulative(first.1), &first.0.unit),
            rate(first.1)
        );
        if !rest.is_empty() {
            let works: Vec<String> = rest
                .iter()
                .map(|(i, f)| {
                    format!(
                        "{}{}",
                        work_phrase(i, false),
                        format::in_text_zh(cumulative(f), &i.unit)
                    )
                })
                .collect();
            let rates: Vec<String> = rest.iter().map(|(_, f)| rate(f)).collect();
            let lead = if rest.len() == 1 {
                "占年度目标的"
            } else {
                "分别占年度目标的"
            };
            text.push_str(&format!(";{},{lead}{}", join_zh(&works), join_zh(&rates)));
        }
        text.push_str(&match (all_on_track, all_above) {
            (true, true) => format!(",均超过序时进度({benchmark})。"),
            (true, false) => format!(",均达到序时进度({benchmark})。"),
            _ => format!(";其中{}低于序时进度({benchmark})。", join_zh(&below)),
        });
        text
    }
}

fn relief_paragraph(
    table: &ProgressTable,
    catalogue: &Catalogue,
    home_position: usize,
    cities: &[(usize, &Region)],
    english: bool,
) -> Option<String> {
    let indicators = catalogue.indicators();
    let households_column = indicators.iter().position(|i| i.key == "rent_relief_households");
    let amount_column = indicators.iter().position(|i| i.key == "rent_relief_amount");
    let households = households_column.and_then(|c| table.figure(home_position, c).cumulative);
    let amount = amount_column.and_then(|c| table.figure(home_position, c).cumulative);
    if households.unwrap_or(0) == 0 && amount.unwrap_or(0) == 0 {
        return None;
    }
    // The cities that gave the most relief, by amount (or households when no amount).
    let column = amount_column.or(households_column)?;
    let mut givers: Vec<(i64, &Region)> = cities
        .iter()
        .filter_map(|&(p, r)| table.figure(p, column).cumulative.filter(|&v| v > 0).map(|v| (v, r)))
        .collect();
    givers.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.code.cmp(&b.1.code)));
    let names: Vec<String> = givers
        .iter()
        .take(5)
        .map(|(_, r)| short_name(r, english).to_owned())
        .collect();
    let more = givers.len() > names.len();
    Some(if english {
        let who = if more {
            format!("{} and other cities", names.join(", "))
        } else {
            join_en(&names)
        };
        let mut text = format!("{who} granted rent relief on public rental and other housing");
        if let Some(h) = households {
            text.push_str(&format!(" to {} households", format::thousands(h)));
        }
        if let Some(a) = amount {
            text.push_str(&format!(", {} in total", format::money(a, Lang::En)));
        }
        text.push('.');
        text
    } else {
        let who = if more || names.len() > 1 {
            format!("{}等市", join_zh(&names))
        } else {
            names.concat()
        };
        let mut text = who;
        if let Some(h) = households {
            text.push_str(&format!("为{}户保障对象", format::count_in_wan(h)));
        }
        text.push_str("减免公租房等租金");
        if let Some(a) = amount {
            text.push_str(&format::money(a, Lang::Zh));
        }
        text.push('。');
        text
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_lists_read_naturally() {
        assert_eq!(join_en(&["a".into(), "b".into(), "c".into()]), "a, b and c");
        assert_eq!(join_en(&["a".into()]), "a");
    }
}
