//! Annual targets (目标任务): (region, indicator, year) → integer. Revisions are audited.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::audit::{self, Change};
use crate::domain::Actor;
use crate::domain::change::Changed;

/// One year's targets, by the primary key's leading `year`.
pub(crate) const FOR_YEAR: &str = "SELECT region_code, indicator, target FROM targets WHERE year = ?1";

/// Explicit targets for one year, keyed by (region code, indicator key).
pub fn for_year(conn: &Connection, year: i32) -> rusqlite::Result<HashMap<(String, String), i64>> {
    let mut statement = conn.prepare_cached(FOR_YEAR)?;
    let rows = statement.query_map(params![year], |row| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))?;
    rows.collect()
}

/// One region's explicit targets for one year, keyed as [`for_year`]'s.
pub fn for_region(conn: &Connection, region: &str, year: i32) -> rusqlite::Result<HashMap<(String, String), i64>> {
    let mut statement =
        conn.prepare_cached("SELECT region_code, indicator, target FROM targets WHERE year = ?1 AND region_code = ?2")?;
    let rows = statement.query_map(params![year, region], |row| {
        Ok(((row.get(0)?, row.get(1)?), row.get(2)?))
    })?;
    rows.collect()
}

pub fn get(conn: &Connection, region: &str, indicator: &str, year: i32) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT target FROM targets WHERE year = ?1 AND region_code = ?2 AND indicator = ?3")?
        .query_row(params![year, region, indicator], |row| row.get(0))
        .optional()
}

/// Sets a target (or clears it with `None`) and audits the revision. Returns the old value.
/// The caller has validated the value and holds a write transaction.
pub fn set(
    conn: &Connection,
    actor: &Actor,
    region: &str,
    indicator: &str,
    year: i32,
    target: Option<i64>,
) -> rusqlite::Result<Option<i64>> {
    let old = get(conn, region, indicator, year)?;
    if old == target {
        return Ok(old);
    }
    match target {
        Some(value) => conn.execute(
            "INSERT INTO targets (region_code, indicator, year, target, updated_by) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (year, region_code, indicator) DO UPDATE SET target = excluded.target,
                 updated_by = excluded.updated_by, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            params![region, indicator, year, value, actor.user_id],
        )?,
        None => conn.execute(
            "DELETE FROM targets WHERE year = ?1 AND region_code = ?2 AND indicator = ?3",
            params![year, region, indicator],
        )?,
    };
    audit::record(
        conn,
        actor,
        &Change {
            action: "target",
            region_code: Some(region),
            period: Some(year.to_string()),
            indicator: Some(indicator),
            old_value: old.map(|v| v.to_string()),
            new_value: target.map(|v| v.to_string()),
            detail: None,
            private: false,
        },
    )?;
    super::meta::record_change(
        conn,
        &Changed::Target {
            region: region.to_owned(),
            year,
        },
    )?;
    Ok(old)
}
