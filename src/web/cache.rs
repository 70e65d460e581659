//! What is computed once per version of what it shows and shared: progress tables (one per
//! period, brought up to date in place along the changed regions' ancestor paths) and rendered
//! fragments (page bodies, charts, API bodies, their gzip), kept in `moka` caches bounded by
//! count and by bytes, and the one helper that runs rendering off the async workers.

use std::future::Future;
use std::hash::Hash;
use std::sync::Arc;

use moka::future::Cache;
use moka::ops::compute::{CompResult, Op};
use moka::policy::EvictionPolicy;

use crate::domain::Period;
use crate::domain::progress::ProgressTable;
use crate::error::{AppError, AppResult};

/// Rendered fragments kept at most, their total size at most, and the largest one worth keeping.
pub const CACHED_FRAGMENTS: usize = 512;
pub const CACHED_FRAGMENT_BYTES: usize = 16 * 1024 * 1024;
/// The national progress API body is 10 MB uncompressed and 0.65 MB gzipped: its gzip is kept,
/// and the uncompressed bytes are made again for a client that does not take gzip, instead of
/// filling most of the budget for one period (the all-periods sweep's RSS).
pub const LARGEST_FRAGMENT: usize = 4 * 1024 * 1024;

/// Progress tables kept at most, and their total size at most: a national table is ≈6.5 MB.
/// A dashboard reads its period's table and the summaries of eight more (the year's earlier
/// quarters, last year's four: [`Summaries`]); a region page reads two years' tables. The
/// budget, with the others', keeps the server under 150 MB however many periods are asked for
/// (`benches/storm.rs` measures it); a new table evicts what it pushes over the budget at once.
pub const CACHED_TABLES: usize = 64;
pub const CACHED_TABLE_BYTES: usize = 48 * 1024 * 1024;

/// Summaries of progress tables ([`ProgressTable::summary`]) kept at most, and their total size
/// at most: a national one (the country and its provinces) is ≈15 KB besides its region index.
pub const CACHED_SUMMARIES: usize = 64;
pub const CACHED_SUMMARY_BYTES: usize = 16 * 1024 * 1024;

/// How often the caches apply their pending evictions. moka applies them only when a cache is
/// used, so without this a burst of new entries (asking for every period in turn: 225 MiB
/// allocated against budgets adding up to 80 MB, measured with jemalloc's statistics) stays
/// over the budget for as long as nothing more is asked.
pub const HOUSEKEEPING_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

/// Values by key, each valid for the version it was made at: the version (the data version at
/// which anything the value shows last changed) is part of the key, so a write leaves the older
/// entries of what it changed unreachable, and eviction (least recently used first) drops those
/// before anything still asked for.
///
/// Concurrent misses of one key make its value once, the others waiting for it; misses of other
/// keys proceed meanwhile.
pub struct Versioned<K, V> {
    entries: Cache<(K, i64), V>,
}

impl<K, V> Versioned<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    /// The value kept for `key` if it was made at data `version`.
    pub async fn get(&self, key: K, version: i64) -> Option<V> {
        self.entries.get(&(key, version)).await
    }

    /// Drops every value (after the catalogue changed).
    pub fn clear(&self) {
        self.entries.invalidate_all();
    }

    /// Applies pending evictions (see [`HOUSEKEEPING_EVERY`]).
    pub async fn housekeep(&self) {
        self.entries.run_pending_tasks().await;
    }

    /// The value for `key` at data `version`: kept, or made now by `make` and kept. When `make`
    /// fails nothing is kept and every caller that waited for it gets the error.
    pub async fn get_or_make(&self, key: K, version: i64, make: impl Future<Output = AppResult<V>>) -> AppResult<V> {
        self.entries.try_get_with((key, version), make).await.map_err(unshared)
    }
}

/// Rendered bytes by key.
pub type Fragments = Versioned<String, Arc<[u8]>>;

/// A progress table and the data version its figures were read at.
#[derive(Clone, Debug)]
pub struct KeptTable {
    pub table: Arc<ProgressTable>,
    pub version: i64,
}

/// The latest progress table of each period. A table older than the period's version is not
/// thrown away but brought up to date from the changes since (see [`Tables::get_or_update`]).
pub struct Tables {
    entries: Cache<Period, KeptTable>,
}

impl Tables {
    /// The table of `period` if it reflects data version `version` or later: the kept one, or
    /// the one `refresh` makes from it (at most one refresh per period at a time; callers that
    /// arrive meanwhile wait and then share its result). Other periods are never held up.
    pub async fn get_or_update<F, Fut>(&self, period: Period, version: i64, refresh: F) -> AppResult<KeptTable>
    where
        F: FnOnce(Option<KeptTable>) -> Fut,
        Fut: Future<Output = AppResult<KeptTable>>,
    {
        if let Some(kept) = self.fresh(period, version).await {
            return Ok(kept);
        }
        let result = self
            .entries
            .entry(period)
            .and_try_compute_with(|entry| async move {
                match entry.map(|e| e.into_value()) {
                    Some(kept) if kept.version >= version => Ok(Op::Nop),
                    stale => refresh(stale).await.map(Op::Put),
                }
            })
            .await?;
        match result {
            CompResult::Inserted(entry) | CompResult::ReplacedWith(entry) => {
                // A table is megabytes: evict what it pushed over the budget now rather than
                // at the next housekeeping.
                self.entries.run_pending_tasks().await;
                Ok(entry.into_value())
            }
            CompResult::Unchanged(entry) => Ok(entry.into_value()),
            CompResult::StillNone(_) | CompResult::Removed(_) => Err(AppError::Internal(anyhow::anyhow!(
                "progress table for {period} was not kept"
            ))),
        }
    }

    /// The table kept for `period` if it reflects data version `version` or later.
    pub async fn fresh(&self, period: Period, version: i64) -> Option<KeptTable> {
        self.entries.get(&period).await.filter(|kept| kept.version >= version)
    }

    /// Drops every table (after the catalogue changed: positions no longer match).
    pub fn clear(&self) {
        self.entries.invalidate_all();
    }

    /// Applies pending evictions (see [`HOUSEKEEPING_EVERY`]).
    pub async fn housekeep(&self) {
        self.entries.run_pending_tasks().await;
    }
}

/// Fragments bounded by [`CACHED_FRAGMENT_BYTES`] and [`CACHED_FRAGMENTS`]; one larger than
/// [`LARGEST_FRAGMENT`] is answered but not kept.
pub fn fragments() -> Fragments {
    Versioned {
        entries: weighed(CACHED_FRAGMENT_BYTES, CACHED_FRAGMENTS, |_, bytes: &Arc<[u8]>| {
            // Heavier than the whole budget: moka refuses to keep it.
            if bytes.len() > LARGEST_FRAGMENT {
                usize::MAX
            } else {
                bytes.len()
            }
        }),
    }
}

/// Progress tables bounded by [`CACHED_TABLE_BYTES`] and [`CACHED_TABLES`].
pub fn tables() -> Tables {
    Tables {
        entries: weighed(CACHED_TABLE_BYTES, CACHED_TABLES, |_, kept: &KeptTable| {
            kept.table.heap_bytes()
        }),
    }
}

/// Summaries of progress tables by period and the root region they list, bounded by
/// [`CACHED_SUMMARY_BYTES`] and [`CACHED_SUMMARIES`].
pub type Summaries = Versioned<(Period, String), Arc<ProgressTable>>;

pub fn summaries() -> Summaries {
    Versioned {
        entries: weighed(
            CACHED_SUMMARY_BYTES,
            CACHED_SUMMARIES,
            |_, table: &Arc<ProgressTable>| table.heap_bytes(),
        ),
    }
}

/// A least-recently-used cache of at most `budget` bytes, each value weighing `weigh` bytes
/// and at least the budget's share of one of `count`, so that both bounds hold with one budget.
fn weighed<K, V>(budget: usize, count: usize, weigh: impl Fn(&K, &V) -> usize + Send + Sync + 'static) -> Cache<K, V>
where
    K: Hash + Eq + Send + Sync + 'static,
    V: Clone + Send + Sync + 'static,
{
    let least = budget / count;
    Cache::builder()
        .max_capacity(budget as u64)
        .weigher(move |key, value| u32::try_from(weigh(key, value).max(least)).unwrap_or(u32::MAX))
        .eviction_policy(EvictionPolicy::lru())
        .build()
}

/// Runs CPU-bound work (rendering a page, drawing a chart, serialising JSON, compressing) on
/// Tokio's blocking pool, in the caller's tracing span, so that the async workers go on
/// answering meanwhile.
pub async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> AppResult<T> {
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || span.in_scope(work))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("rendering task failed: {e}")))
}

/// The error of a shared computation, for one of the callers that waited for it.
fn unshared(error: Arc<AppError>) -> AppError {
    Arc::try_unwrap(error).unwrap_or_else(|shared| shared.duplicate())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    const MEGABYTE: usize = 1024 * 1024;

    async fn render(fragments: &Fragments, key: &str, version: i64, size: usize) -> Arc<[u8]> {
        let make = blocking(move || Arc::from(vec![b'x'; size]));
        fragments.get_or_make(key.to_owned(), version, make).await.unwrap()
    }

    /// The bytes kept once moka has applied its pending evictions.
    async fn kept_bytes(fragments: &Fragments) -> u64 {
        fragments.entries.run_pending_tasks().await;
        fragments.entries.iter().map(|(_, bytes)| bytes.len() as u64).sum()
    }

    #[tokio::test]
    async fn kept_fragments_stay_within_their_byte_budget() {
        let fragments = fragments();
        for i in 0..100 {
            let bytes = render(&fragments, &format!("chart|{i}"), 1, MEGABYTE).await;
            assert_eq!(bytes.len(), MEGABYTE);
            let kept = kept_bytes(&fragments).await;
            assert!(kept <= CACHED_FRAGMENT_BYTES as u64, "{kept} bytes kept");
        }
        // The newest is kept and served from memory.
        assert!(fragments.get("chart|99".to_owned(), 1).await.is_some());
        // A new data version makes every older fragment stale.
        assert!(fragments.get("chart|99".to_owned(), 2).await.is_none());
        // Too large to keep, but still answered.
        let huge = render(&fragments, "country", 1, LARGEST_FRAGMENT + 1).await;
        assert_eq!(huge.len(), LARGEST_FRAGMENT + 1);
        fragments.entries.run_pending_tasks().await;
        assert!(fragments.get("country".to_owned(), 1).await.is_none());
        assert!(kept_bytes(&fragments).await <= CACHED_FRAGMENT_BYTES as u64);
    }

    #[tokio::test]
    async fn kept_fragments_are_bounded_in_number() {
        let fragments = fragments();
        for i in 0..CACHED_FRAGMENTS * 2 {
            render(&fragments, &format!("badge|{i}"), 1, 10).await;
        }
        fragments.entries.run_pending_tasks().await;
        assert!(fragments.entries.entry_count() <= CACHED_FRAGMENTS as u64);
        let newest = format!("badge|{}", CACHED_FRAGMENTS * 2 - 1);
        assert!(fragments.get(newest, 1).await.is_some());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_of_one_key_render_it_once() {
        let fragments = Arc::new(fragments());
        let renders = Arc::new(AtomicUsize::new(0));
        let mut waiting = Vec::new();
        for _ in 0..16 {
            let (fragments, renders) = (Arc::clone(&fragments), Arc::clone(&renders));
            waiting.push(tokio::spawn(async move {
                let make = blocking(move || {
                    renders.fetch_add(1, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(50));
                    Arc::from(&b"<svg/>"[..])
                });
                fragments.get_or_make("chart|overview".to_owned(), 7, make).await
            }));
        }
        for task in waiting {
            assert_eq!(&*task.await.unwrap().unwrap(), b"<svg/>");
        }
        assert_eq!(renders.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn a_slow_render_does_not_hold_up_other_keys() {
        let fragments = Arc::new(fragments());
        let (release, released) = mpsc::channel::<()>();
        let slow = {
            let fragments = Arc::clone(&fragments);
            tokio::spawn(async move {
                // Waits until the other key has been rendered, or gives up after a while.
                let make = blocking(move || {
                    let in_time = released.recv_timeout(Duration::from_secs(10)).is_ok();
                    Arc::from(if in_time { &b"in time"[..] } else { &b"held up"[..] })
                });
                fragments.get_or_make("country".to_owned(), 1, make).await.unwrap()
            })
        };
        tokio::task::yield_now().await;
        let quick = render(&fragments, "chart|ranking", 1, 10).await;
        assert_eq!(quick.len(), 10);
        release.send(()).unwrap();
        assert_eq!(&*slow.await.unwrap(), b"in time");
    }

    #[tokio::test]
    async fn a_failed_render_is_not_kept() {
        let fragments = fragments();
        let failed = fragments
            .get_or_make("chart|x".to_owned(), 1, async {
                Err(AppError::NotFound("gone".into()))
            })
            .await;
        assert!(matches!(failed, Err(AppError::NotFound(message)) if message == "gone"));
        assert!(fragments.get("chart|x".to_owned(), 1).await.is_none());
        assert_eq!(render(&fragments, "chart|x", 1, 3).await.len(), 3);
    }

    #[tokio::test]
    async fn kept_tables_stay_within_their_budget_without_waiting_for_housekeeping() {
        use crate::domain::catalogue::Catalogue;
        use crate::domain::progress::ProgressInputs;
        let catalogue = Catalogue::new(Vec::new(), Vec::new());
        let tables = tables();
        // Each weighs at least the budget's share of one of CACHED_TABLES.
        for index in 0..CACHED_TABLES * 2 {
            let period = Period::new(2000 + index as i32 / 4, index as u8 % 4 + 1).unwrap();
            let table = ProgressTable::compute(&catalogue, period, &ProgressInputs::default());
            let make = |_| async {
                Ok(KeptTable {
                    table: Arc::new(table),
                    version: 1,
                })
            };
            tables.get_or_update(period, 1, make).await.unwrap();
            let kept = tables.entries.iter().count();
            assert!(kept <= CACHED_TABLES, "{kept} tables kept after {period}'s");
        }
    }

    #[tokio::test]
    async fn housekeeping_applies_pending_evictions() {
        let fragments = fragments();
        for i in 0..40 {
            let make = async move { Ok(Arc::from(vec![b'x'; MEGABYTE])) };
            fragments.get_or_make(format!("page|{i}"), 1, make).await.unwrap();
        }
        fragments.housekeep().await;
        let kept: usize = fragments.entries.iter().map(|(_, bytes)| bytes.len()).sum();
        assert!(kept <= CACHED_FRAGMENT_BYTES, "{kept} bytes kept");
    }

    #[test]
    fn a_shared_error_keeps_its_kind_and_message() {
        let shared = Arc::new(AppError::Conflict("changed meanwhile".into()));
        let _other_waiter = Arc::clone(&shared);
        assert!(matches!(unshared(shared), AppError::Conflict(m) if m == "changed meanwhile"));
        let internal = Arc::new(AppError::Internal(anyhow::anyhow!("disk full")));
        let _other_waiter = Arc::clone(&internal);
        assert!(matches!(unshared(internal), AppError::Internal(cause) if cause.to_string() == "disk full"));
    }
}
