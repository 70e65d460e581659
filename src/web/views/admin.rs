//! The province's pages: the approvals queue, the targets grid, user accounts and the audit log.

use maud::{Markup, html};

use super::Lang;
use super::components::Badge;
use super::report_form::{ReasonForm, reason_form};
use crate::db::audit::{AuditFilter, AuditRow};
use crate::db::users::User;
use crate::domain::catalogue::Catalogue;
use crate::domain::format;
use crate::domain::review::SinceReturn;
use crate::domain::{Indicator, Period, Region, ReportStatus, Role, Status, Tenths};

fn messages(errors: &[String], notice: Option<&str>) -> Markup {
    html! {
        @if let Some(notice) = notice { p.notice role="status" { (notice) } }
        @for error in errors { p.form-error role="alert" { (error) } }
    }
}

/// One figure of a submitted report, beside the previous quarter's and the target.
pub struct QueueLine<'a> {
    pub indicator: &'a Indicator,
    pub value: Option<i64>,
    pub previous: Option<i64>,
    pub target: Option<i64>,
    pub rate: Option<Tenths>,
    pub status: Status,
    pub note: String,
    pub warnings: Vec<String>,
}

pub struct QueueItem<'a> {
    pub region: &'a Region,
    /// The city the unit reports through, when the reviewer is above it: listed under it.
    pub city: Option<&'a Region>,
    pub period: Period,
    pub status: ReportStatus,
    pub version: i64,
    pub submitted: Option<String>,
    pub submitted_by: Option<String>,
    pub late: bool,
    pub lines: Vec<QueueLine<'a>>,
    /// Resubmitted after a return: what changed since.
    pub since_return: Option<Vec<SinceReturn>>,
    /// The latest return or reopen reason, for a returned report.
    pub comment: Option<String>,
}

pub struct ApprovedItem<'a> {
    pub region: &'a Region,
    pub period: Period,
    pub version: i64,
    pub approved: Option<String>,
}

/// A city that has not submitted the period's report: for the 催报 list.
pub struct Unreported<'a> {
    pub region: &'a Region,
    /// The city the unit reports through, when the reviewer is above it.
    pub city: Option<&'a Region>,
    pub status: Option<ReportStatus>,
    /// The accounts to chase: the unit's officers, or the admins of a city listed for its units.
    pub officers: Vec<String>,
    /// A city that reports through its units (listed once, from above it): the units it still
    /// waits for.
    pub missing_units: Vec<&'a Region>,
    pub through_units: bool,
}

/// The reminder list of one period.
pub struct Reminders<'a> {
    pub period: Period,
    pub due_date: String,
    pub days_overdue: i64,
    pub cities: Vec<Unreported<'a>>,
    /// The 催报通知, ready to copy.
    pub notice: String,
    /// A city admin chasing its units (县（市、区）), not the province chasing cities.
    pub from_city: bool,
}

/// What the approvals page is filtered by.
pub struct ApprovalsFilter<'a> {
    pub period: Option<Period>,
    pub region: Option<&'a str>,
    pub status: ReportStatus,
    /// The periods and cities offered.
    pub periods: Vec<Period>,
    pub regions: Vec<&'a Region>,
}

/// A unit of a city that reports through its units, for the send-up form.
pub struct ConsolidationUnit<'a> {
    pub region: &'a Region,
    pub status: Option<ReportStatus>,
    /// Why the city left it out, when recorded.
    pub reason: Option<String>,
}

/// A city's consolidated report for one period: its own status and its units'.
pub struct Consolidation<'a> {
    pub city: &'a Region,
    pub period: Period,
    /// The city's report status (none: not sent up yet).
    pub own: Option<ReportStatus>,
    pub units: Vec<ConsolidationUnit<'a>>,
}

pub struct Approvals<'a> {
    pub lang: Lang,
    /// The cities within reach that report through their units (汇总报省).
    pub consolidations: Vec<Consolidation<'a>>,
    pub filter: ApprovalsFilter<'a>,
    pub queue: Vec<QueueItem<'a>>,
    pub approved: Vec<ApprovedItem<'a>>,
    pub approved_period: Option<Period>,
    pub reminders: Option<Reminders<'a>>,
    pub errors: Vec<String>,
    pub notice: Option<&'static str>,
}

fn change(line: &QueueLine<'_>, lang: Lang) -> Markup {
    match (line.value, line.previous) {
        (Some(now), Some(before)) => {
            let delta = now - before;
            let sign = if delta > 0 { "+" } else { "" };
            html! {
                span class=[(delta < 0).then_some("negative")] {
                    (sign) (format::thousands(delta)) " " (format::unit(&line.indicator.unit, lang))
                }
            }
        }
        _ => html! { span.missing { (format::NO_VALUE) } },
    }
}

/// A figure as the city typed it: its own unit with separators (1,250,000 元).
fn amount(value: Option<i64>, indicator: &Indicator, lang: Lang) -> Markup {
    match value {
        Some(v) => super::report_form::as_typed(Some(v), indicator, lang),
        None => html! { span.missing { (format::not_reported(lang)) } },
    }
}

fn filters(page: &Approvals<'_>) -> Markup {
    let lang = page.lang;
    let filter = &page.filter;
    html! {
        form.filters method="get" action="/admin/approvals" {
            label for="f-period" { (lang.t("报告期", "Period")) }
            select #f-period name="period" {
                option value="" { (lang.t("全部", "All")) }
                @for period in &filter.periods {
                    option value=(period) selected[filter.period == Some(*period)] { (format::period(*period, lang)) }
                }
            }
            label for="f-city" { (lang.t("地区", "Region")) }
            select #f-city name="region" {
                option value="" { (lang.t("全部", "All")) }
                @for region in &filter.regions {
                    option value=(region.code) selected[filter.region == Some(region.code.as_str())] { (region.name(lang.is_en())) }
                }
            }
            label for="f-status" { (lang.t("状态", "Status")) }
            select #f-status name="status" {
                @for status in [ReportStatus::Submitted, ReportStatus::Returned, ReportStatus::Approved] {
                    option value=(status.as_str()) selected[filter.status == status] { (format::report_status(status, lang)) }
                }
            }
            button type="submit" { (lang.t("筛选", "Filter")) }
        }
    }
}

fn queue_item(item: &QueueItem<'_>, lang: Lang) -> Markup {
    let en = lang.is_en();
    let base = format!("/admin/reports/{}/{}", item.region.code, item.period);
    let id = format!("{}-{}", item.region.code, item.period);
    let first_quarter = item.period.previous_in_year().is_none();
    let indicators: Vec<&Indicator> = item.lines.iter().map(|l| l.indicator).collect();
    html! {
        section.queue-item id={ "r-" (id) } {
            h3 {
                @if item.status == ReportStatus::Submitted {
                    label {
                        input type="checkbox" form="batch-approve" name={ "batch." (item.region.code) "." (item.period) } value=(item.version);
                        span.visually-hidden { (lang.t("选择", "Select")) }
                    }
                }
                a href={ "/reports/" (item.region.code) "/" (item.period) } { (item.region.name(en)) " · " (format::period(item.period, lang)) }
                " " span class={ "badge report-" (item.status.as_str()) } { (format::report_status(item.status, lang)) }
                @if item.late { " " span.badge.late { (lang.t("逾期报送", "Late")) } }
            }
            p.report-meta {
                (lang.t("报送：", "Submitted: ")) (item.submitted.as_deref().unwrap_or(format::NO_VALUE))
                @if let Some(by) = &item.submitted_by { " · " (by) }
            }
            @if let Some(comment) = &item.comment {
                p.admin-comment { strong { (lang.t("退回理由：", "Reason: ")) } (comment) }
            }
            @if let Some(changes) = &item.since_return {
                (super::report_form::since_return_table(lang, &indicators, changes))
            }
            table.queue.stack-narrow {
                thead { tr {
                    th { (lang.t("指标", "Indicator")) }
                    @if !first_quarter { th { (lang.t("上季度累计", "Previous quarter")) } }
                    th { (lang.t("本季度累计", "This quarter")) }
                    th { (lang.t("年度目标", "Annual target")) }
                    @if !first_quarter { th { (lang.t("变化", "Change")) } }
                    th { (lang.t("完成率", "Rate")) }
                    th { (lang.t("进度", "Status")) }
                    th { (lang.t("情况说明与提示", "Note and warnings")) }
                } }
                tbody {
                    @for line in &item.lines {
                        tr class=[(!line.warnings.is_empty()).then_some("has-warning")] {
                            th scope="row" { (line.indicator.name(en)) }
                            @if !first_quarter { td.num data-label=(lang.t("上季度累计", "Previous quarter")) { (amount(line.previous, line.indicator, lang)) } }
                            td.num data-label=(lang.t("本季度累计", "This quarter")) { (amount(line.value, line.indicator, lang)) }
                            td.num data-label=(lang.t("年度目标", "Annual target")) {
                                @match line.target {
                                    Some(t) => (amount(Some(t), line.indicator, lang)),
                                    None => span.missing { (format::no_target(line.indicator.has_target, lang)) },
                                }
                            }
                            @if !first_quarter { td.num data-label=(lang.t("变化", "Change")) { (change(line, lang)) } }
                            td.num data-label=(lang.t("完成率", "Rate")) { (format::rate(line.rate)) }
                            td data-label=(lang.t("进度", "Status")) { @if line.value.is_some() && line.rate.is_some() { (Badge { status: line.status, lang }) } }
                            td.remarks data-label=(lang.t("情况说明与提示", "Note and warnings")) {
                                (line.note)
                                @for warning in &line.warnings { span.field-warning { (warning) } }
                            }
                        }
                    }
                }
            }
            @match item.status {
                ReportStatus::Submitted => {
                    div.review-actions {
                        form method="post" action={ (base) "/approve" } {
                            input type="hidden" name="version" value=(item.version);
                            button.primary type="submit" { (lang.t("审核通过", "Approve")) }
                        }
                        (reason_form(&ReasonForm::returning(&base, item.version, &format!("comment-{id}"), lang)))
                    }
                }
                ReportStatus::Approved => {
                    div.review-actions {
                        (reason_form(&ReasonForm {
                            period_shown: Some(item.period),
                            ..ReasonForm::reopening(&base, item.version, &format!("reopen-{id}"), lang)
                        }))
                    }
                }
                _ => {}
            }
        }
    }
}

/// A city's send-up (汇总报省): its units' states, a reason for each unit left out, the button;
/// or where the city's report stands once it has gone up.
fn consolidation_form(c: &Consolidation<'_>, lang: Lang) -> Markup {
    let en = lang.is_en();
    let id = format!("consolidate-{}-{}", c.city.code, c.period);
    let sent = c.own.is_some_and(ReportStatus::counts);
    html! {
        section.consolidation id=(id) {
            h2 { (c.city.name(en)) (lang.t("汇总报省", ": send up")) " · " (format::period(c.period, lang)) }
            @if sent {
                p {
                    (lang.t("汇总报告状态：", "The consolidated report: "))
                    span class={ "badge report-" (c.own.map_or("", |s| s.as_str())) } { (c.own.map_or("", |s| format::report_status(s, lang))) }
                }
            } @else {
                p.hint { (lang.t(
                    "各县（市、区）报告均审核通过后即可汇总报省；未报送的单位须写明原因。",
                    "Send the city's report up once every unit is approved; give a reason for each unit left out."
                )) }
                form method="post" action={ "/admin/cities/" (c.city.code) "/" (c.period) "/consolidate" } {
                    table.reports.stack-narrow {
                        thead { tr {
                            th { (lang.t("单位", "Unit")) }
                            th { (lang.t("状态", "Status")) }
                            th { (lang.t("未报原因", "Reason left out")) }
                        } }
                        tbody {
                            @for unit in &c.units {
                                @let field = format!("reason-{}-{}", unit.region.code, c.period);
                                tr {
                                    th scope="row" { (unit.region.name(en)) }
                                    td data-label=(lang.t("状态", "Status")) { (super::report_form::ReportBadge { status: unit.status, lang }) }
                                    td data-label=(lang.t("未报原因", "Reason left out")) {
                                        @match (unit.status, &unit.reason) {
                                            (Some(ReportStatus::Approved), _) => "",
                                            (Some(ReportStatus::Submitted), _) => span.missing { (lang.t("待审核", "awaiting review")) },
                                            (_, Some(reason)) => (reason),
                                            _ => {
                                                label.visually-hidden for=(field) { (unit.region.name(en)) (lang.t("未报原因", " reason left out")) }
                                                input #(field) type="text" name={ "reason." (unit.region.code) } maxlength="500";
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    button.primary type="submit" { (lang.t("汇总报省", "Send up")) }
                }
            }
        }
    }
}

fn reminders(reminders: &Reminders<'_>, lang: Lang) -> Markup {
    let en = lang.is_en();
    html! {
        section.reminders #reminders {
            h2 { (lang.t("催报", "Reminders")) " · " (format::period(reminders.period, lang)) }
            p.report-meta {
                (lang.t("报送截止：", "Due: ")) (reminders.due_date)
                @if reminders.days_overdue > 0 { " " (super::report_form::overdue_badge(reminders.days_overdue, lang)) }
            }
            @if reminders.cities.is_empty() {
                p { (if reminders.from_city { lang.t("各县（市、区）均已报送。", "Every unit has submitted.") } else { lang.t("各市均已报送。", "Every city has submitted.") }) }
            } @else {
                table.reports.reminder-list.stack-narrow {
                    thead { tr {
                        th { (lang.t("地区", "Region")) }
                        th { (lang.t("状态", "Status")) }
                        th { (lang.t("催报账户", "Accounts to chase")) }
                        th { (lang.t("逾期天数", "Days overdue")) }
                    } }
                    tbody {
                        @for city in &reminders.cities {
                            tr {
                                th scope="row" {
                                    @if let Some(parent) = city.city { (parent.name(en)) " · " }
                                    (city.region.name(en))
                                    @if city.through_units {
                                        br;
                                        span.report-meta {
                                            @if city.missing_units.is_empty() {
                                                (lang.t("各县（市、区）均已报送，待汇总报省", "every unit has reported; not yet sent up"))
                                            } @else {
                                                (lang.t("待报县（市、区）", "Units not reported"))
                                                " " (city.missing_units.len()) (lang.t("个：", ": "))
                                                (city.missing_units.iter().map(|u| u.name(en)).collect::<Vec<_>>().join(lang.t("、", ", ")))
                                            }
                                        }
                                    }
                                }
                                td data-label=(lang.t("状态", "Status")) { (super::report_form::ReportBadge { status: city.status, lang }) }
                                td data-label=(lang.t("催报账户", "Accounts to chase")) {
                                    @if city.officers.is_empty() {
                                        span.missing { (if city.through_units { lang.t("无市级管理员账户", "no city admin account") } else { lang.t("无填报员账户", "no officer account") }) }
                                    } @else {
                                        (city.officers.join(lang.t("、", ", ")))
                                        @if city.through_units { " " span.report-meta { (lang.t("（市级管理员）", "(city admins)")) } }
                                    }
                                }
                                td.num data-label=(lang.t("逾期天数", "Days overdue")) { (reminders.days_overdue) }
                            }
                        }
                    }
                }
                h3 { (lang.t("催报通知", "Reminder notice")) }
                div #reminder-notice {
                    p.reminder-text { (reminders.notice) }
                }
                p {
                    button type="button" data-copy="reminder-notice" hidden { (lang.t("复制催报通知", "Copy the notice")) }
                    " " span.copy-status role="status" aria-live="polite" {}
                }
            }
        }
    }
}

pub fn approvals(page: &Approvals<'_>) -> Markup {
    let lang = page.lang;
    let en = lang.is_en();
    let submitted = page
        .queue
        .iter()
        .filter(|i| i.status == ReportStatus::Submitted)
        .count();
    html! {
        h1 { (lang.t("审核", "Approvals")) }
        (messages(&page.errors, page.notice))
        (filters(page))
        h2 {
            (match page.filter.status {
                ReportStatus::Submitted => lang.t("待审核的报告", "Submitted reports"),
                ReportStatus::Returned => lang.t("已退回的报告", "Returned reports"),
                _ => lang.t("符合条件的报告", "Matching reports"),
            })
            (format::bracketed(page.queue.len(), lang))
        }
        @if page.queue.is_empty() {
            p { (lang.t("没有符合条件的报告。", "No reports match.")) }
        }
        @if submitted > 0 {
            form.batch-bar #batch-approve method="post" action="/admin/approvals/batch" {
                @if let Some(period) = page.filter.period { input type="hidden" name="period_shown" value=(period); }
                label.select-all hidden { input type="checkbox" data-select-all="batch."; " " (lang.t("全选", "Select all")) }
                span.hint { (lang.t("勾选报告后可一次审核通过，每份报告分别记入审计日志。", "Tick reports to approve them at once; each is audited.")) }
                button.primary type="submit" { (lang.t("批量审核通过所选报告", "Approve the selected reports")) }
            }
        }
        @for (i, item) in page.queue.iter().enumerate() {
            @if let Some(city) = item.city.filter(|c| i == 0 || page.queue[i - 1].city.map(|p| &p.code) != Some(&c.code)) {
                h3.queue-group { (city.name(en)) (lang.t("所辖县（市、区）的报告", ": its units' reports")) }
            }
            (queue_item(item, lang))
        }
        @for consolidation in &page.consolidations {
            (consolidation_form(consolidation, lang))
        }
        @if let Some(r) = &page.reminders {
            (reminders(r, lang))
        }
        h2 { (lang.t("已审核的报告", "Approved reports")) }
        form.filters method="get" action="/admin/approvals" {
            label for="approved-period" { (lang.t("报告期", "Period")) }
            input #approved-period name="period" type="text" size="16" value=[page.approved_period.map(|p| format::period(p, lang))];
            button type="submit" { (lang.t("查看", "Show")) }
        }
        @if page.approved.is_empty() {
            p { (lang.t("该期没有已审核的报告。", "No approved reports for this period.")) }
        } @else {
            table.reports.stack-narrow {
                thead { tr {
                    th { (lang.t("地区", "Region")) }
                    th { (lang.t("报告期", "Period")) }
                    th { (lang.t("审核时间", "Approved")) }
                    th { (lang.t("重新打开", "Reopen")) }
                } }
                tbody {
                    @for item in &page.approved {
                        tr {
                            th scope="row" { a href={ "/reports/" (item.region.code) "/" (item.period) } { (item.region.name(en)) } }
                            td data-label=(lang.t("报告期", "Period")) { (format::period(item.period, lang)) }
                            td data-label=(lang.t("审核时间", "Approved")) { (item.approved.as_deref().unwrap_or(format::NO_VALUE)) }
                            td.reopen {
                                (reason_form(&ReasonForm {
                                    period_shown: Some(item.period),
                                    ..ReasonForm::reopening(
                                        &format!("/admin/reports/{}/{}", item.region.code, item.period),
                                        item.version,
                                        &format!("reopen-approved-{}-{}", item.region.code, item.period),
                                        lang,
                                    )
                                }))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// One input of the targets grid.
pub struct TargetCell {
    pub name: String,
    pub input: String,
    /// For a parent region: the sum of its children's targets, used when no own target is set.
    pub placeholder: Option<String>,
    pub error: Option<String>,
    /// For a parent region: whether its children's targets add up to its own (kind, words).
    pub sum_check: Option<(&'static str, String)>,
}

pub struct TargetRow<'a> {
    pub region: &'a Region,
    /// Whether this admin sets the row's targets; a row they do not is shown, not sent.
    pub editable: bool,
    pub cells: Vec<TargetCell>,
}

pub struct TargetsGrid<'a> {
    pub lang: Lang,
    pub year: i32,
    pub indicators: Vec<&'a Indicator>,
    pub rows: Vec<TargetRow<'a>>,
    /// The city a city admin is bound to; `None` for the province.
    pub scope: Option<&'a Region>,
    pub errors: Vec<String>,
    pub notice: Option<&'static str>,
}

pub fn targets(grid: &TargetsGrid<'_>) -> Markup {
    let lang = grid.lang;
    let en = lang.is_en();
    html! {
        h1 { (grid.year) (lang.t("年度目标任务", " annual targets")) }
        nav.year-switch {
            a href={ "/admin/targets?year=" (grid.year - 1) } { "← " (grid.year - 1) }
            " "
            a href={ "/admin/targets?year=" (grid.year + 1) } { (grid.year + 1) " →" }
            " · "
            a href="/import?kind=targets" { (lang.t("从 CSV 导入目标（可先预览）", "Import targets from CSV (with preview)")) }
            " · "
            a href={ "/admin/targets?year=" (grid.year) "&from=" (grid.year - 1) } {
                (lang.t("以上一年度目标为起点", "Start from last year's targets")) (format::bracketed(grid.year - 1, lang))
            }
        }
        @if let Some(city) = grid.scope {
            p.hint {
                @if grid.rows.iter().any(|row| row.editable) {
                    (lang.t("您可以设定", "You set the targets of "))
                    (city.name(en))
                    (lang.t("所属县区和市本级的目标任务；", "'s county-level units; "))
                    (city.name(en))
                    (lang.t("的年度目标由省厅下达，此处只读，用于核对分解是否完整。", "'s own target is set by the province and shown read-only, to check the breakdown against."))
                } @else {
                    (city.name(en))
                    (lang.t("以市为单位报送，没有需要分解目标的下级单位；市级目标由省厅下达。", " reports as one city: there are no units to break its target down to, and the province sets the city's target."))
                }
            }
        }
        (messages(&grid.errors, grid.notice))
        form method="post" action="/admin/targets" novalidate {
            input type="hidden" name="year" value=(grid.year);
            div.table-scroll {
                table.targets-grid {
                    thead { tr {
                        th scope="col" { (lang.t("地区", "Region")) }
                        @for indicator in &grid.indicators {
                            th scope="col" { (indicator.name(en)) span.unit { (format::bracketed_unit(&indicator.unit, lang)) } }
                        }
                    } }
                    tbody {
                        @for row in &grid.rows {
                            tr class={ "level-" (row.region.level) @if !row.editable { " read-only" } } {
                                th scope="row" {
                                    (row.region.name(en))
                                    @if !row.editable { br; span.hint { (lang.t("省厅下达", "set by the province")) } }
                                }
                                @for (cell, indicator) in row.cells.iter().zip(&grid.indicators) {
                                    td class=[cell.error.is_some().then_some("has-error")] {
                                        @if row.editable {
                                            input.num type="text" inputmode="numeric" name=(cell.name) value=(cell.input)
                                                placeholder=[cell.placeholder.as_deref()]
                                                aria-label={ (row.region.name(en)) " " (indicator.name(en)) }
                                                aria-invalid=[cell.error.is_some().then_some("true")];
                                        } @else {
                                            span.num.fixed-target {
                                                @if !cell.input.is_empty() { (cell.input) }
                                                @else if let Some(sum) = &cell.placeholder { span.hint { (sum) } }
                                                @else { (format::NO_VALUE) }
                                            }
                                        }
                                        @if let Some(error) = &cell.error { span.field-error { (error) } }
                                        @if let Some((kind, words)) = &cell.sum_check { span class={ "sum-check " (kind) } { (words) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if grid.rows.iter().any(|row| row.editable) {
                p.hint { (lang.t(
                    "留空表示不设本级目标（上级地区则按下级目标之和计算，灰色数字为下级合计）。修改会记入审计日志。",
                    "Leave blank for no own target (a parent then uses the sum of its children, shown in grey). Changes are audited."
                )) }
                div.form-actions { button.primary type="submit" { (lang.t("保存目标", "Save targets")) } }
            }
        }
    }
}

/// What the create-user form held, to show again after an error.
#[derive(Default)]
pub struct NewUser {
    pub username: String,
    pub role: String,
    pub region: String,
}

/// One account on the users page, with whether this admin manages it.
pub struct UserRow<'a> {
    pub user: &'a User,
    pub region: Option<&'a Region>,
    pub manageable: bool,
}

pub struct UsersPage<'a> {
    pub lang: Lang,
    pub users: Vec<UserRow<'a>>,
    /// The regions an account may be bound to from this page.
    pub regions: Vec<&'a Region>,
    /// The roles this admin gives.
    pub roles: &'a [Role],
    /// The city a city admin is bound to; `None` for the province.
    pub scope: Option<&'a Region>,
    pub me: i64,
    pub draft: NewUser,
    pub errors: Vec<String>,
    pub notice: Option<&'static str>,
}

fn role_options(lang: Lang, roles: &[Role], selected: &str) -> Markup {
    html! {
        @for role in roles {
            option value=(role.as_str()) selected[role.as_str() == selected] { (format::role(*role, lang)) }
        }
    }
}

/// The binding choices: the province's start with “none” (province-wide); a city admin's are
/// its units only.
fn region_options(page: &UsersPage<'_>, selected: &str) -> Markup {
    let lang = page.lang;
    html! {
        @if page.scope.is_none() {
            option value="" { (lang.t("（不绑定：全省）", "(none: province-wide)")) }
        }
        @for region in &page.regions {
            option value=(region.code) selected[region.code == selected] { (region.code) " " (region.name(lang.is_en())) }
        }
    }
}

pub fn users(page: &UsersPage<'_>) -> Markup {
    let lang = page.lang;
    let en = lang.is_en();
    let default_role = if page.draft.role.is_empty() {
        "officer"
    } else {
        &page.draft.role
    };
    html! {
        h1 { (lang.t("用户管理", "Users")) }
        @if let Some(city) = page.scope {
            p.hint {
                (lang.t("这里列出绑定在", "These are the accounts bound within "))
                (city.name(en))
                (lang.t("范围内的账户。您可以为本市所属单位创建填报员账户、重置其密码、停用或启用；管理员、厅领导和政策分析员账户由省厅管理。",
                    ". You create officer accounts for the city's units, reset their passwords, and disable or enable them; the province manages admin, leader and analyst accounts."))
            }
        } @else {
            p.hint { (lang.t(
                "填报员绑定到县区、市本级或自行报送的地级市；管理员、厅领导和政策分析员可绑定到地级市（只管理、查看该市范围），不绑定即为全省。",
                "An officer is bound to a county, a city-level unit or a city that reports itself; an admin, leader or analyst may be bound to a city (acting on that city only) or to none (province-wide)."
            )) }
        }
        (messages(&page.errors, page.notice))
        div.table-scroll {
            table.users {
                thead { tr {
                    th { (lang.t("用户名", "Username")) }
                    th { (lang.t("角色与地区", "Role and region")) }
                    th { (lang.t("状态", "State")) }
                    th { (lang.t("重置密码", "Reset password")) }
                } }
                tbody {
                    @for row in &page.users {
                        @let user = row.user;
                        @let base = format!("/admin/users/{}", user.id);
                        tr class=[user.disabled.then_some("disabled")] {
                            th scope="row" { (user.username) @if user.id == page.me { " " span.hint { (lang.t("（本人）", "(you)")) } } }
                            td {
                                @if row.manageable {
                                    form.inline method="post" action={ (base) "/role" } {
                                        select name="role" aria-label={ (user.username) " " (lang.t("角色", "role")) } { (role_options(lang, page.roles, user.role.as_str())) }
                                        select name="region" aria-label={ (user.username) " " (lang.t("地区", "region")) } {
                                            (region_options(page, user.region_code.as_deref().unwrap_or("")))
                                        }
                                        button type="submit" { (lang.t("修改", "Change")) }
                                    }
                                } @else {
                                    (format::bound_role(user.role, user.region_code.is_some(), lang)) " · "
                                    @match (row.region, user.region_code.as_deref()) {
                                        (Some(region), _) => (region.name(en)),
                                        (None, Some(code)) => (code),
                                        (None, None) => (lang.t("全省", "province-wide")),
                                    }
                                }
                            }
                            td {
                                @if user.disabled {
                                    span.badge.report-returned { (lang.t("已停用", "Disabled")) }
                                    @if row.manageable {
                                        form.inline method="post" action={ (base) "/enable" } {
                                            button type="submit" { (lang.t("启用", "Enable")) }
                                        }
                                    }
                                } @else {
                                    span.badge.report-approved { (lang.t("正常", "Active")) }
                                    @if row.manageable {
                                        form.inline method="post" action={ (base) "/disable" } {
                                            button type="submit" { (lang.t("停用", "Disable")) }
                                        }
                                    }
                                }
                            }
                            td {
                                @if row.manageable {
                                    form.inline method="post" action={ (base) "/password" } {
                                        input type="password" name="password" autocomplete="new-password" minlength="10"
                                            aria-label={ (user.username) " " (lang.t("新密码", "new password")) } placeholder=(lang.t("新密码（至少 10 位）", "new password (10+)"));
                                        button type="submit" { (lang.t("重置", "Reset")) }
                                    }
                                } @else {
                                    span.hint { (lang.t("由省厅管理", "managed by the province")) }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { (lang.t("新建用户", "New user")) }
        form.new-user method="post" action="/admin/users" {
            label for="new-username" { (lang.t("用户名", "Username")) }
            input #new-username name="username" type="text" required value=(page.draft.username) autocomplete="off";
            label for="new-role" { (lang.t("角色", "Role")) }
            select #new-role name="role" { (role_options(lang, page.roles, default_role)) }
            @if page.scope.is_some() {
                label for="new-region" { (lang.t("所属单位", "Unit")) }
            } @else {
                label for="new-region" { (lang.t("地区（填报员必选；其他角色可选地级市）", "Region (officers: their unit; others: a city, or none)")) }
            }
            select #new-region name="region" { (region_options(page, &page.draft.region)) }
            label for="new-password" { (lang.t("初始密码（至少 10 位）", "Initial password (10+ characters)")) }
            input #new-password name="password" type="password" required minlength="10" autocomplete="new-password";
            div.form-actions { button.primary type="submit" { (lang.t("创建", "Create")) } }
        }
    }
}

pub struct AuditPage<'a> {
    pub lang: Lang,
    pub catalogue: &'a Catalogue,
    pub filter: &'a AuditFilter,
    pub rows: &'a [AuditRow],
    /// Officers see only their own region: no region choice.
    pub fixed_region: bool,
}

fn action_label(action: &str, lang: Lang) -> &'static str {
    match action {
        "value" => lang.t("修改数值", "value"),
        "note" => lang.t("情况说明", "note"),
        "status" => lang.t("报告状态", "status"),
        "reopen" => lang.t("重新打开", "reopened"),
        "target" => lang.t("目标任务", "target"),
        "user_create" => lang.t("新建用户", "user created"),
        "user_role" => lang.t("角色变更", "role changed"),
        "user_disable" => lang.t("停用用户", "user disabled"),
        "user_enable" => lang.t("启用用户", "user enabled"),
        "user_password" => lang.t("重置密码", "password reset"),
        "token_create" => lang.t("创建令牌", "token created"),
        "token_revoke" => lang.t("撤销令牌", "token revoked"),
        "generate" => lang.t("生成数据", "data generated"),
        _ => lang.t("其他", "other"),
    }
}

/// A stored role code and region code (`officer 440100`, `admin -`) by their names:
/// 市级填报员 · 广州市.
fn role_and_region(value: &str, catalogue: &Catalogue, lang: Lang) -> Option<String> {
    let (role, region) = value.split_once(' ').unwrap_or((value, "-"));
    let role = format::role(role.parse::<Role>().ok()?, lang);
    Some(match catalogue.region(region) {
        Some(region) => format!("{role} · {}", region.name(lang.is_en())),
        None if region == "-" => role.to_owned(),
        None => format!("{role} · {region}"),
    })
}

/// `gz_officer (officer)` as `gz_officer（市级填报员）`.
fn user_and_role(value: &str, lang: Lang) -> Option<String> {
    let (name, role) = value.strip_suffix(')')?.split_once(" (")?;
    let role = format::role(role.parse::<Role>().ok()?, lang);
    Some(match lang {
        Lang::Zh => format!("{name}（{role}）"),
        Lang::En => format!("{name} ({role})"),
    })
}

/// Why a user's tokens were all revoked, as stored by the account use cases.
fn revoked_because(value: &str, lang: Lang) -> Option<&'static str> {
    Some(match value {
        "role or region changed" => lang.t("角色或地区已变更", "role or region changed"),
        "account disabled" => lang.t("账户已停用", "account disabled"),
        "password reset" => lang.t("密码已重置", "password reset"),
        "password changed" => lang.t("密码已修改", "password changed"),
        "revoked" => lang.t("已撤销", "revoked"),
        _ => return None,
    })
}

/// Stored values shown for people: statuses by their label, figures with separators, roles and
/// regions by their names.
fn shown_value(action: &str, value: Option<&str>, catalogue: &Catalogue, lang: Lang) -> String {
    let Some(value) = value else {
        return format::NO_VALUE.into();
    };
    match action {
        "user_role" => role_and_region(value, catalogue, lang).unwrap_or_else(|| value.to_owned()),
        "user_create" => user_and_role(value, lang).unwrap_or_else(|| value.to_owned()),
        "token_revoke" => match value.strip_suffix(" live") {
            Some(count) => match lang {
                Lang::Zh => format!("{count} 个有效令牌"),
                Lang::En => format!("{count} live"),
            },
            None => revoked_because(value, lang).map_or_else(|| value.to_owned(), str::to_owned),
        },
        "status" | "reopen" => value
            .parse::<ReportStatus>()
            .map_or_else(|_| value.to_owned(), |s| format::report_status(s, lang).to_owned()),
        "value" | "target" => value
            .parse::<i64>()
            .map_or_else(|_| value.to_owned(), format::thousands),
        "user_disable" | "user_enable" => match value {
            "disabled" => lang.t("已停用", "disabled").to_owned(),
            "active" => lang.t("正常", "active").to_owned(),
            other => other.to_owned(),
        },
        _ => value.to_owned(),
    }
}

pub fn audit(page: &AuditPage<'_>) -> Markup {
    let lang = page.lang;
    let en = lang.is_en();
    let catalogue = page.catalogue;
    let filter = page.filter;
    html! {
        h1 { (lang.t("审计日志", "Audit log")) }
        form.filters method="get" action="/audit" {
            @if !page.fixed_region {
                label for="f-region" { (lang.t("地区", "Region")) }
                select #f-region name="region" {
                    option value="" { (lang.t("全部", "All")) }
                    @for region in catalogue.regions() {
                        option value=(region.code) selected[filter.region_code.as_deref() == Some(region.code.as_str())] { (region.name(en)) }
                    }
                }
            }
            label for="f-period" { (lang.t("报告期/年度", "Period or year")) }
            input #f-period name="period" type="text" size="14" placeholder=(lang.t("2021年第四季度", "2021Q4")) value=[filter.period.as_deref().map(|p| p.parse::<Period>().map_or_else(|_| p.to_owned(), |p| format::period(p, lang)))];
            label for="f-user" { (lang.t("用户", "User")) }
            input #f-user name="user" type="text" size="12" value=[filter.username.as_deref()];
            label for="f-indicator" { (lang.t("指标", "Indicator")) }
            select #f-indicator name="indicator" {
                option value="" { (lang.t("全部", "All")) }
                @for indicator in catalogue.indicators() {
                    option value=(indicator.key) selected[filter.indicator.as_deref() == Some(indicator.key.as_str())] { (indicator.name(en)) }
                }
            }
            button type="submit" { (lang.t("筛选", "Filter")) }
        }
        p.hint { (lang.t("显示最近 ", "Newest first, at most ")) (filter.limit) (lang.t(" 条，最新的在前。审计记录只增不改。", " rows. Audit rows are never changed.")) }
        table.audit.stack-narrow {
            colgroup {
                col.at; col.user; col.action; col.region; col.period; col.indicator; col.old; col.new; col.detail;
            }
            thead { tr {
                th { (lang.t("时间", "Time")) }
                th { (lang.t("用户", "User")) }
                th { (lang.t("操作", "Action")) }
                th { (lang.t("地区", "Region")) }
                th { (lang.t("报告期", "Period")) }
                th { (lang.t("指标", "Indicator")) }
                th { (lang.t("原值", "Old")) }
                th { (lang.t("新值", "New")) }
                th { (lang.t("说明", "Detail")) }
            } }
            tbody {
                @for row in page.rows {
                    tr {
                        th scope="row" { (crate::clock::local_time(&row.at)) }
                        td data-label=(lang.t("用户", "User")) { (format::actor_name(&row.username, lang)) }
                        td data-label=(lang.t("操作", "Action")) { (action_label(&row.action, lang)) }
                        td data-label=(lang.t("地区", "Region")) { (row.region_code.as_deref().map_or("", |c| catalogue.region(c).map_or(c, |r| r.name(en)))) }
                        td data-label=(lang.t("报告期", "Period")) { (row.period.as_deref().map_or_else(String::new, |p| p.parse::<Period>().map_or_else(|_| p.to_owned(), |p| format::period(p, lang)))) }
                        td data-label=(lang.t("指标", "Indicator")) { (row.indicator.as_deref().map_or("", |k| catalogue.indicator(k).map_or(k, |i| i.name(en)))) }
                        td.num data-label=(lang.t("原值", "Old")) { (shown_value(&row.action, row.old_value.as_deref(), catalogue, lang)) }
                        td.num data-label=(lang.t("新值", "New")) { (shown_value(&row.action, row.new_value.as_deref(), catalogue, lang)) }
                        td.note data-label=(lang.t("说明", "Detail")) { (row.detail.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
        @if page.rows.is_empty() { p { (lang.t("没有符合条件的记录。", "No matching rows.")) } }
    }
}
