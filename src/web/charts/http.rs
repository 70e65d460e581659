//! `GET /charts/{name}.svg|png`: the charts as files, with ETag and 304.

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Chart, overview, png, ranking, svg, trend};
use crate::error::{AppError, AppResult};
use crate::web::AppState;
use crate::web::api::{check_filters, resolve_period};
use crate::web::auth::CurrentUser;
use crate::web::dashboard::{default_indicator, load_table, load_year};
use crate::web::etag;
use crate::web::extract::Query;
use crate::web::views::Lang;

#[derive(Deserialize, Default)]
pub struct ChartQuery {
    pub period: Option<String>,
    pub indicator: Option<String>,
    pub region: Option<String>,
    pub year: Option<i32>,
}

fn blank(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

pub async fn chart(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    lang: Lang,
    Path(file): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Query(query): Query<ChartQuery>,
) -> AppResult<Response> {
    let (name, format) = file
        .rsplit_once('.')
        .filter(|(_, ext)| matches!(*ext, "svg" | "png"))
        .ok_or_else(|| AppError::NotFound(format!("没有这个图表“{file}”(no such chart)")))?;
    if !matches!(name, "overview" | "ranking" | "trend") {
        return Err(AppError::NotFound(format!("没有这个图表“{file}”(no such chart)")));
    }
    let region = blank(query.region);
    let indicator = blank(query.indicator);
    check_filters(&state, region.as_deref(), indicator.as_deref())?;
    let version = etag::data_version(&state).await?;
    let tag = etag::etag(version, &[uri.to_string().as_str(), lang.code()]);
    if etag::matches(&headers, &tag) {
        return Ok(etag::not_modified(&tag));
    }
    let catalogue = state.catalogue();
    let chart = match name {
        "overview" => {
            let period = resolve_period(&state, query.period.as_deref()).await?;
            Chart::Bars(overview(&load_table(&state, period).await?, &catalogue, lang))
        }
        "ranking" => {
            let period = resolve_period(&state, query.period.as_deref()).await?;
            let key = indicator.unwrap_or_else(|| default_indicator(&catalogue));
            let table = load_table(&state, period).await?;
            Chart::Bars(
                ranking(&table, &catalogue, &key, lang)
                    .ok_or_else(|| AppError::NotFound(format!("未知指标“{key}”(unknown indicator)")))?,
            )
        }
        _ => {
            let year = match query.year {
                Some(year) => year,
                None => resolve_period(&state, query.period.as_deref()).await?.year(),
            };
            let region = region
                .or_else(|| catalogue.home_region().map(|r| r.code.clone()))
                .ok_or_else(|| AppError::NotFound("没有地区(no region)".into()))?;
            let key = indicator.unwrap_or_else(|| default_indicator(&catalogue));
            let this_year = load_year(&state, year).await?;
            let last_year = load_year(&state, year - 1).await?;
            Chart::Trend(
                trend(&this_year, &last_year, &catalogue, &region, &key, year, lang)
                    .ok_or_else(|| AppError::NotFound("没有这个图表(no such chart)".into()))?,
            )
        }
    };
    let mut response = if format == "svg" {
        let mut response = svg(&chart).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/svg+xml; charset=utf-8"),
        );
        response
    } else {
        let mut response = png(&chart).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
        response
    };
    etag::tag_response(&mut response, &tag);
    Ok(response)
}
