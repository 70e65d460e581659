//! The one piece of shared state: the database, the catalogue, the facts of the current data
//! version, and what is computed once per data version (see [`super::cache`]).

use std::ops::Deref;
use std::sync::{Arc, Mutex, RwLock};

use super::cache::{self, Fragments, Tables};
use crate::config::ServeConfig;
use crate::domain::Period;
use crate::domain::catalogue::Catalogue;
use crate::domain::progress::ProgressTable;
use crate::error::AppResult;
use crate::service::pool::Db;

/// Everything a handler may need; shared behind one `Arc`.
pub struct App {
    pub db: Arc<Db>,
    catalogue: RwLock<Arc<Catalogue>>,
    /// Computed progress tables by period and data version.
    tables: Tables,
    /// The facts of the last data version seen.
    facts: Mutex<Option<DataFacts>>,
    /// Rendered fragments (chart SVGs, page bodies, API bodies) by key and data version.
    fragments: Fragments,
    pub config: ServeConfig,
    /// The queue of sign-in password checks.
    pub sign_in: Arc<super::throttle::SignInGate>,
}

/// What every page needs to know about the data as a whole, read once per data version.
#[derive(Clone, Debug)]
pub struct DataFacts {
    /// Increases with every write: the key of every cache and ETag.
    pub version: i64,
    /// The database holds demonstration data.
    pub demo: bool,
    /// Periods with counted figures, newest first.
    pub periods: Arc<Vec<Period>>,
}

impl App {
    pub fn new(db: Arc<Db>, catalogue: Catalogue, config: ServeConfig) -> Self {
        Self {
            db,
            catalogue: RwLock::new(Arc::new(catalogue)),
            tables: cache::tables(),
            facts: Mutex::new(None),
            fragments: cache::fragments(),
            config,
            sign_in: Arc::default(),
        }
    }

    /// The data version, the demo flag and the counted periods: one small query per request,
    /// the periods read again only when the version has moved.
    pub async fn facts(&self) -> AppResult<DataFacts> {
        let (version, demo) = self
            .db
            .call(|conn| Ok((crate::db::meta::data_version(conn)?, crate::db::meta::is_demo(conn)?)))
            .await?;
        self.facts_at(version, demo).await
    }

    /// [`App::facts`] when the caller has just read the version and the demo flag.
    pub async fn facts_at(&self, version: i64, demo: bool) -> AppResult<DataFacts> {
        if let Some(facts) = self.facts.lock().unwrap_or_else(|e| e.into_inner()).as_ref()
            && facts.version == version
            && facts.demo == demo
        {
            return Ok(facts.clone());
        }
        let periods = self
            .db
            .call(|conn| Ok(crate::db::progress::counted_periods(conn)?))
            .await?;
        let facts = DataFacts {
            version,
            demo,
            periods: Arc::new(periods),
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

    /// The fragment kept for `key` if it was rendered at data `version`.
    pub async fn cached_fragment(&self, key: &str, version: i64) -> Option<Arc<[u8]>> {
        self.fragments.get(key.to_owned(), version).await
    }

    /// The progress table of `period` and the data version it reflects. Computed once per data
    /// version and shared by every page, chart, export and API response until the next write.
    pub async fn progress(&self, period: Period) -> AppResult<(Arc<ProgressTable>, i64)> {
        let version = self.db.call(|conn| Ok(crate::db::meta::data_version(conn)?)).await?;
        self.progress_at(period, version).await
    }

    /// [`App::progress`] when the caller has just read the data version. When many requests
    /// miss together (a cold cache under load, or the first request after a write), the rest
    /// wait for the first and share its table.
    pub async fn progress_at(&self, period: Period, version: i64) -> AppResult<(Arc<ProgressTable>, i64)> {
        let catalogue = self.catalogue();
        let db = Arc::clone(&self.db);
        let compute = async move {
            db.call(move |conn| {
                // The version and the figures are read in one transaction so that they agree.
                let tx = conn.transaction()?;
                let version = crate::db::meta::data_version(&tx)?;
                let table = crate::db::progress::table(&tx, &catalogue, period)?;
                Ok((Arc::new(table), version))
            })
            .await
        };
        self.tables.get_or_make(period, version, compute).await
    }

    /// The region tree and indicators; loaded once, they change only through `migrate`.
    pub fn catalogue(&self) -> Arc<Catalogue> {
        Arc::clone(&self.catalogue.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Re-reads the catalogue, after regions were added.
    pub async fn reload_catalogue(&self) -> AppResult<()> {
        let fresh = self.db.call(|conn| Ok(crate::db::catalogue::load(conn)?)).await?;
        *self.catalogue.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(fresh);
        Ok(())
    }
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
