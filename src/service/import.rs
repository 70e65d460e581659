//! Imports of targets and reports from CSV (UTF-8 with or without BOM, or GBK as Excel saves it
//! in China) or a workbook (.xlsx, .xls, .ods): header and row checks, and all-or-nothing
//! application through the same write path as the forms. A dry run does everything and then
//! rolls back. Line numbers are the lines (or worksheet rows) a person sees.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use crate::db;
use crate::domain::catalogue::{Catalogue, unknown_region};
use crate::domain::columns;
use crate::domain::format::future_period;
use crate::domain::period::{MAX_YEAR, MIN_YEAR, bad_year};
use crate::domain::plan::ReportInput;
use crate::domain::validation;
use crate::domain::workflow::ReportStatus;
use crate::domain::{Actor, Lang, Period, Text};
use crate::error::{AppError, AppResult};
use crate::service::reports;

/// Files above this size are refused before parsing.
pub const MAX_IMPORT_BYTES: usize = 8 * 1024 * 1024;

pub const TARGET_COLUMNS: [&str; 4] = ["region_code", "year", "indicator", "target"];
pub const REPORT_COLUMNS: [&str; 5] = ["region_code", "period", "indicator", "cumulative", "note"];

/// What a file sets: the policy's kinds of import.
pub use crate::domain::policy::ImportKind as Kind;

#[derive(Clone, Copy, Debug, Default)]
pub struct ImportOptions {
    /// Validate and show what would change, then roll back.
    pub dry_run: bool,
    /// Reports only: submit them (the default for imports) rather than keep them as drafts.
    pub keep_as_draft: bool,
}

/// A line of the file that cannot be imported, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub line: u64,
    pub message: Text,
}

/// One figure the import changes (or would change, in a dry run).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportChange {
    pub line: u64,
    pub region_code: String,
    /// `2020Q1` for reports, `2020` for targets.
    pub period: String,
    pub indicator: String,
    pub old: Option<i64>,
    pub new: Option<i64>,
    /// The 情况说明 before and after, when the import changes or clears it.
    pub note: Option<NoteChange>,
}

impl ImportChange {
    pub fn value_changes(&self) -> bool {
        self.old != self.new
    }
}

/// A note an import changes; an empty `new` clears it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NoteChange {
    pub old: String,
    pub new: String,
}

/// A report whose status the import changes (or would change): created, or submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatusChange {
    pub region_code: String,
    pub period: String,
    /// `None` for a report the import creates.
    pub old: Option<ReportStatus>,
    pub new: ReportStatus,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct ImportOutcome {
    pub rows: usize,
    pub changes: Vec<ImportChange>,
    pub status_changes: Vec<StatusChange>,
    /// Every bad row, not just the first. Non-empty means nothing was written.
    pub errors: Vec<RowError>,
    /// True when the changes were committed.
    pub applied: bool,
    /// Target rows outside the importer's reach (a city's own row in its admin's export) that
    /// hold the stored value: not a change, skipped.
    pub unchanged_out_of_reach: usize,
}

impl ImportOutcome {
    fn failed(errors: Vec<RowError>) -> Self {
        Self {
            errors,
            ..Default::default()
        }
    }
}

/// Turns the uploaded bytes into text: UTF-8 (a BOM is dropped) or, failing that, GBK.
pub fn decode(bytes: &[u8]) -> Result<String, RowError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    let (text, had_errors) = encoding_rs::GBK.decode_without_bom_handling(bytes);
    if had_errors {
        return Err(RowError {
            line: 0,
            message: Text::new(
                "文件编码无法识别，请另存为 UTF-8 或 GBK 编码的 CSV",
                "The file's encoding is not recognised: save it as CSV in UTF-8 or GBK.",
            ),
        });
    }
    Ok(text.into_owned())
}

/// What kind of file the bytes are, from their first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sniffed {
    /// A ZIP container: .xlsx, .ods, or something else zipped (.docx).
    Zip,
    /// The old binary Office container: .xls (or .doc).
    OleCompound,
    Pdf,
    Text,
}

fn sniff(bytes: &[u8]) -> Sniffed {
    if bytes.starts_with(b"PK\x03\x04") {
        Sniffed::Zip
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        Sniffed::OleCompound
    } else if bytes.starts_with(b"%PDF") {
        Sniffed::Pdf
    } else {
        Sniffed::Text
    }
}

/// A file's rows as text: the header and every data row, each with the number a person sees
/// for it (the physical line of a CSV, the row number of a worksheet).
#[derive(Debug, Default)]
struct Table {
    header_line: u64,
    header: Vec<String>,
    rows: Vec<(u64, Vec<String>)>,
}

fn refused(line: u64, message: Text) -> Vec<RowError> {
    vec![RowError { line, message }]
}

/// What to upload instead of a file that is not a spreadsheet.
fn not_a_spreadsheet(zh: &str, en: &str) -> Text {
    Text::new(
        format!("{zh}，不是表格；请上传 CSV 或 Excel（.xlsx）文件"),
        format!("{en}, not a spreadsheet: upload a CSV or Excel (.xlsx) file."),
    )
}

/// Reads a CSV, a workbook (.xlsx, .xls, .ods: the sheet named 导入 or import, else the
/// first), and names any other kind of file rather than calling it an encoding problem.
fn read_table(bytes: &[u8]) -> Result<Table, Vec<RowError>> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(refused(
            0,
            Text::new(
                format!("文件过大（上限 {} MB）", MAX_IMPORT_BYTES / 1024 / 1024),
                format!("The file is too large (at most {} MB).", MAX_IMPORT_BYTES / 1024 / 1024),
            ),
        ));
    }
    match sniff(bytes) {
        Sniffed::Zip | Sniffed::OleCompound => read_workbook(bytes),
        Sniffed::Pdf => Err(refused(0, not_a_spreadsheet("这是 PDF 文件", "This is a PDF file"))),
        Sniffed::Text => read_csv(&decode(bytes).map_err(|e| vec![e])?),
    }
}

/// The offsets just after each line break: `\r\n`, `\n` and a lone `\r` each end one line, so
/// line numbers are physical lines whichever system saved the file.
fn line_breaks(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut ends = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                ends.push(i + 2);
                i += 2;
                continue;
            }
            b'\r' | b'\n' => ends.push(i + 1),
            _ => {}
        }
        i += 1;
    }
    ends
}

/// The physical line (from 1) of the record starting at byte `offset`. The CSV reader may
/// place a record's start on the `\n` of the `\r\n` before it: line breaks are stepped over.
fn line_at(text: &str, breaks: &[usize], offset: u64) -> u64 {
    let mut offset = usize::try_from(offset).unwrap_or(usize::MAX).min(text.len());
    while matches!(text.as_bytes().get(offset), Some(b'\r' | b'\n')) {
        offset += 1;
    }
    breaks.partition_point(|&end| end <= offset) as u64 + 1
}

fn read_csv(text: &str) -> Result<Table, Vec<RowError>> {
    let breaks = line_breaks(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(text.as_bytes());
    let mut table = Table::default();
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = line_at(text, &breaks, record.position().map_or(0, |p| p.byte()));
                lines.push((line, record.iter().map(str::to_owned).collect::<Vec<_>>()));
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(text, &breaks, p.byte()));
                errors.push(RowError {
                    line,
                    message: Text::new(format!("CSV 格式错误：{e}"), format!("The CSV is malformed: {e}")),
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    table.split_header(lines)?;
    Ok(table)
}

/// Cell text as a person typed it: whole numbers a spreadsheet holds as floats (`3000.0`,
/// `440100.0`) are written without the fraction.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(text) => text.clone(),
        Data::Int(value) => value.to_string(),
        Data::Float(value) if value.fract() == 0.0 && value.abs() < 1e15 => format!("{}", *value as i64),
        other => other.to_string(),
    }
}

fn read_workbook(bytes: &[u8]) -> Result<Table, Vec<RowError>> {
    use calamine::Reader;
    let mut workbook = match calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)) {
        Ok(workbook) => workbook,
        Err(_) => {
            let message = if sniff(bytes) == Sniffed::Zip && bytes.windows(5).any(|w| w == b"word/") {
                not_a_spreadsheet("这是 Word 文档（.docx）", "This is a Word document (.docx)")
            } else if sniff(bytes) == Sniffed::Zip {
                not_a_spreadsheet("这是压缩文件（ZIP），请解压后上传", "This is a ZIP archive")
            } else {
                Text::new(
                    "这个 Office 文件无法读取为表格；请在 Excel 或 WPS 中另存为 .xlsx 或 CSV 后上传",
                    "This Office file cannot be read as a spreadsheet: save it as .xlsx or CSV in Excel or WPS, then upload it.",
                )
            };
            return Err(refused(0, message));
        }
    };
    let names = workbook.sheet_names();
    let chosen = names
        .iter()
        .find(|n| n.trim() == "导入" || n.trim().eq_ignore_ascii_case("import"))
        .or(names.first())
        .cloned();
    let Some(sheet) = chosen else {
        return Err(refused(
            0,
            Text::new("工作簿中没有工作表", "The workbook has no sheet."),
        ));
    };
    let range = workbook.worksheet_range(&sheet).map_err(|e| {
        refused(
            0,
            Text::new(
                format!("无法读取工作表“{sheet}”：{e}"),
                format!("The sheet “{sheet}” cannot be read: {e}"),
            ),
        )
    })?;
    let (first_row, first_column) = range.start().unwrap_or((0, 0));
    let lines = range
        .rows()
        .enumerate()
        .map(|(i, row)| {
            let mut cells: Vec<String> = vec![String::new(); first_column as usize];
            cells.extend(row.iter().map(cell_text));
            (u64::from(first_row) + i as u64 + 1, cells)
        })
        .collect();
    let mut table = Table::default();
    table.split_header(lines)?;
    Ok(table)
}

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|cell| cell.trim().is_empty())
}

impl Table {
    /// Finds the header: the first row naming a known column (a title above it is skipped),
    /// else the first row that is not blank. Blank rows are dropped.
    fn split_header(&mut self, lines: Vec<(u64, Vec<String>)>) -> Result<(), Vec<RowError>> {
        let lines: Vec<(u64, Vec<String>)> = lines.into_iter().filter(|(_, cells)| !is_blank(cells)).collect();
        let header_at = lines
            .iter()
            .take(10)
            .position(|(_, cells)| cells.iter().any(|c| columns::recognise(c).is_some()))
            .unwrap_or(0);
        let mut lines = lines.into_iter().skip(header_at);
        let Some((header_line, header)) = lines.next() else {
            return Err(refused(
                1,
                Text::new(
                    "文件是空的，没有表头和数据行",
                    "The file is empty: no header and no rows.",
                ),
            ));
        };
        self.header_line = header_line;
        self.header = header.iter().map(|h| h.trim().to_owned()).collect();
        self.rows = lines.collect();
        Ok(())
    }
}

/// Where each needed column is in a file, found by name in either language.
struct Layout {
    positions: HashMap<&'static str, usize>,
    width: usize,
}

impl Layout {
    fn has(&self, key: &str) -> bool {
        self.positions.contains_key(key)
    }

    fn cell<'r>(&self, cells: &'r [String], key: &str) -> &'r str {
        self.positions
            .get(key)
            .and_then(|&i| cells.get(i))
            .map_or("", String::as_str)
    }
}

/// One column the import needs, and the others that may stand in for it.
struct Need {
    key: &'static str,
    or: &'static [&'static [&'static str]],
}

/// Checks a header against what an import needs: every column named in English or Chinese in
/// any case, known columns it does not use (names, units, rates, statuses) ignored, unnamed
/// empty columns ignored, anything else refused with the list of columns it accepts.
fn layout(table: &Table, needs: &[Need], expected_line: &str) -> Result<Layout, Vec<RowError>> {
    let line = table.header_line;
    let mut positions: HashMap<&'static str, usize> = HashMap::new();
    let mut unknown = Vec::new();
    let mut duplicated = Vec::new();
    for (index, header) in table.header.iter().enumerate() {
        if header.is_empty() {
            if let Some((row_line, _)) = table
                .rows
                .iter()
                .find(|(_, cells)| cells.get(index).is_some_and(|c| !c.trim().is_empty()))
            {
                return Err(refused(
                    *row_line,
                    Text::new(
                        format!("第 {} 列有数据但没有列名", index + 1),
                        format!("Column {} has figures but no header.", index + 1),
                    ),
                ));
            }
            continue;
        }
        match columns::recognise(header) {
            Some(column) => {
                if positions.insert(column.key, index).is_some() {
                    duplicated.push(header.clone());
                }
            }
            None => unknown.push(header.clone()),
        }
    }
    let missing: Vec<String> = needs
        .iter()
        .filter(|need| {
            !positions.contains_key(need.key)
                && !need
                    .or
                    .iter()
                    .any(|keys| keys.iter().all(|k| positions.contains_key(k)))
        })
        .map(|need| columns::described(need.key))
        .collect();
    if missing.is_empty() && unknown.is_empty() && duplicated.is_empty() {
        let width = positions.values().max().map_or(0, |&i| i + 1);
        return Ok(Layout { positions, width });
    }
    let accepted: Vec<String> = needs.iter().map(|n| columns::described(n.key)).collect();
    let (mut problems_zh, mut problems_en) = (Vec::new(), Vec::new());
    for (names, zh, en) in [
        (&missing, "缺少", "missing"),
        (&unknown, "无法识别", "not recognised"),
        (&duplicated, "重复", "repeated"),
    ] {
        if !names.is_empty() {
            problems_zh.push(format!("{zh}：{}", names.join("、")));
            problems_en.push(format!("{en}: {}", names.join(", ")));
        }
    }
    Err(refused(
        line,
        Text::new(
            format!(
                "表头不正确：{}。应包含 {}（如 {expected_line}）；列名可用中文或英文，大小写不限，其余导出列（地区、指标、单位等）会被忽略",
                problems_zh.join("；"),
                accepted.join("、"),
            ),
            format!(
                "The header is not right: {}. It needs {} (as in {expected_line}); column names may be English or Chinese in any case, and other export columns (region, indicator, unit …) are ignored.",
                problems_en.join("; "),
                accepted.join(", "),
            ),
        ),
    ))
}

/// The same row (region, year or period, indicator) twice in one file.
fn duplicate_row(row: &str) -> Text {
    Text::new(
        format!("{row} 在文件中重复出现"),
        format!("{row} appears twice in the file."),
    )
}

/// Hands each data row to `row` with its line number; every bad row is reported.
fn each_row(
    table: &Table,
    layout: &Layout,
    mut row: impl FnMut(u64, &[String]) -> Result<(), Text>,
) -> Result<usize, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut count = 0;
    for (line, cells) in &table.rows {
        count += 1;
        let extra = cells
            .iter()
            .enumerate()
            .skip(table.header.len())
            .any(|(_, c)| !c.trim().is_empty());
        if cells.len() < layout.width || extra {
            errors.push(RowError {
                line: *line,
                message: Text::new(
                    format!("应有 {} 列，实际 {} 列", table.header.len(), cells.len()),
                    format!(
                        "The row has {} columns; the header has {}.",
                        cells.len(),
                        table.header.len()
                    ),
                ),
            });
            continue;
        }
        if let Err(message) = row(*line, cells) {
            errors.push(RowError { line: *line, message });
        }
    }
    if count == 0 && errors.is_empty() {
        errors.push(RowError {
            line: table.header_line + 1,
            message: Text::new("文件没有数据行", "The file has no data rows."),
        });
    }
    if errors.is_empty() { Ok(count) } else { Err(errors) }
}

struct TargetRow {
    line: u64,
    region: String,
    year: i32,
    indicator: String,
    target: i64,
}

struct ReportRow {
    line: u64,
    region: String,
    period: Period,
    indicator: String,
    cumulative: Option<i64>,
    /// `None` when the file has no note column: the stored note stays.
    note: Option<String>,
}

/// Looks up regions by code (`440100`, or `440100.0` as a spreadsheet may turn it) or, when a
/// file names them instead, by Chinese or English name.
struct Regions<'c> {
    catalogue: &'c Catalogue,
    by_name: HashMap<&'c str, Vec<&'c str>>,
}

impl<'c> Regions<'c> {
    fn new(catalogue: &'c Catalogue) -> Self {
        Self {
            catalogue,
            by_name: HashMap::new(),
        }
    }

    fn by_code(&self, code: &str) -> Result<String, Text> {
        let code = validation::without_zero_fraction(code.trim());
        match self.catalogue.region(code) {
            Some(region) => Ok(region.code.clone()),
            None if code.is_empty() => Err(Text::new("地区代码为空", "The region code is empty.")),
            None => Err(unknown_region(code)),
        }
    }

    fn named(&mut self, name: &str) -> Result<String, Text> {
        let name = name.trim();
        if self.by_name.is_empty() {
            for region in self.catalogue.regions() {
                self.by_name
                    .entry(region.name_zh.as_str())
                    .or_default()
                    .push(&region.code);
                self.by_name
                    .entry(region.name_en.as_str())
                    .or_default()
                    .push(&region.code);
            }
        }
        match self.by_name.get(name).map(Vec::as_slice) {
            Some([code]) => Ok((*code).to_owned()),
            Some([_, _, ..]) => Err(Text::new(
                format!("地区名称“{name}”不唯一，请填写行政区划代码"),
                format!("More than one region is called “{name}”: give its region code."),
            )),
            _ if name.is_empty() => Err(Text::new("地区为空", "The region is empty.")),
            _ => Err(Text::new(
                format!("未知地区“{name}”"),
                format!("Unknown region “{name}”."),
            )),
        }
    }

    /// The row's region: its code when the file has a code column, else its name.
    fn of(&mut self, layout: &Layout, cells: &[String]) -> Result<String, Text> {
        if layout.has("region_code") {
            self.by_code(layout.cell(cells, "region_code"))
        } else {
            self.named(layout.cell(cells, "region_name"))
        }
    }
}

/// `shantytown_starts（棚户区改造新开工）、…`: what a refused indicator could have been.
fn indicator_list(catalogue: &Catalogue, targets_only: bool, lang: Lang) -> String {
    let listed = catalogue.indicators().iter().filter(|i| !targets_only || i.has_target);
    match lang {
        Lang::Zh => listed
            .map(|i| format!("{}（{}）", i.key, i.name_zh))
            .collect::<Vec<_>>()
            .join("、"),
        Lang::En => listed
            .map(|i| format!("{} ({})", i.key, i.name_en))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

/// The row's indicator, by key or by Chinese or English name.
fn check_indicator(catalogue: &Catalogue, layout: &Layout, cells: &[String]) -> Result<String, Text> {
    let text = if layout.has("indicator") {
        layout.cell(cells, "indicator")
    } else {
        layout.cell(cells, "indicator_name")
    }
    .trim();
    match catalogue.indicator_named(text) {
        Some(indicator) => Ok(indicator.key.clone()),
        None => Err(Text::new(
            format!(
                "未知指标“{text}”；可用的指标：{}",
                indicator_list(catalogue, false, Lang::Zh)
            ),
            format!(
                "Unknown indicator “{text}”; the indicators are: {}.",
                indicator_list(catalogue, false, Lang::En)
            ),
        )),
    }
}

fn check_year(text: &str) -> Result<i32, Text> {
    let text = validation::without_zero_fraction(text.trim());
    text.parse()
        .ok()
        .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
        .ok_or_else(|| bad_year(text))
}

/// The row's period: the period column, else its year and quarter columns (as the progress
/// export writes them).
fn check_period(layout: &Layout, cells: &[String]) -> Result<Period, Text> {
    if layout.has("period") {
        let text = layout.cell(cells, "period").trim();
        return text.parse().map_err(|e: crate::domain::period::PeriodError| e.text());
    }
    let year = check_year(layout.cell(cells, "year"))?;
    let quarter_text = layout.cell(cells, "quarter").trim();
    let quarter = validation::without_zero_fraction(quarter_text.trim_start_matches(['Q', 'q']))
        .parse::<u8>()
        .map_err(|_| {
            Text::new(
                format!("季度“{quarter_text}”无效，应为 1 至 4"),
                format!("The quarter “{quarter_text}” is not valid: use 1 to 4."),
            )
        })?;
    Period::new(year, quarter).map_err(|e| e.text())
}

const TARGET_NEEDS: [Need; 4] = [
    Need {
        key: "region_code",
        or: &[&["region_name"]],
    },
    Need { key: "year", or: &[] },
    Need {
        key: "indicator",
        or: &[&["indicator_name"]],
    },
    Need { key: "target", or: &[] },
];

const REPORT_NEEDS: [Need; 5] = [
    Need {
        key: "region_code",
        or: &[&["region_name"]],
    },
    Need {
        key: "period",
        or: &[&["year", "quarter"]],
    },
    Need {
        key: "indicator",
        or: &[&["indicator_name"]],
    },
    Need {
        key: "cumulative",
        or: &[],
    },
    Need { key: "note", or: &[] },
];

fn parse_targets(catalogue: &Catalogue, bytes: &[u8]) -> Result<Vec<TargetRow>, Vec<RowError>> {
    let table = read_table(bytes)?;
    let layout = layout(&table, &TARGET_NEEDS, &TARGET_COLUMNS.join(","))?;
    let mut regions = Regions::new(catalogue);
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    each_row(&table, &layout, |line, cells| {
        let region = regions.of(&layout, cells)?;
        let year = check_year(layout.cell(cells, "year"))?;
        let indicator = check_indicator(catalogue, &layout, cells)?;
        if catalogue.indicator(&indicator).is_some_and(|i| !i.has_target) {
            return Err(Text::new(
                format!(
                    "指标“{indicator}”不设目标任务；设目标的指标：{}",
                    indicator_list(catalogue, true, Lang::Zh)
                ),
                format!(
                    "“{indicator}” has no target; the indicators with targets are: {}.",
                    indicator_list(catalogue, true, Lang::En)
                ),
            ));
        }
        let target = validation::parse_value(layout.cell(cells, "target")).map_err(|e| e.text())?;
        if !seen.insert((region.clone(), year, indicator.clone())) {
            return Err(duplicate_row(&format!("{region} {year} {indicator}")));
        }
        // A blank target sets nothing: a template's rows left empty stay as they are.
        let Some(target) = target else {
            return Ok(());
        };
        rows.push(TargetRow {
            line,
            region,
            year,
            indicator,
            target,
        });
        Ok(())
    })?;
    Ok(rows)
}

fn parse_reports(catalogue: &Catalogue, bytes: &[u8], today: NaiveDate) -> Result<Vec<ReportRow>, Vec<RowError>> {
    let table = read_table(bytes)?;
    // The note column is optional: without it, stored notes stay as they are.
    let layout = layout(&table, &REPORT_NEEDS[..4], &REPORT_COLUMNS.join(","))?;
    let has_notes = layout.has("note");
    let mut regions = Regions::new(catalogue);
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    each_row(&table, &layout, |line, cells| {
        let region = regions.of(&layout, cells)?;
        let period = check_period(&layout, cells)?;
        if period.is_future(today) {
            return Err(future_period(period));
        }
        let indicator = check_indicator(catalogue, &layout, cells)?;
        let cumulative = validation::parse_value(layout.cell(cells, "cumulative")).map_err(|e| e.text())?;
        let note = if has_notes {
            Some(validation::clean_note(layout.cell(cells, "note")).map_err(|e| e.text())?)
        } else {
            None
        };
        if !seen.insert((region.clone(), period, indicator.clone())) {
            return Err(duplicate_row(&format!("{region} {period} {indicator}")));
        }
        rows.push(ReportRow {
            line,
            region,
            period,
            indicator,
            cumulative,
            note,
        });
        Ok(())
    })?;
    Ok(rows)
}

/// Targets are the administrators' to set: nobody else imports them.
pub fn only_admins_import_targets() -> AppError {
    AppError::Forbidden(Text::new(
        "只有管理员可以导入目标任务",
        "Only administrators import targets.",
    ))
}

/// Applies a targets file inside the caller's transaction. Admins only, each row within
/// their reach ([`Actor::may_set_target_of`]): a row outside it that would change the stored
/// target refuses the file, its line named; one that holds the stored value is skipped.
pub fn apply_targets(
    conn: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    bytes: &[u8],
) -> AppResult<ImportOutcome> {
    if !actor.may_import(Kind::Targets) {
        return Err(only_admins_import_targets());
    }
    let rows = match parse_targets(catalogue, bytes) {
        Ok(rows) => rows,
        Err(errors) => return Ok(ImportOutcome::failed(errors)),
    };
    // A row outside the actor's reach that holds what is stored is not a change (the city's
    // own row in its admin's export, sent back as it came): skipped. One that would change such
    // a target refuses the file, its line named.
    let mut refused = Vec::new();
    let mut within = Vec::new();
    let mut skipped = 0;
    for row in rows {
        if actor.may_set_target_of(catalogue, &row.region) {
            within.push(row);
        } else if super::targets::stored_as(conn, &row.region, &row.indicator, row.year, Some(row.target))? {
            skipped += 1;
        } else {
            refused.push(RowError {
                line: row.line,
                message: super::targets::out_of_reach(catalogue, actor, &[row.region.as_str()]),
            });
        }
    }
    if !refused.is_empty() {
        return Ok(ImportOutcome::failed(refused));
    }
    let mut outcome = ImportOutcome {
        rows: within.len() + skipped,
        unchanged_out_of_reach: skipped,
        ..Default::default()
    };
    for row in within {
        let old = db::targets::set(conn, actor, &row.region, &row.indicator, row.year, Some(row.target))?;
        if old != Some(row.target) {
            outcome.changes.push(ImportChange {
                line: row.line,
                region_code: row.region,
                period: row.year.to_string(),
                indicator: row.indicator,
                old,
                new: Some(row.target),
                note: None,
            });
        }
    }
    Ok(outcome)
}

/// Whether a report's rows would change nothing stored: every figure as it is, and every note
/// too when the file has notes.
fn unchanged(stored: Option<&db::reports::Report>, rows: &[ReportRow]) -> bool {
    let blank = |row: &ReportRow| row.cumulative.is_none() && row.note.as_deref().unwrap_or("").is_empty();
    rows.iter().all(|row| match stored {
        Some(report) if !report.values.contains_key(&row.indicator) => blank(row),
        Some(report) => {
            report.values.get(&row.indicator).copied().flatten() == row.cumulative
                && row
                    .note
                    .as_ref()
                    .is_none_or(|note| report.notes.get(&row.indicator).map_or("", String::as_str) == note.as_str())
        }
        // Rows left blank for a report that does not exist (an unfilled template) say nothing.
        None => blank(row),
    })
}

/// Applies a reports file inside the caller's transaction, report by report in period order,
/// through [`reports::save_in`]. Every rule of the forms holds; errors carry line numbers. A
/// report whose rows change nothing is left alone, status included: an export or an untouched
/// template imported again changes nothing.
pub fn apply_reports(
    conn: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    bytes: &[u8],
    options: ImportOptions,
    today: NaiveDate,
) -> AppResult<ImportOutcome> {
    let rows = match parse_reports(catalogue, bytes, today) {
        Ok(rows) => rows,
        Err(errors) => return Ok(ImportOutcome::failed(errors)),
    };
    let mut outcome = ImportOutcome {
        rows: rows.len(),
        ..Default::default()
    };
    let mut groups: BTreeMap<(Period, String), Vec<ReportRow>> = BTreeMap::new();
    for row in rows {
        groups.entry((row.period, row.region.clone())).or_default().push(row);
    }
    for ((period, region), rows) in groups {
        let old = db::reports::get(conn, &region, period)?;
        if unchanged(old.as_ref(), &rows) {
            continue;
        }
        let input = ReportInput {
            values: rows.iter().map(|r| (r.indicator.clone(), r.cumulative)).collect(),
            notes: rows
                .iter()
                .filter_map(|r| r.note.clone().map(|note| (r.indicator.clone(), note)))
                .collect(),
            submit: !options.keep_as_draft,
            version: None,
        };
        match reports::save_in(conn, catalogue, actor, &region, period, &input, today) {
            Ok(saved) => {
                let old_status = old.as_ref().map(|r| r.status);
                if old_status != Some(saved.report.status) {
                    outcome.status_changes.push(StatusChange {
                        region_code: region.clone(),
                        period: period.to_string(),
                        old: old_status,
                        new: saved.report.status,
                    });
                }
                let line_of = |key: &str| rows.iter().find(|r| r.indicator == key).map(|r| r.line);
                for indicator in catalogue.indicators() {
                    let key = indicator.key.as_str();
                    let Some(line) = line_of(key) else { continue };
                    let value = |r: Option<&db::reports::Report>| r.and_then(|r| r.values.get(key).copied().flatten());
                    let note =
                        |r: Option<&db::reports::Report>| r.and_then(|r| r.notes.get(key)).cloned().unwrap_or_default();
                    let (before, after) = (value(old.as_ref()), value(Some(&saved.report)));
                    let (old_note, new_note) = (note(old.as_ref()), note(Some(&saved.report)));
                    if before != after || old_note != new_note {
                        outcome.changes.push(ImportChange {
                            line,
                            region_code: region.clone(),
                            period: period.to_string(),
                            indicator: key.to_owned(),
                            old: before,
                            new: after,
                            note: (old_note != new_note).then_some(NoteChange {
                                old: old_note,
                                new: new_note,
                            }),
                        });
                    }
                }
            }
            Err(AppError::Internal(cause)) => return Err(AppError::Internal(cause)),
            Err(AppError::Invalid(field_errors)) => {
                for error in field_errors {
                    let line = rows
                        .iter()
                        .find(|r| error.field.as_deref() == Some(r.indicator.as_str()))
                        .or(rows.first())
                        .map_or(0, |r| r.line);
                    outcome.errors.push(RowError {
                        line,
                        message: error
                            .message
                            .after(&format!("{region} {period}："), &format!("{region} {period}: ")),
                    });
                }
            }
            Err(other) => {
                let line = rows.first().map_or(0, |r| r.line);
                outcome.errors.push(RowError {
                    line,
                    message: other
                        .message()
                        .after(&format!("{region} {period}："), &format!("{region} {period}: ")),
                });
            }
        }
    }
    outcome.errors.sort_by_key(|e| e.line);
    outcome.changes.sort_by_key(|c| c.line);
    Ok(outcome)
}

/// Runs a whole import in one transaction: committed only when every row is good and this is
/// not a dry run.
pub fn run(
    conn: &mut Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    kind: Kind,
    bytes: &[u8],
    options: ImportOptions,
    today: NaiveDate,
) -> AppResult<ImportOutcome> {
    let tx = db::write(conn)?;
    let mut outcome = match kind {
        Kind::Targets => apply_targets(&tx, catalogue, actor, bytes)?,
        Kind::Reports => apply_reports(&tx, catalogue, actor, bytes, options, today)?,
    };
    if outcome.errors.is_empty() && !options.dry_run {
        tx.commit()?;
        outcome.applied = true;
    } else {
        tx.rollback()?;
        if !outcome.errors.is_empty() {
            outcome.changes.clear();
            outcome.status_changes.clear();
        }
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_with_and_without_bom_and_gbk() {
        assert_eq!(decode("广州市".as_bytes()).unwrap(), "广州市");
        assert_eq!(decode(b"\xEF\xBB\xBFabc").unwrap(), "abc");
        let (gbk, _, _) = encoding_rs::GBK.encode("受疫情影响,延期开工");
        assert_eq!(decode(&gbk).unwrap(), "受疫情影响,延期开工");
        assert!(decode(&[0xFF, 0xFF, 0xFF]).is_err());
    }

    #[test]
    fn rows_carry_their_physical_lines_whatever_the_line_endings() {
        for ending in ["\n", "\r\n", "\r"] {
            let text = ["region_code,year", "", "440100,2020", "440300,2021"].join(ending) + ending;
            let table = read_csv(&text).unwrap();
            assert_eq!(table.header_line, 1, "{ending:?}");
            let lines: Vec<u64> = table.rows.iter().map(|(line, _)| *line).collect();
            assert_eq!(lines, [3, 4], "{ending:?}");
        }
    }

    #[test]
    fn a_title_above_the_header_and_blank_trailing_columns_are_skipped() {
        let table = read_csv("广东省 2022 年目标任务,,\nregion_code,year,\n440100,2022,\n").unwrap();
        assert_eq!(table.header_line, 2);
        assert_eq!(table.header, ["region_code", "year", ""]);
        assert_eq!(
            table.rows,
            [(3, vec!["440100".to_owned(), "2022".to_owned(), String::new()])]
        );
    }
}
