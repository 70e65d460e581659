//! The leadership pages: the dashboard (`/`), one region (`/regions/{code}`) and one indicator
//! (`/indicators/{key}`), plus the loaders they and the charts share.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::AppState;
use super::api::{ProgressQuery, period_of};
use super::charts::{self, Chart};
use super::compress;
use super::etag;
use super::extract::Query;
use super::pages::{PageContext, PageResult};
use super::views::dashboard::{Dashboard, IndicatorPage, dashboard as dashboard_view, empty_state, indicator_page};
use super::views::region::{RegionPage, region_page};
use std::sync::Arc;

use crate::db;
use crate::domain::Period;
use crate::domain::catalogue::Catalogue;
use crate::domain::progress::ProgressTable;
use crate::error::{AppError, AppResult};

/// The progress table for `period`: the one source of the numbers on every page and chart,
/// computed once per version of the period's figures and shared.
pub async fn load_table(state: &AppState, period: Period) -> AppResult<Arc<ProgressTable>> {
    Ok(state.progress(period).await?.0)
}

/// The four quarters' tables of `year`, in order.
pub async fn load_year(state: &AppState, year: i32) -> AppResult<Vec<Arc<ProgressTable>>> {
    let quarters = Period::quarters_of(year).map_err(|e| AppError::BadRequest(format!("{e}(year out of range)")))?;
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
        let period = period_of(&ctx.facts, asked)?;
        let version = ctx.facts.page_version([period]);
        let tag = page_tag(&ctx, version);
        if let Some(response) = answered_from_cache(&state, &headers, &tag, version).await {
            return Ok(response);
        }
        let catalogue = state.catalogue();
        let indicator_key = query
            .indicator
            .filter(|k| catalogue.indicator(k).is_some())
            .unwrap_or_else(|| default_indicator(&catalogue));
        let table = state.progress_at(period, &ctx.facts).await?;
        let ranking_indicator = catalogue
            .indicator(&indicator_key)
            .cloned()
            .ok_or_else(|| AppError::NotFound("没有指标(no indicators)".into()))?;
        // The body depends only on the period's figures, the period selector, the chart's
        // indicator and the language: rendered once per version of those, wrapped in each user's
        // layout.
        let key = format!("dashboard|{period}|{indicator_key}|{}", lang.code());
        let body = state
            .fragment(&key, version, move || {
                let overview_svg = charts::svg(&Chart::Bars(charts::overview(&table, &catalogue, lang)));
                let ranking_svg = charts::ranking(&table, &catalogue, &indicator_key, lang)
                    .map(|c| charts::svg(&Chart::Bars(c)))
                    .unwrap_or_default();
                dashboard_view(&Dashboard {
                    lang,
                    periods: &periods,
                    table: &table,
                    catalogue: &catalogue,
                    ranking: &ranking_indicator,
                    overview_svg: &overview_svg,
                    ranking_svg: &ranking_svg,
                })
                .into_string()
                .into_bytes()
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
            .ok_or_else(|| AppError::NotFound(format!("未知指标“{key}”(unknown indicator)")))?;
        let lang = ctx.lang;
        let period = period_of(&ctx.facts, query.period.as_deref())?;
        let version = ctx.facts.page_version([period]);
        let tag = page_tag(&ctx, version);
        if let Some(response) = answered_from_cache(&state, &headers, &tag, version).await {
            return Ok(response);
        }
        let periods = ctx.facts.periods.to_vec();
        let table = state.progress_at(period, &ctx.facts).await?;
        let page = ctx.clone();
        compress::page_response(&state, &headers, &tag, version, move || {
            let ranking_svg = charts::ranking(&table, &catalogue, &key, lang)
                .map(|c| charts::svg(&Chart::Bars(c)))
                .unwrap_or_default();
            let body = indicator_page(&IndicatorPage {
                lang,
                periods: &periods,
                table: &table,
                catalogue: &catalogue,
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
            .ok_or_else(|| AppError::NotFound(format!("未知地区代码“{code}”(unknown region)")))?;
        let lang = ctx.lang;
        let year = match query.year.as_deref().filter(|y| !y.is_empty()) {
            Some(text) => text
                .parse::<i32>()
                .map_err(|_| AppError::BadRequest(format!("年份“{text}”有误(bad year)")))?,
            None => period_of(&ctx.facts, None)?.year(),
        };
        let version = ctx.facts.page_version(years_periods(year));
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
        let (notes, history) = {
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
                    Ok((notes, history))
                })
                .await?
        };
        let notes: Vec<BTreeMap<String, String>> = notes;
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
            });
            page.render(region.name(lang.is_en()), body)
        })
        .await
    }
    .await;
    result.map_err(|e| ctx.error(e))
}
