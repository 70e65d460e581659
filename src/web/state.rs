//! The one piece of shared state: the database, the catalogue, the facts of the current data
//! version (with the version at which each period last changed), and what is computed once
//! per version of what it shows (see [`super::cache`]).

use std::collections::HashMap;
use std::ops::Deref;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use super::cache::{self, Fragments, KeptTable, Summaries, Tables};
use crate::config::ServeConfig;
use crate::domain::Period;
use crate::domain::catalogue::Catalogue;
use crate::domain::change::Changed;
use crate::domain::progress::ProgressTable;
use crate::error::AppResult;
use crate::service::pool::Db;

/// More changed regions than this share of all regions, and a stale table is computed afresh
/// rather than updated region by region.
const UPDATE_SHARE: usize = 8;

/// Everything a handler may need; shared behind one `Arc`.
pub struct App {
    pub db: Arc<Db>,
    catalogue: RwLock<Arc<Catalogue>>,
    /// The latest progress table of each period.
    tables: Tables,
    /// The facts of the last data version seen.
    facts: Mutex<Option<DataFacts>>,
    /// Held while the facts are read again, so that a write is followed by one re-read, not
    /// one per waiting request.
    refreshing: tokio::sync::Mutex<()>,
    /// Rendered fragments (chart SVGs, page bodies, API bodies) by key and version.
    fragments: Fragments,
    /// Summaries of the tables of periods pages show a few regions of.
    summaries: Summaries,
    /// Tables computed in full, and brought up to date along ancestor paths.
    computations: Arc<[AtomicU64; 2]>,
    pub config: ServeConfig,
    /// The queue of sign-in password checks.
    pub sign_in: Arc<super::throttle::SignInGate>,
}

/// What every page needs to know about the data as a whole, read once per data version.
#[derive(Clone, Debug)]
pub struct DataFacts {
    /// Increases with every write.
    pub version: i64,
    /// The database holds demonstration data.
    pub demo: bool,
    /// Periods with counted figures, newest first.
    pub periods: Arc<Vec<Period>>,
    /// The data version at which [`DataFacts::periods`] last changed.
    pub periods_version: i64,
    /// The data version at which each period's figures last changed, where that is later
    /// than `floor`.
    changed: Arc<HashMap<Period, i64>>,
    /// Every period's figures may have changed at this version (start-up, a bulk load, or
    /// changes no longer on file).
    floor: i64,
}

impl DataFacts {
    /// The data version at which `period`'s figures (its table, and the pages, charts and API
    /// bodies made from it) last changed: the key of its caches and ETags. A write to another
    /// period leaves it as it was.
    pub fn period_version(&self, period: Period) -> i64 {
        self.changed.get(&period).copied().unwrap_or(self.floor).max(self.floor)
    }

    /// The version of a page that shows the figures of `periods` and the period selector:
    /// the latest change to any of them.
    pub fn page_version(&self, periods: impl IntoIterator<Item = Period>) -> i64 {
        periods
            .into_iter()
            .map(|period| self.period_version(period))
            .fold(self.periods_version.max(self.floor), i64::max)
    }

    /// The facts after the changes made by versions after `self.version`, up to `version`
    /// (`None` when they are no longer on file, or unknown).
    fn advance(&self, version: i64, demo: bool, periods: Vec<Period>, changes: Option<Vec<(i64, Changed)>>) -> Self {
        let periods_version = if *self.periods == periods {
            self.periods_version
        } else {
            version
        };
        let (changed, floor) = match changes {
            None => (HashMap::new(), version),
            Some(changes) => {
                let mut changed = (*self.changed).clone();
                let mut floor = self.floor;
                for (at, change) in changes {
                    match change.periods() {
                        None => {
                            changed.clear();
                            floor = at;
                        }
                        Some(periods) => changed.extend(periods.into_iter().map(|period| (period, at))),
                    }
                }
                (changed, floor)
            }
        };
        Self {
            version,
            demo,
            periods: Arc::new(periods),
            periods_version,
            changed: Arc::new(changed),
            floor,
        }
    }
}

impl App {
    pub fn new(db: Arc<Db>, catalogue: Catalogue, config: ServeConfig) -> Self {
        Self {
            db,
            catalogue: RwLock::new(Arc::new(catalogue)),
            tables: cache::tables(),
            facts: Mutex::new(None),
            refreshing: tokio::sync::Mutex::new(()),
            fragments: cache::fragments(),
            summaries: cache::summaries(),
            computations: Arc::default(),
            config,
            sign_in: Arc::default(),
        }
    }

    /// The data version, the demo flag and the counted periods: one small query per request,
    /// the rest read again only when the version has moved.
    pub async fn facts(&self) -> AppResult<DataFacts> {
        let (version, demo) = self
            .db
            .call(|conn| Ok(crate::db::meta::version_and_demo(conn)?))
            .await?;
        self.facts_at(version, demo).await
    }

    fn kept_facts(&self, version: i64, demo: bool) -> Option<DataFacts> {
        self.facts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|facts| facts.version >= version && facts.demo == demo)
            .cloned()
    }

    /// [`App::facts`] when the caller has just read the version and the demo flag.
    pub async fn facts_at(&self, version: i64, demo: bool) -> AppResult<DataFacts> {
        if let Some(facts) = self.kept_facts(version, demo) {
            return Ok(facts);
        }
        let _one_at_a_time = self.refreshing.lock().await;
        if let Some(facts) = self.kept_facts(version, demo) {
            return Ok(facts);
        }
        let known = self.facts.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let since = known.as_ref().map(|facts| facts.version);
        let (now, demo, periods, changes) = self
            .db
            .call(move |conn| {
                let tx = conn.transaction()?;
                let (now, demo) = crate::db::meta::version_and_demo(&tx)?;
                let periods = crate::db::progress::counted_periods(&tx)?;
                let changes = match since {
                    Some(since) => crate::db::meta::changes_since(&tx, since)?,
                    None => None,
                };
                Ok((now, demo, periods, changes))
            })
            .await?;
        let facts = match known {
            Some(known) if known.demo == demo => known.advance(now, demo, periods, changes),
            _ => DataFacts {
                version: now,
                demo,
                periods: Arc::new(periods),
                periods_version: now,
                changed: Arc::default(),
                floor: now,
            },
        };
        *self.facts.lock().unwrap_or_else(|e| e.into_inner()) = Some(facts.clone());
        Ok(facts)
    }

    /// A fragment rendered for `key` at data `version`: from the cache, or rendered now (off the
    /// async workers, once however many ask at the same time) and kept.
    pub async fn fragment(
        &self,
        key: &str,
        version: i64,
        render: impl FnOnce() -> Vec<u8> + Send + 'static,
    ) -> AppResult<Arc<[u8]>> {
        let render = cache::blocking(move || Arc::from(render()));
        self.fragments.get_or_make(key.to_owned(), version, render).await
    }

    /// [`App::fragment`] for a fragment whose making reads as well as renders: `make` runs once
    /// however many ask for `key` at the same time, the others waiting for its result.
    pub async fn fragment_made(
        &self,
        key: &str,
        version: i64,
        make: impl std::future::Future<Output = AppResult<Vec<u8>>>,
    ) -> AppResult<Arc<[u8]>> {
        let make = async { make.await.map(Arc::from) };
        self.fragments.get_or_make(key.to_owned(), version, make).await
    }

    /// The fragment kept for `key` if it was rendered at data `version`.
    pub async fn cached_fragment(&self, key: &str, version: i64) -> Option<Arc<[u8]>> {
        self.fragments.get(key.to_owned(), version).await
    }

    /// The progress table of `period` and the version of its figures (the key of its ETags):
    /// shared by every page, chart, export and API response until a write changes the period.
    pub async fn progress(&self, period: Period) -> AppResult<(Arc<ProgressTable>, i64)> {
        let facts = self.facts().await?;
        let table = self.progress_at(period, &facts).await?;
        Ok((table, facts.period_version(period)))
    }

    /// [`App::progress`] for the data version of `facts`. A table kept from before the period's
    /// last change is brought up to date along the changed regions' ancestor paths; when many
    /// requests want it at once the rest wait for the first and share its table.
    pub async fn progress_at(&self, period: Period, facts: &DataFacts) -> AppResult<Arc<ProgressTable>> {
        let catalogue = self.catalogue();
        let db = Arc::clone(&self.db);
        let computations = Arc::clone(&self.computations);
        let refresh = move |stale: Option<KeptTable>| async move {
            db.call(move |conn| {
                // The version, the changes and the figures are read in one transaction so that
                // they agree.
                let tx = conn.transaction()?;
                let version = crate::db::meta::data_version(&tx)?;
                if let Some(kept) = stale
                    && let Some(changes) = crate::db::meta::changes_since(&tx, kept.version)?
                {
                    let mut regions = Vec::new();
                    let mut everything = false;
                    for (_, change) in changes.iter().filter(|(_, change)| change.affects(period)) {
                        match change.region() {
                            Some(region) if !regions.contains(&region) => regions.push(region),
                            Some(_) => {}
                            None => everything = true,
                        }
                    }
                    if !everything && regions.len() * UPDATE_SHARE <= catalogue.regions().len().max(UPDATE_SHARE) {
                        let inputs = crate::db::progress::region_inputs(&tx, period, regions.iter().copied())?;
                        let mut table = Arc::unwrap_or_clone(kept.table);
                        if table.update(&catalogue, regions.iter().copied(), &inputs) {
                            computations[1].fetch_add(1, Ordering::Relaxed);
                            return Ok(KeptTable {
                                table: Arc::new(table),
                                version,
                            });
                        }
                    }
                }
                Ok(KeptTable {
                    table: Arc::new(computed(&tx, &catalogue, period, &computations)?),
                    version,
                })
            })
            .await
        };
        let kept = self
            .tables
            .get_or_update(period, facts.period_version(period), refresh)
            .await?;
        Ok(kept.table)
    }

    /// The summary of `period`'s table for a page of `root` ([`ProgressTable::summary`] of
    /// `root` and its children, [`Catalogue::listed_positions`]), for the pages that show those
    /// regions of a period they do not open (the dashboard's trend and 同比): kept apart from the
    /// full tables, so that a page reading nine periods holds one full table and eight summaries.
    pub async fn summary_at(&self, period: Period, root: &str, facts: &DataFacts) -> AppResult<Arc<ProgressTable>> {
        let make = async {
            let catalogue = self.catalogue();
            let table = match self.tables.fresh(period, facts.period_version(period)).await {
                Some(kept) => kept.table,
                // Computed for the summary alone and not kept: the tables kept are those of the
                // periods pages open (a dashboard's eight other periods had filled the budget).
                None => {
                    let catalogue = Arc::clone(&catalogue);
                    let computations = Arc::clone(&self.computations);
                    self.db
                        .call(move |conn| {
                            let tx = conn.transaction()?;
                            Ok(Arc::new(computed(&tx, &catalogue, period, &computations)?))
                        })
                        .await?
                }
            };
            let root = root.to_owned();
            cache::blocking(move || Arc::new(table.summary(&catalogue, &catalogue.listed_positions(&root)))).await
        };
        self.summaries
            .get_or_make((period, root.to_owned()), facts.period_version(period), make)
            .await
    }

    /// How many progress tables were computed in full, and how many brought up to date along
    /// the changed regions' ancestor paths, since start.
    pub fn table_computations(&self) -> (u64, u64) {
        (
            self.computations[0].load(Ordering::Relaxed),
            self.computations[1].load(Ordering::Relaxed),
        )
    }

    /// The region tree and indicators; loaded once, they change only through `migrate`.
    pub fn catalogue(&self) -> Arc<Catalogue> {
        Arc::clone(&self.catalogue.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Re-reads the catalogue, after regions were added.
    pub async fn reload_catalogue(&self) -> AppResult<()> {
        let fresh = self.db.call(|conn| Ok(crate::db::catalogue::load(conn)?)).await?;
        *self.catalogue.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        // Tables and fragments were made for the old tree.
        self.tables.clear();
        self.fragments.clear();
        self.summaries.clear();
        Ok(())
    }

    /// Applies the caches' pending evictions every [`cache::HOUSEKEEPING_EVERY`], for as long
    /// as the returned future runs.
    pub async fn housekeep_periodically(&self) {
        let mut ticks = tokio::time::interval(cache::HOUSEKEEPING_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            self.tables.housekeep().await;
            self.fragments.housekeep().await;
            self.summaries.housekeep().await;
        }
    }
}

/// `period`'s table computed in full from the database, counted in `computations`.
fn computed(
    tx: &rusqlite::Transaction<'_>,
    catalogue: &Catalogue,
    period: Period,
    computations: &[AtomicU64; 2],
) -> AppResult<ProgressTable> {
    let table = crate::db::progress::table(tx, catalogue, period)?;
    computations[0].fetch_add(1, Ordering::Relaxed);
    Ok(table)
}

/// The state every handler extracts: one `Arc` around [`App`].
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}
