//! Quarterly reports and their values: reading them, and the statements the report use cases
//! (`service::reports`) write them with.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use crate::domain::{Period, ReportStatus};

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

/// The region's other reported figures of the same year: indicator → [(quarter, cumulative)],
/// in period order.
pub fn same_year_figures(
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

/// A new report in `status`, created by `user_id` (submitted by them when `submitted`).
pub fn insert(
    conn: &Connection,
    region: &str,
    period: Period,
    status: ReportStatus,
    user_id: Option<i64>,
    submitted: bool,
) -> rusqlite::Result<i64> {
    conn.query_row(
        "INSERT INTO reports (region_code, year, quarter, status, created_by, updated_by, submitted_at, submitted_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5,
                 CASE WHEN ?6 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END, CASE WHEN ?6 THEN ?5 END)
         RETURNING id",
        params![
            region,
            period.year(),
            period.quarter(),
            status.as_str(),
            user_id,
            submitted
        ],
        |row| row.get(0),
    )
}

/// A saved report's new status and version, stamped with who saved (and submitted) it.
pub fn mark_saved(
    conn: &Connection,
    id: i64,
    status: ReportStatus,
    user_id: Option<i64>,
    submitted: bool,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE reports SET status = ?2, version = version + 1, updated_by = ?3,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
             submitted_at = CASE WHEN ?4 THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE submitted_at END,
             submitted_by = CASE WHEN ?4 THEN ?3 ELSE submitted_by END
         WHERE id = ?1",
        params![id, status.as_str(), user_id, submitted],
    )?;
    Ok(())
}

/// One indicator's cumulative and note in a report, created or replaced.
pub fn put_value(
    conn: &Connection,
    report_id: i64,
    indicator: &str,
    cumulative: Option<i64>,
    note: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO report_values (report_id, indicator, cumulative, note) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (report_id, indicator) DO UPDATE SET cumulative = excluded.cumulative, note = excluded.note",
    )?
    .execute(params![report_id, indicator, cumulative, note])?;
    Ok(())
}

/// A reviewed report's new status, stamped with the reviewer; `comment`, when given, replaces
/// the one kept for the city.
pub fn mark_reviewed(
    conn: &Connection,
    id: i64,
    status: ReportStatus,
    user_id: Option<i64>,
    comment: Option<&str>,
) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE reports SET status = ?2, version = version + 1, updated_by = ?3,
             updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
             approved_at = CASE WHEN ?2 = 'approved' THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') ELSE approved_at END,
             approved_by = CASE WHEN ?2 = 'approved' THEN ?3 ELSE approved_by END,
             admin_comment = COALESCE(?4, admin_comment)
         WHERE id = ?1",
        params![id, status.as_str(), user_id, comment],
    )?;
    Ok(())
}

/// The earliest period `region` (any region when `None`) has a report for: when it started
/// reporting.
pub fn first_period(conn: &Connection, region: Option<&str>) -> rusqlite::Result<Option<Period>> {
    let first: Option<(i32, u8)> = conn
        .prepare_cached(
            "SELECT year, quarter FROM reports WHERE (?1 IS NULL OR region_code = ?1)
             ORDER BY year, quarter LIMIT 1",
        )?
        .query_row(params![region], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    Ok(first.and_then(|(year, quarter)| Period::new(year, quarter).ok()))
}

/// How many of `region`'s reports the province has returned (or reopened) and wait for the city.
pub fn returned_count(conn: &Connection, region: &str) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT count(*) FROM reports WHERE region_code = ?1 AND status = 'returned'")?
        .query_row(params![region], |row| row.get(0))
}

/// How many reports the database holds, in any status.
pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM reports", [], |row| row.get(0))
}

/// Reports of `region`, with figures or not.
pub fn count_for(conn: &Connection, region: &str) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM reports WHERE region_code = ?1", [region], |row| {
        row.get(0)
    })
}

/// Reports of any of `regions` that hold at least one figure or note.
pub fn count_with_values(conn: &Connection, regions: &[&str]) -> rusqlite::Result<i64> {
    let mut statement = conn.prepare_cached(
        "SELECT count(*) FROM reports r WHERE r.region_code = ?1
         AND EXISTS (SELECT 1 FROM report_values v WHERE v.report_id = r.id)",
    )?;
    let mut total = 0;
    for region in regions {
        total += statement.query_row([region], |row| row.get::<_, i64>(0))?;
    }
    Ok(total)
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

/// Sets the submission and approval times of a report that has them (demonstration data is
/// dated as if it had come in on time rather than at the moment it was loaded); the approval
/// time is also the last update.
pub fn restamp(
    conn: &Connection,
    region: &str,
    period: Period,
    submitted_at: &str,
    approved_at: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE reports SET
             submitted_at = CASE WHEN submitted_at IS NOT NULL THEN ?4 END,
             approved_at = CASE WHEN approved_at IS NOT NULL THEN ?5 END,
             updated_at = CASE WHEN approved_at IS NOT NULL THEN ?5 ELSE updated_at END
         WHERE region_code = ?1 AND year = ?2 AND quarter = ?3",
    )?
    .execute(params![
        region,
        period.year(),
        period.quarter(),
        submitted_at,
        approved_at
    ])?;
    Ok(())
}

/// Each unit of `city` with the status of its report for `period` (none: no report) and the
/// reason the city recorded for it being left out, in catalogue order.
pub fn units_of(
    conn: &Connection,
    catalogue: &crate::domain::catalogue::Catalogue,
    city: &str,
    period: Period,
) -> rusqlite::Result<Vec<crate::domain::review::UnitState>> {
    let mut statement = conn.prepare_cached(
        "SELECT (SELECT status FROM reports WHERE year = ?1 AND quarter = ?2 AND region_code = ?3),
                (SELECT reason FROM missing_reasons WHERE year = ?1 AND quarter = ?2 AND region_code = ?3)",
    )?;
    catalogue
        .children(city)
        .map(|unit| {
            let (status, reason): (Option<String>, Option<String>) = statement
                .query_row(params![period.year(), period.quarter(), unit.code], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?;
            Ok(crate::domain::review::UnitState {
                code: unit.code.clone(),
                status: status.map(|s| parse_status(s, 0)).transpose()?,
                reason,
            })
        })
        .collect()
}

/// Records (or replaces) the reason a unit is left out of its city's report for `period`.
pub fn put_missing_reason(
    conn: &Connection,
    region: &str,
    period: Period,
    reason: &str,
    user_id: Option<i64>,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO missing_reasons (region_code, year, quarter, reason, recorded_by) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (year, quarter, region_code) DO UPDATE SET reason = excluded.reason,
             recorded_by = excluded.recorded_by, recorded_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        params![region, period.year(), period.quarter(), reason, user_id],
    )?;
    Ok(())
}

/// The periods in which any unit of `city` has a report, oldest first.
pub fn periods_of_units(
    conn: &Connection,
    catalogue: &crate::domain::catalogue::Catalogue,
    city: &str,
) -> rusqlite::Result<Vec<Period>> {
    let mut statement = conn.prepare_cached("SELECT DISTINCT year, quarter FROM reports WHERE region_code = ?1")?;
    let mut periods = std::collections::BTreeSet::new();
    for unit in catalogue.children(city) {
        let rows = statement.query_map([&unit.code], |row| Ok((row.get::<_, i32>(0)?, row.get::<_, u8>(1)?)))?;
        for row in rows {
            let (year, quarter) = row?;
            if let Ok(period) = Period::new(year, quarter) {
                periods.insert(period);
            }
        }
    }
    Ok(periods.into_iter().collect())
}

/// Every report of `period`: its status and the day (Beijing time) it was submitted.
pub fn filed(conn: &Connection, period: Period) -> rusqlite::Result<crate::domain::levels::Filed> {
    let mut statement =
        conn.prepare_cached("SELECT region_code, status, submitted_at FROM reports WHERE year = ?1 AND quarter = ?2")?;
    let rows = statement.query_map(params![period.year(), period.quarter()], |row| {
        let submitted: Option<String> = row.get(2)?;
        Ok((
            row.get::<_, String>(0)?,
            (
                parse_status(row.get(1)?, 1)?,
                submitted.as_deref().and_then(crate::clock::local_date),
            ),
        ))
    })?;
    rows.collect()
}
