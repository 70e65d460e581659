//! The connection pool the server and the command line work through: a few connections to
//! one SQLite file, and the one bridge from async code to the blocking pool. Its closures are
//! use cases, so their error is the use cases' `AppError`; `db` itself stays SQL only.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::Connection;

use anyhow::Context;

use crate::db::{BOOKKEEPING_WAIT, BUSY_TIMEOUT, connect, migrate};
use crate::error::{AppError, AppResult};

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
