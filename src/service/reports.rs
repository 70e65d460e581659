//! Report use cases: save (draft or submit), check without saving, and review (approve, return,
//! reopen). Each plans with `domain::plan` and carries the plan out with its audit rows.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::Serialize;

use crate::db::{self, audit::Change, reports::Report};
use crate::domain::catalogue::Catalogue;
use crate::domain::change::Changed;
use crate::domain::plan::{self, Context, FigureWarning, Refusal, ReportInput, SavePlan, Stored};
use crate::domain::progress::region_targets;
use crate::domain::workflow::{Action, WorkflowError};
use crate::domain::{Actor, Period, ReportStatus};
use crate::error::{AppError, AppResult};

/// A saved report and the soft warnings about its figures.
#[derive(Clone, Debug, Serialize)]
pub struct Saved {
    pub report: Report,
    pub warnings: Vec<FigureWarning>,
}

/// The clear message for a refused save or review.
pub fn refusal(refusal: Refusal) -> AppError {
    match refusal {
        Refusal::UnknownRegion(code) => AppError::NotFound(format!("未知地区代码“{code}”(unknown region)")),
        Refusal::SummedRegion(name) => AppError::invalid(
            "region",
            format!(
                "{name}的数字由下级地区汇总而成，不能直接填报。(this region's figures are summed from its subregions)"
            ),
        ),
        Refusal::NotYourRegion(code) => AppError::Forbidden(format!(
            "您无权填报或修改 {code} 的数据(you may not write this region's figures)"
        )),
        Refusal::FuturePeriod(period) => AppError::invalid(
            "period",
            format!("报告期 {period} 尚未开始,不能填报(period is in the future)"),
        ),
        Refusal::Workflow(WorkflowError::Forbidden) => AppError::forbidden(),
        Refusal::Workflow(error @ WorkflowError::WrongStatus { .. }) => AppError::Conflict(error.to_string()),
        Refusal::Workflow(error @ WorkflowError::NoReport) => AppError::NotFound(error.to_string()),
        Refusal::StaleVersion { current, sent } => AppError::Conflict(format!(
            "报告已被他人修改(当前版本 {current},您提交的是版本 {sent}),请刷新后重试(stale version)"
        )),
        Refusal::NoSuchVersion(sent) => AppError::Conflict(format!("报告尚不存在,版本 {sent} 无效(stale version)")),
        Refusal::Invalid(errors) => AppError::Invalid(errors),
    }
}

/// [`refusal`], naming regions by their name rather than their code.
pub fn refusal_in(catalogue: &Catalogue, refused: Refusal) -> AppError {
    match refused {
        Refusal::NotYourRegion(code) => {
            let name = catalogue.region(&code).map_or(code.as_str(), |r| r.name_zh.as_str());
            AppError::Forbidden(format!(
                "您无权填报或修改{name}的数据(you may not write this region's figures)"
            ))
        }
        other => refusal(other),
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
    if catalogue.region(region).is_none() {
        return Err(refusal(Refusal::UnknownRegion(region.to_owned())));
    }
    if !actor.may_review() {
        return Err(AppError::forbidden());
    }
    let stored = db::reports::get(tx, region, period)?
        .ok_or_else(|| AppError::NotFound(format!("{region} 的 {period} 报告不存在(no such report)")))?;
    let plan = plan::plan_review(
        actor,
        stored_view(&stored),
        review.action,
        review.comment,
        review.version,
    )
    .map_err(refusal)?;
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
            "请至少选择一份报告(select at least one report)",
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
            let name = catalogue
                .region(&item.region)
                .map_or(item.region.as_str(), |r| r.name_zh.as_str());
            let label = crate::domain::format::period(item.period, crate::domain::Lang::Zh);
            error.prefixed(&format!("{name}{label}:"))
        })?;
        approved.push(report);
    }
    tx.commit()?;
    Ok(approved)
}
