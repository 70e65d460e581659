//! Small facts about the database: the data version, what each version changed, and whether
//! it holds demonstration data.

use rusqlite::{Connection, OptionalExtension, params};

use crate::domain::Period;
use crate::domain::change::Changed;

/// How many versions' changes are kept on file; older ones are pruned now and then.
pub const CHANGES_KEPT: i64 = 50_000;

/// A number that every write increases; pages and charts use it as their ETag.
pub fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.prepare_cached("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'data_version'")?
        .query_row([], |row| row.get(0))
}

/// The data version and whether the database holds demonstration data, in one statement.
pub fn version_and_demo(conn: &Connection) -> rusqlite::Result<(i64, bool)> {
    conn.prepare_cached(
        "SELECT (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'data_version'),
                coalesce((SELECT value = '1' FROM meta WHERE key = 'demo'), 0)",
    )?
    .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
}

/// Called in the transaction of every write, with what it changed: bumps the data version and
/// records the change under the new version.
pub fn record_change(conn: &Connection, change: &Changed) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'")?
        .execute([])?;
    let version = data_version(conn)?;
    let (year, quarter) = match change {
        Changed::Report { period, .. } => (Some(period.year()), Some(period.quarter())),
        Changed::Target { year, .. } => (Some(*year), None),
        Changed::Everything => (None, None),
    };
    conn.prepare_cached("INSERT INTO data_changes (version, year, quarter, region_code) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![version, year, quarter, change.region()])?;
    if version % 4096 == 0 {
        let first_kept = version - CHANGES_KEPT + 1;
        conn.execute("DELETE FROM data_changes WHERE version < ?1", params![first_kept])?;
        conn.execute(
            "UPDATE meta SET value = CAST(max(CAST(value AS INTEGER), ?1) AS TEXT) WHERE key = 'changes_from'",
            params![first_kept],
        )?;
    }
    Ok(())
}

/// The changes after data version `since`, oldest first, each with the version it made; `None`
/// when some of them are no longer on file.
pub fn changes_since(conn: &Connection, since: i64) -> rusqlite::Result<Option<Vec<(i64, Changed)>>> {
    let first_on_file: i64 = conn.query_row(
        "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'changes_from'",
        [],
        |row| row.get(0),
    )?;
    if since + 1 < first_on_file {
        return Ok(None);
    }
    let mut statement = conn.prepare_cached(
        "SELECT version, year, quarter, region_code FROM data_changes WHERE version > ?1 ORDER BY version",
    )?;
    let rows = statement.query_map(params![since], |row| {
        let version: i64 = row.get(0)?;
        let year: Option<i32> = row.get(1)?;
        let quarter: Option<u8> = row.get(2)?;
        let region: Option<String> = row.get(3)?;
        let change = match (year, quarter, region) {
            (Some(year), Some(quarter), Some(region)) => match Period::new(year, quarter) {
                Ok(period) => Changed::Report { region, period },
                Err(_) => Changed::Everything,
            },
            (Some(year), None, Some(region)) => Changed::Target { region, year },
            _ => Changed::Everything,
        };
        Ok((version, change))
    })?;
    rows.collect::<rusqlite::Result<Vec<_>>>().map(Some)
}

pub fn is_demo(conn: &Connection) -> rusqlite::Result<bool> {
    let value: Option<String> = conn
        .prepare_cached("SELECT value FROM meta WHERE key = 'demo'")?
        .query_row([], |row| row.get(0))
        .optional()?;
    Ok(value.as_deref() == Some("1"))
}

pub fn set_demo(conn: &Connection, demo: bool) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR REPLACE INTO meta (key, value) VALUES ('demo', ?1)",
        params![if demo { "1" } else { "0" }],
    )?;
    Ok(())
}
