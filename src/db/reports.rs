//! Quarterly reports and their values: the one write path for figures, used by the entry form,
//! the JSON API and the CSV import alike, and the review actions of the province.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::audit::{self, Change};
use crate::domain::catalogue::Catalogue;
use crate::domain::validation::{self, Warning};
use crate::domain::workflow::{self, Action, WorkflowError};
use crate::domain::{Actor, Period, ReportStatus};
use crate::error::{AppError, AppResult, FieldError};

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    #[serde(skip)]
    pub id: i64,
    pub region_code: String,
    pub period: Period,
    pub status: ReportStatus,
    /// Increases with every change; a writer that sends an older one gets 409.
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: Option<String>,
    pub submitted_at: Option<String>,
    pub submitted_by: Option<String>,
    pub approved_at: Option<String>,
    pub approved_by: Option<String>,
    pub admin_comment: Option<String>,
    /// Indicator key → cumulative; `null` is "not reported".
    pub values: BTreeMap<String, Option<i64>>,
    pub notes: BTreeMap<String, String>,
}

/// What someone sends to change a report. Indicators not named keep their figures.
#[derive(Clone, Debug, Default)]
pub struct ReportInput {
    pub values: BTreeMap<String, Option<i64>>,
    pub notes: BTreeMap<String, String>,
    pub submit: bool,
    pub version: Option<i64>,
}

/// A saved report and the soft warnings about its figures.
#[derive(Clone, Debug, Serialize)]
pub struct Saved {
    pub report: Report,
    pub warnings: Vec<FigureWarning>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FigureWarning {
    pub indicator: String,
    #[serde(flatten)]
    pub warning: Warning,
    pub message: String,
}

fn parse_status(text: String, column: usize) -> rusqlite::Result<ReportStatus> {
    text.parse()
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(column, rusqlite::types::Type::Text, Box::new(e)))
}

pub fn get(conn: &Connection, region: &str, period: Period) -> rusqlite::Result<Option<Report>> {
    let report = conn
        .prepare_cached(
            "SELECT r.id, r.status, r.version, r.created_at, r.updated_at, uu.username, r.submitted_at,
                    su.username, r.approved_at, au.username, r.admin_comment
             FROM reports r
             LEFT JOIN users uu ON uu.id = r.updated_by
             LEFT JOIN users su ON su.id = r.submitted_by
             LEFT JOIN users au ON au.id = r.approved_by
             WHERE r.year = ?1 AND r.quarter = ?2 AND r.region_code = ?3",
        )?
        .query_row(params![period.year(), period.quarter(), region], |row| {
            Ok(Report {
                id: row.get(0)?,
                region_code: region.to_owned(),
                period,
                status: parse_status(row.get(1)?, 1)?,
                version: row.get(2)?,
                created_at: row.get(3)?,
                updated_at: row.get(4)?,
                updated_by: row.get(5)?,
                submitted_at: row.get(6)?,
                submitted_by: row.get(7)?,
                approved_at: row.get(8)?,
                approved_by: row.get(9)?,
                admin_comment: row.get(10)?,
                values: BTreeMap::new(),
                notes: BTreeMap::new(),
            })
        })
        .optional()?;
    let Some(mut report) = report else {
        return Ok(None);
    };
    let mut statement =
        conn.prepare_cached("SELECT indicator, cumulative, note FROM report_values WHERE report_id = ?1")?;
    let rows = statement.query_map(params![report.id], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, Option<i64>>(1)?,
            row.get::<_, String>(2)?,
        ))
    })?;
    for row in rows {
        let (indicator, cumulative, note) = row?;
        report.values.insert(indicator.clone(), cumulative);
        if !note.is_empty() {
            report.notes.insert(indicator, note);
        }
    }
    Ok(Some(report))
}

/// The region's other reported figures of the same year: indicator → [(quarter, cumulative)].
fn same_year_figures(
    conn: &Connection,
    region: &str,
    period: Period,
) -> rusqlite::Result<BTreeMap<String, Vec<(Period, i64)>>> {
    let mut statement = conn.prepare_cached(
        "SELECT r.quarter, v.indicator, v.cumulative FROM reports r JOIN report_values v ON v.report_id = r.id
         WHERE r.region_code = ?1 AND r.year = ?2 AND r.quarter <> ?3 AND v.cumulative IS NOT NULL
         ORDER BY r.quarter",
    )?;
    let rows = statement.query_map(params![region, period.year(), period.quarter()], |row| {
        Ok((row.get::<_, u8>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?))
    })?;
    let mut figures: BTreeMap<String, Vec<(Period, i64)>> = BTreeMap::new();
    for row in rows {
        let (quarter, indicator, value) = row?;
        if let Ok(other) = Period::new(period.year(), quarter) {
            figures.entry(indicator).or_default().push((other, value));
        }
    }
    Ok(figures)
}

fn workflow_error(error: WorkflowError) -> AppError {
    match error {
        WorkflowError::Forbidden => AppError::forbidden(),
        WorkflowError::WrongStatus { .. } => AppError::Conflict(error.to_string()),
        WorkflowError::NoReport => AppError::NotFound(error.to_string()),
    }
}

fn check_version(report: Option<&Report>, expected: Option<i64>) -> AppResult<()> {
    match (report, expected) {
        (Some(report), Some(version)) if report.version != version => Err(AppError::Conflict(format!(
            "报告已被他人修改(当前版本 {},您提交的是版本 {}),请刷新后重试(stale version)",
            report.version, version
        ))),
        (None, Some(version)) if version != 0 => Err(AppError::Conflict(format!(
            "报告尚不存在,版本 {version} 无效(stale version)"
        ))),
        _ => Ok(()),
    }
}

/// Checks who may write `region`'s figures for `period` at all.
pub fn authorise_write(
    catalogue: &Catalogue,
    actor: &Actor,
    region: &str,
    period: Period,
    today: NaiveDate,
) -> AppResult<()> {
    if catalogue.region(region).is_none() {
        return Err(AppError::NotFound(format!("未知地区代码“{region}”(unknown region)")));
    }
    if !actor.role.may_write_figures(actor.region.as_deref(), region) {
        return Err(AppError::Forbidden(format!(
            "您无权填报或修改 {region} 的数据(you may not write this region's figures)"
        )));
    }
    if period.is_future(today) {
        return Err(AppError::invalid(
            "period",
            format!("报告期 {period} 尚未开始,不能填报(period is in the future)"),
        ));
    }
    Ok(())
}

/// Saves (and optionally submits) figures. Validates everything first and writes nothing
/// when anything is wrong; the caller holds the write transaction and commits.
pub fn save(
    conn: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    region: &str,
    period: Period,
    input: &ReportInput,
    today: NaiveDate,
) -> AppResult<Saved> {
    authorise_write(catalogue, actor, region, period, today)?;
    let mut errors = Vec::new();
    for key in input.values.keys().chain(input.notes.keys()) {
        if catalogue.indicator(key).is_none() {
            errors.push(FieldError::new(
                key.clone(),
                format!("未知指标“{key}”(unknown indicator)"),
            ));
        }
    }
    if !errors.is_empty() {
        errors.dedup();
        return Err(AppError::Invalid(errors));
    }
    let existing = get(conn, region, period)?;
    let action = if input.submit {
        Action::Submit
    } else {
        Action::SaveDraft
    };
    // A report that may not be edited at all says so, whichever version the editor had.
    let new_status =
        workflow::transition(existing.as_ref().map(|r| r.status), action, actor.role).map_err(workflow_error)?;
    check_version(existing.as_ref(), input.version)?;

    // The report as it will be: old figures overlaid with the new.
    let mut values = existing.as_ref().map(|r| r.values.clone()).unwrap_or_default();
    let mut notes = existing.as_ref().map(|r| r.notes.clone()).unwrap_or_default();
    let others = same_year_figures(conn, region, period)?;
    for (key, value) in &input.values {
        if let Some(value) = value {
            let checked = validation::check_value(*value).and_then(|value| {
                let figures = others.get(key).map(Vec::as_slice).unwrap_or_default();
                let earlier = figures.iter().rev().find(|(p, _)| *p < period).copied();
                let later = figures.iter().find(|(p, _)| *p > period).copied();
                validation::check_cumulative_order(value, earlier, later)
            });
            if let Err(error) = checked {
                errors.push(FieldError::new(key.clone(), error));
            }
        }
        values.insert(key.clone(), *value);
    }
    for (key, note) in &input.notes {
        match validation::clean_note(note) {
            Ok(note) if note.is_empty() => {
                notes.remove(key);
            }
            Ok(note) => {
                notes.insert(key.clone(), note);
            }
            Err(error) => errors.push(FieldError::new(key.clone(), error)),
        }
    }
    let mut warnings = Vec::new();
    for indicator in catalogue.indicators() {
        let value = values.get(&indicator.key).copied().flatten();
        let target = match indicator.has_target {
            true => super::targets::get(conn, region, &indicator.key, period.year())?,
            false => None,
        };
        let note = notes.get(&indicator.key).map(String::as_str).unwrap_or("");
        for warning in validation::warnings(value, target, period, note) {
            if input.submit && matches!(warning, Warning::BehindWithoutNote { .. }) {
                errors.push(FieldError::new(
                    indicator.key.clone(),
                    format!(
                        "{}:{},未填写情况说明不能报送(a note is required to submit)",
                        indicator.name_zh,
                        warning.message_zh()
                    ),
                ));
            }
            warnings.push(FigureWarning {
                indicator: indicator.key.clone(),
                message: warning.message_zh(),
                warning,
            });
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }

    let period_text = period.to_string();
    let report_id = match &existing {
        Some(report) => {
            conn.execute(
                "UPDATE reports SET status = ?2, version = version + 1, updated_by = ?3,
                     updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                     submitted_at = CASE WHEN ?4 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE submitted_at END,
                     submitted_by = CASE WHEN ?4 THEN ?3 ELSE submitted_by END
                 WHERE id = ?1",
                params![report.id, new_status.as_str(), actor.user_id, input.submit],
            )?;
            report.id
        }
        None => conn.query_row(
            "INSERT INTO reports (region_code, year, quarter, status, created_by, updated_by, submitted_at, submitted_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5,
                     CASE WHEN ?6 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END, CASE WHEN ?6 THEN ?5 END)
             RETURNING id",
            params![region, period.year(), period.quarter(), new_status.as_str(), actor.user_id, input.submit],
            |row| row.get(0),
        )?,
    };
    let old_values = existing.as_ref().map(|r| &r.values);
    let old_notes = existing.as_ref().map(|r| &r.notes);
    for indicator in catalogue.indicators() {
        let key = indicator.key.as_str();
        let old_value = old_values.and_then(|v| v.get(key)).copied().flatten();
        let new_value = values.get(key).copied().flatten();
        let old_note = old_notes.and_then(|n| n.get(key)).map(String::as_str).unwrap_or("");
        let new_note = notes.get(key).map(String::as_str).unwrap_or("");
        let row_exists = old_values.is_some_and(|v| v.contains_key(key));
        if old_value == new_value && old_note == new_note && (row_exists || !values.contains_key(key)) {
            continue;
        }
        conn.prepare_cached(
            "INSERT INTO report_values (report_id, indicator, cumulative, note) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (report_id, indicator) DO UPDATE SET cumulative = excluded.cumulative, note = excluded.note",
        )?
        .execute(params![report_id, key, new_value, new_note])?;
        if old_value != new_value {
            audit::record(
                conn,
                actor,
                &Change {
                    action: "value",
                    region_code: Some(region),
                    period: Some(period_text.clone()),
                    indicator: Some(key),
                    old_value: old_value.map(|v| v.to_string()),
                    new_value: new_value.map(|v| v.to_string()),
                    detail: None,
                },
            )?;
        }
        if old_note != new_note {
            audit::record(
                conn,
                actor,
                &Change {
                    action: "note",
                    region_code: Some(region),
                    period: Some(period_text.clone()),
                    indicator: Some(key),
                    old_value: Some(old_note.to_owned()).filter(|n| !n.is_empty()),
                    new_value: Some(new_note.to_owned()).filter(|n| !n.is_empty()),
                    detail: None,
                },
            )?;
        }
    }
    let old_status = existing.as_ref().map(|r| r.status);
    if old_status != Some(new_status) || input.submit {
        record_status(conn, actor, region, &period_text, old_status, new_status, None)?;
    }
    super::meta::bump_data_version(conn)?;
    let report = get(conn, region, period)?.ok_or_else(|| anyhow::anyhow!("report vanished after saving"))?;
    Ok(Saved { report, warnings })
}

fn record_status(
    conn: &Connection,
    actor: &Actor,
    region: &str,
    period: &str,
    old: Option<ReportStatus>,
    new: ReportStatus,
    comment: Option<&str>,
) -> rusqlite::Result<()> {
    audit::record(
        conn,
        actor,
        &Change {
            action: "status",
            region_code: Some(region),
            period: Some(period.to_owned()),
            indicator: None,
            old_value: old.map(|s| s.as_str().to_owned()),
            new_value: Some(new.as_str().to_owned()),
            detail: comment.map(str::to_owned),
        },
    )
}

/// Comments on a returned report are a paragraph at most.
pub const MAX_COMMENT_CHARS: usize = 500;

/// What the province decides about a submitted (or approved) report.
#[derive(Clone, Copy, Debug)]
pub struct Review<'a> {
    pub action: Action,
    /// Required to return a report; shown to the city.
    pub comment: Option<&'a str>,
    /// The version the reviewer saw; a stale one gets 409.
    pub version: Option<i64>,
}

/// Approves, returns (with a comment) or reopens a report. The caller holds the transaction.
pub fn review(
    conn: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    region: &str,
    period: Period,
    review: Review<'_>,
) -> AppResult<Report> {
    let Review {
        action,
        comment,
        version,
    } = review;
    if catalogue.region(region).is_none() {
        return Err(AppError::NotFound(format!("未知地区代码“{region}”(unknown region)")));
    }
    if !actor.role.may_administer() {
        return Err(AppError::forbidden());
    }
    let existing = get(conn, region, period)?
        .ok_or_else(|| AppError::NotFound(format!("{region} 的 {period} 报告不存在(no such report)")))?;
    check_version(Some(&existing), version)?;
    let new_status = workflow::transition(Some(existing.status), action, actor.role).map_err(workflow_error)?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if action == Action::Return && comment.is_none() {
        return Err(AppError::invalid(
            "comment",
            "退回报告须填写退回意见(a comment is required to return a report)",
        ));
    }
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(AppError::invalid(
            "comment",
            format!("意见不能超过 {MAX_COMMENT_CHARS} 个字(comment too long)"),
        ));
    }
    conn.execute(
        "UPDATE reports SET status = ?2, version = version + 1, updated_by = ?3,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
             approved_at = CASE WHEN ?2 = 'approved' THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE approved_at END,
             approved_by = CASE WHEN ?2 = 'approved' THEN ?3 ELSE approved_by END,
             admin_comment = COALESCE(?4, admin_comment)
         WHERE id = ?1",
        params![existing.id, new_status.as_str(), actor.user_id, comment],
    )?;
    record_status(
        conn,
        actor,
        region,
        &period.to_string(),
        Some(existing.status),
        new_status,
        comment,
    )?;
    super::meta::bump_data_version(conn)?;
    Ok(get(conn, region, period)?.ok_or_else(|| anyhow::anyhow!("report vanished after review"))?)
}

/// How many reports the database holds, in any status.
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM reports", [], |row| row.get(0))
}

/// A report without its values: for lists, queues and the officer's home page.
#[derive(Clone, Debug, Serialize)]
pub struct ReportSummary {
    pub region_code: String,
    pub period: Period,
    pub status: ReportStatus,
    pub version: i64,
    pub updated_at: String,
    pub submitted_at: Option<String>,
    pub admin_comment: Option<String>,
}

/// Reports, newest period first, optionally of one region and/or in one status.
pub fn summaries(
    conn: &Connection,
    region: Option<&str>,
    status: Option<ReportStatus>,
) -> rusqlite::Result<Vec<ReportSummary>> {
    let mut statement = conn.prepare_cached(
        "SELECT region_code, year, quarter, status, version, updated_at, submitted_at, admin_comment FROM reports
         WHERE (?1 IS NULL OR region_code = ?1) AND (?2 IS NULL OR status = ?2)
         ORDER BY year DESC, quarter DESC, region_code",
    )?;
    let rows = statement.query_map(params![region, status.map(ReportStatus::as_str)], |row| {
        let period = Period::new(row.get(1)?, row.get(2)?)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Integer, Box::new(e)))?;
        Ok(ReportSummary {
            region_code: row.get(0)?,
            period,
            status: parse_status(row.get(3)?, 3)?,
            version: row.get(4)?,
            updated_at: row.get(5)?,
            submitted_at: row.get(6)?,
            admin_comment: row.get(7)?,
        })
    })?;
    rows.collect()
}

/// Demonstration data only: dates every submission `days_after` days after its quarter ended
/// (10:00 Beijing time) and every approval five days later, so the demo's reports are not all
/// stamped with the moment the dataset was loaded (which would flag them all late).
pub fn date_demo_submissions(conn: &Connection, days_after: u32) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE reports SET
             submitted_at = CASE WHEN submitted_at IS NOT NULL THEN strftime('%Y-%m-%dT02:00:00.000Z',
                 date(printf('%04d-%02d-01', year, quarter * 3), '+1 month', '-1 day', printf('+%d days', ?1))) END,
             approved_at = CASE WHEN approved_at IS NOT NULL THEN strftime('%Y-%m-%dT02:00:00.000Z',
                 date(printf('%04d-%02d-01', year, quarter * 3), '+1 month', '-1 day', printf('+%d days', ?1 + 5))) END,
             updated_at = COALESCE(
                 CASE WHEN approved_at IS NOT NULL THEN strftime('%Y-%m-%dT02:00:00.000Z',
                     date(printf('%04d-%02d-01', year, quarter * 3), '+1 month', '-1 day', printf('+%d days', ?1 + 5))) END,
                 updated_at)",
        params![days_after],
    )
}
