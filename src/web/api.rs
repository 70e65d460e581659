//! The JSON API (`/api/v1`): progress rows, catalogues, reports and their review, the audit log.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::auth::CurrentUser;
use super::compress;
use super::etag;
use super::extract::{self, Json, Query};
use super::{AppState, DataFacts};
use crate::db::{self, audit::AuditFilter};
use crate::domain::catalogue::{Catalogue, Region};
use crate::domain::plan::ReportInput;
use crate::domain::policy::AuditScope;
use crate::domain::progress::ProgressRow;
use crate::domain::validation::{self, ValueError};
use crate::domain::workflow::Action;
use crate::domain::{Actor, Period, Tenths, Text};
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

/// The period asked for, else the default one (the latest with enough of the home region's
/// children in), else the current quarter.
pub async fn resolve_period(state: &AppState, asked: Option<&str>) -> AppResult<Period> {
    period_of(state, &state.facts().await?, asked).await
}

/// [`resolve_period`] from facts the caller holds.
pub async fn period_of(state: &AppState, facts: &DataFacts, asked: Option<&str>) -> AppResult<Period> {
    if let Some(text) = asked.map(str::trim).filter(|t| !t.is_empty()) {
        return extract::period(text);
    }
    match super::periods::default_period(state, facts).await? {
        Some(chosen) => Ok(chosen.period),
        None => Period::containing(crate::clock::today()).map_err(|e| AppError::Internal(e.into())),
    }
}

/// The region whose figures `actor`'s leadership pages, charts, bulletin and exports show: a
/// city-bound reader's city ([`Actor::read_scope`](crate::domain::Actor::read_scope)), else
/// the home region. The same table and functions serve both: only the root differs.
pub fn read_root(catalogue: &Catalogue, actor: &Actor) -> Option<Region> {
    match actor.read_scope() {
        Some(scope) => catalogue.region(scope).cloned(),
        None => catalogue.home_region().cloned(),
    }
}

/// The refusal of a region outside what a city-bound reader reads: 403 naming its city.
pub fn outside_scope(catalogue: &Catalogue, actor: &Actor, region: &str) -> AppError {
    let asked = catalogue.region(region);
    let own = actor.read_scope().and_then(|scope| catalogue.region(scope));
    match (asked, own) {
        (Some(asked), Some(own)) => AppError::Forbidden(Text::new(
            format!(
                "您的账号只能查看{}及其所辖县（市、区）的数据，不能查看{}。",
                own.name_zh, asked.name_zh
            ),
            format!(
                "Your account reads the figures of {} and its units only, not of {}.",
                own.name_en, asked.name_en
            ),
        )),
        _ => AppError::forbidden(),
    }
}

/// Refuses `region` when it lies outside what `actor` reads.
pub fn check_readable(catalogue: &Catalogue, actor: &Actor, region: &str) -> AppResult<()> {
    if actor.may_read_region(catalogue, region) {
        Ok(())
    } else {
        Err(outside_scope(catalogue, actor, region))
    }
}

/// The region filter of a read for `actor`: the one asked for (refused with 403 when outside a
/// city-bound reader's city), else the reader's city, else none (everything).
pub fn scoped_region(catalogue: &Catalogue, actor: &Actor, asked: Option<String>) -> AppResult<Option<String>> {
    match asked {
        Some(region) => {
            if catalogue.region(&region).is_some() {
                check_readable(catalogue, actor, &region)?;
            }
            Ok(Some(region))
        }
        None => Ok(actor.read_scope().map(str::to_owned)),
    }
}

/// Checks optional `region` and `indicator` filters against the catalogue.
pub fn check_filters(state: &AppState, region: Option<&str>, indicator: Option<&str>) -> AppResult<()> {
    crate::service::export::check_filters(&state.catalogue(), region, indicator)
}

pub async fn progress(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    headers: HeaderMap,
    Query(query): Query<ProgressQuery>,
) -> AppResult<Response> {
    let facts = state.facts().await?;
    let period = period_of(&state, &facts, query.period.as_deref()).await?;
    if period.is_future(crate::clock::today()) {
        return Err(AppError::invalid(
            "period",
            crate::domain::format::future_period(period),
        ));
    }
    let region = extract::given(query.region);
    let indicator = extract::given(query.indicator);
    check_filters(&state, region.as_deref(), indicator.as_deref())?;
    let catalogue = state.catalogue();
    // A city-bound reader gets its city's subtree; another region is refused.
    let region = scoped_region(&catalogue, &user.actor(), region)?;
    let version = facts.period_version(period);
    let tag = progress_etag(version, period, region.as_deref(), indicator.as_deref());
    if etag::matches(&headers, &tag) {
        let mut response = etag::not_modified(&tag);
        response.headers_mut().insert(
            axum::http::header::VARY,
            axum::http::HeaderValue::from_static("accept-encoding"),
        );
        return Ok(response);
    }
    // Serialised once per version of the period's figures and query; every caller shares the bytes.
    let key = format!(
        "api-progress|{period}|{}|{}",
        region.as_deref().unwrap_or(""),
        indicator.as_deref().unwrap_or("")
    );
    if let Some(mut response) = compress::cached_body(&state, &headers, &key, version, "application/json").await {
        etag::tag_response(&mut response, &tag);
        return Ok(response);
    }
    let table = state.progress_at(period, &facts).await?;
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
    let mut response = compress::body_response(&state, &headers, &key, version, body, "application/json").await?;
    etag::tag_response(&mut response, &tag);
    Ok(response)
}

/// The ETag of a progress answer: the data version the table was computed at, and the query.
pub fn progress_etag(version: i64, period: Period, region: Option<&str>, indicator: Option<&str>) -> String {
    etag::etag(
        version,
        &[
            "api-progress",
            &period.to_string(),
            region.unwrap_or(""),
            indicator.unwrap_or(""),
        ],
    )
}

/// Completeness and timeliness per level for a period: at `region` (default: the province) and
/// at each region under it whose figure sums its units.
pub async fn completeness(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<ProgressQuery>,
) -> AppResult<Response> {
    let (period, region, levels) = completeness_levels(&state, &user.actor(), query).await?;
    Ok(axum::Json(json!({ "period": period, "region": region, "levels": levels })).into_response())
}

/// The period, region and per-level summary a completeness read asks for: the region asked
/// (within a city-bound reader's city, else 403), else the reader's root; the period asked,
/// else the default. Shared by the API and the completeness page.
pub async fn completeness_levels(
    state: &AppState,
    actor: &Actor,
    query: ProgressQuery,
) -> AppResult<(Period, String, Vec<crate::domain::levels::LevelSummary>)> {
    let catalogue = state.catalogue();
    let region = match extract::given(query.region) {
        Some(region) => region,
        None => read_root(&catalogue, actor)
            .map(|r| r.code)
            .ok_or_else(|| AppError::invalid("region", Text::new("请指定地区。", "A region is required.")))?,
    };
    check_filters(state, Some(&region), None)?;
    check_readable(&catalogue, actor, &region)?;
    let period = resolve_period(state, query.period.as_deref()).await?;
    let days = state.config.late_after_days;
    let levels = {
        let region = region.clone();
        state
            .db
            .call(move |conn| crate::service::reporting::completeness(conn, &catalogue, &region, period, days))
            .await?
    };
    Ok((period, region, levels))
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
    check_readable(&state.catalogue(), &user.actor(), &code)?;
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
        _ => Err(AppError::NotFound(crate::service::reports::no_report(
            &state.catalogue(),
            &code,
            period,
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
            // `2000.0`: a whole number written by a tool that writes every number as a float.
            (None, None) if number.as_f64().is_some_and(|f| f.fract() == 0.0 && f >= 0.0) => {
                Ok(number.as_f64().map(|f| f as i64))
            }
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
            Err(e) => errors.push(FieldError::new(key.clone(), e.text())),
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

/// Saves a report through the one save use case, committed by the writer with the writes
/// waiting beside it: shared by the API and the entry form.
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
        .write(move |conn| {
            reports::save_in(
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
        .write(move |conn| {
            let review = reports::Review {
                action,
                comment: comment.as_deref(),
                version,
            };
            reports::review_in(conn, &catalogue, &user.actor(), &code, period, review)
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
        serde_json::from_slice(&body).map_err(|e| extract::malformed_json(&e.to_string()))?
    };
    let report = review_report(&state, user, code, period, action, body.comment, body.version).await?;
    // The one answer of every report write, as `PUT` gives it.
    Ok(axum::Json(reports::Saved {
        report,
        warnings: Vec::new(),
    })
    .into_response())
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
#[serde(deny_unknown_fields)]
struct ConsolidateBody {
    #[serde(default)]
    reasons: Vec<MissingUnit>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MissingUnit {
    unit: String,
    reason: String,
}

/// A city that reports through its units sends its consolidated report up.
pub async fn consolidate(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Path((code, period)): Path<(String, String)>,
    body: Bytes,
) -> AppResult<Response> {
    let period = extract::period(&period)?;
    let body: ConsolidateBody = if body.iter().all(u8::is_ascii_whitespace) {
        ConsolidateBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            AppError::BadRequest(Text::new(format!("JSON 内容有误：{e}"), format!("Malformed JSON: {e}")))
        })?
    };
    let reasons: Vec<(String, String)> = body.reasons.into_iter().map(|m| (m.unit, m.reason)).collect();
    let catalogue = state.catalogue();
    let report = state
        .db
        .call(move |conn| reports::consolidate(conn, &catalogue, &user.actor(), &code, period, &reasons))
        .await?;
    Ok(axum::Json(reports::Saved {
        report,
        warnings: Vec::new(),
    })
    .into_response())
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    pub region: Option<String>,
    pub period: Option<String>,
    pub user: Option<String>,
    pub indicator: Option<String>,
    pub action: Option<String>,
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
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
            limit: match self.limit {
                None | Some(0) => 500,
                Some(limit) => limit.min(5000),
            },
            before_id: match blank(self.cursor) {
                Some(cursor) => Some(cursor.parse::<i64>().ok().filter(|id| *id > 0).ok_or_else(|| {
                    AppError::BadRequest(Text::new(
                        format!("分页游标“{cursor}”无效"),
                        format!("The page cursor “{cursor}” is not valid."),
                    ))
                })?),
                None => None,
            },
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
    let mut filter = query.filter(&state, &user)?;
    let limit = filter.limit as usize;
    // One row more than asked says whether there is a next page.
    filter.limit += 1;
    let mut rows = state.db.call(move |conn| Ok(db::audit::list(conn, &filter)?)).await?;
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|row| row.id.to_string())
    } else {
        None
    };
    Ok(axum::Json(json!({ "rows": rows, "next_cursor": next_cursor })).into_response())
}

pub async fn not_found() -> AppError {
    AppError::NotFound(Text::new("没有这个接口", "There is no such API endpoint."))
}
