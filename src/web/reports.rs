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
use crate::domain::catalogue::{Catalogue, unknown_region};
use crate::domain::format;
use crate::domain::levels;
use crate::domain::plan::ReportInput;
use crate::domain::progress::ProgressTable;
use crate::domain::rate::{completion_rate, gap, time_benchmark};
use crate::domain::review::{self, Edit, SinceReturn};
use crate::domain::validation::{self, parse_typed_value};
use crate::domain::workflow::{self, Action};
use crate::domain::{Period, Role, Status, Text, deadline};
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
    changes_since_return: Vec<SinceReturn>,
}

/// What the city changed in `region`'s `period` report since the province last returned it.
pub fn since_return(
    conn: &rusqlite::Connection,
    catalogue: &Catalogue,
    region: &str,
    period: Period,
) -> rusqlite::Result<Vec<SinceReturn>> {
    let edits: Vec<Edit> = db::audit::edits_since_return(conn, region, &period.to_string())?
        .into_iter()
        .map(|(indicator, figure, old, new)| Edit {
            indicator,
            figure,
            old,
            new,
        })
        .collect();
    let keys: Vec<&str> = catalogue.indicators().iter().map(|i| i.key.as_str()).collect();
    Ok(review::since_return(&edits, &keys))
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
            let changes_since_return = since_return(conn, &catalogue, &code, period)?;
            Ok(FormData {
                report,
                previous,
                table,
                changes_since_return,
            })
        })
        .await
}

/// The form's lines: each indicator's figure as typed (or as stored when nothing was typed), and
/// the rate, gap and status that follow from it, computed by the domain as everywhere else. The
/// page and the live check (`POST …/check`) both show these, so typed and saved figures never
/// disagree on screen.
fn form_rows<'a>(
    catalogue: &'a Catalogue,
    code: &str,
    period: Period,
    data: &FormData,
    typed: Option<&Typed>,
    field_errors: &mut BTreeMap<&str, Vec<String>>,
    lang: crate::domain::Lang,
) -> Vec<FormRow<'a>> {
    let report = data.report.as_ref();
    catalogue
        .indicators()
        .iter()
        .map(|indicator| {
            let key = indicator.key.as_str();
            let saved = report.and_then(|r| r.values.get(key).copied().flatten());
            let target = data
                .table
                .figure_for(catalogue, code, key)
                .and_then(|f| f.target)
                .filter(|_| indicator.has_target);
            let saved_note = report.and_then(|r| r.notes.get(key)).cloned().unwrap_or_default();
            let input = match typed.and_then(|t| t.values.get(key)) {
                Some(text) => text.clone(),
                None => saved.map(format::thousands).unwrap_or_default(),
            };
            let note = match typed.and_then(|t| t.notes.get(key)) {
                Some(text) => text.clone(),
                None => saved_note,
            };
            // What the line shows is what the input holds; an unreadable input shows nothing.
            let shown = if typed.is_some_and(|t| t.values.contains_key(key)) {
                parse_typed_value(&input).ok().flatten()
            } else {
                saved
            };
            let rate = shown.and_then(|v| completion_rate(v, target));
            let warnings = if report.is_some() || typed.is_some() {
                validation::warnings(shown, target, period, &note)
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
                first_quarter: period.previous_in_year().is_none(),
                target,
                saved,
                shown,
                rate,
                gap: rate.map(|r| gap(r, time_benchmark(period))),
                status: Status::of(shown, target, period),
                input,
                note,
                errors: field_errors.remove(key).unwrap_or_default(),
                warnings,
            }
        })
        .collect()
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
    notice: Option<&str>,
) -> AppResult<maud::Markup> {
    let catalogue = state.catalogue();
    let region = catalogue
        .region(code)
        .ok_or_else(|| AppError::NotFound(unknown_region(code)))?;
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
                        Some(key) => field_errors.entry(key).or_default().push(message.get(lang).to_owned()),
                        None => general.push(message.get(lang).to_owned()),
                    }
                }
            }
            AppError::Conflict(message) => {
                general.push(message.get(lang).to_owned());
                if editable {
                    general.push(
                        lang.t(
                            "下方保留了您输入的内容；“完成率”“进度”两栏是目前已保存的数据。核对后再次保存或提交，将以您的输入为准。",
                            "Your entries are kept below; the rate and status columns show what is saved now. Saving again after checking will use your entries.",
                        )
                        .to_owned(),
                    );
                }
            }
            other => general.push(other.to_string()),
        }
    }
    let rows = form_rows(&catalogue, code, period, data, typed, &mut field_errors, lang);
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
        time_benchmark: time_benchmark(period),
        changes_since_return: data.changes_since_return.clone(),
    };
    let title = format!("{} {}", region.name(lang.is_en()), format::period(period, lang));
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
            Some("saved") => Some(ctx.lang.t("草稿已保存。", "Draft saved.").to_owned()),
            Some("submitted") => Some(levels::submitted_to(&state.catalogue(), &code).get(ctx.lang).to_owned()),
            _ => None,
        };
        Ok(render_form(&state, &ctx, &code, period, &data, None, notice.as_deref())?.into_response())
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
        let (typed, input, mut errors) = read_form(&fields)?;
        let submit = input.submit;
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

/// A form's `version` that is not a number.
pub fn bad_version() -> AppError {
    AppError::BadRequest(Text::new("版本号有误", "The report version is not a number."))
}

/// A form's `action` button that this page does not have.
pub fn unknown_action(action: &str) -> AppError {
    AppError::BadRequest(Text::new(
        format!("未知操作“{action}”"),
        format!("Unknown action “{action}”."),
    ))
}

/// What an entry form sent: the text as typed, the input it makes, and the figures that are not
/// numbers.
fn read_form(fields: &FormFields) -> AppResult<(Typed, ReportInput, Vec<FieldError>)> {
    let submit = match fields.get("action") {
        Some("submit") => true,
        Some("save") | None => false,
        Some(other) => return Err(unknown_action(other)),
    };
    let version = match fields.get("version").map(str::trim).filter(|v| !v.is_empty()) {
        Some(text) => Some(text.parse::<i64>().map_err(|_| bad_version())?),
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
        match parse_typed_value(raw) {
            Ok(value) => {
                input.values.insert(key.to_owned(), value);
            }
            Err(error) => errors.push(FieldError::new(key, error.text())),
        }
    }
    for (key, note) in fields.with_prefix("note.") {
        typed.notes.insert(key.to_owned(), note.to_owned());
        input.notes.insert(key.to_owned(), note.to_owned());
    }
    Ok((typed, input, errors))
}

/// One line of the live check's answer: the same partials the page renders.
#[derive(serde::Serialize)]
struct CheckedLine {
    computed: String,
    messages: String,
}

/// `POST /reports/{code}/{period}/check`: what the form would show for what is typed now (rate,
/// gap, status, errors and warnings per indicator), computed by the same code as a save and
/// writing nothing. The entry form's script calls it as the officer types.
pub async fn check(
    State(state): State<AppState>,
    ctx: PageContext,
    Path((code, period)): Path<(String, String)>,
    fields: Result<FormFields, AppError>,
) -> Result<Response, AppError> {
    let period = extract::period(&period)?;
    authorise(&state, &ctx.user, &code, period)?;
    let fields = fields?;
    let (typed, mut input, mut errors) = read_form(&fields)?;
    // Every check of a save, but never the submit-only rules while the officer is still typing
    // unless they asked to submit.
    input.submit = false;
    if let Err(AppError::Invalid(more)) = check_only(&state, &ctx.user, &code, period, input).await {
        errors.extend(
            more.into_iter()
                .filter(|e| !errors.iter().any(|known| known.field == e.field))
                .collect::<Vec<_>>(),
        );
    }
    let data = load(&state, &code, period).await?;
    let catalogue = state.catalogue();
    let mut field_errors: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for FieldError { field, message } in &errors {
        if let Some(key) = field
            .as_deref()
            .and_then(|f| catalogue.indicator(f))
            .map(|i| i.key.as_str())
        {
            field_errors
                .entry(key)
                .or_default()
                .push(message.get(ctx.lang).to_owned());
        }
    }
    let lang = ctx.lang;
    let rows = form_rows(&catalogue, &code, period, &data, Some(&typed), &mut field_errors, lang);
    let lines: BTreeMap<&str, CheckedLine> = rows
        .iter()
        .map(|row| {
            (
                row.indicator.key.as_str(),
                CheckedLine {
                    computed: report_form::computed(row, lang).into_string(),
                    messages: report_form::messages(row).into_string(),
                },
            )
        })
        .collect();
    Ok(axum::Json(serde_json::json!({ "lines": lines })).into_response())
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
            .ok_or_else(|| AppError::NotFound(unknown_region(&code)))?;
        if let Some(period) = query.period.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            let period = extract::typed_period(period)?;
            return Ok(Redirect::to(&format!("/reports/{code}/{period}")).into_response());
        }
        let today = crate::clock::today();
        let days = state.config.late_after_days;
        let (summaries, first) = {
            let code = code.clone();
            state
                .db
                .call(move |conn| {
                    let first = match db::reports::first_period(conn, Some(&code))? {
                        Some(first) => Some(first),
                        None => db::reports::first_period(conn, None)?,
                    };
                    Ok((db::reports::summaries(conn, Some(&code), None)?, first))
                })
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
        let first = first.unwrap_or(current);
        let statuses = summaries.iter().map(|s| (s.period, s.status)).collect();
        let due = deadline::owed(first, today, days, &statuses)
            .into_iter()
            .map(|owed| DueLine {
                overdue: owed.days_overdue > 0,
                days_overdue: owed.days_overdue,
                due_date: owed.due_date.to_string(),
                line: summaries
                    .iter()
                    .find(|s| s.period == owed.period)
                    .map(line)
                    .unwrap_or(PeriodLine {
                        period: owed.period,
                        status: None,
                        submitted: None,
                        late: false,
                        admin_comment: None,
                    }),
            })
            .collect();
        let returned = summaries
            .iter()
            .filter(|s| s.status == crate::domain::ReportStatus::Returned)
            .map(line)
            .collect();
        let home = OfficerHome {
            lang,
            region,
            returned,
            due,
            periods: deadline::reporting_periods(first, today),
            lines: summaries.iter().map(line).collect(),
            late_after_days: days,
        };
        let title = format!("{} {}", region.name(lang.is_en()), lang.t("填报", "reports"));
        Ok(ctx.render(title, report_form::officer_home(&home)).into_response())
    }
    .await;
    result.map_err(|e| ctx.error(e))
}
