//! Storage: every SQL statement of anju lives under this module. Functions are synchronous and
//! take a `&Connection` (or a transaction); the async side reaches them through [`Db::call`].

pub mod audit;
pub mod bulk;
pub mod catalogue;
pub mod meta;
pub mod progress;
pub mod reports;
pub mod sessions;
pub mod targets;
pub mod tokens;
pub mod users;

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use include_dir::{Dir, include_dir};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::Migrations;

static MIGRATIONS_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

/// How long a connection waits for another writer before giving up, unless the server is
/// configured otherwise ([`Db::with_write_wait`]).
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a bookkeeping write that no answer depends on (a session's idle clock, a token's
/// last use) waits for the write lock before it is skipped.
pub const BOOKKEEPING_WAIT: Duration = Duration::from_millis(200);

pub fn migrations() -> anyhow::Result<Migrations<'static>> {
    Migrations::from_directory(&MIGRATIONS_DIR).context("loading migrations")
}

/// Opens a connection with the settings every connection needs.
pub fn connect(path: &Path) -> anyhow::Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .with_context(|| format!("opening database {}", path.display()))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL with synchronous=NORMAL: a committed transaction survives the process being killed;
    // only an operating-system crash could lose the last few, which a UPS-less laptop accepts.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Brings the schema to the latest migration and loads the catalogue files, idempotently.
pub fn migrate(conn: &mut Connection, data_dir: &Path) -> anyhow::Result<()> {
    migrations()?.to_latest(conn).context("applying migrations")?;
    catalogue::load_files(conn, data_dir)
}

/// Runs the reads of `f` in one read transaction: they see one snapshot, and SQLite takes its
/// locks once instead of once per statement (on a signed-in page read from the cache, the
/// locking calls of four statements were 9% of the server's time). `BEGIN` and `COMMIT` are
/// kept prepared.
pub fn read<T>(conn: &Connection, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> rusqlite::Result<T> {
    conn.prepare_cached("BEGIN")?.execute([])?;
    match f(conn) {
        Ok(value) => {
            conn.prepare_cached("COMMIT")?.execute([])?;
            Ok(value)
        }
        Err(error) => {
            conn.prepare_cached("ROLLBACK")?.execute([])?;
            Err(error)
        }
    }
}

/// Starts a write transaction that takes the write lock at once, so two writers never
/// deadlock upgrading read locks.
pub fn write(conn: &mut Connection) -> rusqlite::Result<Transaction<'_>> {
    conn.transaction_with_behavior(TransactionBehavior::Immediate)
}

/// Copies the database behind `conn` to a new file with SQLite's online backup, in one step:
/// one read snapshot, so writers carry on meanwhile. (A backup in small steps starts over
/// whenever another connection writes, and on a busy server may never finish.)
pub fn backup_to(conn: &Connection, file: &Path) -> anyhow::Result<()> {
    use rusqlite::backup::{Backup, StepResult};
    let mut copy = Connection::open(file).with_context(|| format!("creating {}", file.display()))?;
    let backup = Backup::new(conn, &mut copy).context("starting online backup")?;
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        match backup.step(-1).context("online backup")? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            _ if std::time::Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            other => anyhow::bail!("database stayed busy during backup: {other:?}"),
        }
    }
}

/// SQLite's own check of the database file at `file`: `"ok"` when it is sound.
pub fn integrity_check(file: &Path) -> anyhow::Result<String> {
    let conn = Connection::open(file).with_context(|| format!("opening {}", file.display()))?;
    Ok(conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().unwrap().validate().unwrap();
    }

    #[test]
    fn audit_log_is_append_only() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrations().unwrap().to_latest(&mut conn).unwrap();
        conn.execute("INSERT INTO audit_log (username, action) VALUES ('admin', 'test')", [])
            .unwrap();
        let update = conn.execute("UPDATE audit_log SET action = 'forged'", []);
        assert!(update.unwrap_err().to_string().contains("append-only"));
        let delete = conn.execute("DELETE FROM audit_log", []);
        assert!(delete.unwrap_err().to_string().contains("append-only"));
        let count: i64 = conn
            .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 1);
    }
}
