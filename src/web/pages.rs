//! HTML pages for people: the dashboard and the not-found page.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::AppState;
use super::api::{ProgressQuery, resolve_period};
use super::auth::CurrentUser;
use super::extract::Query;
use super::views::Lang;
use super::views::components::{Amount, Badge, rate};
use super::views::layout::{Page, layout};
use crate::db;
use crate::error::AppResult;

pub async fn dashboard(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    lang: Lang,
    uri: Uri,
    Query(query): Query<ProgressQuery>,
) -> AppResult<Response> {
    let period = resolve_period(&state, query.period.as_deref()).await?;
    let catalogue = state.catalogue();
    let (table, demo) = {
        let catalogue = catalogue.clone();
        state
            .db
            .call(move |conn| Ok((db::progress::table(conn, &catalogue, period)?, db::meta::is_demo(conn)?)))
            .await?
    };
    let english = lang.is_en();
    let home = catalogue.home_region();
    let here = uri.path_and_query().map_or("/", |p| p.as_str());
    let page = Page {
        title: lang.t("总览", "Dashboard").into(),
        lang,
        user: Some(&user),
        demo,
        here,
    };
    let body = html! {
        h1 { (if english { period.label_en() } else { period.label_zh() }) }
        @if let Some(home) = home {
            table.progress {
                thead { tr {
                    th { (lang.t("指标", "Indicator")) }
                    th { (lang.t("累计完成", "Cumulative")) }
                    th { (lang.t("年度目标", "Target")) }
                    th { (lang.t("完成率", "Rate")) }
                    th { (lang.t("状态", "Status")) }
                } }
                tbody {
                    @for (column, indicator) in catalogue.indicators().iter().enumerate() {
                        @let figure = table.figure(catalogue.position(&home.code).unwrap_or(0), column);
                        tr {
                            th scope="row" { (indicator.name(english)) }
                            td.num { (Amount { value: figure.cumulative, unit: &indicator.unit, lang }) }
                            td.num { (figure.target.map_or("—".into(), |t| super::views::components::format_amount(t, &indicator.unit, lang))) }
                            td.num { (rate(figure.rate)) }
                            td { (Badge { status: figure.status, lang }) }
                        }
                    }
                }
            }
        }
    };
    Ok(layout(&page, body).into_response())
}

pub async fn not_found(lang: Lang, uri: Uri) -> Response {
    let here = uri.path().to_owned();
    let page = Page {
        title: lang.t("页面不存在", "Page not found").into(),
        lang,
        user: None,
        demo: false,
        here: &here,
    };
    let body = html! {
        h1 { (lang.t("页面不存在", "Page not found")) }
        p { (lang.t("您要找的页面不存在或已移动。", "The page you asked for does not exist.")) }
        p { a href="/" { (lang.t("返回总览", "Back to the dashboard")) } }
    };
    (StatusCode::NOT_FOUND, layout(&page, body)).into_response()
}
