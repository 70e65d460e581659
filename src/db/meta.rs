//! Small facts about the database: the data version and whether it holds demonstration data.

use rusqlite::{Connection, OptionalExtension, params};

/// A number that every write increases; pages and charts use it as their ETag.
pub fn data_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row(
        "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'data_version'",
        [],
        |row| row.get(0),
    )
}

/// Called in the transaction of every write.
pub fn bump_data_version(conn: &Connection) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'data_version'",
        [],
    )?;
    Ok(())
}

pub fn is_demo(conn: &Connection) -> rusqlite::Result<bool> {
    let value: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'demo'", [], |row| row.get(0))
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
