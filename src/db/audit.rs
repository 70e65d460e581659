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
}

pub fn record(conn: &Connection, actor: &Actor, change: &Change<'_>) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (user_id, username, action, region_code, period, indicator, old_value, new_value, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
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
}

pub fn list(conn: &Connection, filter: &AuditFilter) -> rusqlite::Result<Vec<AuditRow>> {
    let mut sql = String::from(
        "SELECT id, at, username, action, region_code, period, indicator, old_value, new_value, detail
         FROM audit_log WHERE 1 = 1",
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

/// A region's report status changes in one year, oldest first: the report history of a city page.
pub fn status_history(conn: &Connection, region: &str, year: i32) -> rusqlite::Result<Vec<AuditRow>> {
    conn.prepare_cached(
        "SELECT id, at, username, action, region_code, period, indicator, old_value, new_value, detail
         FROM audit_log WHERE action = 'status' AND region_code = ?1 AND period LIKE ?2
         ORDER BY id",
    )?
    .query_map(rusqlite::params![region, format!("{year}Q%")], audit_row)?
    .collect()
}
