//! The generated bulletin (通报): a few paragraphs in the register of a provincial bulletin,
//! written from the progress table's rows for the home region and its children.

use chrono::{Datelike, NaiveDate};

use super::Lang;
use super::catalogue::{Catalogue, Indicator, Region};
use super::format;
use super::progress::{Completeness, Figure, ProgressTable};
use super::rate::Status;

/// The bulletin for one period, in one language: what every rendering (the page, the command,
/// the Word document) shows, as fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bulletin {
    pub title: String,
    /// "演示数据……" when the data is demonstration data, shown above the text.
    pub demo_label: Option<String>,
    pub paragraphs: Vec<String>,
    /// How many of the home region's children have submitted and been approved.
    pub coverage: Coverage,
    /// The per-city table: a header row, then one row per city (per unit, for a city's
    /// bulletin; rates as text).
    pub table: Vec<Vec<String>>,
    /// The table's caption: 附表：各市年度目标任务完成率, or 各县（市、区） for a city.
    pub table_caption: String,
    /// 落款: the issuing office and the date, as written at the end.
    pub issuer: String,
    pub date: String,
}

/// The bulletin's coverage of the period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    pub submitted: u32,
    pub approved: u32,
    pub expected: u32,
}

impl Coverage {
    /// Every expected region has submitted.
    pub fn is_complete(&self) -> bool {
        self.submitted >= self.expected
    }
}

/// Who issues the bulletin, when, and whether the data is demonstration data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imprint {
    pub issuer: String,
    pub date: NaiveDate,
    pub demo: bool,
}

impl Bulletin {
    /// Title, demo label, paragraphs and the 落款 separated by blank lines, ready to paste.
    pub fn text(&self) -> String {
        let mut out = self.title.clone();
        for paragraph in self.demo_label.iter().chain(&self.paragraphs) {
            out.push_str("\n\n");
            out.push_str(paragraph);
        }
        for line in [&self.issuer, &self.date] {
            if !line.is_empty() {
                out.push_str("\n\n");
                out.push_str(line);
            }
        }
        out
    }
}

/// A date as a bulletin writes it: 2026年12月1日 / 1 December 2026.
pub fn date_text(date: NaiveDate, english: bool) -> String {
    if english {
        format!("{} {}", date.day(), date.format("%B %Y"))
    } else {
        format!("{}年{}月{}日", date.year(), date.month(), date.day())
    }
}

/// The demonstration-data label, as every page and the bulletin say it.
pub fn demo_label(english: bool) -> &'static str {
    if english {
        "Demonstration data: the 2020 province totals are Guangdong's published figures; the city splits are synthetic."
    } else {
        "演示数据：2020年全省合计为广东省公开发布的数字，各市分解数据为虚构的演示数据。"
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

/// Writes the bulletin for the catalogue's home region from `table`, without a 落款.
pub fn generate(table: &ProgressTable, catalogue: &Catalogue, english: bool) -> Bulletin {
    let mut bulletin = generate_with(
        table,
        catalogue,
        english,
        &Imprint {
            issuer: String::new(),
            date: NaiveDate::MIN,
            demo: false,
        },
    );
    bulletin.date.clear();
    bulletin
}

/// What a region's reporting units are called: 市 under a province (or the country), 县（市、区）
/// under a city; in English, cities and units.
pub fn units_noun(parent_level: &str, english: bool) -> &'static str {
    match (parent_level == "city", english) {
        (false, false) => "市",
        (false, true) => "cities",
        (true, false) => "县（市、区）",
        (true, true) => "units",
    }
}

/// Who issues a city's bulletin: its housing bureau (韶关市住房和城乡建设局).
pub fn city_issuer(city: &Region, english: bool) -> String {
    if english {
        format!("{} Housing and Urban-Rural Development Bureau", city.name_en)
    } else {
        format!("{}住房和城乡建设局", city.name_zh)
    }
}

/// The region a bulletin may be written for by its code: the home region (the province) or a
/// city; an unknown code or a county is refused, saying why.
pub fn root_for<'c>(catalogue: &'c Catalogue, code: &str) -> Result<&'c Region, super::Text> {
    let Some(region) = catalogue.region(code) else {
        return Err(super::catalogue::unknown_region(code));
    };
    let home = catalogue.home_region().is_some_and(|h| h.code == region.code);
    if home || region.level == "city" {
        Ok(region)
    } else {
        Err(super::Text::new(
            format!(
                "{}不是地级市：通报只按全省或地级市生成，县（市、区）的进展见其所属市的通报",
                region.name_zh
            ),
            format!(
                "{} is not a city: bulletins are written for the province or a city; a county's progress is in its city's bulletin.",
                region.name_en
            ),
        ))
    }
}

/// Who speaks for `root` — in a bulletin's 落款 and a 催报通知: a city's housing bureau
/// ([`city_issuer`]), else the office `imprint` names (the configured department).
pub fn issuer_of(root: Option<&Region>, imprint: &Imprint, english: bool) -> String {
    match root {
        Some(city) if city.level == "city" => city_issuer(city, english),
        _ => imprint.issuer.clone(),
    }
}

/// How the bulletin of a region speaks of it and of its units.
struct Wording<'a> {
    /// 全省, or the city's name.
    whole_zh: &'a str,
    /// province-wide, or city-wide.
    whole_en: &'static str,
    /// 市 / 县（市、区）.
    unit_zh: &'static str,
    /// 地级以上市 / 县（市、区）: how the units are counted.
    counted_zh: &'static str,
    /// city / unit.
    unit_en: &'static str,
}

impl<'a> Wording<'a> {
    fn of(root: &'a Region) -> Self {
        if root.level == "city" {
            Wording {
                whole_zh: &root.name_zh,
                whole_en: "city-wide",
                unit_zh: "县（市、区）",
                counted_zh: "县（市、区）",
                unit_en: "unit",
            }
        } else {
            Wording {
                whole_zh: "全省",
                whole_en: "province-wide",
                unit_zh: "市",
                counted_zh: "地级以上市",
                unit_en: "city",
            }
        }
    }

    /// cities / units.
    fn units_en(&self) -> String {
        if self.unit_en == "city" {
            "cities".to_owned()
        } else {
            format!("{}s", self.unit_en)
        }
    }
}

/// Writes the bulletin for the catalogue's home region from `table`, signed by `imprint`.
pub fn generate_with(table: &ProgressTable, catalogue: &Catalogue, english: bool, imprint: &Imprint) -> Bulletin {
    match catalogue.home_region() {
        Some(home) => generate_for(table, catalogue, home, english, imprint),
        // No single home region: the title and 落款 alone.
        None => {
            let nowhere = Region {
                code: String::new(),
                name_zh: String::new(),
                name_en: String::new(),
                level: "province".into(),
                parent_code: None,
            };
            generate_for(table, catalogue, &nowhere, english, imprint)
        }
    }
}

/// Writes the bulletin of `root` — the province and its cities, or a city and its units (its
/// title, figures and 落款 the city's: [`city_issuer`] replaces `imprint`'s issuer) — from
/// `table`, the same table the province's bulletin reads.
pub fn generate_for(
    table: &ProgressTable,
    catalogue: &Catalogue,
    root: &Region,
    english: bool,
    imprint: &Imprint,
) -> Bulletin {
    let period = table.period;
    let lang = Lang::english(english);
    let benchmark = format::percent(table.time_benchmark);
    let words = Wording::of(root);
    let city = root.level == "city";
    let title = match (english, city) {
        (true, false) => format!("Housing security progress, {}", format::period(period, lang)),
        (true, true) => format!(
            "Housing security progress of {}, {}",
            root.name_en,
            format::period(period, lang)
        ),
        (false, false) => format!("{}全省住房保障工作进展情况通报", format::period(period, lang)),
        (false, true) => format!(
            "{}{}住房保障工作进展情况通报",
            format::period(period, lang),
            root.name_zh
        ),
    };
    let issuer = issuer_of(Some(root), imprint, english);
    let mut bulletin = Bulletin {
        title,
        demo_label: imprint.demo.then(|| demo_label(english).to_owned()),
        paragraphs: Vec::new(),
        coverage: Coverage::default(),
        table: Vec::new(),
        table_caption: if english {
            format!("Annex: completion rate by {}", words.unit_en)
        } else {
            format!("附表：各{}年度目标任务完成率", words.unit_zh)
        },
        issuer,
        date: date_text(imprint.date, english),
    };
    let Some(home) = catalogue.region(&root.code) else {
        return bulletin;
    };
    let Some(home_position) = catalogue.position(&home.code) else {
        return bulletin;
    };
    let completeness = table.completeness(catalogue, &home.code);
    bulletin.coverage = Coverage {
        submitted: completeness.submitted,
        approved: completeness.approved,
        expected: completeness.expected,
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
            format!("截至目前，{}尚无已报送的进度数据。", format::period(period, lang))
        });
    } else if bulletin.coverage.is_complete() {
        paragraphs.push(province_paragraph(&reported, &benchmark, period, home, &words, english));
    } else {
        paragraphs.push(partial_paragraph(&reported, &completeness, period, &words, english));
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
                    format!("{}（{rate}）", r.name_zh)
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
            (true, false) => format!(
                "对照序时进度（{benchmark}），已报送各{}各项目标任务均达到序时进度。",
                words.unit_zh
            ),
            (true, true) => format!(
                "Every reporting {} is at or above the time benchmark ({benchmark}) on every target.",
                words.unit_en
            ),
            (false, false) => format!(
                "对照序时进度（{benchmark}），{}。请上述{}加快推进，确保按期完成年度目标任务。",
                lagging_parts.join("；"),
                if city { "县（市、区）" } else { "城市" }
            ),
            (false, true) => {
                let units = words.units_en();
                let mut units_capital = units.clone();
                units_capital[..1].make_ascii_uppercase();
                format!(
                    "{units_capital} below the time benchmark ({benchmark}) — {}. These {units} should speed up to meet the annual targets.",
                    lagging_parts.join("; ")
                )
            }
        });
    }

    // 3. Projection: who is likely to miss the year, at the usual pace.
    if let Some(paragraph) = projection_paragraph(table, catalogue, &cities, english) {
        paragraphs.push(paragraph);
    }

    // 4. Coverage and the counting basis.
    if completeness.expected > 0 {
        let missing: Vec<String> = completeness
            .missing
            .iter()
            .filter_map(|code| catalogue.region(code))
            .map(|r| r.name(english).to_owned())
            .collect();
        let basis = counting_basis(&completeness, &words, english);
        let counted = words.counted_zh;
        let unit = words.unit_zh;
        let units = words.units_en();
        paragraphs.push(match (missing.is_empty(), english) {
            (true, false) if completeness.approved == completeness.expected => {
                format!(
                    "本季度{}个{counted}均已报送数据并通过审核。{basis}",
                    completeness.expected
                )
            }
            (true, false) => format!(
                "本季度{}个{counted}均已报送数据，其中{}个已审核。{basis}",
                completeness.expected, completeness.approved
            ),
            (true, true) => format!(
                "All {} {units} have submitted their figures; {} have been approved. {basis}",
                completeness.expected, completeness.approved
            ),
            (false, false) => format!(
                "已报送{}/{}个{unit}，已审核{}个；{}尚未报送本季度数据，请抓紧报送。{basis}",
                completeness.submitted,
                completeness.expected,
                completeness.approved,
                join_zh(&missing)
            ),
            (false, true) => format!(
                "{} of {} {units} have submitted ({} approved); not yet reported: {}. {basis}",
                completeness.submitted,
                completeness.expected,
                completeness.approved,
                join_en(&missing)
            ),
        });
    }

    // 5. Rent relief, when any city reported it.
    if let Some(paragraph) = relief_paragraph(table, catalogue, home_position, &cities, &words, english) {
        paragraphs.push(paragraph);
    }

    bulletin.table = city_table(table, catalogue, &cities, city, english);
    bulletin.paragraphs = paragraphs;
    bulletin
}

/// Which reports the figures count: submitted and approved, or approved only.
fn counting_basis(completeness: &Completeness, words: &Wording<'_>, english: bool) -> String {
    let pending = completeness.submitted - completeness.approved.min(completeness.submitted);
    match (pending, english) {
        (0, false) => "本通报数据均为已审核数据。".to_owned(),
        (0, true) => "Every figure here has been approved.".to_owned(),
        (_, false) => format!(
            "本通报按已报送数据（含{pending}个{}尚未审核的数据）统计，审核后可能调整。",
            words.unit_zh
        ),
        (_, true) => {
            format!(
                "Figures count every submitted report, {pending} of them not yet approved; they may change on review."
            )
        }
    }
}

/// A partial period: how many reported, and the reporting cities' figures against their own
/// targets — never a province rate.
fn partial_paragraph(
    reported: &[(&Indicator, &Figure)],
    completeness: &Completeness,
    period: super::Period,
    words: &Wording<'_>,
    english: bool,
) -> String {
    let lang = Lang::english(english);
    let rate = |f: &Figure| format::rate(f.reporting_rate);
    if english {
        let works: Vec<String> = reported
            .iter()
            .map(|(i, f)| {
                format!(
                    "{} {} ({} of their own targets)",
                    work_phrase(i, true),
                    english_object(i, f.cumulative.unwrap_or_default()),
                    rate(f)
                )
            })
            .collect();
        format!(
            "For {}, only {} of {} {} have submitted so far ({} approved), so no {} rate can be given yet. The reporting {} {}.",
            format::period(period, lang),
            completeness.submitted,
            completeness.expected,
            words.units_en(),
            completeness.approved,
            words.whole_en,
            words.units_en(),
            join_en(&works)
        )
    } else {
        let works: Vec<String> = reported
            .iter()
            .map(|(i, f)| {
                format!(
                    "{}{}，占其年度目标任务的{}",
                    work_phrase(i, false),
                    format::in_text_zh(f.cumulative.unwrap_or_default(), &i.unit),
                    rate(f)
                )
            })
            .collect();
        format!(
            "截至目前，{}个{}中已有{}个{}报送{}数据（已审核{}个），报送不全，暂不通报{}完成率。已报送{}合计{}。",
            completeness.expected,
            words.counted_zh,
            completeness.submitted,
            words.unit_zh,
            format::period(period, lang),
            completeness.approved,
            words.whole_zh,
            if words.unit_zh == "市" {
                "城市"
            } else {
                words.unit_zh
            },
            works.join("；")
        )
    }
}

/// "按目前进度，预计X市、Y市难以完成年度任务": cities projected to miss a target, by indicator.
/// Not at Q4 (the year is over) nor from a Q1 position, whose projection is only indicative
/// ([`projection::is_indicative`](super::projection::is_indicative)): an official text names
/// no city on a guess that misses by 85 points of the target on average.
fn projection_paragraph(
    table: &ProgressTable,
    catalogue: &Catalogue,
    cities: &[(usize, &Region)],
    english: bool,
) -> Option<String> {
    let quarter = table.period.quarter();
    if quarter == 4 || super::projection::is_indicative(quarter) {
        return None;
    }
    let mut parts = Vec::new();
    for (column, indicator) in catalogue.indicators().iter().enumerate().filter(|(_, i)| i.has_target) {
        let missing: Vec<String> = cities
            .iter()
            .filter(|&&(p, _)| {
                table
                    .figure(p, column)
                    .projection
                    .is_some_and(|projection| projection.misses_target())
            })
            .map(|(_, r)| r.name(english).to_owned())
            .collect();
        if !missing.is_empty() {
            parts.push(if english {
                format!("{} ({})", join_en(&missing), indicator.name_en)
            } else {
                format!("{}（{}）", join_zh(&missing), indicator.name_zh)
            });
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(if english {
        format!(
            "At the current pace, {} are likely to miss their annual targets.",
            parts.join("; ")
        )
    } else {
        format!("按目前进度，预计{}难以完成年度任务。", parts.join("；"))
    })
}

/// The per-city table: city, then each targeted indicator's rate and status.
fn city_table(
    table: &ProgressTable,
    catalogue: &Catalogue,
    cities: &[(usize, &Region)],
    units: bool,
    english: bool,
) -> Vec<Vec<String>> {
    let lang = Lang::english(english);
    let targeted: Vec<(usize, &Indicator)> = catalogue
        .indicators()
        .iter()
        .enumerate()
        .filter(|(_, i)| i.has_target)
        .collect();
    let mut rows = Vec::with_capacity(cities.len() + 1);
    let mut header = vec![
        match (english, units) {
            (false, _) => "地区",
            (true, false) => "City",
            (true, true) => "Unit",
        }
        .to_owned(),
    ];
    header.extend(targeted.iter().map(|(_, i)| i.name(english).to_owned()));
    rows.push(header);
    for &(position, region) in cities {
        let mut row = vec![region.name(english).to_owned()];
        for &(column, indicator) in &targeted {
            let figure = table.figure(position, column);
            row.push(match figure.rate {
                Some(rate) => format::percent(rate),
                None => format::status_for(figure.status, indicator.has_target, lang).to_owned(),
            });
        }
        rows.push(row);
    }
    rows
}

fn province_paragraph(
    reported: &[(&Indicator, &Figure)],
    benchmark: &str,
    period: super::Period,
    home: &Region,
    words: &Wording<'_>,
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
            "{}，{}{}{}，达到年度目标任务的{}",
            format::period(period, Lang::Zh),
            words.whole_zh,
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
            text.push_str(&format!("；{}，{lead}{}", join_zh(&works), join_zh(&rates)));
        }
        text.push_str(&match (all_on_track, all_above) {
            (true, true) => format!("，均超过序时进度（{benchmark}）。"),
            (true, false) => format!("，均达到序时进度（{benchmark}）。"),
            _ => format!("；其中{}低于序时进度（{benchmark}）。", join_zh(&below)),
        });
        text
    }
}

fn relief_paragraph(
    table: &ProgressTable,
    catalogue: &Catalogue,
    home_position: usize,
    cities: &[(usize, &Region)],
    words: &Wording<'_>,
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
            format!("{} and other {}", names.join(", "), words.units_en())
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
            format!("{}等{}", join_zh(&names), words.unit_zh)
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
