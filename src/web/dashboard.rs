//! The leadership pages: the dashboard (`/`), one region (`/regions/{code}`) and one indicator
//! (`/indicators/{key}`), plus the loaders they and the charts share.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::api::{ProgressQuery, check_readable, period_of, read_root};
use super::charts::{self, Chart};
use super::compress;
use super::etag;
use super::extract::Query;
use super::pages::{PageContext, PageResult};
use super::views::briefing::{Briefing, briefing as briefing_view};
use super::views::dashboard::{
    Dashboard, Extras, IndicatorPage, dashboard as dashboard_view, empty_state, indicator_page,
};
use super::views::region::{RegionPage, region_page};
use super::{AppState, DataFacts};
use std::sync::Arc;

use crate::db;
use crate::domain::catalogue::{Catalogue, Region, unknown_indicator, unknown_region};
use crate::domain::period::bad_year;
use crate::domain::progress::ProgressTable;
use crate::domain::{Period, Text};
use crate::error::{AppError, AppResult};

/// The progress table for `period`: the one source of the numbers on every page and chart,
/// computed once per version of the period's figures and shared.
pub async fn load_table(state: &AppState, period: Period) -> AppResult<Arc<ProgressTable>> {
    Ok(state.progress(period).await?.0)
}

/// The four quarters' tables of `year`, in order.
pub async fn load_year(state: &AppState, year: i32) -> AppResult<Vec<Arc<ProgressTable>>> {
    let quarters = Period::quarters_of(year).map_err(|_| AppError::BadRequest(bad_year(&year.to_string())))?;
    let mut tables = Vec::with_capacity(4);
    for period in quarters {
        tables.push(load_table(state, period).await?);
    }
    Ok(tables)
}

/// The periods with counted figures, newest first: the period selector's choices.
pub async fn load_periods(state: &AppState) -> AppResult<Vec<Period>> {
    Ok(state.facts().await?.periods.to_vec())
}

/// The quarters a region page or trend chart of `year` shows: `year`'s and the year before.
pub fn years_periods(year: i32) -> Vec<Period> {
    [year - 1, year]
        .into_iter()
        .filter_map(|y| Period::quarters_of(y).ok())
        .flatten()
        .collect()
}

/// What the dashboard and the briefing show beyond the period's own table: the same quarter of
/// last year (同比), the year's quarters so far and last year's (the trend), the 情况说明 and
/// when the figures last changed.
pub struct Overview {
    pub table: Arc<ProgressTable>,
    pub last_year: Option<Arc<ProgressTable>>,
    pub quarters: Vec<Arc<ProgressTable>>,
    pub last_year_quarters: Vec<Arc<ProgressTable>>,
    pub notes: HashMap<(String, String), String>,
    /// Beijing time of the last change to a counted report of the period.
    pub updated: Option<String>,
}

/// The periods [`load_overview`] reads for `period`: itself, the year's earlier quarters and
/// last year's four.
pub fn overview_periods(period: Period) -> impl Iterator<Item = Period> {
    let last_year = Period::quarters_of(period.year() - 1).into_iter().flatten();
    std::iter::once(period).chain(period.earlier_in_year()).chain(last_year)
}

pub async fn load_overview(state: &AppState, period: Period, root: &str, facts: &DataFacts) -> AppResult<Overview> {
    let table = state.progress_at(period, facts).await?;
    let mut quarters = Vec::new();
    let mut earlier: Vec<Period> = period.earlier_in_year().collect();
    earlier.reverse();
    // The trend and 同比 read the root and its children of the other periods: their summaries.
    for earlier in earlier {
        quarters.push(state.summary_at(earlier, root, facts).await?);
    }
    quarters.push(Arc::clone(&table));
    let mut last_year_quarters = Vec::new();
    if let Ok(previous) = Period::quarters_of(period.year() - 1) {
        for quarter in previous {
            last_year_quarters.push(state.summary_at(quarter, root, facts).await?);
        }
    }
    let last_year = last_year_quarters.get(usize::from(period.quarter()) - 1).cloned();
    let (notes, updated) = state
        .db
        .call(move |conn| {
            Ok((
                db::progress::counted_notes(conn, period)?,
                db::progress::last_update(conn, period)?,
            ))
        })
        .await?;
    Ok(Overview {
        table,
        last_year,
        quarters,
        last_year_quarters,
        notes,
        updated: updated.map(|t| crate::clock::local_time(&t)),
    })
}

/// The cumulative by quarter of `root` (the province, or a city-bound viewer's city) for
/// `indicator`, this year against last.
pub fn root_trend(
    overview: &Overview,
    catalogue: &Catalogue,
    root: &str,
    indicator: &str,
    lang: crate::domain::Lang,
) -> String {
    charts::trend(
        &overview.quarters,
        &overview.last_year_quarters,
        catalogue,
        root,
        indicator,
        overview.table.period.year(),
        lang,
    )
    .map(|c| charts::svg(&Chart::Trend(c)))
    .unwrap_or_default()
}

/// The root of `ctx`'s leadership pages ([`read_root`]), or 404 on an empty catalogue.
pub fn page_root(state: &AppState, ctx: &PageContext) -> AppResult<Region> {
    read_root(&state.catalogue(), &ctx.user.actor())
        .ok_or_else(|| AppError::NotFound(Text::new("地区目录为空", "The region catalogue is empty.")))
}

/// Whether the tile map belongs on a page of `root`: it draws the province's cities, so a
/// city's view leaves it out.
pub fn shows_map(catalogue: &Catalogue, root: &Region) -> bool {
    catalogue.home_region().is_some_and(|home| home.code == root.code)
}

/// The first indicator with a target: the ranking chart's default.
pub fn default_indicator(catalogue: &Catalogue) -> String {
    catalogue
        .indicators()
        .iter()
        .find(|i| i.has_target)
        .or_else(|| catalogue.indicators().first())
        .map(|i| i.key.clone())
        .unwrap_or_default()
}

/// The version of a page showing the figures of `shown` that opened on `period`: when no
/// period was `asked` for, the newer periods the default passed over count too, since their
/// completeness decided it.
pub fn opened_version(
    facts: &DataFacts,
    period: Period,
    asked: Option<&str>,
    shown: impl IntoIterator<Item = Period>,
) -> i64 {
    let defaulted = asked.is_none_or(|text| text.trim().is_empty());
    let passed_over = facts.periods.iter().copied().filter(|p| defaulted && *p > period);
    facts.page_version(shown.into_iter().chain(passed_over))
}

/// A page's ETag: `version` (the latest change to what the page shows, see
/// [`super::DataFacts::page_version`]), the address, the language, who asks (the header and the
/// menu differ) and the date (which quarters have begun).
pub fn page_tag(ctx: &PageContext, version: i64) -> String {
    let today = crate::clock::today().to_string();
    etag::etag(
        version,
        &[
            &ctx.here,
            ctx.lang.code(),
            &ctx.user.username,
            ctx.user.role.as_str(),
            ctx.user.region_code.as_deref().unwrap_or_default(),
            if ctx.demo { "demo" } else { "" },
            &today,
        ],
    )
}

/// The 304 when the browser holds the page, else the compressed page kept from an earlier
/// request; `None` when the page has to be rendered.
pub async fn answered_from_cache(state: &AppState, headers: &HeaderMap, tag: &str, version: i64) -> Option<Response> {
    if etag::matches(headers, tag) {
        return Some(etag::not_modified(tag));
    }
    compress::cached_page(state, headers, tag, version).await
}

pub async fn dashboard(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    Query(query): Query<ProgressQuery>,
) -> PageResult {
    let result: AppResult<Response> = async {
        let lang = ctx.lang;
        let periods = Arc::clone(&ctx.facts.periods);
        let asked = query.period.as_deref().filter(|p| !p.is_empty());
        if periods.is_empty() && asked.is_none() {
            return Ok(ctx
                .render(lang.t("总览", "Dashboard"), empty_state(lang))
                .into_response());
        }
        let (period, newer) = match asked {
            None => match super::periods::default_period(&state, &ctx.facts).await? {
                Some(chosen) => (chosen.period, chosen.newer),
                None => (period_of(&state, &ctx.facts, None).await?, Vec::new()),
            },
            Some(_) => (period_of(&state, &ctx.facts, asked).await?, Vec::new()),
        };
        // The periods the page reads: its own, the trend's and 同比's, and the newer ones the
        // default passed over (their completeness decides the default).
        let shown = overview_periods(period).chain(newer.iter().map(|(p, _)| *p));
        let version = ctx.facts.page_version(shown);
        let tag = page_tag(&ctx, version);
        if let Some(response) = answered_from_cache(&state, &headers, &tag, version).await {
            return Ok(response);
        }
        let catalogue = state.catalogue();
        let root = page_root(&state, &ctx)?;
        let indicator_key = query
            .indicator
            .filter(|k| catalogue.indicator(k).is_some())
            .unwrap_or_else(|| default_indicator(&catalogue));
        let ranking_indicator = catalogue
            .indicator(&indicator_key)
            .cloned()
            .ok_or_else(|| AppError::NotFound(Text::new("指标目录为空", "The indicator catalogue is empty.")))?;
        // The body depends only on the figures of the periods shown, the period selector, the
        // chart's indicator, the language and whose figures (the province's or a city's): rendered
        // once per version of those, wrapped in each user's layout.
        let newer_key: Vec<String> = newer.iter().map(|(p, _)| p.to_string()).collect();
        let key = format!(
            "dashboard|{}|{period}|{indicator_key}|{}|{}",
            root.code,
            lang.code(),
            newer_key.join(",")
        );
        // Read and rendered once however many ask at the same time: when the period selector
        // changed (a quarter's first report), 64 concurrent requests each reading the notes of
        // the national data had held the page up for 1.8 s.
        let body = state
            .fragment_made(&key, version, async {
                let overview = load_overview(&state, period, &root.code, &ctx.facts).await?;
                render_dashboard(
                    &state,
                    root,
                    overview,
                    periods,
                    indicator_key,
                    ranking_indicator,
                    newer,
                    lang,
                )
                .await
            })
            .await?;
        let page = ctx.clone();
        compress::page_response(&state, &headers, &tag, version, move || {
            let body = maud::PreEscaped(String::from_utf8_lossy(&body).into_owned());
            page.render(lang.t("总览", "Dashboard"), body)
        })
        .await
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// The dashboard's body, rendered off the async workers.
#[allow(clippy::too_many_arguments)]
async fn render_dashboard(
    state: &AppState,
    root: Region,
    overview: Overview,
    periods: Arc<Vec<Period>>,
    indicator_key: String,
    ranking_indicator: crate::domain::Indicator,
    newer: Vec<(Period, crate::domain::progress::Completeness)>,
    lang: crate::domain::Lang,
) -> AppResult<Vec<u8>> {
    let catalogue = state.catalogue();
    let layout = Arc::clone(&state.config.tile_layout);
    super::cache::blocking(move || {
        let table = Arc::clone(&overview.table);
        let trend_svg = root_trend(&overview, &catalogue, &root.code, &indicator_key, lang);
        let map_svg = if shows_map(&catalogue, &root) {
            charts::map(&table, &catalogue, &layout, &indicator_key, lang)
                .map(|c| charts::svg(&Chart::Map(c)))
                .unwrap_or_default()
        } else {
            String::new()
        };
        let overview_svg = charts::svg(&Chart::Bars(charts::overview(&table, &catalogue, &root.code, lang)));
        let ranking_svg = charts::ranking(&table, &catalogue, &root.code, &indicator_key, lang)
            .map(|c| charts::svg(&Chart::Bars(c)))
            .unwrap_or_default();
        dashboard_view(&Dashboard {
            lang,
            periods: &periods,
            table: &table,
            catalogue: &catalogue,
            root: &root,
            ranking: &ranking_indicator,
            overview_svg: &overview_svg,
            ranking_svg: &ranking_svg,
            newer: &newer,
            extras: Extras {
                last_year: overview.last_year.as_deref(),
                notes: Some(&overview.notes),
                trend_svg: &trend_svg,
                map_svg: &map_svg,
                updated: overview.updated.as_deref(),
            },
        })
        .into_string()
        .into_bytes()
    })
    .await
}

#[derive(Deserialize, Default)]
pub struct PeriodQuery {
    pub period: Option<String>,
}

pub async fn indicator(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(query): Query<PeriodQuery>,
) -> PageResult {
    let result: AppResult<Response> = async {
        let catalogue = state.catalogue();
        let indicator = catalogue
            .indicator(&key)
            .cloned()
            .ok_or_else(|| AppError::NotFound(unknown_indicator(&key)))?;
        let lang = ctx.lang;
        let asked = query.period.as_deref();
        let period = period_of(&state, &ctx.facts, asked).await?;
        let version = opened_version(&ctx.facts, period, asked, [period]);
        let tag = page_tag(&ctx, version);
        if let Some(response) = answered_from_cache(&state, &headers, &tag, version).await {
            return Ok(response);
        }
        let periods = ctx.facts.periods.to_vec();
        let root = page_root(&state, &ctx)?;
        let table = state.progress_at(period, &ctx.facts).await?;
        let page = ctx.clone();
        compress::page_response(&state, &headers, &tag, version, move || {
            let ranking_svg = charts::ranking(&table, &catalogue, &root.code, &key, lang)
                .map(|c| charts::svg(&Chart::Bars(c)))
                .unwrap_or_default();
            let body = indicator_page(&IndicatorPage {
                lang,
                periods: &periods,
                table: &table,
                catalogue: &catalogue,
                root: &root,
                indicator: &indicator,
                ranking_svg: &ranking_svg,
            });
            page.render(indicator.name(lang.is_en()), body)
        })
        .await
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    pub year: Option<String>,
}

pub async fn region(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(query): Query<YearQuery>,
) -> PageResult {
    let result: AppResult<Response> = async {
        let catalogue = state.catalogue();
        let region = catalogue
            .region(&code)
            .cloned()
            .ok_or_else(|| AppError::NotFound(unknown_region(&code)))?;
        // A city-bound reader reads its city and its units only.
        check_readable(&catalogue, &ctx.user.actor(), &code)?;
        let lang = ctx.lang;
        let (year, version) = match query.year.as_deref().filter(|y| !y.is_empty()) {
            Some(text) => {
                let year = text.parse::<i32>().map_err(|_| AppError::BadRequest(bad_year(text)))?;
                (year, ctx.facts.page_version(years_periods(year)))
            }
            None => {
                let period = period_of(&state, &ctx.facts, None).await?;
                let year = period.year();
                (year, opened_version(&ctx.facts, period, None, years_periods(year)))
            }
        };
        let tag = page_tag(&ctx, version);
        if let Some(response) = answered_from_cache(&state, &headers, &tag, version).await {
            return Ok(response);
        }
        let today = crate::clock::today();
        let mut this_year = load_year(&state, year).await?;
        let last_year = load_year(&state, year - 1).await.unwrap_or_default();
        // Quarters that have not begun have nothing to show.
        this_year.retain(|t| !t.period.is_future(today));
        let mut years: Vec<i32> = ctx.facts.periods.iter().map(|p| p.year()).collect();
        years.push(year);
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        let (notes, history, targets) = {
            let code = code.clone();
            let drafts = ctx.user.actor().may_read_drafts(&code);
            let periods: Vec<Period> = this_year.iter().map(|t| t.period).collect();
            state
                .db
                .call(move |conn| {
                    let mut notes = Vec::with_capacity(periods.len());
                    for period in periods {
                        let report = db::reports::get(conn, &code, period)?;
                        notes.push(
                            report
                                .filter(|r| r.status.counts())
                                .map(|r| r.notes)
                                .unwrap_or_default(),
                        );
                    }
                    let history = db::audit::status_history(conn, &code, year, drafts)?;
                    Ok((notes, history, db::targets::for_year(conn, year)?))
                })
                .await?
        };
        let notes: Vec<BTreeMap<String, String>> = notes;
        // A parent's own target against its children's (目标任务分解), as on the targets page.
        let breakdown: Vec<Option<(&'static str, String)>> = catalogue
            .indicators()
            .iter()
            .map(|indicator| {
                let own = |code: &str| targets.get(&(code.to_owned(), indicator.key.clone())).copied();
                crate::domain::allocation::check_region(&catalogue, &code, own)
                    .filter(|check| {
                        indicator.has_target
                            && !matches!(check, crate::domain::allocation::Allocation::NoParentTarget { .. })
                    })
                    .map(|check| (check.kind(), check.describe(&region.level, &indicator.unit, lang)))
            })
            .collect();
        let page = ctx.clone();
        compress::page_response(&state, &headers, &tag, version, move || {
            let trends: Vec<String> = catalogue
                .indicators()
                .iter()
                .filter_map(|i| charts::trend(&this_year, &last_year, &catalogue, &code, &i.key, year, lang))
                .map(|c| charts::svg(&Chart::Trend(c)))
                .collect();
            let body = region_page(&RegionPage {
                lang,
                region: &region,
                year,
                years: &years,
                catalogue: &catalogue,
                tables: &this_year,
                notes: &notes,
                trends: &trends,
                history: &history,
                breakdown: &breakdown,
            });
            page.render(region.name(lang.is_en()), body)
        })
        .await
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// `GET /briefing?period=`: one A4 page for a meeting.
pub async fn briefing(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    Query(query): Query<PeriodQuery>,
) -> PageResult {
    let result: AppResult<Response> = async {
        let lang = ctx.lang;
        let asked = query.period.as_deref();
        let period = period_of(&state, &ctx.facts, asked).await?;
        let version = opened_version(&ctx.facts, period, asked, overview_periods(period));
        let tag = page_tag(&ctx, version);
        if let Some(response) = answered_from_cache(&state, &headers, &tag, version).await {
            return Ok(response);
        }
        let root = page_root(&state, &ctx)?;
        let overview = load_overview(&state, period, &root.code, &ctx.facts).await?;
        let catalogue = state.catalogue();
        let imprint = state.config.imprint.imprint(ctx.demo, lang.is_en());
        let layout = Arc::clone(&state.config.tile_layout);
        let page = ctx.clone();
        compress::page_response(&state, &headers, &tag, version, move || {
            let table = &overview.table;
            let indicator = default_indicator(&catalogue);
            let map_svg = if shows_map(&catalogue, &root) {
                charts::map(table, &catalogue, &layout, &indicator, lang)
                    .map(|c| charts::svg(&Chart::Map(c)))
                    .unwrap_or_default()
            } else {
                String::new()
            };
            let ranking_svg = charts::ranking(table, &catalogue, &root.code, &indicator, lang)
                .map(|c| charts::svg(&Chart::Bars(c)))
                .unwrap_or_default();
            let bulletin = crate::domain::bulletin::generate_for(table, &catalogue, &root, lang.is_en(), &imprint);
            let body = briefing_view(&Briefing {
                lang,
                table,
                catalogue: &catalogue,
                root: &root,
                map_svg: &map_svg,
                ranking_svg: &ranking_svg,
                notes: &overview.notes,
                opening: bulletin.paragraphs.first().map(String::as_str),
                updated: overview.updated.as_deref(),
            });
            page.render(lang.t("简报", "Briefing"), body)
        })
        .await
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// `GET /completeness?period=&region=`: reports expected, submitted, on time and approved at the
/// viewer's root (or the region asked, within it) and at each level under it — the same
/// summary as `/api/v1/completeness` — then the region's units one by one.
pub async fn completeness(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<ProgressQuery>,
) -> PageResult {
    let result: AppResult<Response> = async {
        let lang = ctx.lang;
        let (period, region, levels) = super::api::completeness_levels(&state, &ctx.user.actor(), query).await?;
        let catalogue = state.catalogue();
        let region = catalogue
            .region(&region)
            .cloned()
            .ok_or_else(|| AppError::NotFound(unknown_region(&region)))?;
        let table = state.progress_at(period, &ctx.facts).await?;
        let periods = ctx.facts.periods.to_vec();
        let body = super::views::completeness::completeness_page(&super::views::completeness::CompletenessPage {
            lang,
            period,
            periods: &periods,
            catalogue: &catalogue,
            region: &region,
            levels: &levels,
            table: &table,
        });
        Ok(ctx.render(lang.t("报送情况", "Reporting"), body).into_response())
    }
    .await;
    result.map_err(|e| ctx.error(e))
}
