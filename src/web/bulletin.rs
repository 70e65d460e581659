//! `GET /bulletin?period=`: the generated bulletin (通报).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::AppState;
use super::api::{ProgressQuery, period_of};
use super::compress;
use super::dashboard::{answered_from_cache, page_tag};
use super::extract::Query;
use super::pages::{PageContext, PageResult};
use super::views::bulletin::bulletin_page;
use crate::domain::bulletin;
use crate::error::AppResult;

pub async fn bulletin(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    Query(query): Query<ProgressQuery>,
) -> PageResult {
    let result: AppResult<Response> = async {
        let period = period_of(&ctx.facts, query.period.as_deref())?;
        let version = ctx.facts.page_version([period]);
        let tag = page_tag(&ctx, version);
        if let Some(response) = answered_from_cache(&state, &headers, &tag, version).await {
            return Ok(response);
        }
        let catalogue = state.catalogue();
        let table = state.progress_at(period, &ctx.facts).await?;
        let periods = ctx.facts.periods.to_vec();
        let page = ctx.clone();
        compress::page_response(&state, &headers, &tag, version, move || {
            let text = bulletin::generate(&table, &catalogue, page.lang.is_en());
            let body = bulletin_page(page.lang, period, &periods, &text, &page.here);
            page.render(page.lang.t("进展通报", "Bulletin"), body)
        })
        .await
    }
    .await;
    result.map_err(|e| ctx.error(e))
}
