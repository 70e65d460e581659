//! `GET /charts/{name}.svg|png`: the charts as files, with ETag and 304.

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::{Chart, map, overview, png, ranking, svg, trend};
use crate::domain::Text;
use crate::domain::catalogue::Region;
use crate::domain::catalogue::unknown_indicator;
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::api::{check_filters, check_readable, outside_scope, period_of, read_root, resolve_period};
use crate::web::auth::CurrentUser;
use crate::web::dashboard::{default_indicator, load_table, load_year, opened_version, shows_map, years_periods};
use crate::web::extract::Query;
use crate::web::views::Lang;
use crate::web::{compress, etag};

#[derive(Deserialize, Default)]
pub struct ChartQuery {
    pub period: Option<String>,
    pub indicator: Option<String>,
    pub region: Option<String>,
    pub year: Option<i32>,
}

fn no_such_chart(name: &str) -> AppError {
    AppError::NotFound(Text::new(
        format!("没有这个图表“{name}”"),
        format!("There is no chart “{name}”."),
    ))
}

pub async fn chart(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    lang: Lang,
    Path(file): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Query(query): Query<ChartQuery>,
) -> AppResult<Response> {
    let (name, format) = file
        .rsplit_once('.')
        .filter(|(_, ext)| matches!(*ext, "svg" | "png"))
        .ok_or_else(|| no_such_chart(&file))?;
    if !matches!(name, "overview" | "ranking" | "trend" | "map") {
        return Err(no_such_chart(&file));
    }
    let region = crate::web::extract::given(query.region);
    let indicator = crate::web::extract::given(query.indicator);
    check_filters(&state, region.as_deref(), indicator.as_deref())?;
    // Whose figures: the province's, or a city-bound reader's city's; a region outside it, and
    // the province's tile map, are refused.
    let catalogue = state.catalogue();
    let actor = user.actor();
    let root = read_root(&catalogue, &actor)
        .ok_or_else(|| AppError::NotFound(Text::new("地区目录为空", "The region catalogue is empty.")))?;
    if let Some(region) = region.as_deref() {
        check_readable(&catalogue, &actor, region)?;
    }
    if name == "map" && !shows_map(&catalogue, &root) {
        return Err(outside_scope(
            &catalogue,
            &actor,
            catalogue.home_region().map_or("", |h| h.code.as_str()),
        ));
    }
    let facts = state.facts().await?;
    // The chart shows one period's figures, or a trend over a year and the year before.
    let asked = query.period.as_deref();
    let version = if name == "trend" {
        match query.year {
            Some(year) => facts.page_version(years_periods(year)),
            None => {
                let period = period_of(&state, &facts, asked).await?;
                opened_version(&facts, period, asked, years_periods(period.year()))
            }
        }
    } else {
        let period = period_of(&state, &facts, asked).await?;
        opened_version(&facts, period, asked, [period])
    };
    let tag = etag::etag(version, &[uri.to_string().as_str(), lang.code(), &root.code]);
    if etag::matches(&headers, &tag) {
        return Ok(etag::not_modified(&tag));
    }
    // Drawn once per version of its figures, address and language; every viewer shares the bytes.
    let key = format!("chart|{}|{uri}|{}", root.code, lang.code());
    let content_type = if format == "svg" {
        "image/svg+xml; charset=utf-8"
    } else {
        "image/png"
    };
    let is_svg = format == "svg";
    let bytes = match state.cached_fragment(&key, version).await {
        Some(bytes) => bytes,
        None => {
            let chart = chart_of(&state, name, lang, &root, query.period, query.year, region, indicator).await?;
            state
                .fragment(&key, version, move || {
                    if is_svg { svg(&chart).into_bytes() } else { png(&chart) }
                })
                .await?
        }
    };
    // PNG is compressed already.
    let mut response = if is_svg {
        compress::body_response(&state, &headers, &key, version, bytes, content_type).await?
    } else {
        compress::bytes_response(Bytes::from_owner(bytes), content_type, false)
    };
    etag::tag_response(&mut response, &tag);
    Ok(response)
}

/// The chart `name` (`overview`, `ranking`, `map` or `trend`) of `root`'s figures, ready to draw.
#[allow(clippy::too_many_arguments)]
async fn chart_of(
    state: &AppState,
    name: &str,
    lang: Lang,
    root: &Region,
    period: Option<String>,
    year: Option<i32>,
    region: Option<String>,
    indicator: Option<String>,
) -> AppResult<Chart> {
    let catalogue = state.catalogue();
    Ok(match name {
        "overview" => {
            let period = resolve_period(state, period.as_deref()).await?;
            let table = load_table(state, period).await?;
            Chart::Bars(overview(&table, &catalogue, &root.code, lang))
        }
        "ranking" => {
            let period = resolve_period(state, period.as_deref()).await?;
            let key = indicator.unwrap_or_else(|| default_indicator(&catalogue));
            let table = load_table(state, period).await?;
            Chart::Bars(
                ranking(&table, &catalogue, &root.code, &key, lang)
                    .ok_or_else(|| AppError::NotFound(unknown_indicator(&key)))?,
            )
        }
        "map" => {
            let period = resolve_period(state, period.as_deref()).await?;
            let key = indicator.unwrap_or_else(|| default_indicator(&catalogue));
            let table = load_table(state, period).await?;
            Chart::Map(
                map(&table, &catalogue, &state.config.tile_layout, &key, lang)
                    .ok_or_else(|| AppError::NotFound(unknown_indicator(&key)))?,
            )
        }
        _ => {
            let year = match year {
                Some(year) => year,
                None => resolve_period(state, period.as_deref()).await?.year(),
            };
            let region = region.unwrap_or_else(|| root.code.clone());
            let key = indicator.unwrap_or_else(|| default_indicator(&catalogue));
            let this_year = load_year(state, year).await?;
            let last_year = load_year(state, year - 1).await?;
            Chart::Trend(
                trend(&this_year, &last_year, &catalogue, &region, &key, year, lang)
                    .ok_or_else(|| no_such_chart("trend"))?,
            )
        }
    })
}
