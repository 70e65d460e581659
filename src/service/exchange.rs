//! Files that go out and come back in: reports (figures, notes, status) and targets in the
//! columns the imports read, as CSV and XLSX, and the import templates (下载导入模板) built from
//! the same rows with the reference columns locked. Export → import changes nothing.

use std::collections::HashMap;

use rusqlite::Connection;
use rust_xlsxwriter::{DataValidation, DataValidationRule, Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::db;
use crate::domain::catalogue::{Catalogue, Region};
use crate::domain::progress::region_targets;
use crate::domain::{Actor, Lang, Period, ReportStatus, columns, format};
use crate::error::AppResult;
use crate::service::export::{BOM, print_setup, text_cell};

/// The columns of a reports file, in order. The imports read `region_code`, `period`,
/// `indicator`, `cumulative` and `note` and ignore the rest.
pub const REPORT_FILE_COLUMNS: [&str; 11] = [
    "region_code",
    "region_name",
    "period",
    "indicator",
    "indicator_name",
    "unit",
    "previous_cumulative",
    "target",
    "cumulative",
    "note",
    "report_status",
];

/// The columns of a targets file, in order. The import reads `region_code`, `year`,
/// `indicator` and `target`.
pub const TARGET_FILE_COLUMNS: [&str; 8] = [
    "region_code",
    "region_name",
    "year",
    "indicator",
    "indicator_name",
    "unit",
    "last_year_target",
    "target",
];

/// One figure of one report, with what the person filling it in needs beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct ReportLine {
    pub region_code: String,
    pub region_name: String,
    pub period: Period,
    pub indicator: String,
    pub indicator_name: String,
    pub unit: String,
    /// The same year's previous quarter's cumulative (none for Q1).
    pub previous: Option<i64>,
    /// The year's target, rolled up as the dashboard rolls it up.
    pub target: Option<i64>,
    pub cumulative: Option<i64>,
    pub note: String,
    pub status: Option<ReportStatus>,
}

/// One target, with last year's beside it.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetLine {
    pub region_code: String,
    pub region_name: String,
    pub year: i32,
    pub indicator: String,
    pub indicator_name: String,
    pub unit: String,
    pub last_year: Option<i64>,
    pub target: Option<i64>,
}

/// The regions that report under `scope`: the regions without children in its subtree.
pub fn reporting_regions<'c>(catalogue: &'c Catalogue, scope: &str) -> Vec<&'c Region> {
    catalogue
        .subtree(scope)
        .into_iter()
        .filter(|r| !catalogue.has_children(&r.code))
        .collect()
}

/// The report lines of `regions` for `periods`. An export (`template` false) holds the reports
/// that exist and `actor` may read, each figure as stored; a template holds every region and
/// indicator, filled in with what is stored.
pub fn report_lines(
    conn: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    regions: &[&Region],
    periods: &[Period],
    template: bool,
) -> AppResult<Vec<ReportLine>> {
    let mut lines = Vec::new();
    let mut targets_by_year: HashMap<i32, HashMap<(String, String), i64>> = HashMap::new();
    for &period in periods {
        let explicit = match targets_by_year.entry(period.year()) {
            std::collections::hash_map::Entry::Occupied(entry) => entry.into_mut(),
            std::collections::hash_map::Entry::Vacant(entry) => {
                entry.insert(db::targets::for_year(conn, period.year())?)
            }
        };
        let explicit = &*explicit;
        for region in regions {
            let readable = |r: &db::reports::Report| r.status.counts() || actor.may_read_drafts(&region.code);
            let report = db::reports::get(conn, &region.code, period)?.filter(readable);
            if report.is_none() && !template {
                continue;
            }
            let previous = match period.previous_in_year() {
                Some(previous) => db::reports::get(conn, &region.code, previous)?.filter(readable),
                None => None,
            };
            let targets = region_targets(catalogue, explicit, &region.code);
            for indicator in catalogue.indicators() {
                let key = indicator.key.as_str();
                lines.push(ReportLine {
                    region_code: region.code.clone(),
                    region_name: region.name_zh.clone(),
                    period,
                    indicator: key.to_owned(),
                    indicator_name: indicator.name_zh.clone(),
                    unit: indicator.unit.clone(),
                    previous: previous.as_ref().and_then(|r| r.values.get(key).copied().flatten()),
                    target: targets.get(key).copied().filter(|_| indicator.has_target),
                    cumulative: report.as_ref().and_then(|r| r.values.get(key).copied().flatten()),
                    note: report
                        .as_ref()
                        .and_then(|r| r.notes.get(key))
                        .cloned()
                        .unwrap_or_default(),
                    status: report.as_ref().map(|r| r.status),
                });
            }
        }
    }
    Ok(lines)
}

/// The targets of `year` that `actor` reads ([`Actor::may_read_region`]: a city-bound
/// user's city and its units). An export holds the targets set explicitly; a template holds
/// every region and indicator with a target that `actor` sets ([`Actor::may_set_target_of`]: a
/// city admin's units, never its city), filled in with this year's target, else last year's.
pub fn target_lines(
    conn: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    year: i32,
    template: bool,
) -> AppResult<Vec<TargetLine>> {
    let this_year = db::targets::for_year(conn, year)?;
    let last_year = db::targets::for_year(conn, year - 1)?;
    let mut lines = Vec::new();
    let within = |region: &Region| {
        if template {
            actor.may_set_target_of(catalogue, &region.code)
        } else {
            actor.may_read_region(catalogue, &region.code)
        }
    };
    for region in catalogue.regions().iter().filter(|r| within(r)) {
        for indicator in catalogue.indicators().iter().filter(|i| i.has_target) {
            let key = (region.code.clone(), indicator.key.clone());
            let target = this_year.get(&key).copied();
            let last = last_year.get(&key).copied();
            if template && target.is_none() && last.is_none() && region.parent_code.is_none() {
                // The province's own target is optional: without one it is its cities' sum.
                continue;
            }
            if !template && target.is_none() {
                continue;
            }
            lines.push(TargetLine {
                region_code: region.code.clone(),
                region_name: region.name_zh.clone(),
                year,
                indicator: indicator.key.clone(),
                indicator_name: indicator.name_zh.clone(),
                unit: indicator.unit.clone(),
                last_year: last,
                target: if template { target.or(last) } else { target },
            });
        }
    }
    Ok(lines)
}

/// The city a city admin's targets template is for, named in its title and its instructions
/// with the city's own targets of the year for reference. They stay out of the import sheet:
/// the city's target is the province's to set, and a row of it would be refused on upload.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetsScope {
    pub name_zh: String,
    pub name_en: String,
    pub year: i32,
    /// Each indicator with a target, with the city's targets of the year (if the province set
    /// them) and of the year before.
    pub targets: Vec<ScopeTarget>,
}

/// One of the city's own targets, for reference.
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeTarget {
    pub name_zh: String,
    pub name_en: String,
    pub unit: String,
    pub target: Option<i64>,
    pub last_year: Option<i64>,
}

/// The city whose targets alone `actor` reads (a city admin's, leader's or analyst's), which
/// its targets files are named and titled for; `None` when `actor` reads every region's.
pub fn targets_city<'c>(catalogue: &'c Catalogue, actor: &Actor) -> Option<&'c Region> {
    actor
        .region
        .as_deref()
        .and_then(|code| catalogue.region(code))
        .filter(|city| {
            city.parent_code
                .as_deref()
                .is_some_and(|parent| !actor.may_read_region(catalogue, parent))
        })
}

/// The scope of `actor`'s targets file: [`targets_city`] with the city's targets of `year`.
pub fn targets_scope(
    conn: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    year: i32,
) -> AppResult<Option<TargetsScope>> {
    let Some(city) = targets_city(catalogue, actor) else {
        return Ok(None);
    };
    let this_year = db::targets::for_year(conn, year)?;
    let last_year = db::targets::for_year(conn, year - 1)?;
    let targets = catalogue
        .indicators()
        .iter()
        .filter(|i| i.has_target)
        .map(|i| ScopeTarget {
            name_zh: i.name_zh.clone(),
            name_en: i.name(true).to_owned(),
            unit: i.unit.clone(),
            target: this_year.get(&(city.code.clone(), i.key.clone())).copied(),
            last_year: last_year.get(&(city.code.clone(), i.key.clone())).copied(),
        })
        .collect();
    Ok(Some(TargetsScope {
        name_zh: city.name_zh.clone(),
        name_en: city.name(true).to_owned(),
        year,
        targets,
    }))
}

fn lang_of(chinese: bool) -> Lang {
    if chinese { Lang::Zh } else { Lang::En }
}

fn status_text(status: Option<ReportStatus>, chinese: bool) -> &'static str {
    match status {
        Some(status) if chinese => format::report_status(status, Lang::Zh),
        Some(status) => status.as_str(),
        None => "",
    }
}

fn number(value: Option<i64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The header of a file in the chosen language.
fn header_row(keys: &[&'static str], chinese: bool) -> Vec<&'static str> {
    keys.iter().map(|key| columns::header(key, chinese)).collect()
}

/// The reports as CSV (UTF-8 with BOM), in the columns the reports import reads.
pub fn reports_csv(lines: &[ReportLine], chinese: bool) -> csv::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(BOM.to_vec());
    writer.write_record(header_row(&REPORT_FILE_COLUMNS, chinese))?;
    for line in lines {
        writer.write_record([
            text_cell(&line.region_code).as_ref(),
            text_cell(&line.region_name).as_ref(),
            &line.period.to_string(),
            &line.indicator,
            text_cell(&line.indicator_name).as_ref(),
            &line.unit,
            &number(line.previous),
            &number(line.target),
            &number(line.cumulative),
            text_cell(&line.note).as_ref(),
            status_text(line.status, chinese),
        ])?;
    }
    writer.flush()?;
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// The targets as CSV (UTF-8 with BOM), in the columns the targets import reads.
pub fn targets_csv(lines: &[TargetLine], chinese: bool) -> csv::Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(BOM.to_vec());
    writer.write_record(header_row(&TARGET_FILE_COLUMNS, chinese))?;
    for line in lines {
        writer.write_record([
            text_cell(&line.region_code).as_ref(),
            text_cell(&line.region_name).as_ref(),
            &line.year.to_string(),
            &line.indicator,
            text_cell(&line.indicator_name).as_ref(),
            &line.unit,
            &number(line.last_year),
            &number(line.target),
        ])?;
    }
    writer.flush()?;
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// Formats the workbooks share.
struct Formats {
    header: Format,
    count: Format,
    locked_count: Format,
    input: Format,
    input_text: Format,
    title: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Self {
        let input_fill = rust_xlsxwriter::Color::RGB(0xFFF8DC);
        Self {
            header: Format::new()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap()
                .set_background_color(rust_xlsxwriter::Color::RGB(0xE8EEF4)),
            count: Format::new().set_num_format("#,##0"),
            locked_count: Format::new()
                .set_num_format("#,##0")
                .set_background_color(rust_xlsxwriter::Color::RGB(0xF2F2F2)),
            input: Format::new()
                .set_num_format("#,##0")
                .set_unlocked()
                .set_background_color(input_fill),
            input_text: Format::new()
                .set_unlocked()
                .set_text_wrap()
                .set_background_color(input_fill),
            title: Format::new().set_bold().set_font_size(14),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

fn write_header(
    sheet: &mut Worksheet,
    keys: &[&'static str],
    widths: &[f64],
    chinese: bool,
    f: &Formats,
) -> Result<(), XlsxError> {
    for (column, key) in keys.iter().enumerate() {
        let column = column as u16;
        sheet.write_string_with_format(0, column, columns::header(key, chinese), &f.header)?;
        sheet.set_column_width(column, widths.get(usize::from(column)).copied().unwrap_or(12.0))?;
    }
    sheet.set_row_height(0, 32)?;
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

/// What a reports workbook is about.
#[derive(Clone, Debug)]
pub struct ReportsMeta {
    /// `440100 广州市`, or the province.
    pub scope: String,
    pub periods: Vec<Period>,
    pub demo: bool,
    pub generated_at: String,
}

fn periods_label(periods: &[Period], lang: Lang) -> String {
    match (periods.first(), periods.last()) {
        (Some(first), Some(last)) if first == last => format::period(*first, lang),
        (Some(first), Some(last)) => match lang {
            Lang::Zh => format!("{}至{}", format::period(*first, lang), format::period(*last, lang)),
            Lang::En => format!("{} to {}", format::period(*first, lang), format::period(*last, lang)),
        },
        _ => String::new(),
    }
}

const REPORT_WIDTHS: [f64; 11] = [12.0, 12.0, 9.0, 24.0, 24.0, 6.0, 13.0, 13.0, 14.0, 40.0, 10.0];
const TARGET_WIDTHS: [f64; 8] = [12.0, 12.0, 7.0, 24.0, 24.0, 6.0, 14.0, 14.0];

/// The reports as a workbook in the import's columns. A template (`template`) names its data
/// sheet 导入 / import, locks everything but 累计完成 and 情况说明, lets those take only whole
/// numbers ≥ 0 and up to 500 characters, and adds an instructions sheet.
pub fn reports_workbook(
    lines: &[ReportLine],
    meta: &ReportsMeta,
    chinese: bool,
    template: bool,
) -> Result<Vec<u8>, XlsxError> {
    let lang = lang_of(chinese);
    let t = |zh: &'static str, en: &'static str| if chinese { zh } else { en };
    let f = Formats::new();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(match (template, chinese) {
        (true, true) => "导入",
        (true, false) => "import",
        (false, true) => "报表数据",
        (false, false) => "Reports",
    })?;
    write_header(sheet, &REPORT_FILE_COLUMNS, &REPORT_WIDTHS, chinese, &f)?;
    for (index, line) in lines.iter().enumerate() {
        let r = index as u32 + 1;
        sheet.write_string(r, 0, &line.region_code)?;
        sheet.write_string(r, 1, &line.region_name)?;
        sheet.write_string(r, 2, line.period.to_string())?;
        sheet.write_string(r, 3, &line.indicator)?;
        sheet.write_string(r, 4, &line.indicator_name)?;
        sheet.write_string(r, 5, format::unit(&line.unit, lang))?;
        for (column, value) in [(6, line.previous), (7, line.target)] {
            number_or_blank(sheet, r, column, value, &f.locked_count)?;
        }
        let (count, text) = if template {
            (&f.input, &f.input_text)
        } else {
            (&f.count, &f.wrap)
        };
        number_or_blank(sheet, r, 8, line.cumulative, count)?;
        if line.note.is_empty() {
            sheet.write_blank(r, 9, text)?;
        } else {
            sheet.write_string_with_format(r, 9, &line.note, text)?;
        }
        sheet.write_string(r, 10, status_text(line.status, chinese))?;
    }
    let last = lines.len() as u32;
    let title = match lang {
        Lang::Zh => format!(
            "{} 住房保障季度报表 {}（单位：套、户、元）",
            meta.scope,
            periods_label(&meta.periods, lang)
        ),
        Lang::En => format!(
            "{} housing-security quarterly report {} (units: dwellings, households, yuan)",
            meta.scope,
            periods_label(&meta.periods, lang)
        ),
    };
    print_setup(sheet, &title, 0, chinese)?;
    if template && last > 0 {
        let whole = DataValidation::new()
            .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
            .set_input_title(t("累计完成", "Cumulative"))?
            .set_input_message(t(
                "填写本年累计完成数：不小于 0 的整数，不带单位；留空表示未报送。",
                "The year-to-date figure: a whole number ≥ 0, no unit; blank is not reported.",
            ))?
            .set_error_title(t("数值无效", "Invalid figure"))?
            .set_error_message(t(
                "请填写不小于 0 的整数（不带小数、单位或文字）。",
                "Enter a whole number of at least 0 (no decimals, units or words).",
            ))?;
        sheet.add_data_validation(1, 8, last, 8, &whole)?;
        let note = DataValidation::new()
            .allow_text_length(DataValidationRule::LessThanOrEqualTo(500))
            .set_error_message(t("情况说明不能超过 500 个字。", "A note is at most 500 characters."))?;
        sheet.add_data_validation(1, 9, last, 9, &note)?;
        sheet.protect();
    } else if last > 0 {
        sheet.autofilter(0, 0, last, 10)?;
    }

    let about = workbook.add_worksheet();
    name_about_sheet(about, template, chinese)?;
    let mut row = 0;
    about.write_string_with_format(row, 0, &title, &f.title)?;
    let mut say = |text: &str| -> Result<(), XlsxError> {
        row += 1;
        about.write_string_with_format(row, 0, text, &f.wrap)?;
        Ok(())
    };
    if template {
        for text in [
            t(
                "1. 只需填写黄色单元格：“累计完成”填本年 1 月 1 日至本季度末的累计完成数（整数，不带单位）；“情况说明”填进度滞后的原因或其他说明。",
                "1. Fill in the yellow cells only: Cumulative is the year-to-date figure at the end of the quarter (a whole number, no unit); Note explains a lag or anything else.",
            ),
            t(
                "2. “上季度累计”和“年度目标”供参考，已锁定；累计完成数不能低于上季度累计。",
                "2. The previous quarter's cumulative and the target are for reference and locked; a cumulative may not fall below the previous quarter's.",
            ),
            t(
                "3. 留空表示未报送（不是 0）；完成率明显低于序时进度时，报送须填写情况说明。",
                "3. A blank cell is not reported (not zero); a figure well behind the time benchmark needs a note to be submitted.",
            ),
            t(
                "4. 租金减免金额以“元”为单位填写。",
                "4. Rent relief amounts are in yuan.",
            ),
            t(
                "5. 填好后在系统“数据导入”页上传本文件（无需另存为 CSV），预览无误后确认导入；任何一行有误则不导入任何数据。",
                "5. Upload this file on the Import page (no need to save it as CSV), check the preview and confirm; if any row is wrong nothing is imported.",
            ),
            t(
                "6. 请勿修改“行政区划代码”“报告期”“指标代码”三列，也不要增删列。",
                "6. Do not change the region code, period or indicator columns, and do not add or remove columns.",
            ),
        ] {
            say(text)?;
        }
    } else {
        say(t(
            "本表列与“数据导入”所需格式一致：修改“累计完成”或“情况说明”后可直接导入；未修改的报告导入后不作任何变更。",
            "The columns are those the import reads: edit Cumulative or Note and import the file; reports left as they are do not change.",
        ))?;
        say(&match lang {
            Lang::Zh => format!("生成时间（北京时间）：{}", meta.generated_at),
            Lang::En => format!("Generated at (Beijing time): {}", meta.generated_at),
        })?;
    }
    if meta.demo {
        say(demo_note(chinese))?;
    }
    workbook.save_to_buffer()
}

/// `value` in the cell, or an empty cell with the same format: missing is never zero.
fn number_or_blank(
    sheet: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    column: u16,
    value: Option<i64>,
    format: &rust_xlsxwriter::Format,
) -> Result<(), XlsxError> {
    match value {
        Some(value) => sheet.write_number_with_format(row, column, value as f64, format)?,
        None => sheet.write_blank(row, column, format)?,
    };
    Ok(())
}

/// The second sheet: 填表说明 in a template, 说明 in an export.
fn name_about_sheet(about: &mut rust_xlsxwriter::Worksheet, template: bool, chinese: bool) -> Result<(), XlsxError> {
    about.set_name(match (template, chinese) {
        (true, true) => "填表说明",
        (true, false) => "Instructions",
        (false, true) => "说明",
        (false, false) => "About",
    })?;
    about.set_column_width(0, 100.0)?;
    Ok(())
}

/// The demonstration-data warning every workbook of demo data carries.
fn demo_note(chinese: bool) -> &'static str {
    if chinese {
        "注意：本系统当前载入的是演示数据，各市分解数据为虚构数据。"
    } else {
        "Note: this system holds demonstration data; the city figures are synthetic."
    }
}

/// What a targets workbook's instructions say of a city-bound user's scope: a template is its
/// units' only, with the city's own targets (the province's to set) named for reference; an
/// export holds the city and its units.
fn scope_texts(scope: &TargetsScope, lines: &[TargetLine], template: bool, lang: Lang) -> Vec<String> {
    let en = lang == Lang::En;
    let city = if en { &scope.name_en } else { &scope.name_zh };
    if !template {
        return vec![match lang {
            Lang::Zh => format!(
                "本表只含{city}及其所属县区和市本级的目标任务。{city}的市级目标由省厅下达，市级管理员导入本表前须删去{city}的行。"
            ),
            Lang::En => format!(
                "This file holds the targets of {city} and its units only. {city}'s own targets are the province's to set: a city administrator importing this file removes {city}'s rows first."
            ),
        }];
    }
    if lines.is_empty() {
        return vec![match lang {
            Lang::Zh => format!("{city}以市为单位报送，没有需要分解目标的下级单位；市级目标由省厅下达。"),
            Lang::En => {
                format!(
                    "{city} reports as one city: there are no units to break its target down to, and the province sets the city's target."
                )
            }
        }];
    }
    // The city's targets in running text: 棚户区改造新开工 452套 / Shantytown starts 452 units.
    let listed = |value: fn(&ScopeTarget) -> Option<i64>| -> Vec<String> {
        scope
            .targets
            .iter()
            .filter_map(|t| {
                let value = value(t)?;
                Some(match lang {
                    Lang::Zh => format!("{} {}", t.name_zh, format::in_text_zh(value, &t.unit)),
                    Lang::En => format!("{} {}", t.name_en, format::amount(value, &t.unit, lang)),
                })
            })
            .collect()
    };
    let (issued, before) = (listed(|t| t.target), listed(|t| t.last_year));
    let (year, previous) = (scope.year, scope.year - 1);
    let reference = match (issued.is_empty(), before.is_empty(), lang) {
        (false, _, Lang::Zh) => format!("{year}年市级目标为{}；各县区目标之和应与之一致", issued.join("，")),
        (false, _, Lang::En) => format!(
            "its targets for {year} are {}; the units' targets should add up to them",
            issued.join("; ")
        ),
        (true, false, Lang::Zh) => format!(
            "{year}年市级目标尚未下达（{previous}年为{}），下达后各县区目标之和应与之一致",
            before.join("，")
        ),
        (true, false, Lang::En) => format!(
            "those for {year} are not set yet ({previous}'s: {}); once set, the units' targets should add up to them",
            before.join("; ")
        ),
        (true, true, Lang::Zh) => format!("{year}年市级目标尚未下达，下达后各县区目标之和应与之一致"),
        (true, true, Lang::En) => {
            format!("those for {year} are not set yet; once set, the units' targets should add up to them")
        }
    };
    vec![match lang {
        Lang::Zh => format!(
            "本模板只列{city}所属县区和市本级的目标任务。{city}的市级目标由省厅下达，不在导入表内；供核对分解：{reference}。"
        ),
        Lang::En => format!(
            "This template lists {city}'s units only. {city}'s own targets are set by the province and are not in the import sheet; for checking the breakdown, {reference}."
        ),
    }]
}

/// The targets as a workbook in the import's columns; a template locks all but 年度目标, lets it
/// take only whole numbers ≥ 0, and adds an instructions sheet. A city-bound user's file
/// (`scope`) names the city in its title and instructions.
pub fn targets_workbook(
    lines: &[TargetLine],
    year: i32,
    scope: Option<&TargetsScope>,
    demo: bool,
    chinese: bool,
    template: bool,
) -> Result<Vec<u8>, XlsxError> {
    let lang = lang_of(chinese);
    let t = |zh: &'static str, en: &'static str| if chinese { zh } else { en };
    let f = Formats::new();
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(match (template, chinese) {
        (true, true) => "导入",
        (true, false) => "import",
        (false, true) => "目标任务",
        (false, false) => "Targets",
    })?;
    write_header(sheet, &TARGET_FILE_COLUMNS, &TARGET_WIDTHS, chinese, &f)?;
    for (index, line) in lines.iter().enumerate() {
        let r = index as u32 + 1;
        sheet.write_string(r, 0, &line.region_code)?;
        sheet.write_string(r, 1, &line.region_name)?;
        sheet.write_number(r, 2, line.year)?;
        sheet.write_string(r, 3, &line.indicator)?;
        sheet.write_string(r, 4, &line.indicator_name)?;
        sheet.write_string(r, 5, format::unit(&line.unit, lang))?;
        number_or_blank(sheet, r, 6, line.last_year, &f.locked_count)?;
        let count = if template { &f.input } else { &f.count };
        number_or_blank(sheet, r, 7, line.target, count)?;
    }
    let last = lines.len() as u32;
    let title = match (lang, scope) {
        (Lang::Zh, None) => format!("{year}年住房保障年度目标任务（单位：套、户）"),
        (Lang::Zh, Some(city)) => format!("{year}年{}住房保障年度目标任务（单位：套、户）", city.name_zh),
        (Lang::En, None) => format!("Housing-security annual targets {year} (units: dwellings, households)"),
        (Lang::En, Some(city)) => format!(
            "{} housing-security annual targets {year} (units: dwellings, households)",
            city.name_en
        ),
    };
    print_setup(sheet, &title, 0, chinese)?;
    if template && last > 0 {
        let whole = DataValidation::new()
            .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0))
            .set_error_title(t("数值无效", "Invalid figure"))?
            .set_error_message(t("请填写不小于 0 的整数。", "Enter a whole number of at least 0."))?;
        sheet.add_data_validation(1, 7, last, 7, &whole)?;
        sheet.protect();
    } else if last > 0 {
        sheet.autofilter(0, 0, last, 7)?;
    }
    let about = workbook.add_worksheet();
    name_about_sheet(about, template, chinese)?;
    about.write_string_with_format(0, 0, &title, &f.title)?;
    let mut texts: Vec<String> = vec![if template {
        t(
            "“年度目标”已按本年已下达的目标预填，尚未下达的按上年目标预填，请逐项核对修改；留空的行不导入。填好后在“数据导入”页上传本文件。",
            "The targets are filled in with this year's where issued, else last year's: check and change each; blank rows are not imported. Upload the file on the Import page.",
        )
    } else {
        t(
            "本表列与“数据导入”所需格式一致，可修改“年度目标”后直接导入；未修改的目标导入后不作任何变更。",
            "The columns are those the import reads: edit the targets and import the file; targets left as they are do not change.",
        )
    }
    .to_owned()];
    match scope {
        Some(city) => texts.extend(scope_texts(city, lines, template, lang)),
        None => texts.push(
            t(
                "地级市目标之和即全省目标，除非另行下达全省目标。",
                "The province's target is its cities' sum unless one is set for the province.",
            )
            .to_owned(),
        ),
    }
    if demo {
        texts.push(demo_note(chinese).to_owned());
    }
    for (i, text) in texts.iter().enumerate() {
        about.write_string_with_format(i as u32 + 1, 0, text, &f.wrap)?;
    }
    workbook.save_to_buffer()
}
