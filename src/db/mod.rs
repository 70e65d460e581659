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

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use include_dir::{Dir, include_dir};
use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use rusqlite_migration::Migrations;

use crate::error::{AppError, AppResult};

static MIGRATIONS_DIR: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

/// How long a connection waits for another writer before giving up, unless the server is
/// configured otherwise ([`Db::with_write_wait`]).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

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

/// The database the server works on: a small pool of connections to one SQLite file.
pub struct Db {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// How long a request's write waits for another writer.
    write_wait: Duration,
}

impl Db {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let mut conn = connect(path)?;
        migrate(&mut conn, data_dir)?;
        Ok(Self {
            path: path.to_owned(),
            idle: Mutex::new(vec![conn]),
            write_wait: BUSY_TIMEOUT,
        })
    }

    /// Requests wait at most `wait` for another writer, then answer "busy" (nothing stored).
    pub fn with_write_wait(mut self, wait: Duration) -> anyhow::Result<Self> {
        self.write_wait = wait;
        for conn in self.idle.get_mut().unwrap_or_else(|e| e.into_inner()).iter() {
            conn.busy_timeout(wait)?;
        }
        Ok(self)
    }

    /// Runs a bookkeeping write that waits at most [`BOOKKEEPING_WAIT`] for the lock; a busy
    /// database skips it (logged), so the request it belongs to never fails for it.
    pub async fn bookkeeping(self: &Arc<Self>, f: impl FnOnce(&Connection) -> rusqlite::Result<()> + Send + 'static) {
        let wait = self.write_wait;
        let done = self
            .call(move |conn| {
                conn.busy_timeout(BOOKKEEPING_WAIT)?;
                let result = f(conn);
                conn.busy_timeout(wait)?;
                Ok(result?)
            })
            .await;
        if let Err(error) = done {
            tracing::warn!(%error, "bookkeeping write skipped");
        }
    }

    /// Runs `f` with a connection, on the current thread. The closure is a use case (or a
    /// read), so its error is the use cases' `AppError`; the SQL functions it calls return
    /// `rusqlite` errors, which convert.
    pub fn with<T>(&self, f: impl FnOnce(&mut Connection) -> AppResult<T>) -> AppResult<T> {
        let pooled = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => {
                let conn = connect(&self.path)?;
                conn.busy_timeout(self.write_wait)?;
                conn
            }
        };
        let result = f(&mut conn);
        if !conn.is_autocommit() {
            // A panic-free early return left a transaction open: never hand that connection out.
            return result;
        }
        if let Ok(mut idle) = self.idle.lock() {
            idle.push(conn);
        }
        result
    }

    /// Runs a short read on the calling thread, without the hand-over to the blocking pool.
    /// Only for reads of a few rows by key: in WAL mode a reader never waits for a writer, so
    /// this cannot stall the async runtime on a lock. Anything that writes goes through
    /// [`Db::call`].
    pub fn read_now<T>(&self, f: impl FnOnce(&Connection) -> AppResult<T>) -> AppResult<T> {
        self.with(|conn| f(conn))
    }

    /// Runs `f` with a connection on the blocking pool, keeping the caller's tracing span.
    pub async fn call<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Connection) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let db = Arc::clone(self);
        let span = tracing::Span::current();
        tokio::task::spawn_blocking(move || span.in_scope(|| db.with(f)))
            .await
            .map_err(|e| AppError::Internal(anyhow::anyhow!("database task failed: {e}")))?
    }
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
