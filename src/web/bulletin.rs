//! `GET /bulletin?period=`: the generated bulletin (通报); `GET /bulletin.docx?period=`: the same
//! bulletin as a Word document in GB/T 9704 layout.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::AppState;
use super::api::{ProgressQuery, period_of, resolve_period};
use super::compress;
use super::dashboard::{answered_from_cache, opened_version, page_tag};
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
        let asked = query.period.as_deref();
        let period = period_of(&state, &ctx.facts, asked).await?;
        let version = opened_version(&ctx.facts, period, asked, [period]);
        let tag = page_tag(&ctx, version);
        if let Some(response) = answered_from_cache(&state, &headers, &tag, version).await {
            return Ok(response);
        }
        let catalogue = state.catalogue();
        let root = super::dashboard::page_root(&state, &ctx)?;
        let table = state.progress_at(period, &ctx.facts).await?;
        let periods = ctx.facts.periods.to_vec();
        let imprint = state.config.imprint.imprint(ctx.demo, ctx.lang.is_en());
        let page = ctx.clone();
        compress::page_response(&state, &headers, &tag, version, move || {
            // The province's bulletin, or a city-bound reader's city's: the same table and text.
            let text = bulletin::generate_for(&table, &catalogue, &root, page.lang.is_en(), &imprint);
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
    super::auth::CurrentUser(user): super::auth::CurrentUser,
    Query(query): Query<ProgressQuery>,
) -> AppResult<Response> {
    use axum::response::IntoResponse;
    let period = resolve_period(&state, query.period.as_deref()).await?;
    let catalogue = state.catalogue();
    let root = super::api::read_root(&catalogue, &user.actor());
    let imprint = state.config.imprint.imprint(false, false);
    let bytes = state
        .db
        .call(move |conn| crate::service::docx::bulletin_for_region(conn, &catalogue, root.as_ref(), period, &imprint))
        .await?;
    Ok(super::export::attachment(
        bytes.into_response(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        &format!("bulletin-{period}.docx"),
    ))
}
