//! CSV imports of targets and reports: decoding (UTF-8 with or without BOM, or GBK as Excel
//! saves it in China), header and row checks, and all-or-nothing application through the same
//! write path as the forms. A dry run does everything and then rolls back.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use crate::db;
use crate::domain::catalogue::Catalogue;
use crate::domain::period::{MAX_YEAR, MIN_YEAR};
use crate::domain::plan::ReportInput;
use crate::domain::validation;
use crate::domain::workflow::ReportStatus;
use crate::domain::{Actor, Period};
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
    pub message: String,
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
            message: "文件编码无法识别,请另存为 UTF-8 或 GBK 编码的 CSV(unrecognised encoding)".into(),
        });
    }
    Ok(text.into_owned())
}

/// Parses the CSV, checks its header, and hands each record to `row` with its line number.
fn read_rows(
    bytes: &[u8],
    expected: &[&str],
    mut row: impl FnMut(u64, &HashMap<&str, &str>) -> Result<(), String>,
) -> Result<usize, Vec<RowError>> {
    if bytes.len() > MAX_IMPORT_BYTES {
        return Err(vec![RowError {
            line: 0,
            message: format!("文件过大(上限 {} MB)(file too large)", MAX_IMPORT_BYTES / 1024 / 1024),
        }]);
    }
    let text = decode(bytes).map_err(|e| vec![e])?;
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(header) => header.iter().map(|h| h.trim().to_owned()).collect(),
        Err(e) => {
            return Err(vec![RowError {
                line: 1,
                message: format!("无法读取表头:{e}"),
            }]);
        }
    };
    let expected_line = expected.join(",");
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|c| !header.iter().any(|h| h == c))
        .collect();
    let unknown: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .filter(|h| !expected.contains(h))
        .collect();
    if !missing.is_empty() || !unknown.is_empty() || header.len() != expected.len() {
        return Err(vec![RowError {
            line: 1,
            message: format!(
                "表头不正确,应为“{expected_line}”(expected header {expected_line});缺少:{};多余:{}",
                if missing.is_empty() {
                    "无".to_owned()
                } else {
                    missing.join(",")
                },
                if unknown.is_empty() {
                    "无".to_owned()
                } else {
                    unknown.join(",")
                },
            ),
        }]);
    }
    let mut errors = Vec::new();
    let mut count = 0;
    for record in reader.records() {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                errors.push(RowError {
                    line,
                    message: format!("CSV 格式错误:{e}"),
                });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        count += 1;
        if record.len() != header.len() {
            errors.push(RowError {
                line,
                message: format!(
                    "应有 {} 列,实际 {} 列(wrong number of columns)",
                    header.len(),
                    record.len()
                ),
            });
            continue;
        }
        let cells: HashMap<&str, &str> = header.iter().map(String::as_str).zip(record.iter()).collect();
        if let Err(message) = row(line, &cells) {
            errors.push(RowError { line, message });
        }
    }
    if count == 0 && errors.is_empty() {
        errors.push(RowError {
            line: 2,
            message: "文件没有数据行(no data rows)".into(),
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
    note: String,
}

fn check_region(catalogue: &Catalogue, code: &str) -> Result<String, String> {
    let code = code.trim();
    match catalogue.region(code) {
        Some(region) => Ok(region.code.clone()),
        None => Err(format!("未知地区代码“{code}”(unknown region)")),
    }
}

fn check_indicator(catalogue: &Catalogue, key: &str) -> Result<String, String> {
    let key = key.trim();
    match catalogue.indicator(key) {
        Some(indicator) => Ok(indicator.key.clone()),
        None => Err(format!("未知指标“{key}”(unknown indicator)")),
    }
}

fn parse_targets(catalogue: &Catalogue, bytes: &[u8]) -> Result<Vec<TargetRow>, Vec<RowError>> {
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    read_rows(bytes, &TARGET_COLUMNS, |line, cells| {
        let region = check_region(catalogue, cells["region_code"])?;
        let year: i32 = cells["year"]
            .trim()
            .parse()
            .ok()
            .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
            .ok_or_else(|| format!("年份“{}”无效(invalid year)", cells["year"].trim()))?;
        let indicator = check_indicator(catalogue, cells["indicator"])?;
        if catalogue.indicator(&indicator).is_some_and(|i| !i.has_target) {
            return Err(format!("指标“{indicator}”不设目标任务(this indicator has no target)"));
        }
        let target = validation::parse_value(cells["target"])
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "目标值不能为空(target is empty)".to_owned())?;
        if !seen.insert((region.clone(), year, indicator.clone())) {
            return Err(format!("{region} {year} {indicator} 在文件中重复出现(duplicate row)"));
        }
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
    let mut rows = Vec::new();
    let mut seen = HashSet::new();
    read_rows(bytes, &REPORT_COLUMNS, |line, cells| {
        let region = check_region(catalogue, cells["region_code"])?;
        let period: Period = cells["period"]
            .trim()
            .parse()
            .map_err(|e: crate::domain::period::PeriodError| e.to_string())?;
        if period.is_future(today) {
            return Err(format!("报告期 {period} 尚未开始(period is in the future)"));
        }
        let indicator = check_indicator(catalogue, cells["indicator"])?;
        let cumulative = validation::parse_value(cells["cumulative"]).map_err(|e| e.to_string())?;
        let note = validation::clean_note(cells["note"]).map_err(|e| e.to_string())?;
        if !seen.insert((region.clone(), period, indicator.clone())) {
            return Err(format!("{region} {period} {indicator} 在文件中重复出现(duplicate row)"));
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

/// Applies a targets file inside the caller's transaction. Admins only.
pub fn apply_targets(
    conn: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    bytes: &[u8],
) -> AppResult<ImportOutcome> {
    if !actor.may_import(Kind::Targets) {
        return Err(AppError::Forbidden(
            "只有省厅管理员可以导入目标任务(only admins import targets)".into(),
        ));
    }
    let rows = match parse_targets(catalogue, bytes) {
        Ok(rows) => rows,
        Err(errors) => return Ok(ImportOutcome::failed(errors)),
    };
    let mut outcome = ImportOutcome {
        rows: rows.len(),
        ..Default::default()
    };
    for row in rows {
        let old = db::targets::set(conn, actor, &row.region, &row.indicator, row.year, Some(row.target))?;
        if old != Some(row.target) {
            outcome.changes.push(ImportChange {
                line: row.line,
                region_code: row.region,
                period: row.year.to_string(),
                indicator: row.indicator,
                old,
                new: Some(row.target),
            });
        }
    }
    Ok(outcome)
}

/// Applies a reports file inside the caller's transaction, report by report in period order,
/// through [`reports::save_in`]. Every rule of the forms holds; errors carry line numbers.
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
        let input = ReportInput {
            values: rows.iter().map(|r| (r.indicator.clone(), r.cumulative)).collect(),
            notes: rows.iter().map(|r| (r.indicator.clone(), r.note.clone())).collect(),
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
                for row in rows {
                    let before = old
                        .as_ref()
                        .and_then(|r| r.values.get(&row.indicator).copied().flatten());
                    if before != row.cumulative {
                        outcome.changes.push(ImportChange {
                            line: row.line,
                            region_code: row.region,
                            period: period.to_string(),
                            indicator: row.indicator,
                            old: before,
                            new: row.cumulative,
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
                        message: format!("{region} {period}:{}", error.message),
                    });
                }
            }
            Err(other) => {
                let line = rows.first().map_or(0, |r| r.line);
                outcome.errors.push(RowError {
                    line,
                    message: format!("{region} {period}:{other}"),
                });
            }
        }
    }
    outcome.errors.sort_by_key(|e| e.line);
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
}
