//! `GET /bulletin?period=`: the generated bulletin (通报); `GET /bulletin.docx?period=`: the same
//! bulletin as a Word document in GB/T 9704 layout.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::AppState;
use super::api::{ProgressQuery, resolve_period};
use super::compress;
use super::dashboard::{answered_from_cache, load_periods, load_table, page_tag};
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
        let tag = page_tag(&ctx);
        if let Some(response) = answered_from_cache(&state, &ctx, &headers, &tag).await {
            return Ok(response);
        }
        let period = resolve_period(&state, query.period.as_deref()).await?;
        let catalogue = state.catalogue();
        let table = load_table(&state, period).await?;
        let periods = load_periods(&state).await?;
        let imprint = state.config.imprint.imprint(ctx.demo, ctx.lang.is_en());
        let page = ctx.clone();
        compress::page_response(&state, &headers, &tag, ctx.facts.version, move || {
            let text = bulletin::generate_with(&table, &catalogue, page.lang.is_en(), &imprint);
            let body = bulletin_page(page.lang, period, &periods, &text, &page.here);
            page.render(page.lang.t("进展通报", "Bulletin"), body)
        })
        .await
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// `GET /bulletin.docx?period=`
pub async fn docx(
    State(state): State<AppState>,
    super::auth::CurrentUser(_): super::auth::CurrentUser,
    Query(query): Query<ProgressQuery>,
) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let period = resolve_period(&state, query.period.as_deref()).await?;
    let catalogue = state.catalogue();
    let imprint = state.config.imprint.imprint(false, false);
    let bytes = state
        .db
        .call(move |conn| crate::service::docx::bulletin_for_period(conn, &catalogue, period, &imprint))
        .await?;
    Ok(super::export::attachment(
        bytes.into_response(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("bulletin-{period}.docx"),
    ))
}
