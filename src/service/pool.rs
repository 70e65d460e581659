//! The connection pool the server and the command line work through: a few connections to
//! one SQLite file, the one bridge from async code to the blocking pool, and the one writer
//! that commits the requests' figure writes in batches. Its closures are use cases, so their
//! error is the use cases' `AppError`; `db` itself stays SQL only.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use rusqlite::{Connection, Transaction};
use tokio::sync::{mpsc, oneshot};

use anyhow::Context;

use crate::db::{BOOKKEEPING_WAIT, BUSY_TIMEOUT, connect, migrate};
use crate::error::{AppError, AppResult};

/// Writes waiting for the writer at most; a request beyond that waits to hand its write over.
const QUEUED_WRITES: usize = 4096;

/// Writes committed together at most.
const BATCH: usize = 256;

/// Database calls running at once at most ([`Db::call`]); more wait, without holding a thread.
/// Each call holds a connection, and each connection SQLite's page cache (up to 2 MiB): with
/// no bound, the storm bench's readers and writers opened 70 connections on 73 threads and the
/// server's RSS reached 270 MiB; kept idle between calls are [`KEPT_IDLE`] of them.
const CONCURRENT_CALLS: usize = 16;

/// Connections kept open between calls at most; one more is opened when all are in use, and
/// closed after it.
const KEPT_IDLE: usize = 4;

/// The database the server works on: a small pool of connections to one SQLite file.
pub struct Db {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// How long a request's write waits for another writer.
    write_wait: Duration,
    /// The writer's queue, opened with the first [`Db::write`].
    writer: OnceLock<mpsc::Sender<Box<dyn Pending>>>,
    /// [`CONCURRENT_CALLS`] permits.
    calls: Arc<tokio::sync::Semaphore>,
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
            writer: OnceLock::new(),
            calls: Arc::new(tokio::sync::Semaphore::new(CONCURRENT_CALLS)),
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
        if let Ok(mut idle) = self.idle.lock()
            && idle.len() < KEPT_IDLE
        {
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

    /// Runs the write `f` on the one writer thread, which commits all writes waiting at the time
    /// in one transaction, each in its own savepoint: a write that fails is rolled back alone
    /// and gets its own error, the others are kept. The answer comes only once the transaction
    /// holding the write has committed (or with the reason it could not). Writers so never
    /// queue on SQLite's lock one by one, and what a write records with its change (its audit
    /// rows) commits with it.
    pub async fn write<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let (reply, answer) = oneshot::channel();
        let job = Box::new(Job {
            work: Some(f),
            result: None,
            reply,
            span: tracing::Span::current(),
        });
        self.writer()?
            .send(job)
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the writer has stopped")))?;
        answer
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the writer dropped a write")))?
    }

    fn writer(&self) -> AppResult<&mpsc::Sender<Box<dyn Pending>>> {
        if let Some(sender) = self.writer.get() {
            return Ok(sender);
        }
        let conn = connect(&self.path)?;
        conn.busy_timeout(self.write_wait)?;
        let (sender, jobs) = mpsc::channel(QUEUED_WRITES);
        if self.writer.set(sender).is_ok() {
            std::thread::Builder::new()
                .name("anju-writer".into())
                .spawn(move || commit_batches(conn, jobs))
                .map_err(|e| AppError::Internal(anyhow::anyhow!("starting the writer: {e}")))?;
        }
        self.writer
            .get()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the writer did not start")))
    }

    /// Runs `f` with a connection on the blocking pool, keeping the caller's tracing span.
    pub async fn call<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&mut Connection) -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let db = Arc::clone(self);
        let span = tracing::Span::current();
        // The permit goes with the work, so a caller that gives up does not free it early.
        let permit = Arc::clone(&self.calls)
            .acquire_owned()
            .await
            .map_err(|_| AppError::Internal(anyhow::anyhow!("the database is closed")))?;
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            span.in_scope(|| db.with(f))
        })
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("database task failed: {e}")))?
    }
}

/// A write handed to the writer.
trait Pending: Send {
    /// Runs the write in its own savepoint of `tx`, rolled back alone when it fails.
    fn run(&mut self, tx: &mut Transaction<'_>);
    /// Answers the caller once the batch's transaction has committed, or failed with `failed`.
    fn answer(self: Box<Self>, failed: Option<&AppError>);
}

struct Job<T, F> {
    work: Option<F>,
    result: Option<AppResult<T>>,
    reply: oneshot::Sender<AppResult<T>>,
    span: tracing::Span,
}

impl<T, F> Pending for Job<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> AppResult<T> + Send,
{
    fn run(&mut self, tx: &mut Transaction<'_>) {
        let Some(work) = self.work.take() else {
            return;
        };
        let _entered = self.span.enter();
        let savepoint = match tx.savepoint() {
            Ok(savepoint) => savepoint,
            Err(error) => {
                self.result = Some(Err(error.into()));
                return;
            }
        };
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| work(&savepoint)))
            .unwrap_or_else(|_| Err(AppError::Internal(anyhow::anyhow!("a write panicked"))));
        // Dropping the savepoint unreleased rolls the failed write back.
        self.result = Some(match outcome {
            Ok(value) => savepoint.commit().map(|()| value).map_err(AppError::from),
            Err(error) => Err(error),
        });
    }

    fn answer(self: Box<Self>, failed: Option<&AppError>) {
        let answer = match (failed, self.result) {
            (_, Some(Err(own))) => Err(own),
            (None, Some(Ok(value))) => Ok(value),
            (Some(error), _) => Err(error.duplicate()),
            (None, None) => Err(AppError::Internal(anyhow::anyhow!("a write was never run"))),
        };
        // The caller may have gone away meanwhile; the write stands either way.
        let _ = self.reply.send(answer);
    }
}

/// The writer thread: takes every write waiting, runs them in one transaction, commits, answers.
fn commit_batches(mut conn: Connection, mut jobs: mpsc::Receiver<Box<dyn Pending>>) {
    let mut batch: Vec<Box<dyn Pending>> = Vec::with_capacity(BATCH);
    while let Some(first) = jobs.blocking_recv() {
        batch.push(first);
        while batch.len() < BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let committed = (|| -> AppResult<()> {
            let mut tx = crate::db::write(&mut conn)?;
            for job in &mut batch {
                job.run(&mut tx);
            }
            tx.commit()?;
            Ok(())
        })();
        if let Err(error) = &committed {
            tracing::warn!(%error, writes = batch.len(), "a batch of writes was not committed");
        }
        for job in batch.drain(..) {
            job.answer(committed.as_ref().err());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::audit::{self, Change};
    use crate::domain::Actor;

    fn open(dir: &tempfile::TempDir) -> Arc<Db> {
        Arc::new(Db::open(&dir.path().join("pool.db"), &dir.path().join("none")).unwrap())
    }

    fn record(conn: &Connection, detail: String) -> rusqlite::Result<()> {
        let change = Change {
            action: "test",
            detail: Some(detail),
            ..Default::default()
        };
        audit::record(conn, &Actor::system("pool test"), &change)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn calls_run_at_most_so_many_at_once_and_few_connections_stay_open() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir);
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let mut calls = Vec::new();
        for _ in 0..CONCURRENT_CALLS * 3 {
            let (db, running, most) = (Arc::clone(&db), Arc::clone(&running), Arc::clone(&most));
            calls.push(tokio::spawn(async move {
                db.call(move |conn| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    let one: i64 = conn.query_row("SELECT 1", [], |row| row.get(0))?;
                    running.fetch_sub(1, Ordering::SeqCst);
                    Ok(one)
                })
                .await
            }));
        }
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap(), 1);
        }
        let most = most.load(Ordering::SeqCst);
        assert!(most > 1 && most <= CONCURRENT_CALLS, "{most} calls at once");
        assert!(db.idle.lock().unwrap().len() <= KEPT_IDLE);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn each_write_is_answered_after_its_commit_and_a_failed_one_alone_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir);
        let before = db.with(|conn| Ok(audit::count(conn)?)).unwrap();
        let mut writes = Vec::new();
        for n in 0..200i64 {
            let db = Arc::clone(&db);
            writes.push(tokio::spawn(async move {
                let answer = db
                    .write(move |conn| {
                        record(conn, n.to_string())?;
                        if n % 5 == 0 {
                            return Err(AppError::Conflict(format!("write {n} refused").as_str().into()));
                        }
                        Ok(n)
                    })
                    .await;
                // Once answered, the write is visible to every other connection.
                let seen = db.with(|conn| Ok(audit::count(conn)?)).unwrap();
                (n, answer, seen)
            }));
        }
        let mut kept = 0;
        for write in writes {
            let (n, answer, seen) = write.await.unwrap();
            match answer {
                Ok(value) => {
                    assert_eq!(value, n);
                    assert!(seen > before, "write {n} answered before it was visible");
                    kept += 1;
                }
                Err(AppError::Conflict(message)) => {
                    assert_eq!(n % 5, 0);
                    assert_eq!(message, format!("write {n} refused").as_str());
                }
                Err(other) => panic!("write {n}: {other}"),
            }
        }
        assert_eq!(kept, 160);
        let after = db.with(|conn| Ok(audit::count(conn)?)).unwrap();
        assert_eq!(after - before, 160, "refused writes left nothing behind");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_write_that_panics_is_rolled_back_and_answered() {
        let dir = tempfile::tempdir().unwrap();
        let db = open(&dir);
        let before = db.with(|conn| Ok(audit::count(conn)?)).unwrap();
        let answer = db
            .write(|conn| -> AppResult<()> {
                record(conn, "half done".into())?;
                panic!("a bug in a use case")
            })
            .await;
        assert!(matches!(answer, Err(AppError::Internal(_))));
        // The writer goes on.
        db.write(|conn| Ok(record(conn, "next".into())?)).await.unwrap();
        let after = db.with(|conn| Ok(audit::count(conn)?)).unwrap();
        assert_eq!(after - before, 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn writes_to_a_locked_database_are_refused_as_busy_and_store_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(
            Db::open(&dir.path().join("pool.db"), &dir.path().join("none"))
                .unwrap()
                .with_write_wait(Duration::from_millis(100))
                .unwrap(),
        );
        let before = db.with(|conn| Ok(audit::count(conn)?)).unwrap();
        let mut lock = connect(&dir.path().join("pool.db")).unwrap();
        let held = lock
            .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)
            .unwrap();
        let mut writes = Vec::new();
        for n in 0..8 {
            let db = Arc::clone(&db);
            writes.push(tokio::spawn(async move {
                db.write(move |conn| Ok(record(conn, format!("locked {n}"))?)).await
            }));
        }
        for write in writes {
            assert!(matches!(write.await.unwrap(), Err(AppError::Busy)));
        }
        drop(held);
        db.write(|conn| Ok(record(conn, "after".into())?)).await.unwrap();
        let after = db.with(|conn| Ok(audit::count(conn)?)).unwrap();
        assert_eq!(after - before, 1);
    }
}
