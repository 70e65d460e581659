//! Progress rows as CSV and XLSX. The CSV is UTF-8 with a BOM so Excel shows Chinese, the header
//! of SPEC §4, empty cells for missing values; it is written period by period in fixed-size
//! chunks so an export of any length runs in flat memory. The API's JSON, the CSV and the
//! workbook are the same rows: [`ProgressTable::rows`](crate::domain::progress::ProgressTable::rows).

use std::io::{self, Write};

use rusqlite::Connection;
use rust_xlsxwriter::{Format, FormatAlign, Workbook, Worksheet, XlsxError};

use crate::db;
use crate::domain::catalogue::{Catalogue, unknown_indicator, unknown_region};
use crate::domain::progress::{COLUMNS, COLUMNS_ZH, EXTRA_COLUMNS, EXTRA_COLUMNS_ZH, ProgressRow};
use crate::domain::{Lang, Period, Tenths, format};
use crate::error::{AppError, AppResult};

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Bytes handed to the sink at a time by [`stream_progress_csv`].
pub const CHUNK_BYTES: usize = 64 * 1024;

/// Checks an export's optional region and indicator filters against the catalogue: the same
/// answer for the pages, the API and the command line.
pub fn check_filters(catalogue: &Catalogue, region: Option<&str>, indicator: Option<&str>) -> AppResult<()> {
    if let Some(code) = region.filter(|c| catalogue.region(c).is_none()) {
        return Err(AppError::NotFound(unknown_region(code)));
    }
    if let Some(key) = indicator.filter(|k| catalogue.indicator(k).is_none()) {
        return Err(AppError::NotFound(unknown_indicator(key)));
    }
    Ok(())
}

/// How many columns a progress export has: the sixteen of SPEC §4, then completeness and the
/// projection.
pub const WIDTH: usize = COLUMNS.len() + EXTRA_COLUMNS.len();

/// Column names in the chosen language: [`COLUMNS`] then [`EXTRA_COLUMNS`].
pub fn header(chinese: bool) -> [&'static str; WIDTH] {
    let (first, extra) = if chinese {
        (COLUMNS_ZH, EXTRA_COLUMNS_ZH)
    } else {
        (COLUMNS, EXTRA_COLUMNS)
    };
    std::array::from_fn(|i| {
        if i < first.len() {
            first[i]
        } else {
            extra[i - first.len()]
        }
    })
}

/// A text cell a spreadsheet will not run as a formula (OWASP "CSV injection"): text beginning
/// with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`. Numbers are written
/// apart and stay numbers.
pub fn text_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The words of a row's level, status and report status: the machine keys in English files,
/// the words a reader uses in Chinese ones (CSV and XLSX alike).
fn row_words<'r>(row: &'r ProgressRow<'_>, chinese: bool) -> [&'r str; 3] {
    let report = row.report_status;
    if chinese {
        [
            format::level(row.level, Lang::Zh),
            format::status(row.status, Lang::Zh),
            report.map_or("", |s| format::report_status(s, Lang::Zh)),
        ]
    } else {
        [row.level, row.status.as_str(), report.map_or("", |s| s.as_str())]
    }
}

/// Writes one row in [`header`] order, reusing `scratch` for the numbers instead of allocating
/// a string a cell.
fn write_row<W: Write>(
    writer: &mut csv::Writer<W>,
    row: &ProgressRow<'_>,
    chinese: bool,
    scratch: &mut String,
) -> csv::Result<()> {
    use std::fmt::Write as _;
    fn number<W: Write>(
        writer: &mut csv::Writer<W>,
        scratch: &mut String,
        value: Option<impl std::fmt::Display>,
    ) -> csv::Result<()> {
        scratch.clear();
        if let Some(value) = value {
            let _ = write!(scratch, "{value}");
        }
        writer.write_field(scratch.as_bytes())
    }
    let [level, status, report_status] = row_words(row, chinese);
    writer.write_field(text_cell(row.region_code).as_ref())?;
    writer.write_field(text_cell(row.region_name).as_ref())?;
    writer.write_field(text_cell(level).as_ref())?;
    writer.write_field(text_cell(row.indicator).as_ref())?;
    writer.write_field(text_cell(row.indicator_name).as_ref())?;
    writer.write_field(text_cell(row.unit).as_ref())?;
    number(writer, scratch, Some(row.year))?;
    number(writer, scratch, Some(row.quarter))?;
    number(writer, scratch, row.cumulative)?;
    number(writer, scratch, row.quarter_increment)?;
    number(writer, scratch, row.target)?;
    number(writer, scratch, row.completion_rate)?;
    number(writer, scratch, Some(row.time_progress))?;
    number(writer, scratch, row.gap_pp)?;
    writer.write_field(text_cell(status).as_ref())?;
    writer.write_field(text_cell(report_status).as_ref())?;
    number(writer, scratch, Some(row.reported))?;
    number(writer, scratch, Some(row.expected))?;
    number(writer, scratch, row.projected_year_end)?;
    number(writer, scratch, row.projected_rate)?;
    number(writer, scratch, row.required_per_quarter)?;
    writer.write_record(None::<&[u8]>)
}

/// Writes the BOM, the header and every row.
pub fn write_progress_csv<W: Write>(out: W, rows: &[ProgressRow<'_>], chinese: bool) -> csv::Result<W> {
    let mut out = out;
    out.write_all(BOM)?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(header(chinese))?;
    let mut scratch = String::new();
    for row in rows {
        write_row(&mut writer, row, chinese, &mut scratch)?;
    }
    writer.flush()?;
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// What to export: the periods in order, and the optional region subtree and indicator.
#[derive(Clone, Debug)]
pub struct Selection {
    pub periods: Vec<Period>,
    pub region: Option<String>,
    pub indicator: Option<String>,
    /// Chinese column names, levels and statuses.
    pub chinese: bool,
    /// GBK (as WPS and Excel on Chinese Windows open a CSV by default) instead of UTF-8 with a BOM.
    pub gbk: bool,
}

/// Every period from `from` to `to`, both included; empty when `from` is after `to`.
pub fn periods_between(from: Period, to: Period) -> Vec<Period> {
    let mut periods = Vec::new();
    let mut current = Some(from);
    while let Some(period) = current.filter(|p| *p <= to) {
        periods.push(period);
        current = period.next();
    }
    periods
}

/// The reader went away: stop producing.
#[derive(Debug, thiserror::Error)]
#[error("export stopped: the receiver went away")]
pub struct Stopped;

/// Collects bytes and hands them to `sink` in chunks of about [`CHUNK_BYTES`].
/// With `gbk`, each chunk is re-encoded (GB18030, GBK's superset, so no character is lost) up
/// to its last whole UTF-8 character; the rest waits for the next chunk.
struct ChunkWriter<'s> {
    buffer: Vec<u8>,
    sink: &'s mut dyn FnMut(Vec<u8>) -> bool,
    gbk: bool,
}

impl ChunkWriter<'_> {
    fn hand_over(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = if self.gbk {
            let whole = match std::str::from_utf8(&self.buffer) {
                Ok(text) => text.len(),
                Err(e) if e.error_len().is_none() => e.valid_up_to(),
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            };
            let rest = self.buffer.split_off(whole);
            let text = std::str::from_utf8(&self.buffer).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
            let (encoded, _, _) = encoding_rs::GB18030.encode(text);
            let encoded = encoded.into_owned();
            self.buffer = rest;
            self.buffer.reserve(CHUNK_BYTES);
            encoded
        } else {
            std::mem::replace(&mut self.buffer, Vec::with_capacity(CHUNK_BYTES))
        };
        if (self.sink)(chunk) {
            Ok(())
        } else {
            Err(io::Error::new(io::ErrorKind::BrokenPipe, Stopped))
        }
    }
}

impl Write for ChunkWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() >= CHUNK_BYTES {
            self.hand_over()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.hand_over()
    }
}

/// Streams the progress rows of every selected period as one CSV (BOM, header, rows), computing
/// one period's table at a time inside one read transaction, so the figures are consistent and
/// memory holds one period whatever the length of the export. `sink` receives chunks of bytes
/// and returns false when nobody wants more. Returns the number of rows written.
pub fn stream_progress_csv(
    conn: &mut Connection,
    catalogue: &Catalogue,
    selection: &Selection,
    sink: &mut dyn FnMut(Vec<u8>) -> bool,
) -> anyhow::Result<u64> {
    let snapshot = conn.transaction()?;
    let mut out = ChunkWriter {
        buffer: Vec::with_capacity(CHUNK_BYTES),
        sink,
        gbk: selection.gbk,
    };
    if !selection.gbk {
        out.write_all(BOM)?;
    }
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(header(selection.chinese))?;
    let mut scratch = String::new();
    let mut count = 0;
    for &period in &selection.periods {
        let table = db::progress::table(&snapshot, catalogue, period)?;
        for row in table.rows(catalogue, selection.region.as_deref(), selection.indicator.as_deref()) {
            write_row(&mut writer, &row, selection.chinese, &mut scratch)?;
            count += 1;
        }
    }
    writer.flush()?;
    snapshot.commit()?;
    Ok(count)
}

/// The facts on the workbook's second sheet.
#[derive(Clone, Debug)]
pub struct WorkbookMeta {
    /// The (first) period.
    pub period: Period,
    /// The last period of a history export.
    pub last: Option<Period>,
    pub time_benchmark: Tenths,
    /// Beijing time, `2020-04-27 10:00`.
    pub generated_at: String,
    pub data_version: i64,
    pub demo: bool,
}

/// Print setup shared by every sheet the app writes: A4 landscape, one page wide, the header
/// row on every page, the title and page numbers in the margins.
pub fn print_setup(sheet: &mut Worksheet, title: &str, header_row: u32, chinese: bool) -> Result<(), XlsxError> {
    sheet.set_paper_size(9);
    sheet.set_landscape();
    sheet.set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(header_row, header_row)?;
    sheet.set_margins(0.5, 0.5, 0.8, 0.6, 0.3, 0.3);
    let title = title.replace('&', "&&");
    sheet.set_header(format!("&C&\"-,Bold\"&12{title}"));
    sheet.set_footer(if chinese {
        "&C第 &P 页，共 &N 页"
    } else {
        "&CPage &P of &N"
    });
    Ok(())
}

/// Display widths of the progress columns, in characters.
const WIDTHS: [f64; WIDTH] = [
    12.0, 14.0, 10.0, 26.0, 30.0, 6.0, 7.0, 7.0, 14.0, 14.0, 14.0, 11.0, 11.0, 13.0, 13.0, 11.0, 8.0, 8.0, 14.0, 13.0,
    14.0,
];

/// `2020年第一季度`, or `2019年第一季度至2021年第四季度` for a history.
fn periods_label(meta: &WorkbookMeta, lang: Lang) -> String {
    let first = format::period(meta.period, lang);
    match (meta.last.filter(|last| *last != meta.period), lang) {
        (Some(last), Lang::Zh) => format!("{first}至{}", format::period(last, lang)),
        (Some(last), Lang::En) => format!("{first} to {}", format::period(last, lang)),
        (None, _) => first,
    }
}

/// The progress rows as a real workbook: a bold frozen header, counts with thousands
/// separators, rates in percent on the API's and the CSV's scale (72.3), Chinese words for
/// levels and statuses in a Chinese workbook, printed A4 landscape one page wide with the header
/// row on every page and a title with the period and units; a second sheet about the export.
pub fn progress_workbook(rows: &[ProgressRow<'_>], meta: &WorkbookMeta, chinese: bool) -> Result<Vec<u8>, XlsxError> {
    let t = |zh: &'static str, en: &'static str| if chinese { zh } else { en };
    let lang = if chinese { Lang::Zh } else { Lang::En };
    let bold = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter)
        .set_text_wrap();
    let count = Format::new().set_num_format("#,##0");
    let percent = Format::new().set_num_format("0.0");
    let points = Format::new().set_num_format("0.0");
    let mut workbook = Workbook::new();

    let sheet = workbook.add_worksheet();
    sheet.set_name(t("完成进度", "Progress"))?;
    for (column, name) in header(chinese).iter().enumerate() {
        let column = column as u16;
        sheet.write_string_with_format(0, column, *name, &bold)?;
        sheet.set_column_width(column, WIDTHS[usize::from(column)])?;
    }
    // Tall enough for the longest wrapped Chinese header (与序时进度差距(百分点)).
    sheet.set_row_height(0, 45)?;
    sheet.set_freeze_panes(1, 0)?;
    let title = match lang {
        Lang::Zh => format!(
            "住房保障目标任务完成进度 {}(单位:套、户、元;完成率、序时进度:%;差距:百分点)",
            periods_label(meta, lang)
        ),
        Lang::En => format!(
            "Housing-security targets: progress {} (units: dwellings, households, yuan; rates in %; gap in percentage points)",
            periods_label(meta, lang)
        ),
    };
    print_setup(sheet, &title, 0, chinese)?;
    for (index, row) in rows.iter().enumerate() {
        let r = index as u32 + 1;
        let [level, status, report_status] = row_words(row, chinese);
        sheet.write_string(r, 0, row.region_code)?;
        sheet.write_string(r, 1, row.region_name)?;
        sheet.write_string(r, 2, level)?;
        sheet.write_string(r, 3, row.indicator)?;
        sheet.write_string(r, 4, row.indicator_name)?;
        sheet.write_string(r, 5, row.unit)?;
        sheet.write_number(r, 6, row.year)?;
        sheet.write_number(r, 7, row.quarter)?;
        for (column, value) in [(8, row.cumulative), (9, row.quarter_increment), (10, row.target)] {
            if let Some(value) = value {
                sheet.write_number_with_format(r, column, value as f64, &count)?;
            }
        }
        if let Some(rate) = row.completion_rate {
            sheet.write_number_with_format(r, 11, rate.as_f64(), &percent)?;
        }
        sheet.write_number_with_format(r, 12, row.time_progress.as_f64(), &percent)?;
        if let Some(gap) = row.gap_pp {
            sheet.write_number_with_format(r, 13, gap.as_f64(), &points)?;
        }
        sheet.write_string(r, 14, status)?;
        if !report_status.is_empty() {
            sheet.write_string(r, 15, report_status)?;
        }
        sheet.write_number(r, 16, row.reported)?;
        sheet.write_number(r, 17, row.expected)?;
        for (column, value) in [(18, row.projected_year_end), (20, row.required_per_quarter)] {
            if let Some(value) = value {
                sheet.write_number_with_format(r, column, value as f64, &count)?;
            }
        }
        if let Some(rate) = row.projected_rate {
            sheet.write_number_with_format(r, 19, rate.as_f64(), &percent)?;
        }
    }
    if !rows.is_empty() {
        sheet.autofilter(0, 0, rows.len() as u32, WIDTH as u16 - 1)?;
    }

    let about = workbook.add_worksheet();
    about.set_name(t("说明", "About"))?;
    about.set_column_width(0, 18.0)?;
    about.set_column_width(1, 40.0)?;
    about.write_string_with_format(0, 0, t("项目", "Item"), &bold)?;
    about.write_string_with_format(0, 1, t("内容", "Value"), &bold)?;
    about.write_string(1, 0, t("报告期", "Period"))?;
    about.write_string(
        1,
        1,
        match meta.last.filter(|last| *last != meta.period) {
            Some(last) => format!("{}–{last}", meta.period),
            None => meta.period.to_string(),
        },
    )?;
    about.write_string(2, 0, t("序时进度(%)", "Time benchmark (%)"))?;
    about.write_number_with_format(2, 1, meta.time_benchmark.as_f64(), &percent)?;
    about.write_string(3, 0, t("生成时间(北京时间)", "Generated at (Beijing time)"))?;
    about.write_string(3, 1, &meta.generated_at)?;
    about.write_string(4, 0, t("数据版本", "Data version"))?;
    about.write_number(4, 1, meta.data_version as f64)?;
    about.write_string(5, 0, t("演示数据", "Demonstration data"))?;
    about.write_string(
        5,
        1,
        match (meta.demo, chinese) {
            (true, true) => "是:各市分解数据为虚构的演示数据",
            (true, false) => "yes: the city splits are synthetic",
            (false, true) => "否",
            (false, false) => "no",
        },
    )?;
    about.write_string(6, 0, t("口径", "Scope"))?;
    about.write_string(
        6,
        1,
        t(
            "仅统计已报送和已审核的数据;空白表示未报送",
            "Only submitted and approved figures count; a blank cell is not reported",
        ),
    )?;
    workbook.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cells_that_a_spreadsheet_would_run_are_neutralised_and_numbers_stay_numbers() {
        for formula in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(text_cell(formula), format!("'{formula}"), "{formula:?}");
        }
        assert_eq!(text_cell("广州市"), "广州市");
        assert_eq!(text_cell(""), "");
        let row = ProgressRow {
            region_code: "440100",
            region_name: "=HYPERLINK(\"http://evil\",\"x\")",
            level: "city",
            indicator: "shantytown_starts",
            indicator_name: "@cmd",
            unit: "+套",
            year: 2020,
            quarter: 1,
            cumulative: Some(5),
            quarter_increment: Some(5),
            target: Some(100),
            completion_rate: Some(Tenths(50)),
            time_progress: Tenths(250),
            gap_pp: Some(Tenths(-200)),
            status: crate::domain::Status::Behind,
            report_status: None,
            reported: 1,
            expected: 1,
            projected_year_end: None,
            projected_rate: None,
            required_per_quarter: None,
        };
        let out = write_progress_csv(Vec::new(), &[row], false).unwrap();
        let text = String::from_utf8(out[BOM.len()..].to_vec()).unwrap();
        let line = text.lines().nth(1).unwrap();
        assert!(line.starts_with("440100,\"'=HYPERLINK("), "{line}");
        assert!(line.contains(",'@cmd,'+套,"), "{line}");
        assert!(line.contains(",-20.0,"), "a negative gap stays a number: {line}");
    }

    #[test]
    fn periods_between_spans_years_inclusively() {
        let from: Period = "2019Q3".parse().unwrap();
        let to: Period = "2020Q2".parse().unwrap();
        let periods: Vec<String> = periods_between(from, to).iter().map(ToString::to_string).collect();
        assert_eq!(periods, ["2019Q3", "2019Q4", "2020Q1", "2020Q2"]);
        assert!(periods_between(to, from).is_empty());
    }
}
