//! The officer's quarterly entry form and the officer's home page (own region, periods, what is due).

use maud::{Markup, html};

use super::Lang;
use super::components::Badge;
use crate::domain::{Indicator, Period, Region, ReportStatus, Status, Tenths, format};

/// A report status as a labelled badge.
pub struct ReportBadge {
    pub status: Option<ReportStatus>,
    pub lang: Lang,
}

impl maud::Render for ReportBadge {
    fn render(&self) -> Markup {
        match self.status {
            Some(status) => html! {
                span class={ "badge report-" (status.as_str()) } { (format::report_status(status, self.lang)) }
            },
            None => html! { span.badge.report-none { (self.lang.t("未填报", "Not started")) } },
        }
    }
}

/// One indicator's line of the form.
pub struct FormRow<'a> {
    pub indicator: &'a Indicator,
    /// The region's own cumulative for the previous quarter of the same year.
    pub previous: Option<i64>,
    pub target: Option<i64>,
    /// What is stored now, and what follows from it.
    pub saved: Option<i64>,
    pub rate: Option<Tenths>,
    pub status: Status,
    /// The text in the input: what the officer typed, or the stored figure.
    pub input: String,
    pub note: String,
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

pub struct ReportForm<'a> {
    pub lang: Lang,
    pub region: &'a Region,
    pub period: Period,
    pub status: Option<ReportStatus>,
    pub version: i64,
    pub editable: bool,
    pub admin_comment: Option<&'a str>,
    pub submitted: Option<String>,
    pub rows: Vec<FormRow<'a>>,
    /// Problems not tied to one indicator (stale version, wrong status, …).
    pub errors: Vec<String>,
    pub notice: Option<&'static str>,
    pub due_date: String,
    /// An administrator sees the review actions the report's status allows.
    pub reviewer: bool,
}

fn amount(value: Option<i64>, indicator: &Indicator, lang: Lang) -> Markup {
    match value {
        Some(v) => html! { (format::amount(v, &indicator.unit, lang)) },
        None => html! { span.missing { (format::NO_VALUE) } },
    }
}

pub fn report_form(form: &ReportForm<'_>) -> Markup {
    let lang = form.lang;
    let en = lang.is_en();
    let action = format!("/reports/{}/{}", form.region.code, form.period);
    html! {
        section.report-form {
            p.breadcrumb { a href="/reports" { (lang.t("本市填报", "My reports")) } " › " (form.region.name(en)) }
            h1 {
                (form.region.name(en)) " · "
                (format::period(form.period, lang))
            }
            p.report-meta {
                (lang.t("报告状态:", "Status: ")) (ReportBadge { status: form.status, lang })
                @if let Some(when) = &form.submitted { " · " (lang.t("报送于 ", "submitted ")) (when) }
                " · " (lang.t("报送截止:", "Due: ")) (form.due_date)
            }
            @if let Some(notice) = form.notice {
                p.notice role="status" { (notice) }
            }
            @if let Some(comment) = form.admin_comment.filter(|_| form.status == Some(ReportStatus::Returned)) {
                div.admin-comment role="note" {
                    strong { (lang.t("省厅退回意见:", "Returned by the province: ")) }
                    (comment)
                }
            }
            @for error in &form.errors {
                p.form-error role="alert" { (error) }
            }
            @if !form.rows.iter().all(|r| r.errors.is_empty()) {
                p.form-error role="alert" { (lang.t("有数据未通过校验,请按各项提示修改后重新提交。", "Some figures need correcting; see the messages below.")) }
            }
            form method="post" action=(action) novalidate {
                input type="hidden" name="version" value=(form.version);
                table.entry {
                    thead { tr {
                        th scope="col" { (lang.t("指标", "Indicator")) }
                        th scope="col" { (lang.t("上季度累计", "Previous quarter")) }
                        th scope="col" { (lang.t("年度目标", "Annual target")) }
                        th scope="col" { (lang.t("本季度累计完成", "Cumulative this quarter")) }
                        th scope="col" { (lang.t("完成率", "Rate")) }
                        th scope="col" { (lang.t("进度", "Status")) }
                        th scope="col" { (lang.t("情况说明", "Note")) }
                    } }
                    tbody {
                        @for row in &form.rows {
                            @let key = &row.indicator.key;
                            @let input_id = format!("value-{key}");
                            @let note_id = format!("note-{key}");
                            @let error_id = format!("error-{key}");
                            tr class=[(!row.errors.is_empty()).then_some("has-error")] {
                                th scope="row" {
                                    label for=(input_id) { (row.indicator.name(en)) }
                                    span.unit { "(" (row.indicator.unit) ")" }
                                }
                                td.num { (amount(row.previous, row.indicator, lang)) }
                                td.num {
                                    @if row.indicator.has_target { (amount(row.target, row.indicator, lang)) }
                                    @else { span.missing { (lang.t("不设目标", "no target")) } }
                                }
                                td.value {
                                    @if form.editable {
                                        input.num id=(input_id) name={ "value." (key) } type="text" inputmode="numeric"
                                            value=(row.input) aria-invalid=[(!row.errors.is_empty()).then_some("true")]
                                            aria-describedby=[(!row.errors.is_empty()).then_some(error_id.as_str())];
                                    } @else {
                                        span.num { (amount(row.saved, row.indicator, lang)) }
                                    }
                                    @if !row.errors.is_empty() {
                                        span.field-error id=(error_id) {
                                            @for error in &row.errors { (error) br; }
                                        }
                                    }
                                    @for warning in &row.warnings {
                                        span.field-warning { (warning) }
                                    }
                                }
                                td.num { (format::rate(row.rate)) }
                                td {
                                    @if row.saved.is_some() { (Badge { status: row.status, lang }) }
                                }
                                td.note {
                                    @if form.editable {
                                        textarea id=(note_id) name={ "note." (key) } rows="2" maxlength="500"
                                            aria-label={ (row.indicator.name(en)) " " (lang.t("情况说明", "note")) } { (row.note) }
                                    } @else if !row.note.is_empty() {
                                        (row.note)
                                    }
                                }
                            }
                        }
                    }
                }
                @if form.editable {
                    p.hint { (lang.t(
                        "填写本年截至本季度末的累计数(整数,可带千分位逗号);未报送的项留空,不要填 0。明显滞后于序时进度的指标须填写情况说明后才能报送。",
                        "Enter the year-to-date cumulative figure (whole numbers); leave unreported items blank, not 0. Items clearly behind the time benchmark need a note before submitting."
                    )) }
                    div.form-actions {
                        button type="submit" name="action" value="save" { (lang.t("保存草稿", "Save draft")) }
                        button.primary type="submit" name="action" value="submit" { (lang.t("提交", "Submit")) }
                    }
                } @else {
                    p.hint { (lang.t("该报告已报送,当前不可修改。", "This report has been submitted and cannot be edited now.")) }
                }
            }
            @if form.reviewer {
                (review_actions(form))
            }
        }
    }
}

/// Approve / return for a submitted report, reopen for an approved one: the admin's buttons.
fn review_actions(form: &ReportForm<'_>) -> Markup {
    let lang = form.lang;
    let base = format!("/admin/reports/{}/{}", form.region.code, form.period);
    html! {
        @match form.status {
            Some(ReportStatus::Submitted) => {
                div.review-actions {
                    form method="post" action={ (base) "/approve" } {
                        input type="hidden" name="version" value=(form.version);
                        button.primary type="submit" { (lang.t("审核通过", "Approve")) }
                    }
                    form method="post" action={ (base) "/return" } {
                        input type="hidden" name="version" value=(form.version);
                        label for="review-comment" { (lang.t("退回意见", "Comment")) }
                        textarea #review-comment name="comment" rows="2" maxlength="500" required {}
                        button type="submit" { (lang.t("退回", "Return")) }
                    }
                }
            }
            Some(ReportStatus::Approved) => {
                form.review-actions method="post" action={ (base) "/reopen" } {
                    input type="hidden" name="version" value=(form.version);
                    label for="reopen-comment" { (lang.t("重新打开的理由(可选)", "Reason for reopening (optional)")) }
                    textarea #reopen-comment name="comment" rows="2" maxlength="500" {}
                    button type="submit" { (lang.t("重新打开", "Reopen")) }
                }
            }
            _ => {}
        }
    }
}

/// One period on the officer's home page.
pub struct PeriodLine {
    pub period: Period,
    pub status: Option<ReportStatus>,
    pub submitted: Option<String>,
    pub late: bool,
    pub admin_comment: Option<String>,
}

/// A report the officer still owes, with its deadline.
pub struct DueLine {
    pub line: PeriodLine,
    pub due_date: String,
    pub overdue: bool,
}

pub struct OfficerHome<'a> {
    pub lang: Lang,
    pub region: &'a Region,
    /// The current quarter, preceded by the previous one while that is still not submitted.
    pub due: Vec<DueLine>,
    pub lines: Vec<PeriodLine>,
    pub late_after_days: u32,
}

fn late_badge(lang: Lang) -> Markup {
    html! { span.badge.late { (lang.t("逾期报送", "Late")) } }
}

pub fn officer_home(home: &OfficerHome<'_>) -> Markup {
    let lang = home.lang;
    let en = lang.is_en();
    let region = &home.region.code;
    html! {
        h1 { (home.region.name(en)) " · " (lang.t("季度填报", "Quarterly reports")) }
        section.due-now {
            h2 { (lang.t("本期应报", "Due now")) }
            @for due in &home.due {
                @let period = due.line.period;
                p {
                    a href={ "/reports/" (region) "/" (period) } {
                        (format::period(period, lang))
                    }
                    " " (ReportBadge { status: due.line.status, lang })
                    " · " (lang.t("截止 ", "due ")) (due.due_date)
                    @if due.overdue { " " span.badge.late { (lang.t("已逾期", "Overdue")) } }
                    @if !due.line.status.is_some_and(|s| s.counts()) {
                        " " a.button href={ "/reports/" (region) "/" (period) } { (lang.t("填报", "Enter figures")) }
                    }
                }
            }
        }
        section.periods {
            h2 { (lang.t("历次报告", "Reports")) }
            p.hint { (format!("{}{}{}", lang.t("季度结束后超过 ", "Reports submitted more than "), home.late_after_days, lang.t(" 天报送的标记为逾期。", " days after the quarter ended are marked late."))) }
            @if home.lines.is_empty() {
                p { (lang.t("尚无报告。", "No reports yet.")) }
            } @else {
                table.reports {
                    thead { tr {
                        th { (lang.t("报告期", "Period")) }
                        th { (lang.t("状态", "Status")) }
                        th { (lang.t("报送时间", "Submitted")) }
                        th { (lang.t("省厅意见", "Province's comment")) }
                    } }
                    tbody {
                        @for line in &home.lines {
                            tr {
                                td { a href={ "/reports/" (region) "/" (line.period) } { (line.period) } }
                                td { (ReportBadge { status: line.status, lang }) @if line.late { " " (late_badge(lang)) } }
                                td { (line.submitted.as_deref().unwrap_or(format::NO_VALUE)) }
                                td { (line.admin_comment.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
            }
            form.open-period method="get" action="/reports" {
                label for="open-period" { (lang.t("填报其他季度:", "Open another quarter: ")) }
                input #open-period name="period" type="text" placeholder="2022Q1" pattern="[0-9]{4}Q[1-4]" size="8";
                input type="hidden" name="region" value=(region);
                button type="submit" { (lang.t("打开", "Open")) }
            }
        }
    }
}

/// For an administrator on `/reports`: every city, to open its reports.
pub fn region_picker(lang: Lang, regions: &[&Region]) -> Markup {
    html! {
        h1 { (lang.t("各市填报", "City reports")) }
        ul.region-list {
            @for region in regions {
                li { a href={ "/reports?region=" (region.code) } { (region.name(lang.is_en())) " " (region.code) } }
            }
        }
    }
}
