//! The audit log: who changed what, when, from what to what. Rows are only ever inserted.

use rusqlite::{Connection, params_from_iter, types::Value};
use serde::Serialize;

use crate::domain::Actor;

/// One change, written in the same transaction as the change itself.
#[derive(Clone, Debug, Default)]
pub struct Change<'a> {
    pub action: &'a str,
    pub region_code: Option<&'a str>,
    pub period: Option<String>,
    pub indicator: Option<&'a str>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detail: Option<String>,
    /// About a report that is not counted (a draft, a returned report): readers who may not see
    /// drafts never get this row.
    pub private: bool,
}

pub fn record(conn: &Connection, actor: &Actor, change: &Change<'_>) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (user_id, username, action, region_code, period, indicator, old_value, new_value, detail, private)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(rusqlite::params![
        actor.user_id,
        actor.username,
        change.action,
        change.region_code,
        change.period,
        change.indicator,
        change.old_value,
        change.new_value,
        change.detail,
        change.private,
    ])?;
    Ok(())
}

#[derive(Clone, Debug, Serialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub username: String,
    pub action: String,
    pub region_code: Option<String>,
    pub period: Option<String>,
    pub indicator: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub detail: Option<String>,
}

/// Filters for the change log; `None` matches everything.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub region_code: Option<String>,
    pub period: Option<String>,
    pub username: Option<String>,
    pub indicator: Option<String>,
    pub action: Option<String>,
    /// Newest first; at most this many rows.
    pub limit: u32,
    /// Only rows older than this id: the cursor of the next page.
    pub before_id: Option<i64>,
    /// The reader may see drafts: private rows, the province's comments and the values a
    /// counted figure replaced. Off by default.
    pub drafts: bool,
}

/// The columns of an audit row as a reader sees them: one who may read drafts sees the row as
/// written; anyone else sees no comment on a status change, no draft or returned status, and no
/// earlier value of a figure or note (it may have been a draft's).
fn shown_columns(drafts: bool) -> &'static str {
    if drafts {
        "id, at, username, action, region_code, period, indicator, old_value, new_value, detail"
    } else {
        "id, at, username, action, region_code, period, indicator,
         CASE WHEN action IN ('value', 'note') THEN NULL
              WHEN action IN ('status', 'reopen') AND old_value IN ('draft', 'returned') THEN NULL
              ELSE old_value END,
         new_value,
         CASE WHEN action IN ('status', 'reopen') THEN NULL ELSE detail END"
    }
}

pub fn list(conn: &Connection, filter: &AuditFilter) -> rusqlite::Result<Vec<AuditRow>> {
    let mut sql = format!(
        "SELECT {} FROM audit_log WHERE {}",
        shown_columns(filter.drafts),
        if filter.drafts { "1 = 1" } else { "private = 0" }
    );
    let mut args: Vec<Value> = Vec::new();
    for (column, value) in [
        ("region_code", &filter.region_code),
        ("period", &filter.period),
        ("username", &filter.username),
        ("indicator", &filter.indicator),
        ("action", &filter.action),
    ] {
        if let Some(value) = value {
            args.push(Value::Text(value.clone()));
            sql.push_str(&format!(" AND {column} = ?{}", args.len()));
        }
    }
    if let Some(before) = filter.before_id {
        args.push(Value::Integer(before));
        sql.push_str(&format!(" AND id < ?{}", args.len()));
    }
    let limit = if filter.limit == 0 { 500 } else { filter.limit };
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
    conn.prepare(&sql)?
        .query_map(params_from_iter(args), audit_row)?
        .collect()
}

/// One row of `SELECT id, at, username, action, region_code, period, indicator, old_value,
/// new_value, detail`.
fn audit_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        id: row.get(0)?,
        at: row.get(1)?,
        username: row.get(2)?,
        action: row.get(3)?,
        region_code: row.get(4)?,
        period: row.get(5)?,
        indicator: row.get(6)?,
        old_value: row.get(7)?,
        new_value: row.get(8)?,
        detail: row.get(9)?,
    })
}

pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM audit_log", [], |row| row.get(0))
}

/// A region's report status changes (reopens among them) in one year, oldest first: the report history of a city
/// page. Without `drafts`, as [`AuditFilter::drafts`] describes.
pub fn status_history(conn: &Connection, region: &str, year: i32, drafts: bool) -> rusqlite::Result<Vec<AuditRow>> {
    conn.prepare_cached(&format!(
        "SELECT {} FROM audit_log
         WHERE action IN ('status', 'reopen') AND region_code = ?1 AND period LIKE ?2 AND (?3 OR private = 0)
         ORDER BY id",
        shown_columns(drafts)
    ))?
    .query_map(rusqlite::params![region, format!("{year}Q%"), drafts], audit_row)?
    .collect()
}

/// One audited edit: `(indicator, is_figure, old, new)`.
pub type Edit = (String, bool, Option<String>, Option<String>);

/// The figure and note edits of one report since it was last returned or reopened, oldest
/// first. Nothing when it was never returned.
pub fn edits_since_return(conn: &Connection, region: &str, period: &str) -> rusqlite::Result<Vec<Edit>> {
    conn.prepare_cached(
        "SELECT indicator, action = 'value', old_value, new_value FROM audit_log
         WHERE region_code = ?1 AND period = ?2 AND action IN ('value', 'note') AND indicator IS NOT NULL
           AND id > (SELECT max(id) FROM audit_log
                     WHERE region_code = ?1 AND period = ?2 AND action IN ('status', 'reopen')
                       AND new_value = 'returned')
         ORDER BY id",
    )?
    .query_map(rusqlite::params![region, period], |row| {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    })?
    .collect()
}
