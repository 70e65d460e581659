//! The officer's pages: the quarterly entry form (`/reports/{code}/{period}`) and the home page
//! listing the region's reports (`/reports`). Writes go through `api::save_report`, the same
//! path as the JSON API.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::api::save_report;
use super::extract::{self, Query};
use super::forms::FormFields;
use super::pages::{PageContext, PageResult};
use super::views::report_form::{self, DueLine, FormRow, OfficerHome, PeriodLine, ReportForm};
use crate::db::{self, reports::Report, users::User};
use crate::domain::plan::ReportInput;
use crate::domain::progress::ProgressTable;
use crate::domain::rate::completion_rate;
use crate::domain::validation::{self, parse_value};
use crate::domain::workflow::{self, Action};
use crate::domain::{Period, Role, Status, deadline};
use crate::error::{AppError, AppResult, FieldError};
use crate::service;

/// Whether a report submitted at `submitted_at` (stored UTC) came in late.
pub fn submitted_late(period: Period, submitted_at: Option<&str>, late_after_days: u32) -> bool {
    deadline::submitted_late(period, submitted_at.and_then(crate::clock::local_date), late_after_days)
}

/// What the form shows besides the report itself.
struct FormData {
    report: Option<Report>,
    previous: Option<Report>,
    table: ProgressTable,
}

async fn load(state: &AppState, code: &str, period: Period) -> AppResult<FormData> {
    let catalogue = state.catalogue();
    let code = code.to_owned();
    state
        .db
        .call(move |conn| {
            let report = db::reports::get(conn, &code, period)?;
            let previous = match period.previous_in_year() {
                Some(previous) => db::reports::get(conn, &code, previous)?,
                None => None,
            };
            let table = db::progress::table(conn, &catalogue, period)?;
            Ok(FormData {
                report,
                previous,
                table,
            })
        })
        .await
}

/// What the officer typed, to put back in the form after an error.
#[derive(Default)]
struct Typed {
    values: BTreeMap<String, String>,
    notes: BTreeMap<String, String>,
}

fn render_form(
    state: &AppState,
    ctx: &PageContext,
    code: &str,
    period: Period,
    data: &FormData,
    // What the officer typed and why it was refused, when re-showing a refused form.
    refused: Option<(&Typed, &AppError)>,
    notice: Option<&'static str>,
) -> AppResult<maud::Markup> {
    let catalogue = state.catalogue();
    let region = catalogue
        .region(code)
        .ok_or_else(|| AppError::NotFound(format!("未知地区代码“{code}”(unknown region)")))?;
    let lang = ctx.lang;
    let report = data.report.as_ref();
    let status = report.map(|r| r.status);
    let (typed, error) = refused.unzip();
    let editable = workflow::transition(status, Action::SaveDraft, ctx.user.role).is_ok();
    let mut field_errors: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut general = Vec::new();
    if let Some(error) = error {
        match error {
            AppError::Invalid(fields) => {
                for FieldError { field, message } in fields {
                    match field.as_deref().filter(|f| catalogue.indicator(f).is_some()) {
                        Some(key) => field_errors.entry(key).or_default().push(message.clone()),
                        None => general.push(message.clone()),
                    }
                }
            }
            AppError::Conflict(message) => {
                general.push(message.clone());
                if editable {
                    general.push(
                        lang.t(
                            "下方保留了您输入的内容;“完成率”“进度”两栏是目前已保存的数据。核对后再次保存或提交,将以您的输入为准。",
                            "Your entries are kept below; the rate and status columns show what is saved now. Saving again after checking will use your entries.",
                        )
                        .to_owned(),
                    );
                }
            }
            other => general.push(other.to_string()),
        }
    }
    let rows = catalogue
        .indicators()
        .iter()
        .map(|indicator| {
            let key = indicator.key.as_str();
            let saved = report.and_then(|r| r.values.get(key).copied().flatten());
            let target = data.table.figure_for(&catalogue, code, key).and_then(|f| f.target);
            let saved_note = report.and_then(|r| r.notes.get(key)).cloned().unwrap_or_default();
            let warnings = if report.is_some() {
                validation::warnings(saved, target, period, &saved_note)
                    .iter()
                    .map(|w| if lang.is_en() { w.message_en() } else { w.message_zh() })
                    .collect()
            } else {
                Vec::new()
            };
            FormRow {
                indicator,
                previous: data
                    .previous
                    .as_ref()
                    .and_then(|r| r.values.get(key).copied().flatten()),
                target,
                saved,
                rate: saved.and_then(|v| completion_rate(v, target)),
                status: Status::of(saved, target, period),
                input: match typed {
                    Some(t) => t.values.get(key).cloned().unwrap_or_default(),
                    None => saved.map(|v| v.to_string()).unwrap_or_default(),
                },
                note: match typed {
                    Some(t) => t.notes.get(key).cloned().unwrap_or_default(),
                    None => saved_note,
                },
                errors: field_errors.remove(key).unwrap_or_default(),
                warnings,
            }
        })
        .collect();
    // Errors about indicators the catalogue does not know still reach the officer.
    general.extend(field_errors.into_values().flatten());
    let form = ReportForm {
        lang,
        region,
        period,
        status,
        version: report.map_or(0, |r| r.version),
        editable,
        admin_comment: report.and_then(|r| r.admin_comment.as_deref()),
        submitted: report
            .and_then(|r| r.submitted_at.as_deref())
            .map(crate::clock::local_time),
        rows,
        errors: general,
        notice,
        due_date: deadline::due_date(period, state.config.late_after_days).to_string(),
        reviewer: ctx.user.actor().may_review(),
    };
    let title = format!("{} {}", region.name(lang.is_en()), period);
    Ok(ctx.render(title, report_form::report_form(&form)))
}

#[derive(Deserialize, Default)]
pub struct FormQuery {
    done: Option<String>,
}

/// Only those who may write a region's figures see its entry form: its officer and admins.
fn authorise(state: &AppState, user: &User, code: &str, period: Period) -> AppResult<()> {
    service::reports::authorise_write(&state.catalogue(), &user.actor(), code, period, crate::clock::today())
}

pub async fn form(
    State(state): State<AppState>,
    ctx: PageContext,
    Path((code, period)): Path<(String, String)>,
    Query(query): Query<FormQuery>,
) -> PageResult {
    let result: AppResult<Response> = async {
        let period = extract::period(&period)?;
        authorise(&state, &ctx.user, &code, period)?;
        let data = load(&state, &code, period).await?;
        let notice = match query.done.as_deref() {
            Some("saved") => Some(ctx.lang.t("草稿已保存。", "Draft saved.")),
            Some("submitted") => Some(ctx.lang.t("已提交,等待省厅审核。", "Submitted for review.")),
            _ => None,
        };
        Ok(render_form(&state, &ctx, &code, period, &data, None, notice)?.into_response())
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

pub async fn save(
    State(state): State<AppState>,
    ctx: PageContext,
    Path((code, period)): Path<(String, String)>,
    fields: Result<FormFields, AppError>,
) -> PageResult {
    let result: AppResult<Response> = async {
        let period = extract::period(&period)?;
        authorise(&state, &ctx.user, &code, period)?;
        let fields = fields?;
        let submit = match fields.get("action") {
            Some("submit") => true,
            Some("save") | None => false,
            Some(other) => return Err(AppError::BadRequest(format!("未知操作“{other}”(unknown action)"))),
        };
        let version = match fields.get("version").map(str::trim).filter(|v| !v.is_empty()) {
            Some(text) => Some(
                text.parse::<i64>()
                    .map_err(|_| AppError::BadRequest("版本号有误(bad version)".into()))?,
            ),
            None => None,
        };
        let mut typed = Typed::default();
        let mut input = ReportInput {
            submit,
            version,
            ..Default::default()
        };
        let mut errors = Vec::new();
        for (key, raw) in fields.with_prefix("value.") {
            typed.values.insert(key.to_owned(), raw.to_owned());
            match parse_value(raw) {
                Ok(value) => {
                    input.values.insert(key.to_owned(), value);
                }
                Err(error) => errors.push(FieldError::new(key, error)),
            }
        }
        for (key, note) in fields.with_prefix("note.") {
            typed.notes.insert(key.to_owned(), note.to_owned());
            input.notes.insert(key.to_owned(), note.to_owned());
        }
        let outcome = if errors.is_empty() {
            save_report(&state, ctx.user.clone(), code.clone(), period, input)
                .await
                .map(|_| ())
        } else {
            // Report the other fields' problems too (a falling cumulative, a missing note), so
            // the officer corrects everything in one go.
            if let Err(AppError::Invalid(more)) = check_only(&state, &ctx.user, &code, period, input).await {
                let fresh: Vec<FieldError> = more
                    .into_iter()
                    .filter(|e| !errors.iter().any(|known| known.field == e.field))
                    .collect();
                errors.extend(fresh);
            }
            Err(AppError::Invalid(errors))
        };
        match outcome {
            Ok(()) => {
                let done = if submit { "submitted" } else { "saved" };
                Ok(Redirect::to(&format!("/reports/{code}/{period}?done={done}")).into_response())
            }
            Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
                let data = load(&state, &code, period).await?;
                let page = render_form(&state, &ctx, &code, period, &data, Some((&typed, &error)), None)?;
                Ok((error.status(), page).into_response())
            }
            Err(other) => Err(other),
        }
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// Runs every check of a save on the well-formed part of a form, writing nothing.
async fn check_only(state: &AppState, user: &User, code: &str, period: Period, input: ReportInput) -> AppResult<()> {
    let catalogue = state.catalogue();
    let (actor, code) = (user.actor(), code.to_owned());
    state
        .db
        .call(move |conn| {
            service::reports::check(conn, &catalogue, &actor, &code, period, &input, crate::clock::today()).map(|_| ())
        })
        .await
}

#[derive(Deserialize, Default)]
pub struct HomeQuery {
    region: Option<String>,
    period: Option<String>,
}

/// `/reports`: an officer's own region; an admin picks a city. Others have no reports to enter.
pub async fn home(State(state): State<AppState>, ctx: PageContext, Query(query): Query<HomeQuery>) -> PageResult {
    let result: AppResult<Response> = async {
        let catalogue = state.catalogue();
        let lang = ctx.lang;
        let wanted = query.region.filter(|r| !r.is_empty());
        let code = match (ctx.user.role, &ctx.user.region_code) {
            (Role::Officer, Some(own)) => {
                if wanted.as_ref().is_some_and(|w| w != own) {
                    return Err(AppError::forbidden());
                }
                own.clone()
            }
            (Role::Admin, _) => match wanted {
                Some(code) => code,
                None => {
                    let cities: Vec<_> = catalogue
                        .regions()
                        .iter()
                        .filter(|r| !catalogue.has_children(&r.code))
                        .collect();
                    let body = report_form::region_picker(lang, &cities);
                    return Ok(ctx.render(lang.t("各市填报", "City reports"), body).into_response());
                }
            },
            _ => return Err(AppError::forbidden()),
        };
        let region = catalogue
            .region(&code)
            .ok_or_else(|| AppError::NotFound(format!("未知地区代码“{code}”(unknown region)")))?;
        if let Some(period) = query.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            let period = extract::period(period)?;
            return Ok(Redirect::to(&format!("/reports/{code}/{period}")).into_response());
        }
        let today = crate::clock::today();
        let days = state.config.late_after_days;
        let summaries = {
            let code = code.clone();
            state
                .db
                .call(move |conn| Ok(db::reports::summaries(conn, Some(&code), None)?))
                .await?
        };
        let line = |s: &db::reports::ReportSummary| PeriodLine {
            period: s.period,
            status: Some(s.status),
            submitted: s.submitted_at.as_deref().map(crate::clock::local_time),
            late: submitted_late(s.period, s.submitted_at.as_deref(), days),
            admin_comment: s
                .admin_comment
                .clone()
                .filter(|_| s.status == crate::domain::ReportStatus::Returned),
        };
        let current = Period::containing(today).map_err(|e| AppError::Internal(e.into()))?;
        let before = Period::containing(current.first_day().pred_opt().unwrap_or(current.first_day()))
            .map_err(|e| AppError::Internal(e.into()))?;
        let mut due = Vec::new();
        for period in [before, current] {
            let line = summaries
                .iter()
                .find(|s| s.period == period)
                .map(line)
                .unwrap_or(PeriodLine {
                    period,
                    status: None,
                    submitted: None,
                    late: false,
                    admin_comment: None,
                });
            let outstanding = !line.status.is_some_and(|s| s.counts());
            if period == current || outstanding {
                due.push(DueLine {
                    overdue: outstanding && deadline::is_overdue(period, today, days),
                    due_date: deadline::due_date(period, days).to_string(),
                    line,
                });
            }
        }
        let home = OfficerHome {
            lang,
            region,
            due,
            lines: summaries.iter().map(line).collect(),
            late_after_days: days,
        };
        let title = format!("{} {}", region.name(lang.is_en()), lang.t("填报", "reports"));
        Ok(ctx.render(title, report_form::officer_home(&home)).into_response())
    }
    .await;
    result.map_err(|e| ctx.error(e))
}
