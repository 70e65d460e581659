//! The province's pages: the approvals queue, the targets grid, user accounts and the audit log.

use maud::{Markup, html};

use super::Lang;
use super::components::Badge;
use crate::db::audit::{AuditFilter, AuditRow};
use crate::db::users::User;
use crate::domain::catalogue::Catalogue;
use crate::domain::format;
use crate::domain::{Indicator, Period, Region, ReportStatus, Role, Status, Tenths};

fn messages(errors: &[String], notice: Option<&str>) -> Markup {
    html! {
        @if let Some(notice) = notice { p.notice role="status" { (notice) } }
        @for error in errors { p.form-error role="alert" { (error) } }
    }
}

/// One figure of a submitted report, beside the previous quarter's.
pub struct QueueLine<'a> {
    pub indicator: &'a Indicator,
    pub value: Option<i64>,
    pub previous: Option<i64>,
    pub rate: Option<Tenths>,
    pub status: Status,
    pub note: String,
    pub warnings: Vec<String>,
}

pub struct QueueItem<'a> {
    pub region: &'a Region,
    pub period: Period,
    pub version: i64,
    pub submitted: Option<String>,
    pub submitted_by: Option<String>,
    pub late: bool,
    pub lines: Vec<QueueLine<'a>>,
}

pub struct ApprovedItem<'a> {
    pub region: &'a Region,
    pub period: Period,
    pub version: i64,
    pub approved: Option<String>,
}

pub struct Approvals<'a> {
    pub lang: Lang,
    pub queue: Vec<QueueItem<'a>>,
    pub approved: Vec<ApprovedItem<'a>>,
    pub approved_period: Option<Period>,
    pub errors: Vec<String>,
    pub notice: Option<&'static str>,
}

fn change(line: &QueueLine<'_>, lang: Lang) -> Markup {
    match (line.value, line.previous) {
        (Some(now), Some(before)) => {
            let delta = now - before;
            html! { span class=[(delta < 0).then_some("negative")] { (format::amount_change(delta, &line.indicator.unit, lang)) } }
        }
        _ => html! { span.missing { (format::NO_VALUE) } },
    }
}

fn amount(value: Option<i64>, indicator: &Indicator, lang: Lang) -> Markup {
    match value {
        Some(v) => html! { (format::amount(v, &indicator.unit, lang)) },
        None => html! { span.missing { (format::not_reported(lang)) } },
    }
}

pub fn approvals(page: &Approvals<'_>) -> Markup {
    let lang = page.lang;
    let en = lang.is_en();
    html! {
        h1 { (lang.t("审核", "Approvals")) }
        (messages(&page.errors, page.notice))
        h2 { (lang.t("待审核的报告", "Submitted reports")) " (" (page.queue.len()) ")" }
        @if page.queue.is_empty() {
            p { (lang.t("没有待审核的报告。", "Nothing waiting for review.")) }
        }
        @for item in &page.queue {
            @let base = format!("/admin/reports/{}/{}", item.region.code, item.period);
            section.queue-item id={ "r-" (item.region.code) "-" (item.period) } {
                h3 {
                    a href={ "/reports/" (item.region.code) "/" (item.period) } { (item.region.name(en)) " · " (format::period(item.period, lang)) }
                    @if item.late { " " span.badge.late { (lang.t("逾期报送", "Late")) } }
                }
                p.report-meta {
                    (lang.t("报送:", "Submitted: ")) (item.submitted.as_deref().unwrap_or(format::NO_VALUE))
                    @if let Some(by) = &item.submitted_by { " · " (by) }
                }
                table.queue {
                    thead { tr {
                        th { (lang.t("指标", "Indicator")) }
                        th { (lang.t("上季度累计", "Previous quarter")) }
                        th { (lang.t("本季度累计", "This quarter")) }
                        th { (lang.t("变化", "Change")) }
                        th { (lang.t("完成率", "Rate")) }
                        th { (lang.t("进度", "Status")) }
                        th { (lang.t("情况说明与提示", "Note and warnings")) }
                    } }
                    tbody {
                        @for line in &item.lines {
                            tr class=[(!line.warnings.is_empty()).then_some("has-warning")] {
                                th scope="row" { (line.indicator.name(en)) }
                                td.num { (amount(line.previous, line.indicator, lang)) }
                                td.num { (amount(line.value, line.indicator, lang)) }
                                td.num { (change(line, lang)) }
                                td.num { (format::rate(line.rate)) }
                                td { @if line.value.is_some() { (Badge { status: line.status, lang }) } }
                                td {
                                    (line.note)
                                    @for warning in &line.warnings { span.field-warning { (warning) } }
                                }
                            }
                        }
                    }
                }
                div.review-actions {
                    form method="post" action={ (base) "/approve" } {
                        input type="hidden" name="version" value=(item.version);
                        button.primary type="submit" { (lang.t("审核通过", "Approve")) }
                    }
                    form method="post" action={ (base) "/return" } {
                        input type="hidden" name="version" value=(item.version);
                        label for={ "comment-" (item.region.code) "-" (item.period) } { (lang.t("退回意见", "Comment")) }
                        textarea id={ "comment-" (item.region.code) "-" (item.period) } name="comment" rows="2" maxlength="500" required {}
                        button type="submit" { (lang.t("退回", "Return")) }
                    }
                }
            }
        }
        h2 { (lang.t("已审核的报告", "Approved reports")) }
        form.filters method="get" action="/admin/approvals" {
            label for="approved-period" { (lang.t("报告期", "Period")) }
            input #approved-period name="period" type="text" size="8" value=[page.approved_period.map(|p| p.to_string())];
            button type="submit" { (lang.t("查看", "Show")) }
        }
        @if page.approved.is_empty() {
            p { (lang.t("该期没有已审核的报告。", "No approved reports for this period.")) }
        } @else {
            table.reports {
                thead { tr {
                    th { (lang.t("地区", "Region")) }
                    th { (lang.t("报告期", "Period")) }
                    th { (lang.t("审核时间", "Approved")) }
                    th { (lang.t("操作", "Action")) }
                } }
                tbody {
                    @for item in &page.approved {
                        tr {
                            td { a href={ "/reports/" (item.region.code) "/" (item.period) } { (item.region.name(en)) } }
                            td { (item.period) }
                            td { (item.approved.as_deref().unwrap_or(format::NO_VALUE)) }
                            td {
                                form method="post" action={ "/admin/reports/" (item.region.code) "/" (item.period) "/reopen" } {
                                    input type="hidden" name="version" value=(item.version);
                                    input type="hidden" name="period_shown" value=(item.period);
                                    button type="submit" { (lang.t("重新打开", "Reopen")) }
                                }
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
}

pub struct TargetRow<'a> {
    pub region: &'a Region,
    pub cells: Vec<TargetCell>,
}

pub struct TargetsGrid<'a> {
    pub lang: Lang,
    pub year: i32,
    pub indicators: Vec<&'a Indicator>,
    pub rows: Vec<TargetRow<'a>>,
    pub errors: Vec<String>,
    pub notice: Option<&'static str>,
}

pub fn targets(grid: &TargetsGrid<'_>) -> Markup {
    let lang = grid.lang;
    let en = lang.is_en();
    html! {
        h1 { (grid.year) (lang.t(" 年度目标任务", " annual targets")) }
        nav.year-switch {
            a href={ "/admin/targets?year=" (grid.year - 1) } { "← " (grid.year - 1) }
            " "
            a href={ "/admin/targets?year=" (grid.year + 1) } { (grid.year + 1) " →" }
            " · "
            a href="/import?kind=targets" { (lang.t("从 CSV 导入目标(可先预览)", "Import targets from CSV (with preview)")) }
        }
        (messages(&grid.errors, grid.notice))
        form method="post" action="/admin/targets" novalidate {
            input type="hidden" name="year" value=(grid.year);
            table.targets-grid {
                thead { tr {
                    th scope="col" { (lang.t("地区", "Region")) }
                    @for indicator in &grid.indicators {
                        th scope="col" { (indicator.name(en)) span.unit { "(" (indicator.unit) ")" } }
                    }
                } }
                tbody {
                    @for row in &grid.rows {
                        tr class={ "level-" (row.region.level) } {
                            th scope="row" { (row.region.name(en)) }
                            @for (cell, indicator) in row.cells.iter().zip(&grid.indicators) {
                                td class=[cell.error.is_some().then_some("has-error")] {
                                    input.num type="text" inputmode="numeric" name=(cell.name) value=(cell.input)
                                        placeholder=[cell.placeholder.as_deref()]
                                        aria-label={ (row.region.name(en)) " " (indicator.name(en)) }
                                        aria-invalid=[cell.error.is_some().then_some("true")];
                                    @if let Some(error) = &cell.error { span.field-error { (error) } }
                                }
                            }
                        }
                    }
                }
            }
            p.hint { (lang.t(
                "留空表示不设本级目标(上级地区则按下级目标之和计算,灰色数字为下级合计)。修改会记入审计日志。",
                "Leave blank for no own target (a parent then uses the sum of its children, shown in grey). Changes are audited."
            )) }
            div.form-actions { button.primary type="submit" { (lang.t("保存目标", "Save targets")) } }
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

pub struct UsersPage<'a> {
    pub lang: Lang,
    pub users: &'a [User],
    pub regions: Vec<&'a Region>,
    pub me: i64,
    pub draft: NewUser,
    pub errors: Vec<String>,
    pub notice: Option<&'static str>,
}

fn role_options(lang: Lang, selected: &str) -> Markup {
    html! {
        @for role in Role::ALL {
            option value=(role.as_str()) selected[role.as_str() == selected] { (format::role(role, lang)) }
        }
    }
}

fn region_options(lang: Lang, regions: &[&Region], selected: &str) -> Markup {
    html! {
        option value="" { (lang.t("(非填报员不选)", "(officers only)")) }
        @for region in regions {
            option value=(region.code) selected[region.code == selected] { (region.code) " " (region.name(lang.is_en())) }
        }
    }
}

pub fn users(page: &UsersPage<'_>) -> Markup {
    let lang = page.lang;
    html! {
        h1 { (lang.t("用户管理", "Users")) }
        (messages(&page.errors, page.notice))
        table.users {
            thead { tr {
                th { (lang.t("用户名", "Username")) }
                th { (lang.t("角色与地区", "Role and region")) }
                th { (lang.t("状态", "State")) }
                th { (lang.t("重置密码", "Reset password")) }
            } }
            tbody {
                @for user in page.users {
                    @let base = format!("/admin/users/{}", user.id);
                    tr class=[user.disabled.then_some("disabled")] {
                        th scope="row" { (user.username) @if user.id == page.me { " " span.hint { (lang.t("(本人)", "(you)")) } } }
                        td {
                            form.inline method="post" action={ (base) "/role" } {
                                select name="role" aria-label=(lang.t("角色", "Role")) { (role_options(lang, user.role.as_str())) }
                                select name="region" aria-label=(lang.t("地区", "Region")) {
                                    (region_options(lang, &page.regions, user.region_code.as_deref().unwrap_or("")))
                                }
                                button type="submit" { (lang.t("修改", "Change")) }
                            }
                        }
                        td {
                            @if user.disabled {
                                span.badge.report-returned { (lang.t("已停用", "Disabled")) }
                                form.inline method="post" action={ (base) "/enable" } {
                                    button type="submit" { (lang.t("启用", "Enable")) }
                                }
                            } @else {
                                span.badge.report-approved { (lang.t("正常", "Active")) }
                                form.inline method="post" action={ (base) "/disable" } {
                                    button type="submit" { (lang.t("停用", "Disable")) }
                                }
                            }
                        }
                        td {
                            form.inline method="post" action={ (base) "/password" } {
                                input type="password" name="password" autocomplete="new-password" minlength="10"
                                    aria-label={ (user.username) " " (lang.t("新密码", "new password")) } placeholder=(lang.t("新密码(至少 10 位)", "new password (10+)"));
                                button type="submit" { (lang.t("重置", "Reset")) }
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
            select #new-role name="role" { (role_options(lang, if page.draft.role.is_empty() { "officer" } else { &page.draft.role })) }
            label for="new-region" { (lang.t("地区(填报员必选)", "Region (officers)")) }
            select #new-region name="region" { (region_options(lang, &page.regions, &page.draft.region)) }
            label for="new-password" { (lang.t("初始密码(至少 10 位)", "Initial password (10+ characters)")) }
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
        "target" => lang.t("目标任务", "target"),
        "user_create" => lang.t("新建用户", "user created"),
        "user_role" => lang.t("角色变更", "role changed"),
        "user_disable" => lang.t("停用用户", "user disabled"),
        "user_enable" => lang.t("启用用户", "user enabled"),
        "user_password" => lang.t("重置密码", "password reset"),
        _ => lang.t("其他", "other"),
    }
}

/// Stored values shown for people: statuses by their label, figures with separators.
fn shown_value(action: &str, value: Option<&str>, lang: Lang) -> String {
    let Some(value) = value else {
        return format::NO_VALUE.into();
    };
    match action {
        "status" => value
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
            input #f-period name="period" type="text" size="8" placeholder="2021Q4" value=[filter.period.as_deref()];
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
        p.hint { (lang.t("显示最近 ", "Newest first, at most ")) (filter.limit) (lang.t(" 条,最新的在前。审计记录只增不改。", " rows. Audit rows are never changed.")) }
        table.audit {
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
                        td { (crate::clock::local_time(&row.at)) }
                        td { (row.username) }
                        td { (action_label(&row.action, lang)) }
                        td { (row.region_code.as_deref().map_or("", |c| catalogue.region(c).map_or(c, |r| r.name(en)))) }
                        td { (row.period.as_deref().unwrap_or("")) }
                        td { (row.indicator.as_deref().map_or("", |k| catalogue.indicator(k).map_or(k, |i| i.name(en)))) }
                        td.num { (shown_value(&row.action, row.old_value.as_deref(), lang)) }
                        td.num { (shown_value(&row.action, row.new_value.as_deref(), lang)) }
                        td { (row.detail.as_deref().unwrap_or("")) }
                    }
                }
            }
        }
        @if page.rows.is_empty() { p { (lang.t("没有符合条件的记录。", "No matching rows.")) } }
    }
}
