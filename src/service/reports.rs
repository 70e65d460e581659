//! Report use cases: save (draft or submit), check without saving, and review (approve, return,
//! reopen). Each plans with `domain::plan` and carries the plan out with its audit rows.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use crate::db::{self, audit::Change, reports::Report};
use crate::domain::catalogue::{Catalogue, unknown_region};
use crate::domain::change::Changed;
use crate::domain::format::{self, future_period};
use crate::domain::plan::{self, Context, FigureWarning, Refusal, ReportInput, SavePlan, Stored};
use crate::domain::progress::region_targets;
use crate::domain::workflow::{Action, WorkflowError};
use crate::domain::{Actor, Lang, Period, ReportStatus, Text, review};
use crate::error::{AppError, AppResult};

/// A saved report and the soft warnings about its figures.
#[derive(Clone, Debug, Serialize)]
pub struct Saved {
    pub report: Report,
    pub warnings: Vec<FigureWarning>,
}

/// There is no report of `region` for `period`.
pub fn no_report(catalogue: &Catalogue, region: &str, period: Period) -> Text {
    let (zh, en) = catalogue
        .region(region)
        .map_or((region, region), |r| (r.name_zh.as_str(), r.name_en.as_str()));
    Text::new(
        format!("{zh}{}的报告不存在", format::period(period, Lang::Zh)),
        format!("There is no report of {en} for {}.", format::period(period, Lang::En)),
    )
}

/// The clear message for a refused save or review, naming regions by their name.
pub fn refusal_in(catalogue: &Catalogue, refusal: Refusal) -> AppError {
    let names = |code: &str| {
        catalogue.region(code).map_or_else(
            || (code.to_owned(), code.to_owned()),
            |r| (r.name_zh.clone(), r.name_en.clone()),
        )
    };
    match refusal {
        Refusal::UnknownRegion(code) => AppError::NotFound(unknown_region(&code)),
        Refusal::SummedRegion(name) => AppError::invalid(
            "region",
            Text::new(
                format!("{name}的数字由下级地区汇总而成，不能直接填报。"),
                "This region's figures are summed from its subregions; they are not entered directly.",
            ),
        ),
        Refusal::NotYourRegion(code) => {
            let (zh, en) = names(&code);
            AppError::Forbidden(Text::new(
                format!("您无权填报或修改{zh}的数据"),
                format!("You may not enter or change the figures of {en}."),
            ))
        }
        Refusal::FuturePeriod(period) => AppError::invalid("period", future_period(period)),
        Refusal::Workflow(WorkflowError::Forbidden) => AppError::forbidden(),
        Refusal::Workflow(error @ WorkflowError::WrongStatus { .. }) => AppError::Conflict(error.text()),
        Refusal::Workflow(error @ WorkflowError::NoReport) => AppError::NotFound(error.text()),
        Refusal::StaleVersion { current, sent } => AppError::Conflict(Text::new(
            format!("报告已被他人修改（当前版本 {current}，您提交的是版本 {sent}），请刷新后重试"),
            format!(
                "Someone changed the report meanwhile (it is at version {current}, you sent version {sent}); reload and try again."
            ),
        )),
        Refusal::NoSuchVersion(sent) => AppError::Conflict(Text::new(
            format!("报告尚不存在，版本 {sent} 无效"),
            format!("The report does not exist yet, so version {sent} is not valid."),
        )),
        Refusal::Invalid(errors) => AppError::Invalid(errors),
    }
}

/// Who may write `region`'s figures for `period` at all: for pages that show the entry form.
pub fn authorise_write(
    catalogue: &Catalogue,
    actor: &Actor,
    region: &str,
    period: Period,
    today: NaiveDate,
) -> AppResult<()> {
    plan::authorise_write(catalogue, actor, region, period, today).map_err(|r| refusal_in(catalogue, r))
}

/// The region's targets for `year`, rolled up as the dashboard rolls them up.
fn targets(
    conn: &Connection,
    catalogue: &Catalogue,
    region: &str,
    year: i32,
) -> rusqlite::Result<HashMap<String, i64>> {
    let explicit = if catalogue.has_children(region) {
        db::targets::for_year(conn, year)?
    } else {
        db::targets::for_region(conn, region, year)?
    };
    Ok(region_targets(catalogue, &explicit, region))
}

/// Plans a save against what is stored now. Reads only.
fn plan_save(
    conn: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    region: &str,
    period: Period,
    input: &ReportInput,
    today: NaiveDate,
) -> AppResult<(Option<Report>, SavePlan)> {
    plan::authorise_write(catalogue, actor, region, period, today).map_err(|r| refusal_in(catalogue, r))?;
    let stored = db::reports::get(conn, region, period)?;
    let same_year = db::reports::same_year_figures(conn, region, period)?;
    let targets = targets(conn, catalogue, region, period.year())?;
    let context = Context {
        catalogue,
        actor,
        region,
        period,
        today,
        same_year: &same_year,
        targets: &targets,
    };
    let plan =
        plan::plan_save(&context, stored.as_ref().map(stored_view), input).map_err(|r| refusal_in(catalogue, r))?;
    Ok((stored, plan))
}

fn stored_view(report: &Report) -> Stored<'_> {
    Stored {
        status: report.status,
        version: report.version,
        values: &report.values,
        notes: &report.notes,
    }
}

/// Every check of a save, without writing: the form reports all problems at once with it.
pub fn check(
    conn: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    region: &str,
    period: Period,
    input: &ReportInput,
    today: NaiveDate,
) -> AppResult<Vec<FigureWarning>> {
    plan_save(conn, catalogue, actor, region, period, input, today).map(|(_, plan)| plan.warnings)
}

/// Saves (and with `input.submit`, submits) figures in one write transaction, with an audit
/// row for every changed figure, note and status. Nothing is written when anything is wrong.
pub fn save(
    conn: &mut Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    region: &str,
    period: Period,
    input: &ReportInput,
    today: NaiveDate,
) -> AppResult<Saved> {
    let tx = db::write(conn)?;
    let saved = save_in(&tx, catalogue, actor, region, period, input, today)?;
    tx.commit()?;
    Ok(saved)
}

/// [`save`] inside a transaction the caller holds (an import saves many reports in one).
pub fn save_in(
    tx: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    region: &str,
    period: Period,
    input: &ReportInput,
    today: NaiveDate,
) -> AppResult<Saved> {
    let (stored, plan) = plan_save(tx, catalogue, actor, region, period, input, today)?;
    let report_id = match &stored {
        Some(report) => {
            db::reports::mark_saved(tx, report.id, plan.new_status, actor.user_id, plan.submit)?;
            report.id
        }
        None => db::reports::insert(tx, region, period, plan.new_status, actor.user_id, plan.submit)?,
    };
    let period_text = period.to_string();
    for change in &plan.changes {
        db::reports::put_value(tx, report_id, &change.indicator, change.new_value, &change.new_note)?;
        let figure = |action, old: Option<String>, new: Option<String>| {
            let change = Change {
                action,
                region_code: Some(region),
                period: Some(period_text.clone()),
                indicator: Some(&change.indicator),
                old_value: old,
                new_value: new,
                detail: None,
                private: !plan.new_status.counts(),
            };
            db::audit::record(tx, actor, &change)
        };
        if change.old_value != change.new_value {
            figure(
                "value",
                change.old_value.map(|v| v.to_string()),
                change.new_value.map(|v| v.to_string()),
            )?;
        }
        if change.old_note != change.new_note {
            let note = |n: &String| Some(n.clone()).filter(|n| !n.is_empty());
            figure("note", note(&change.old_note), note(&change.new_note))?;
        }
    }
    if plan.records_status() {
        record_status(tx, actor, region, &period_text, plan.old_status, plan.new_status, None)?;
    }
    db::meta::record_change(
        tx,
        &Changed::Report {
            region: region.to_owned(),
            period,
        },
    )?;
    let report =
        db::reports::get(tx, region, period)?.ok_or_else(|| anyhow::anyhow!("report vanished after saving"))?;
    Ok(Saved {
        report,
        warnings: plan.warnings,
    })
}

fn record_status(
    conn: &Connection,
    actor: &Actor,
    region: &str,
    period: &str,
    old: Option<ReportStatus>,
    new: ReportStatus,
    comment: Option<&str>,
) -> rusqlite::Result<()> {
    db::audit::record(
        conn,
        actor,
        &Change {
            action: "status",
            region_code: Some(region),
            period: Some(period.to_owned()),
            indicator: None,
            old_value: old.map(|s| s.as_str().to_owned()),
            new_value: Some(new.as_str().to_owned()),
            detail: comment.map(str::to_owned),
            private: !new.counts(),
        },
    )
}

/// What the province decides about a submitted (or approved) report.
#[derive(Clone, Copy, Debug)]
pub struct Review<'a> {
    pub action: Action,
    /// Required to return or reopen a report; shown to the city.
    pub comment: Option<&'a str>,
    /// The version the reviewer saw; a stale one gets 409.
    pub version: Option<i64>,
}

/// Approves, returns or reopens (each with a reason) a report, in one write transaction.
pub fn review(
    conn: &mut Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    region: &str,
    period: Period,
    review: Review<'_>,
) -> AppResult<Report> {
    let tx = db::write(conn)?;
    let report = review_in(&tx, catalogue, actor, region, period, review)?;
    tx.commit()?;
    Ok(report)
}

/// [`review`] inside a transaction the caller holds.
pub fn review_in(
    tx: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    region: &str,
    period: Period,
    review: Review<'_>,
) -> AppResult<Report> {
    let Some(found) = catalogue.region(region) else {
        return Err(refusal_in(catalogue, Refusal::UnknownRegion(region.to_owned())));
    };
    if !actor.may_review() {
        return Err(AppError::forbidden());
    }
    if !actor.may_review_report(catalogue, region) {
        return Err(AppError::Forbidden(Text::new(
            format!("您无权审核{}的报告。", found.name_zh),
            format!("You may not review the reports of {}.", found.name_en),
        )));
    }
    if review.action == Action::Approve && catalogue.has_children(region) {
        refuse_unapproved_units(tx, catalogue, found, period, ("不能审核通过", "cannot be approved"))?;
    }
    let stored = db::reports::get(tx, region, period)?
        .ok_or_else(|| AppError::NotFound(no_report(catalogue, region, period)))?;
    let plan = plan::plan_review(
        actor,
        stored_view(&stored),
        review.action,
        review.comment,
        review.version,
    )
    .map_err(|r| refusal_in(catalogue, r))?;
    if matches!(review.action, Action::Return | Action::Reopen) {
        reopen_city_above(tx, catalogue, actor, region, period, plan.comment.as_deref())?;
    }
    db::reports::mark_reviewed(tx, stored.id, plan.new_status, actor.user_id, plan.comment.as_deref())?;
    if review.action == Action::Reopen {
        // A reopen is recorded as a reopen, with its reason, not as an ordinary return.
        db::audit::record(
            tx,
            actor,
            &Change {
                action: "reopen",
                region_code: Some(region),
                period: Some(period.to_string()),
                indicator: None,
                old_value: Some(plan.old_status.as_str().to_owned()),
                new_value: Some(plan.new_status.as_str().to_owned()),
                detail: plan.comment.clone(),
                private: !plan.new_status.counts(),
            },
        )?;
    } else {
        record_status(
            tx,
            actor,
            region,
            &period.to_string(),
            Some(plan.old_status),
            plan.new_status,
            plan.comment.as_deref(),
        )?;
    }
    db::meta::record_change(
        tx,
        &Changed::Report {
            region: region.to_owned(),
            period,
        },
    )?;
    Ok(db::reports::get(tx, region, period)?.ok_or_else(|| anyhow::anyhow!("report vanished after review"))?)
}

fn names<'a>(catalogue: &'a Catalogue, codes: &[&'a str], english: bool) -> Vec<&'a str> {
    codes
        .iter()
        .map(|code| catalogue.region(code).map_or(*code, |r| r.name(english)))
        .collect()
}

/// A unit's report is returned or reopened: its city's consolidated report, when it has gone up,
/// goes back with it (returned, with the same reason), so that nothing approved rests on it.
/// Only someone who may review the city's report may do that; a city admin first needs the
/// province to return the city's report.
fn reopen_city_above(
    tx: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    unit: &str,
    period: Period,
    comment: Option<&str>,
) -> AppResult<()> {
    let Some(city) = catalogue.region(unit).and_then(|r| r.parent_code.as_deref()) else {
        return Ok(());
    };
    let Some(report) = db::reports::get(tx, city, period)? else {
        return Ok(());
    };
    if !report.status.counts() {
        return Ok(());
    }
    let name = catalogue.region(city).map_or(city, |r| r.name_zh.as_str());
    if !actor.may_review_report(catalogue, city) {
        return Err(AppError::Conflict(Text::new(
            format!("{name}的汇总报告已报省，须先由省退回，才能退回或重新打开县区报告。"),
            "The city's report has gone up: the province must return it first.",
        )));
    }
    let comment = comment.unwrap_or_default();
    let reason = format!(
        "{}：{comment}",
        catalogue.region(unit).map_or(unit, |r| r.name_zh.as_str())
    );
    db::reports::mark_reviewed(tx, report.id, ReportStatus::Returned, actor.user_id, Some(&reason))?;
    db::audit::record(
        tx,
        actor,
        &Change {
            action: "reopen",
            region_code: Some(city),
            period: Some(period.to_string()),
            indicator: None,
            old_value: Some(report.status.as_str().to_owned()),
            new_value: Some(ReportStatus::Returned.as_str().to_owned()),
            detail: Some(reason.clone()),
            private: true,
        },
    )?;
    db::meta::record_change(
        tx,
        &Changed::Report {
            region: city.to_owned(),
            period,
        },
    )?;
    Ok(())
}

/// A city that reports through its units sends its consolidated report up: every unit approved,
/// or left out with a reason (`reasons`: unit code and reason, recorded and audited). Refused
/// with 409 naming the units still in the way. The report holds no figures of its own; the
/// city's figures are its units' sum.
pub fn consolidate(
    conn: &mut Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    city: &str,
    period: Period,
    reasons: &[(String, String)],
) -> AppResult<Report> {
    let tx = db::write(conn)?;
    let report = consolidate_in(&tx, catalogue, actor, city, period, reasons)?;
    tx.commit()?;
    Ok(report)
}

/// [`consolidate`] inside a transaction the caller holds.
pub fn consolidate_in(
    tx: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    city: &str,
    period: Period,
    reasons: &[(String, String)],
) -> AppResult<Report> {
    let Some(found) = catalogue.region(city) else {
        return Err(refusal_in(catalogue, Refusal::UnknownRegion(city.to_owned())));
    };
    if !catalogue.has_children(city) {
        return Err(AppError::invalid(
            "region",
            Text::new(
                format!("{}以市为单位报送，没有县区汇总。", found.name_zh),
                format!("{} reports as itself.", found.name_en),
            ),
        ));
    }
    if !actor.may_consolidate(catalogue, city) {
        return Err(AppError::Forbidden(Text::new(
            format!("您无权报送{}的汇总报告。", found.name_zh),
            format!("You may not send the report of {}.", found.name_en),
        )));
    }
    let period_text = period.to_string();
    for (unit, reason) in reasons {
        let reason = reason.trim();
        if catalogue.region(unit).and_then(|r| r.parent_code.as_deref()) != Some(city) {
            return Err(AppError::invalid(
                "unit",
                Text::new(
                    format!("“{unit}”不是{}的县区。", found.name_zh),
                    format!("{unit} is not a unit of {}.", found.name_en),
                ),
            ));
        }
        if reason.is_empty() || reason.chars().count() > plan::MAX_COMMENT_CHARS {
            return Err(AppError::invalid(
                "reason",
                Text::new(
                    format!("未报县区须写明原因，且不超过 {} 个字。", plan::MAX_COMMENT_CHARS),
                    format!(
                        "A reason is required for a missing unit, at most {} characters.",
                        plan::MAX_COMMENT_CHARS
                    ),
                ),
            ));
        }
        db::reports::put_missing_reason(tx, unit, period, reason, actor.user_id)?;
        db::audit::record(
            tx,
            actor,
            &Change {
                action: "missing_reason",
                region_code: Some(unit),
                period: Some(period_text.clone()),
                detail: Some(reason.to_owned()),
                ..Default::default()
            },
        )?;
    }
    refuse_unapproved_units(
        tx,
        catalogue,
        found,
        period,
        ("请审核或写明未报原因后再报省", "cannot be sent up"),
    )?;
    let stored = db::reports::get(tx, city, period)?;
    let old = stored.as_ref().map(|r| r.status);
    if old.is_some_and(ReportStatus::counts) {
        return Err(AppError::Conflict(Text::new(
            format!(
                "{}的{}汇总报告已报省。",
                found.name_zh,
                crate::domain::format::period(period, Lang::Zh)
            ),
            format!(
                "The {} report of {} has gone up already.",
                crate::domain::format::period(period, Lang::En),
                found.name_en
            ),
        )));
    }
    match &stored {
        Some(report) => db::reports::mark_saved(tx, report.id, ReportStatus::Submitted, actor.user_id, true)?,
        None => {
            db::reports::insert(tx, city, period, ReportStatus::Submitted, actor.user_id, true)?;
        }
    }
    record_status(tx, actor, city, &period_text, old, ReportStatus::Submitted, None)?;
    db::meta::record_change(
        tx,
        &Changed::Report {
            region: city.to_owned(),
            period,
        },
    )?;
    Ok(db::reports::get(tx, city, period)?.ok_or_else(|| anyhow::anyhow!("report vanished after consolidating"))?)
}

/// One report of a batch approval: where, when, and the version the reviewer saw.
#[derive(Clone, Debug)]
pub struct BatchItem {
    pub region: String,
    pub period: Period,
    pub version: Option<i64>,
}

/// Approves several reports in one write transaction, each with its own audit row: all of them,
/// or (when any is refused: a stale version, a report no longer submitted) none, with the
/// refusal naming the report.
pub fn approve_batch(
    conn: &mut Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    items: &[BatchItem],
) -> AppResult<Vec<Report>> {
    if items.is_empty() {
        return Err(AppError::invalid(
            "report",
            Text::new("请至少选择一份报告", "Select at least one report."),
        ));
    }
    let tx = db::write(conn)?;
    let mut approved = Vec::with_capacity(items.len());
    for item in items {
        let review = Review {
            action: Action::Approve,
            comment: None,
            version: item.version,
        };
        let report = review_in(&tx, catalogue, actor, &item.region, item.period, review).map_err(|error| {
            let (zh, en) = catalogue.region(&item.region).map_or_else(
                || (item.region.clone(), item.region.clone()),
                |r| (r.name_zh.clone(), r.name_en.clone()),
            );
            error.prefixed(
                &format!("{zh}{}：", format::period(item.period, Lang::Zh)),
                &format!("{en}, {}: ", format::period(item.period, Lang::En)),
            )
        })?;
        approved.push(report);
    }
    tx.commit()?;
    Ok(approved)
}

/// 409 naming the units of `city` not approved for `period` (and without a recorded reason),
/// when there are any: what stops `action` (its zh and en wording).
fn refuse_unapproved_units(
    tx: &Connection,
    catalogue: &Catalogue,
    city: &crate::domain::catalogue::Region,
    period: Period,
    action: (&str, &str),
) -> AppResult<()> {
    let units = db::reports::units_of(tx, catalogue, &city.code, period)?;
    let blocking = review::blocking_units(&units);
    if blocking.is_empty() {
        return Ok(());
    }
    Err(AppError::Conflict(Text::new(
        format!(
            "{}尚有县区报告未审核通过：{}，{}。",
            city.name_zh,
            names(catalogue, &blocking, false).join("、"),
            action.0
        ),
        format!(
            "{} {}: units not approved yet: {}.",
            city.name_en,
            action.1,
            names(catalogue, &blocking, true).join(", ")
        ),
    )))
}
