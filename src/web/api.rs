//! The JSON API (`/api/v1`): progress rows, catalogues, reports and their review, the audit log.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::AppState;
use super::auth::CurrentUser;
use super::compress;
use super::extract::{self, Json, Query};
use crate::db::{self, audit::AuditFilter};
use crate::domain::plan::ReportInput;
use crate::domain::policy::AuditScope;
use crate::domain::progress::ProgressRow;
use crate::domain::validation::{self, ValueError};
use crate::domain::workflow::Action;
use crate::domain::{Period, Tenths};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::reports;

/// The body of `GET /api/v1/progress`: serialised straight from the rows, no intermediate tree.
#[derive(Serialize)]
pub struct ProgressResponse<'a> {
    pub period: Period,
    pub time_progress: Tenths,
    pub rows: Vec<ProgressRow<'a>>,
}

#[derive(Deserialize, Default)]
pub struct ProgressQuery {
    pub period: Option<String>,
    pub region: Option<String>,
    pub indicator: Option<String>,
}

/// The period asked for, else the latest with counted figures, else the current quarter.
pub async fn resolve_period(state: &AppState, asked: Option<&str>) -> AppResult<Period> {
    if let Some(text) = asked.map(str::trim).filter(|t| !t.is_empty()) {
        return extract::period(text);
    }
    let facts = state.facts().await?;
    match super::periods::default_period(state, &facts).await? {
        Some(chosen) => Ok(chosen.period),
        None => Period::containing(crate::clock::today()).map_err(|e| AppError::Internal(e.into())),
    }
}

/// Checks optional `region` and `indicator` filters against the catalogue.
pub fn check_filters(state: &AppState, region: Option<&str>, indicator: Option<&str>) -> AppResult<()> {
    crate::service::export::check_filters(&state.catalogue(), region, indicator)
}

pub async fn progress(
    State(state): State<AppState>,
    CurrentUser(_): CurrentUser,
    headers: HeaderMap,
    Query(query): Query<ProgressQuery>,
) -> AppResult<Response> {
    let period = resolve_period(&state, query.period.as_deref()).await?;
    let region = extract::given(query.region);
    let indicator = extract::given(query.indicator);
    check_filters(&state, region.as_deref(), indicator.as_deref())?;
    let catalogue = state.catalogue();
    let (table, version) = state.progress(period).await?;
    // Serialised once per data version and query; every caller shares the bytes.
    let key = format!(
        "api-progress|{period}|{}|{}",
        region.as_deref().unwrap_or(""),
        indicator.as_deref().unwrap_or("")
    );
    let body = state
        .fragment(&key, version, move || {
            let rows = table.rows(&catalogue, region.as_deref(), indicator.as_deref());
            let body = ProgressResponse {
                period,
                time_progress: table.time_benchmark,
                rows,
            };
            serde_json::to_vec(&body).unwrap_or_default()
        })
        .await?;
    compress::body_response(&state, &headers, &key, version, body, "application/json").await
}

pub async fn regions(State(state): State<AppState>, CurrentUser(_): CurrentUser) -> Response {
    axum::Json(json!({ "regions": state.catalogue().regions() })).into_response()
}

pub async fn indicators(State(state): State<AppState>, CurrentUser(_): CurrentUser) -> Response {
    axum::Json(json!({ "indicators": state.catalogue().indicators() })).into_response()
}

pub async fn get_report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((code, period)): Path<(String, String)>,
) -> AppResult<Response> {
    let period = extract::period(&period)?;
    check_filters(&state, Some(&code), None)?;
    let report = {
        let code = code.clone();
        state
            .db
            .call(move |conn| Ok(db::reports::get(conn, &code, period)?))
            .await?
    };
    match report {
        Some(report) if report.status.counts() || user.actor().may_read_drafts(&code) => {
            Ok(axum::Json(report).into_response())
        }
        _ => Err(AppError::NotFound(format!(
            "{code} 的 {period} 报告不存在(no such report)"
        ))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    #[serde(default)]
    values: BTreeMap<String, Value>,
    #[serde(default)]
    notes: BTreeMap<String, String>,
    #[serde(default)]
    submit: bool,
    version: Option<i64>,
}

/// JSON figures: integers or null; a numeric string is read as the form would read it.
fn figure(value: &Value) -> Result<Option<i64>, ValueError> {
    match value {
        Value::Null => Ok(None),
        Value::Number(number) => match (number.as_i64(), number.as_u64()) {
            (Some(v), _) => validation::check_value(v).map(Some),
            (None, Some(_)) => Err(ValueError::TooLarge),
            (None, None) if number.as_f64().is_some_and(|f| f.fract() == 0.0 && f > 1e12) => Err(ValueError::TooLarge),
            (None, None) if number.as_f64().is_some_and(|f| f < 0.0) => Err(ValueError::Negative),
            (None, None) => Err(ValueError::NotInteger(number.to_string())),
        },
        Value::String(text) => validation::parse_value(text),
        other => Err(ValueError::NotInteger(other.to_string())),
    }
}

pub async fn put_report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((code, period)): Path<(String, String)>,
    Json(body): Json<ReportBody>,
) -> AppResult<Response> {
    let period = extract::period(&period)?;
    let mut errors = Vec::new();
    let mut values = BTreeMap::new();
    for (key, value) in &body.values {
        match figure(value) {
            Ok(v) => {
                values.insert(key.clone(), v);
            }
            Err(e) => errors.push(FieldError::new(key.clone(), e)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let input = ReportInput {
        values,
        notes: body.notes,
        submit: body.submit,
        version: body.version,
    };
    let saved = save_report(&state, user, code, period, input).await?;
    Ok(axum::Json(saved).into_response())
}

/// Saves a report through the one save use case: shared by the API and the entry form.
pub async fn save_report(
    state: &AppState,
    user: db::users::User,
    code: String,
    period: Period,
    input: ReportInput,
) -> AppResult<reports::Saved> {
    let catalogue = state.catalogue();
    state
        .db
        .call(move |conn| {
            reports::save(
                conn,
                &catalogue,
                &user.actor(),
                &code,
                period,
                &input,
                crate::clock::today(),
            )
        })
        .await
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    comment: Option<String>,
    version: Option<i64>,
}

/// Applies a review action through the one review use case: shared by the API and the admin pages.
pub async fn review_report(
    state: &AppState,
    user: db::users::User,
    code: String,
    period: Period,
    action: Action,
    comment: Option<String>,
    version: Option<i64>,
) -> AppResult<db::reports::Report> {
    let catalogue = state.catalogue();
    state
        .db
        .call(move |conn| {
            let review = reports::Review {
                action,
                comment: comment.as_deref(),
                version,
            };
            reports::review(conn, &catalogue, &user.actor(), &code, period, review)
        })
        .await
}

async fn review(
    state: AppState,
    user: db::users::User,
    code: String,
    period: String,
    action: Action,
    body: Bytes,
) -> AppResult<Response> {
    let period = extract::period(&period)?;
    let body: ReviewBody = if body.iter().all(u8::is_ascii_whitespace) {
        ReviewBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| AppError::BadRequest(format!("JSON 内容有误:{e} (malformed JSON)")))?
    };
    let report = review_report(&state, user, code, period, action, body.comment, body.version).await?;
    Ok(axum::Json(report).into_response())
}

pub async fn approve(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((code, period)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    review(state, user, code, period, Action::Approve, body).await
}

pub async fn return_report(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((code, period)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    review(state, user, code, period, Action::Return, body).await
}

pub async fn reopen(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((code, period)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    review(state, user, code, period, Action::Reopen, body).await
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub region: Option<String>,
    pub period: Option<String>,
    pub user: Option<String>,
    pub indicator: Option<String>,
    pub action: Option<String>,
    pub limit: Option<u32>,
}

impl AuditQuery {
    /// The filter this query asks for, narrowed to what `user` may see. A period, region or
    /// indicator that cannot exist is an error rather than an empty result.
    pub fn filter(self, state: &AppState, user: &db::users::User) -> AppResult<AuditFilter> {
        let blank = extract::given;
        let mut filter = AuditFilter {
            region_code: blank(self.region),
            period: blank(self.period),
            username: blank(self.user),
            indicator: blank(self.indicator),
            action: blank(self.action),
            limit: self.limit.unwrap_or(500).min(5000),
            drafts: false,
        };
        if let Some(period) = &filter.period {
            extract::period(period)?;
        }
        check_filters(state, filter.region_code.as_deref(), filter.indicator.as_deref())?;
        let actor = user.actor();
        let scope = actor.audit_scope().ok_or_else(AppError::forbidden)?;
        filter.drafts = actor.may_read_drafts_in(&scope);
        if let AuditScope::Region(own) = scope {
            if filter.region_code.as_ref().is_some_and(|asked| *asked != own) {
                return Err(AppError::forbidden());
            }
            filter.region_code = Some(own);
        }
        Ok(filter)
    }
}

pub async fn audit(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<AuditQuery>,
) -> AppResult<Response> {
    let filter = query.filter(&state, &user)?;
    let rows = state.db.call(move |conn| Ok(db::audit::list(conn, &filter)?)).await?;
    Ok(axum::Json(json!({ "rows": rows })).into_response())
}

pub async fn not_found() -> AppError {
    AppError::NotFound("没有这个接口(no such API endpoint)".into())
}
