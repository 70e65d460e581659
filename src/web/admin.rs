//! The province's pages: approvals queue and review actions, the targets grid, user accounts
//! and the audit log. Every handler checks the role first: deny by default.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::api::{AuditQuery, review_report};
use super::extract::{self, Query};
use super::forms::FormFields;
use super::pages::{PageContext, PageResult};
use super::reports::submitted_late;
use super::views::admin::{
    self as view, Approvals, ApprovalsFilter, ApprovedItem, Consolidation, ConsolidationUnit, NewUser, QueueItem,
    QueueLine, Reminders, TargetCell, TargetRow, Unreported,
};
use crate::db;
use crate::domain::allocation;
use crate::domain::catalogue::Catalogue;
use crate::domain::period::{MAX_YEAR, MIN_YEAR, bad_year};
use crate::domain::policy::AuditScope;
use crate::domain::rate::completion_rate;
use crate::domain::validation::{self, parse_typed_value};
use crate::domain::workflow::Action;
use crate::domain::{Lang, Period, ReportStatus, Status, Text, deadline, reminder};
use crate::error::{AppError, AppResult, FieldError};
use crate::service::{self, accounts, targets};

/// Lets the request through when the policy allows it.
fn require(allowed: bool) -> AppResult<()> {
    if allowed { Ok(()) } else { Err(AppError::forbidden()) }
}

/// The messages of an error in the page language, one a line.
fn messages_of(error: &AppError, lang: Lang) -> Vec<String> {
    match error {
        AppError::Invalid(fields) => fields.iter().map(|f| f.message.get(lang).to_owned()).collect(),
        other => vec![other.message().get(lang).to_owned()],
    }
}

fn no_such_action() -> AppError {
    AppError::NotFound(Text::new("没有这个操作", "There is no such action."))
}

/// An error the page shows in place (the form stays on screen) rather than as an error page.
fn shown_in_place(error: &AppError) -> bool {
    matches!(
        error,
        AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_) | AppError::BadRequest(_)
    )
}

#[derive(Deserialize, Default)]
pub struct ApprovalsQuery {
    period: Option<String>,
    region: Option<String>,
    status: Option<String>,
    done: Option<String>,
}

/// What the approvals page was asked to show.
#[derive(Clone, Default)]
struct Wanted {
    period: Option<Period>,
    region: Option<String>,
    status: Option<ReportStatus>,
}

impl Wanted {
    fn from_query(query: &ApprovalsQuery) -> AppResult<Self> {
        let period = match extract::given(query.period.clone()) {
            Some(text) => Some(extract::typed_period(&text)?),
            None => None,
        };
        let status = match extract::given(query.status.clone()) {
            Some(text) => Some(
                text.parse::<ReportStatus>()
                    .map_err(|e| AppError::BadRequest(e.text()))?,
            ),
            None => None,
        };
        Ok(Self {
            period,
            region: extract::given(query.region.clone()),
            status,
        })
    }
}

/// The city `region` reports through, when `actor` reviews above that city (the province seeing
/// 韶关市's units): the heading the unit is listed under.
fn reporting_city<'a>(
    catalogue: &'a Catalogue,
    actor: &crate::domain::Actor,
    region: &crate::domain::Region,
) -> Option<&'a crate::domain::Region> {
    let city = catalogue.region(region.parent_code.as_deref()?)?;
    (city.level == "city" && actor.may_review_report(catalogue, &city.code)).then_some(city)
}

/// The regions that report, within what `actor` reviews: the leaves of its subtree.
fn reporting_regions<'a>(catalogue: &'a Catalogue, actor: &crate::domain::Actor) -> Vec<&'a crate::domain::Region> {
    let scope: Vec<&crate::domain::Region> = match actor.region.as_deref() {
        Some(own) => catalogue.subtree(own),
        None => catalogue.regions().iter().collect(),
    };
    scope.into_iter().filter(|r| !catalogue.has_children(&r.code)).collect()
}

async fn approvals_page(
    state: &AppState,
    ctx: &PageContext,
    wanted: Wanted,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> AppResult<maud::Markup> {
    let catalogue = state.catalogue();
    let actor = ctx.user.actor();
    let status = wanted.status.unwrap_or(ReportStatus::Submitted);
    let today = crate::clock::today();
    let days = state.config.late_after_days;
    // Cities are chased for the chosen period, or else for the latest quarter already due.
    let current = Period::containing(today).map_err(|e| AppError::Internal(e.into()))?;
    let chased = wanted.period.unwrap_or_else(|| {
        let mut period = current;
        while deadline::due_date(period, days) >= today {
            match Period::containing(period.first_day().pred_opt().unwrap_or(period.first_day())) {
                Ok(earlier) if earlier < period => period = earlier,
                _ => break,
            }
        }
        period
    });
    let in_scope: Vec<String> = reporting_regions(&catalogue, &actor)
        .iter()
        .map(|r| r.code.clone())
        .collect();
    let loaded = {
        let (catalogue, wanted, in_scope) = (catalogue.clone(), wanted.clone(), in_scope.clone());
        let actor_for_db = actor.clone();
        state
            .db
            .call(move |conn| {
                let mut queue = Vec::new();
                let mut tables = HashMap::new();
                let mut periods: Vec<Period> = Vec::new();
                for summary in db::reports::summaries(conn, wanted.region.as_deref(), Some(status))? {
                    if wanted.period.is_some_and(|p| p != summary.period) {
                        continue;
                    }
                    let Some(report) = db::reports::get(conn, &summary.region_code, summary.period)? else {
                        continue;
                    };
                    let previous = match summary.period.previous_in_year() {
                        Some(p) => db::reports::get(conn, &summary.region_code, p)?,
                        None => None,
                    };
                    // A consolidated report's figures are its units' sum: the tables of the
                    // period and the quarter before have them.
                    let consolidated = catalogue.has_children(&summary.region_code);
                    let wanted_tables = std::iter::once(summary.period)
                        .chain(summary.period.previous_in_year().filter(|_| consolidated));
                    for period in wanted_tables {
                        if let Entry::Vacant(slot) = tables.entry(period) {
                            slot.insert(db::progress::table(conn, &catalogue, period)?);
                        }
                    }
                    let since = if status == ReportStatus::Submitted {
                        let changes =
                            super::reports::since_return(conn, &catalogue, &summary.region_code, summary.period)?;
                        let was_returned =
                            !db::audit::edits_since_return(conn, &summary.region_code, &summary.period.to_string())?
                                .is_empty();
                        was_returned.then_some(changes)
                    } else {
                        None
                    };
                    queue.push((report, previous, since));
                }
                let first = db::reports::first_period(conn, None)?;
                if let Some(first) = first {
                    periods = deadline::reporting_periods(first, today);
                }
                let approved_period = match wanted.period {
                    Some(p) => Some(p),
                    None => db::progress::latest_counted_period(conn)?,
                };
                let approved: Vec<_> =
                    db::reports::summaries(conn, wanted.region.as_deref(), Some(ReportStatus::Approved))?
                        .into_iter()
                        .filter(|s| Some(s.period) == approved_period)
                        .collect();
                let chased_statuses: HashMap<String, ReportStatus> = db::reports::summaries(conn, None, None)?
                    .into_iter()
                    .filter(|s| s.period == chased)
                    .map(|s| (s.region_code, s.status))
                    .collect();
                // The accounts a reminder goes to: the officers of the units within reach, and
                // the admins of the cities that report through their units (the province chases
                // the city, not its counties).
                let officers: Vec<db::users::User> = db::users::list(conn)?
                    .into_iter()
                    .filter(|u| !u.disabled)
                    .filter(|u| match (u.role, u.region_code.as_deref()) {
                        (crate::domain::Role::Officer, Some(r)) => in_scope.iter().any(|s| s == r),
                        (crate::domain::Role::Admin, Some(r)) => catalogue.has_children(r),
                        _ => false,
                    })
                    .collect();
                // Each city within reach that reports through its units: its units' states and
                // its own report for the period it is chased for (the send-up form).
                let consolidating = wanted.period.unwrap_or(chased);
                let mut cities = Vec::new();
                for city in catalogue.regions().iter().filter(|r| {
                    r.level == "city"
                        && catalogue.has_children(&r.code)
                        && actor_for_db.may_consolidate(&catalogue, &r.code)
                }) {
                    let units = db::reports::units_of(conn, &catalogue, &city.code, consolidating)?;
                    let own = db::reports::get(conn, &city.code, consolidating)?.map(|r| r.status);
                    cities.push((city.code.clone(), consolidating, own, units));
                }
                Ok((
                    queue,
                    tables,
                    periods,
                    approved,
                    approved_period,
                    chased_statuses,
                    officers,
                    cities,
                ))
            })
            .await?
    };
    let (queue, tables, periods, approved, approved_period, chased_statuses, officers, consolidations) = loaded;
    let lang = ctx.lang;
    // Only what this admin reviews: a city admin its units, the province the cities and (above
    // the city admins) their units.
    let mut items: Vec<QueueItem<'_>> = queue
        .iter()
        .filter(|(report, _, _)| actor.may_review_report(&catalogue, &report.region_code))
        .filter_map(|(report, previous, since)| {
            let region = catalogue.region(&report.region_code)?;
            let table = tables.get(&report.period)?;
            let lines = catalogue
                .indicators()
                .iter()
                .map(|indicator| {
                    let key = indicator.key.as_str();
                    let consolidated = catalogue.has_children(&region.code);
                    let summed = |period: Option<Period>| {
                        period
                            .and_then(|p| tables.get(&p))
                            .and_then(|t| t.figure_for(&catalogue, &region.code, key))
                            .and_then(|f| f.cumulative)
                    };
                    let value = if consolidated {
                        summed(Some(report.period))
                    } else {
                        report.values.get(key).copied().flatten()
                    };
                    let target = table
                        .figure_for(&catalogue, &region.code, key)
                        .and_then(|f| f.target)
                        .filter(|_| indicator.has_target);
                    let note = report.notes.get(key).cloned().unwrap_or_default();
                    QueueLine {
                        indicator,
                        value,
                        previous: if consolidated {
                            summed(report.period.previous_in_year())
                        } else {
                            previous.as_ref().and_then(|p| p.values.get(key).copied().flatten())
                        },
                        target,
                        rate: value.and_then(|v| completion_rate(v, target)),
                        status: Status::of(value, target, report.period),
                        warnings: validation::warnings(value, target, report.period, &note)
                            .iter()
                            .map(|w| if lang.is_en() { w.message_en() } else { w.message_zh() })
                            .collect(),
                        note,
                    }
                })
                .collect();
            Some(QueueItem {
                region,
                city: reporting_city(&catalogue, &actor, region),
                period: report.period,
                status: report.status,
                version: report.version,
                submitted: report.submitted_at.as_deref().map(crate::clock::local_time),
                submitted_by: report.submitted_by.clone(),
                late: submitted_late(report.period, report.submitted_at.as_deref(), days),
                lines,
                since_return: since.clone(),
                comment: report
                    .admin_comment
                    .clone()
                    .filter(|_| report.status == ReportStatus::Returned),
            })
        })
        .collect();
    // Newest period first, as stored; within a period, units of a city that reports through
    // them come right after the city, under its name.
    items.sort_by_key(|item| {
        (
            std::cmp::Reverse(item.period),
            item.city
                .map_or(item.region.code.as_str(), |c| c.code.as_str())
                .to_owned(),
            item.city.is_some(),
            item.region.code.clone(),
        )
    });
    let approved = approved
        .iter()
        .filter(|s| actor.may_review_report(&catalogue, &s.region_code))
        .filter_map(|s| {
            Some(ApprovedItem {
                region: catalogue.region(&s.region_code)?,
                period: s.period,
                version: s.version,
                approved: Some(crate::clock::local_time(&s.updated_at)),
            })
        })
        .collect();
    let reporting = reporting_regions(&catalogue, &actor);
    let owes = |code: &str| !chased_statuses.get(code).is_some_and(|s| s.counts());
    let accounts = |code: &str, role: crate::domain::Role| -> Vec<String> {
        officers
            .iter()
            .filter(|u| u.role == role && u.region_code.as_deref() == Some(code))
            .map(|u| u.username.clone())
            .collect()
    };
    // A unit of a city that reports through its units, seen from above the city: the city is
    // listed once (while it has not sent up), with the units it still waits for, and its admins
    // are the ones to chase.
    let mut cities: Vec<Unreported> = Vec::new();
    for region in &reporting {
        let through = reporting_city(&catalogue, &actor, region);
        let listed_as = through.map_or(region.code.as_str(), |c| c.code.as_str());
        if wanted
            .region
            .as_deref()
            .is_some_and(|w| w != region.code && w != listed_as)
        {
            continue;
        }
        match through {
            Some(city) => {
                if !owes(&city.code) {
                    continue;
                }
                let at = match cities.iter().position(|c| c.region.code == city.code) {
                    Some(at) => at,
                    None => {
                        cities.push(Unreported {
                            region: city,
                            city: None,
                            status: chased_statuses.get(&city.code).copied(),
                            officers: accounts(&city.code, crate::domain::Role::Admin),
                            missing_units: Vec::new(),
                            through_units: true,
                        });
                        cities.len() - 1
                    }
                };
                if owes(&region.code) {
                    cities[at].missing_units.push(region);
                }
            }
            None if owes(&region.code) => cities.push(Unreported {
                region,
                city: None,
                status: chased_statuses.get(&region.code).copied(),
                officers: accounts(&region.code, crate::domain::Role::Officer),
                missing_units: Vec::new(),
                through_units: false,
            }),
            None => {}
        }
    }
    let due_date = deadline::due_date(chased, days);
    let days_overdue = deadline::days_overdue(chased, today, days);
    let en = lang.is_en();
    // The notice speaks for the reviewer's level: a city admin's city bureau to its units, the
    // province's department (as the bulletin names it) to its cities.
    let root = actor.region.as_deref().and_then(|code| catalogue.region(code));
    let from_city = root.is_some_and(|r| r.level == "city");
    let imprint = state.config.imprint.imprint(ctx.demo, en);
    let sender = reminder::Sender {
        issuer: crate::domain::bulletin::issuer_of(root, &imprint, en),
        city: from_city,
        demo: ctx.demo,
    };
    let addressees: Vec<reminder::Addressee<'_>> = cities
        .iter()
        .map(|c| reminder::Addressee {
            name: c.region.name(en),
            missing_units: c.missing_units.iter().map(|u| u.name(en)).collect(),
        })
        .collect();
    let reminders = Reminders {
        period: chased,
        due_date: due_date.to_string(),
        days_overdue,
        notice: reminder::notice(chased, &sender, &addressees, due_date, today, days_overdue, lang),
        from_city,
        cities,
    };
    let consolidations = consolidations
        .into_iter()
        .filter_map(|(code, period, own, units)| {
            let city = catalogue.region(&code)?;
            let units = units
                .into_iter()
                .filter_map(|unit| {
                    Some(ConsolidationUnit {
                        region: catalogue.region(&unit.code)?,
                        status: unit.status,
                        reason: unit.reason,
                    })
                })
                .collect();
            Some(Consolidation {
                city,
                period,
                own,
                units,
            })
        })
        .collect();
    let page = Approvals {
        lang,
        consolidations,
        filter: ApprovalsFilter {
            period: wanted.period,
            region: wanted.region.as_deref(),
            status,
            periods,
            regions: reporting,
        },
        queue: items,
        approved,
        approved_period,
        reminders: Some(reminders),
        errors,
        notice,
    };
    Ok(ctx.render(lang.t("审核", "Approvals"), view::approvals(&page)))
}

pub async fn approvals(
    State(state): State<AppState>,
    ctx: PageContext,
    Query(query): Query<ApprovalsQuery>,
) -> PageResult {
    let result: AppResult<Response> = async {
        require(ctx.user.actor().may_review())?;
        let lang = ctx.lang;
        let notice = match query.done.as_deref() {
            Some("approve") => Some(lang.t("已审核通过。", "Approved.")),
            Some("batch") => Some(lang.t("所选报告已全部审核通过。", "The selected reports are approved.")),
            Some("return") => Some(lang.t("已退回，填报员会看到退回理由。", "Returned with your reason.")),
            Some("reopen") => Some(lang.t("已重新打开，报告退回填报员修改。", "Reopened and returned to the city.")),
            Some("consolidate") => Some(lang.t(
                "汇总报告已报省。",
                "The consolidated report has gone up to the province.",
            )),
            _ => None,
        };
        let wanted = Wanted::from_query(&query)?;
        Ok(approvals_page(&state, &ctx, wanted, Vec::new(), notice)
            .await?
            .into_response())
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// `POST /admin/approvals/batch`: approves every ticked report (`batch.{code}.{period}` =
/// version) in one transaction, each audited; one refused report refuses them all.
pub async fn approve_batch(
    State(state): State<AppState>,
    ctx: PageContext,
    fields: Result<FormFields, AppError>,
) -> PageResult {
    let result: AppResult<Response> = async {
        require(ctx.user.actor().may_review())?;
        let fields = fields?;
        let mut items = Vec::new();
        for (name, version) in fields.with_prefix("batch.") {
            let Some((code, period)) = name.split_once('.') else {
                return Err(AppError::BadRequest(Text::new(
                    format!("无法识别的报告“{name}”"),
                    format!("Unknown report “{name}”."),
                )));
            };
            let version = version
                .trim()
                .parse::<i64>()
                .map_err(|_| super::reports::bad_version())?;
            items.push(service::reports::BatchItem {
                region: code.to_owned(),
                period: extract::period(period)?,
                version: Some(version),
            });
        }
        let (catalogue, actor) = (state.catalogue(), ctx.user.actor());
        let outcome = state
            .db
            .call(move |conn| service::reports::approve_batch(conn, &catalogue, &actor, &items))
            .await;
        match outcome {
            Ok(_) => Ok(Redirect::to("/admin/approvals?done=batch").into_response()),
            Err(error) if shown_in_place(&error) => {
                let wanted = Wanted {
                    period: fields.get("period_shown").and_then(|p| Period::parse_typed(p).ok()),
                    ..Wanted::default()
                };
                let page = approvals_page(&state, &ctx, wanted, messages_of(&error, ctx.lang), None).await?;
                Ok((error.status(), page).into_response())
            }
            Err(error) => Err(error),
        }
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// `POST /admin/reports/{code}/{period}/{approve|return|reopen}`: the same review as the API.
pub async fn review(
    State(state): State<AppState>,
    ctx: PageContext,
    Path((code, period, action)): Path<(String, String, String)>,
    fields: Result<FormFields, AppError>,
) -> PageResult {
    let result: AppResult<Response> = async {
        require(ctx.user.actor().may_review())?;
        let period = extract::period(&period)?;
        let action = match action.as_str() {
            "approve" => Action::Approve,
            "return" => Action::Return,
            "reopen" => Action::Reopen,
            _ => return Err(no_such_action()),
        };
        let fields = fields?;
        let version = match fields.get("version").map(str::trim).filter(|v| !v.is_empty()) {
            Some(text) => Some(text.parse::<i64>().map_err(|_| super::reports::bad_version())?),
            None => None,
        };
        let comment = fields.get("comment").map(str::to_owned);
        match review_report(&state, ctx.user.clone(), code, period, action, comment, version).await {
            Ok(_) => Ok(Redirect::to(&format!("/admin/approvals?done={}", action.as_str())).into_response()),
            Err(error) if shown_in_place(&error) => {
                let wanted = Wanted {
                    period: fields.get("period_shown").and_then(|p| Period::parse_typed(p).ok()),
                    status: fields.get("period_shown").map(|_| ReportStatus::Approved),
                    ..Wanted::default()
                };
                let page = approvals_page(&state, &ctx, wanted, messages_of(&error, ctx.lang), None).await?;
                Ok((error.status(), page).into_response())
            }
            Err(error) => Err(error),
        }
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// `POST /admin/cities/{code}/{period}/consolidate`: the city's admin sends its consolidated
/// report up, with a reason (`reason.{unit}`) for each unit left out; the same use case as the
/// API's `…/consolidate`.
pub async fn consolidate(
    State(state): State<AppState>,
    ctx: PageContext,
    Path((code, period)): Path<(String, String)>,
    fields: Result<FormFields, AppError>,
) -> PageResult {
    let result: AppResult<Response> = async {
        require(ctx.user.actor().may_review())?;
        let period = extract::period(&period)?;
        let fields = fields?;
        let reasons: Vec<(String, String)> = fields
            .with_prefix("reason.")
            .filter(|(_, reason)| !reason.trim().is_empty())
            .map(|(unit, reason)| (unit.to_owned(), reason.to_owned()))
            .collect();
        let (catalogue, actor) = (state.catalogue(), ctx.user.actor());
        let outcome = state
            .db
            .call(move |conn| service::reports::consolidate(conn, &catalogue, &actor, &code, period, &reasons))
            .await;
        match outcome {
            Ok(_) => Ok(Redirect::to("/admin/approvals?done=consolidate").into_response()),
            Err(error) if shown_in_place(&error) => {
                let wanted = Wanted {
                    period: Some(period),
                    ..Wanted::default()
                };
                let page = approvals_page(&state, &ctx, wanted, messages_of(&error, ctx.lang), None).await?;
                Ok((error.status(), page).into_response())
            }
            Err(error) => Err(error),
        }
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

#[derive(Deserialize, Default)]
pub struct TargetsQuery {
    year: Option<String>,
    /// Prefill the empty cells from this year's targets.
    from: Option<String>,
    done: Option<String>,
}

fn parse_year(text: Option<&str>) -> AppResult<i32> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(chrono::Datelike::year(&crate::clock::today())),
        Some(text) => text
            .parse::<i32>()
            .ok()
            .filter(|y| (MIN_YEAR..=MAX_YEAR).contains(y))
            .ok_or_else(|| AppError::invalid("year", bad_year(text))),
    }
}

fn cell_name(region: &str, indicator: &str) -> String {
    format!("t.{region}.{indicator}")
}

async fn targets_page(
    state: &AppState,
    ctx: &PageContext,
    year: i32,
    typed: Option<&BTreeMap<String, String>>,
    cell_errors: &BTreeMap<String, String>,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> AppResult<maud::Markup> {
    let catalogue = state.catalogue();
    let actor = ctx.user.actor();
    let period = Period::new(year, 1).map_err(|e| AppError::invalid("year", e.text()))?;
    let (explicit, table) = {
        let catalogue = catalogue.clone();
        state
            .db
            .call(move |conn| {
                Ok((
                    db::targets::for_year(conn, year)?,
                    db::progress::table(conn, &catalogue, period)?,
                ))
            })
            .await?
    };
    let indicators: Vec<_> = catalogue.indicators().iter().filter(|i| i.has_target).collect();
    let lang = ctx.lang;
    // What each cell shows: what was typed (or prefilled) where this admin sets it, else what
    // is stored.
    let shown = |code: &str, key: &str| -> String {
        let name = cell_name(code, key);
        let typed = typed.filter(|_| actor.may_set_target_of(&catalogue, code));
        match typed.and_then(|t| t.get(&name)) {
            Some(text) => text.clone(),
            None => explicit
                .get(&(code.to_owned(), key.to_owned()))
                .map(|v| crate::domain::format::thousands(*v))
                .unwrap_or_default(),
        }
    };
    let figure = |code: &str, key: &str| parse_typed_value(&shown(code, key)).ok().flatten();
    // A city admin sees its city (read-only: the province sets it) and its units; the province
    // every region. Each parent row checks its children's targets against its own.
    let regions: Vec<&crate::domain::Region> = match actor.region.as_deref() {
        Some(scope) => catalogue.subtree(scope),
        None => catalogue.regions().iter().collect(),
    };
    let rows = regions
        .into_iter()
        .map(|region| TargetRow {
            region,
            editable: actor.may_set_target_of(&catalogue, &region.code),
            cells: indicators
                .iter()
                .map(|indicator| {
                    let name = cell_name(&region.code, &indicator.key);
                    let stored = explicit.get(&(region.code.clone(), indicator.key.clone())).copied();
                    let rolled_up = table
                        .figure_for(&catalogue, &region.code, &indicator.key)
                        .and_then(|f| f.target)
                        .filter(|_| catalogue.has_children(&region.code) && stored.is_none());
                    let sum_check =
                        allocation::check_region(&catalogue, &region.code, |code| figure(code, &indicator.key))
                            .map(|check| (check.kind(), check.describe(&region.level, &indicator.unit, lang)));
                    TargetCell {
                        input: shown(&region.code, &indicator.key),
                        placeholder: rolled_up.map(crate::domain::format::thousands),
                        error: cell_errors.get(&name).cloned(),
                        sum_check,
                        name,
                    }
                })
                .collect(),
        })
        .collect();
    let grid = view::TargetsGrid {
        lang,
        year,
        indicators,
        rows,
        scope: actor.region.as_deref().and_then(|code| catalogue.region(code)),
        errors,
        notice,
    };
    Ok(ctx.render(lang.t("目标任务", "Targets"), view::targets(&grid)))
}

pub async fn targets(State(state): State<AppState>, ctx: PageContext, Query(query): Query<TargetsQuery>) -> PageResult {
    let result: AppResult<Response> = async {
        require(ctx.user.actor().may_set_targets())?;
        let year = parse_year(query.year.as_deref())?;
        let lang = ctx.lang;
        // Starting a year from another's targets fills the empty cells; nothing is saved until
        // the grid is.
        if let Some(from) = extract::given(query.from.clone()) {
            let from = parse_year(Some(&from))?;
            let (earlier, current) = state
                .db
                .call(move |conn| Ok((db::targets::for_year(conn, from)?, db::targets::for_year(conn, year)?)))
                .await?;
            let (catalogue, actor) = (state.catalogue(), ctx.user.actor());
            let typed: BTreeMap<String, String> = earlier
                .iter()
                .filter(|(cell, _)| !current.contains_key(*cell))
                .filter(|((code, _), _)| actor.may_set_target_of(&catalogue, code))
                .map(|((code, key), value)| (cell_name(code, key), crate::domain::format::thousands(*value)))
                .collect();
            let notice = if typed.is_empty() {
                lang.t(
                    "上一年度没有可沿用的目标（或本年度各格已填写）。",
                    "No targets to copy from that year, or every cell is already set.",
                )
            } else {
                lang.t(
                    "已按所选年度的目标预填空白格；核对后点击“保存目标”才会生效。",
                    "Empty cells are filled from that year's targets; they take effect only when you save.",
                )
            };
            return Ok(targets_page(
                &state,
                &ctx,
                year,
                Some(&typed),
                &BTreeMap::new(),
                Vec::new(),
                Some(notice),
            )
            .await?
            .into_response());
        }
        let notice = (query.done.as_deref() == Some("saved")).then(|| lang.t("目标已保存。", "Targets saved."));
        Ok(
            targets_page(&state, &ctx, year, None, &BTreeMap::new(), Vec::new(), notice)
                .await?
                .into_response(),
        )
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// Saves the whole grid in one transaction: every cell is checked first, nothing is written
/// when any is wrong, and only changed cells are written (and audited).
pub async fn save_targets(
    State(state): State<AppState>,
    ctx: PageContext,
    fields: Result<FormFields, AppError>,
) -> PageResult {
    let result: AppResult<Response> = async {
        require(ctx.user.actor().may_set_targets())?;
        let fields = fields?;
        let year = parse_year(Some(fields.get("year").unwrap_or("")))?;
        let catalogue = state.catalogue();
        let mut typed = BTreeMap::new();
        let mut cell_errors = BTreeMap::new();
        let mut general = Vec::new();
        let mut cells = Vec::new();
        for (cell, raw) in fields.with_prefix("t.") {
            let name = format!("t.{cell}");
            typed.insert(name.clone(), raw.to_owned());
            let Some((code, key)) = cell.split_once('.') else {
                general.push(FieldError::new(
                    name,
                    Text::new(format!("无法识别的字段“{cell}”"), format!("Unknown field “{cell}”.")),
                ));
                continue;
            };
            let value = parse_typed_value(raw).unwrap_or_else(|error| {
                let region = catalogue.region(code);
                let indicator = catalogue.indicator(key);
                let (region_zh, region_en) = region.map_or((code, code), |r| (r.name_zh.as_str(), r.name_en.as_str()));
                let (indicator_zh, indicator_en) =
                    indicator.map_or((key, key), |i| (i.name_zh.as_str(), i.name_en.as_str()));
                let text = error.text();
                cell_errors.insert(name.clone(), text.get(ctx.lang).to_owned());
                general.push(FieldError::new(
                    name.clone(),
                    text.after(
                        &format!("{region_zh}{indicator_zh}："),
                        &format!("{region_en}, {indicator_en}: "),
                    ),
                ));
                None
            });
            cells.push(targets::TargetCell {
                region: code.to_owned(),
                indicator: key.to_owned(),
                value,
            });
        }
        // Cells outside this admin's reach refuse the whole grid (403) before anything else.
        targets::authorise(&catalogue, &ctx.user.actor(), &cells)?;
        if let Err(AppError::Invalid(unknown)) = targets::check(&catalogue, year, &cells) {
            general.extend(unknown);
        }
        if !general.is_empty() {
            let error = AppError::Invalid(general);
            let page = targets_page(
                &state,
                &ctx,
                year,
                Some(&typed),
                &cell_errors,
                messages_of(&error, ctx.lang),
                None,
            )
            .await?;
            return Ok((error.status(), page).into_response());
        }
        let actor = ctx.user.actor();
        state
            .db
            .write(move |conn| service::targets::set_in(conn, &catalogue, &actor, year, &cells))
            .await?;
        Ok(Redirect::to(&format!("/admin/targets?year={year}&done=saved")).into_response())
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

#[derive(Deserialize, Default)]
pub struct UsersQuery {
    done: Option<String>,
}

async fn users_page(
    state: &AppState,
    ctx: &PageContext,
    draft: NewUser,
    errors: Vec<String>,
    notice: Option<&'static str>,
) -> AppResult<maud::Markup> {
    let catalogue = state.catalogue();
    let actor = ctx.user.actor();
    let users = {
        let (catalogue, actor) = (catalogue.clone(), actor.clone());
        state
            .db
            .call(move |conn| accounts::visible(conn, &catalogue, &actor))
            .await?
    };
    let rows: Vec<view::UserRow> = users
        .iter()
        .map(|user| view::UserRow {
            user,
            region: user.region_code.as_deref().and_then(|code| catalogue.region(code)),
            manageable: actor.may_manage_user(&catalogue, &user.actor()),
        })
        .collect();
    // A city admin binds officers to its units (or to the city when it reports itself); the
    // province binds officers to units and the others to a city or to nothing.
    let regions: Vec<&crate::domain::Region> = match actor.region.as_deref() {
        Some(scope) => catalogue
            .subtree(scope)
            .into_iter()
            .filter(|r| crate::domain::account::is_reporting_unit(&catalogue, &r.code))
            .collect(),
        None => catalogue.regions().iter().collect(),
    };
    let page = view::UsersPage {
        lang: ctx.lang,
        users: rows,
        regions,
        roles: actor.roles_to_give(),
        scope: actor.region.as_deref().and_then(|code| catalogue.region(code)),
        me: ctx.user.id,
        draft,
        errors,
        notice,
    };
    Ok(ctx.render(ctx.lang.t("用户管理", "Users"), view::users(&page)))
}

pub async fn users(State(state): State<AppState>, ctx: PageContext, Query(query): Query<UsersQuery>) -> PageResult {
    let result: AppResult<Response> = async {
        require(ctx.user.actor().may_manage_users())?;
        let lang = ctx.lang;
        let notice = match query.done.as_deref() {
            Some("create") => Some(lang.t("用户已创建。", "User created.")),
            Some("role") => Some(lang.t("角色已修改。", "Role changed.")),
            Some("disable") => Some(lang.t(
                "用户已停用，其登录会话已全部结束。",
                "User disabled; their sessions have ended.",
            )),
            Some("enable") => Some(lang.t("用户已启用。", "User enabled.")),
            Some("password") => Some(lang.t(
                "密码已重置，该用户需用新密码重新登录。",
                "Password reset; the user must sign in again.",
            )),
            _ => None,
        };
        Ok(users_page(&state, &ctx, NewUser::default(), Vec::new(), notice)
            .await?
            .into_response())
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

pub async fn create_user(
    State(state): State<AppState>,
    ctx: PageContext,
    fields: Result<FormFields, AppError>,
) -> PageResult {
    let result: AppResult<Response> = async {
        require(ctx.user.actor().may_manage_users())?;
        let fields = fields?;
        let draft = NewUser {
            username: fields.get("username").unwrap_or("").trim().to_owned(),
            role: fields.get("role").unwrap_or("").to_owned(),
            region: fields.get("region").unwrap_or("").to_owned(),
        };
        let new = accounts::NewUser {
            username: draft.username.clone(),
            role: draft.role.clone(),
            region: Some(draft.region.clone()),
            password: fields.get("password").unwrap_or("").to_owned(),
        };
        let (actor, catalogue) = (ctx.user.actor(), state.catalogue());
        // The rules are checked before the password is hashed and the write lock taken.
        let outcome = match accounts::check_new_user(&catalogue, &new) {
            Ok(_) => {
                state
                    .db
                    .call(move |conn| {
                        accounts::create_with_temporary_password(conn, &catalogue, &actor, &new).map(|_| ())
                    })
                    .await
            }
            Err(error) => Err(error),
        };
        match outcome {
            Ok(()) => Ok(Redirect::to("/admin/users?done=create").into_response()),
            Err(error) if shown_in_place(&error) => {
                let page = users_page(&state, &ctx, draft, messages_of(&error, ctx.lang), None).await?;
                Ok((error.status(), page).into_response())
            }
            Err(error) => Err(error),
        }
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// `POST /admin/users/{id}/{role|disable|enable|password}`.
pub async fn user_action(
    State(state): State<AppState>,
    ctx: PageContext,
    Path((id, action)): Path<(String, String)>,
    fields: Result<FormFields, AppError>,
) -> PageResult {
    let result: AppResult<Response> = async {
        require(ctx.user.actor().may_manage_users())?;
        let fields = fields?;
        let id: i64 = id
            .parse()
            .map_err(|_| AppError::NotFound(Text::new("没有这个用户", "There is no such user.")))?;
        let role = fields.get("role").unwrap_or("").to_owned();
        let region = fields.get("region").unwrap_or("").to_owned();
        let password = fields.get("password").unwrap_or("").to_owned();
        if !matches!(action.as_str(), "role" | "disable" | "enable" | "password") {
            return Err(no_such_action());
        }
        let (actor, catalogue, what) = (ctx.user.actor(), state.catalogue(), action.clone());
        let outcome = state
            .db
            .call(move |conn| match what.as_str() {
                "role" => accounts::change_role(conn, &catalogue, &actor, id, &role, Some(&region)),
                "disable" => accounts::set_disabled(conn, &catalogue, &actor, id, true),
                "enable" => accounts::set_disabled(conn, &catalogue, &actor, id, false),
                _ => accounts::reset_password(conn, &catalogue, &actor, id, &password),
            })
            .await;
        match outcome {
            Ok(()) => Ok(Redirect::to(&format!("/admin/users?done={action}")).into_response()),
            Err(error) if shown_in_place(&error) => {
                let page = users_page(&state, &ctx, NewUser::default(), messages_of(&error, ctx.lang), None).await?;
                Ok((error.status(), page).into_response())
            }
            Err(error) => Err(error),
        }
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// `/audit`: the change log with filters; admins and analysts see all, officers their region.
pub async fn audit(State(state): State<AppState>, ctx: PageContext, Query(mut query): Query<AuditQuery>) -> PageResult {
    let result: AppResult<Response> = async {
        // A period typed into the filter as people write it (2021年第四季度) means 2021Q4.
        if let Some(period) = query.period.as_deref().and_then(|p| Period::parse_typed(p).ok()) {
            query.period = Some(period.to_string());
        }
        let filter = query.filter(&state, &ctx.user)?;
        let rows = {
            let filter = filter.clone();
            state.db.call(move |conn| Ok(db::audit::list(conn, &filter)?)).await?
        };
        let catalogue = state.catalogue();
        let page = view::AuditPage {
            lang: ctx.lang,
            catalogue: &catalogue,
            filter: &filter,
            rows: &rows,
            fixed_region: !matches!(ctx.user.actor().audit_scope(), Some(AuditScope::All)),
        };
        Ok(ctx
            .render(ctx.lang.t("审计日志", "Audit log"), view::audit(&page))
            .into_response())
    }
    .await;
    result.map_err(|e| ctx.error(e))
}
