//! The officer's quarterly entry form and the officer's home page (own region, periods, what is due).

use maud::{Markup, html};

use super::Lang;
use super::components::Badge;
use crate::domain::review::SinceReturn;
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
    /// Q1 has no previous quarter: cumulative figures restart with the year.
    pub first_quarter: bool,
    pub target: Option<i64>,
    /// What is stored now.
    pub saved: Option<i64>,
    /// The figure the line's rate and status follow from: what the input holds.
    pub shown: Option<i64>,
    pub rate: Option<Tenths>,
    pub gap: Option<Tenths>,
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
    pub notice: Option<&'a str>,
    pub due_date: String,
    /// An administrator sees the review actions the report's status allows.
    pub reviewer: bool,
    /// The period's 序时进度.
    pub time_benchmark: Tenths,
    /// What the city changed since the province last returned the report.
    pub changes_since_return: Vec<SinceReturn>,
}

/// A figure as the officer typed it: in the indicator's own unit with separators (1,250,000 元),
/// so the entry form reads back what was typed.
pub fn as_typed(value: Option<i64>, indicator: &Indicator, lang: Lang) -> Markup {
    match value {
        Some(v) => html! { (format::thousands(v)) " " (format::unit(&indicator.unit, lang)) },
        None => html! { span.missing { (format::NO_VALUE) } },
    }
}

/// A target cell: the target, or why there is none.
pub fn target_cell(target: Option<i64>, indicator: &Indicator, lang: Lang) -> Markup {
    match target {
        Some(t) => as_typed(Some(t), indicator, lang),
        None => html! { span.missing { (format::no_target(indicator.has_target, lang)) } },
    }
}

/// The rate, the gap to the time benchmark and the status of one line: the page renders it and
/// the live check sends it again as the officer types.
pub fn computed(row: &FormRow<'_>, lang: Lang) -> Markup {
    html! {
        @match (row.shown, row.rate) {
            (None, _) => span.missing { (format::NO_VALUE) },
            (Some(_), None) => span.missing { (format::no_target(row.indicator.has_target, lang)) },
            (Some(_), Some(rate)) => {
                span.rate { (format::percent(rate)) }
                " " span.gap { (format::gap_pp(row.gap, lang)) }
                " " (Badge { status: row.status, lang })
            }
        }
    }
}

/// The messages under one line's input: errors, then warnings.
pub fn messages(row: &FormRow<'_>) -> Markup {
    let error_id = format!("error-{}", row.indicator.key);
    html! {
        @if !row.errors.is_empty() {
            span.field-error id=(error_id) {
                @for error in &row.errors { (error) br; }
            }
        }
        @for warning in &row.warnings {
            span.field-warning { (warning) }
        }
    }
}

/// What changed since the return, figure by figure and note by note.
pub fn since_return_table(lang: Lang, indicators: &[&Indicator], changes: &[SinceReturn]) -> Markup {
    let en = lang.is_en();
    let indicator = |key: &str| indicators.iter().find(|i| i.key == key).copied();
    html! {
        section.since-return {
            h3 { (lang.t("自上次退回以来的修改", "Changed since the report was returned")) }
            @if changes.is_empty() {
                p { (lang.t("退回后未修改任何数据和情况说明。", "Nothing was changed after the return.")) }
            } @else {
                table.since-return-table.stack-narrow {
                    thead { tr {
                        th scope="col" { (lang.t("指标", "Indicator")) }
                        th scope="col" { (lang.t("退回时", "When returned")) }
                        th scope="col" { (lang.t("现在", "Now")) }
                    } }
                    tbody {
                        @for change in changes {
                            @if let Some(indicator) = indicator(&change.indicator) {
                                @if let Some((old, new)) = change.value {
                                    tr {
                                        th scope="row" { (indicator.name(en)) }
                                        td.num data-label=(lang.t("退回时", "When returned")) { (as_typed(old, indicator, lang)) }
                                        td.num data-label=(lang.t("现在", "Now")) { (as_typed(new, indicator, lang)) }
                                    }
                                }
                                @if let Some((old, new)) = &change.note {
                                    tr {
                                        th scope="row" { (indicator.name(en)) " · " (lang.t("情况说明", "note")) }
                                        td.note data-label=(lang.t("退回时", "When returned")) { @if old.is_empty() { span.missing { (format::NO_VALUE) } } @else { (old) } }
                                        td.note data-label=(lang.t("现在", "Now")) { @if new.is_empty() { span.missing { (format::NO_VALUE) } } @else { (new) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn report_form(form: &ReportForm<'_>) -> Markup {
    let lang = form.lang;
    let en = lang.is_en();
    let action = format!("/reports/{}/{}", form.region.code, form.period);
    let indicators: Vec<&Indicator> = form.rows.iter().map(|r| r.indicator).collect();
    html! {
        section.report-form {
            p.breadcrumb { a href="/reports" { (lang.t("本市填报", "My reports")) } " › " (form.region.name(en)) }
            h1 {
                (form.region.name(en)) " · "
                (format::period(form.period, lang))
            }
            p.report-meta {
                (lang.t("报告状态：", "Status: ")) (ReportBadge { status: form.status, lang })
                @if let Some(when) = &form.submitted { " · " (lang.t("报送于 ", "submitted ")) (when) }
                " · " (lang.t("报送截止：", "Due: ")) (form.due_date)
                " · " strong.benchmark { (format::benchmark(form.time_benchmark, lang)) }
            }
            @if let Some(notice) = form.notice {
                p.notice role="status" { (notice) }
            }
            @if let Some(comment) = form.admin_comment.filter(|_| form.status == Some(ReportStatus::Returned)) {
                div.admin-comment role="note" {
                    strong { (lang.t("省厅退回意见：", "Returned by the province: ")) }
                    (comment)
                }
            }
            @for error in &form.errors {
                p.form-error role="alert" { (error) }
            }
            @if !form.rows.iter().all(|r| r.errors.is_empty()) {
                p.form-error role="alert" { (lang.t("有数据未通过校验，请按各项提示修改后重新提交。", "Some figures need correcting; see the messages below.")) }
            }
            @if form.reviewer && form.status == Some(ReportStatus::Submitted) {
                (since_return_table(lang, &indicators, &form.changes_since_return))
            }
            form.entry-form method="post" action=(action) novalidate data-check={ (action) "/check" } {
                input type="hidden" name="version" value=(form.version);
                table.entry {
                    thead { tr {
                        th scope="col" { (lang.t("指标", "Indicator")) }
                        th scope="col" { (lang.t("上季度累计", "Previous quarter")) }
                        th scope="col" { (lang.t("年度目标", "Annual target")) }
                        th scope="col" { (lang.t("本季度累计完成", "Cumulative this quarter")) }
                        th scope="col" { (lang.t("完成率与进度", "Rate and status")) }
                        th scope="col" { (lang.t("情况说明", "Note")) }
                    } }
                    tbody {
                        @for row in &form.rows {
                            @let key = &row.indicator.key;
                            @let input_id = format!("value-{key}");
                            @let note_id = format!("note-{key}");
                            @let error_id = format!("error-{key}");
                            tr class=[(!row.errors.is_empty()).then_some("has-error")] data-key=(key) {
                                th scope="row" {
                                    label for=(input_id) { (row.indicator.name(en)) }
                                    span.unit { (format::bracketed_unit(&row.indicator.unit, lang)) }
                                }
                                td.num data-label=(lang.t("上季度累计", "Previous quarter")) {
                                    @if row.first_quarter { span.missing { (lang.t("一季度无上季度", "none in Q1")) } }
                                    @else { (as_typed(row.previous, row.indicator, lang)) }
                                }
                                td.num data-label=(lang.t("年度目标", "Annual target")) { (target_cell(row.target, row.indicator, lang)) }
                                td.value data-label=(lang.t("本季度累计完成", "Cumulative this quarter")) {
                                    @if form.editable {
                                        input.num id=(input_id) name={ "value." (key) } type="text" inputmode="numeric"
                                            value=(row.input) aria-invalid=[(!row.errors.is_empty()).then_some("true")]
                                            aria-describedby=[(!row.errors.is_empty()).then_some(error_id.as_str())];
                                    } @else {
                                        span.num { (as_typed(row.saved, row.indicator, lang)) }
                                    }
                                    span.live-messages id={ "messages-" (key) } { (messages(row)) }
                                }
                                td.computed id={ "computed-" (key) } aria-live="polite" data-label=(lang.t("完成率与进度", "Rate and status")) { (computed(row, lang)) }
                                td.note data-label=(lang.t("情况说明", "Note")) {
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
                        "填写本年截至本季度末的累计数（整数，可带千分位逗号，金额以元为单位）；未报送的项留空，不要填 0。完成率随输入即时计算；明显滞后于序时进度的指标须填写情况说明后才能报送。",
                        "Enter the year-to-date cumulative figure (whole numbers; money in yuan); leave unreported items blank, not 0. Rates update as you type. Items clearly behind the time benchmark need a note before submitting."
                    )) }
                    div.form-actions {
                        button type="submit" name="action" value="save" { (lang.t("保存草稿", "Save draft")) }
                        button.primary type="submit" name="action" value="submit" { (lang.t("提交", "Submit")) }
                    }
                } @else {
                    p.hint { (lang.t("该报告已报送，当前不可修改。", "This report has been submitted and cannot be edited now.")) }
                }
            }
            @if form.reviewer {
                (review_actions(form))
            }
        }
    }
}

/// Approve / return for a submitted report, reopen for an approved one: the admin's buttons.
/// Returning and reopening need a reason and a second click to confirm.
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
                    (reason_form(&ReasonForm::returning(&base, form.version, "review-comment", lang)))
                }
            }
            Some(ReportStatus::Approved) => {
                div.review-actions {
                    (reason_form(&ReasonForm::reopening(&base, form.version, "reopen-comment", lang)))
                }
            }
            _ => {}
        }
    }
}

/// A return or reopen form.
pub struct ReasonForm<'a> {
    pub action: String,
    pub version: i64,
    pub id: &'a str,
    pub label: &'static str,
    pub button: &'static str,
    pub confirm: &'static str,
    /// The approvals page shows this period again after an error.
    pub period_shown: Option<Period>,
}

impl<'a> ReasonForm<'a> {
    /// Returning the report at `base` (`/admin/reports/{code}/{period}`).
    pub fn returning(base: &str, version: i64, id: &'a str, lang: Lang) -> Self {
        Self {
            action: format!("{base}/return"),
            version,
            id,
            label: lang.t("退回理由（必填）", "Reason for returning (required)"),
            button: lang.t("退回", "Return"),
            confirm: lang.t("确认退回", "Confirm return"),
            period_shown: None,
        }
    }

    /// Reopening the approved report at `base`.
    pub fn reopening(base: &str, version: i64, id: &'a str, lang: Lang) -> Self {
        Self {
            action: format!("{base}/reopen"),
            version,
            id,
            label: lang.t("重新打开的理由（必填）", "Reason for reopening (required)"),
            button: lang.t("重新打开", "Reopen"),
            confirm: lang.t("确认重新打开", "Confirm reopening"),
            period_shown: None,
        }
    }
}

/// A required reason, and a button the script turns into a two-step confirmation (the server
/// refuses a blank reason either way).
pub fn reason_form(form: &ReasonForm<'_>) -> Markup {
    html! {
        form.reason-form method="post" action=(form.action) {
            input type="hidden" name="version" value=(form.version);
            @if let Some(period) = form.period_shown { input type="hidden" name="period_shown" value=(period); }
            label for=(form.id) { (form.label) }
            textarea id=(form.id) name="comment" rows="2" maxlength="500" required {}
            button type="submit" data-confirm=(form.confirm) { (form.button) }
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
    pub days_overdue: i64,
}

pub struct OfficerHome<'a> {
    pub lang: Lang,
    pub region: &'a Region,
    /// Reports the province returned or reopened, with the latest reason.
    pub returned: Vec<PeriodLine>,
    /// Every quarter since the region started reporting that is not yet submitted, newest first.
    pub due: Vec<DueLine>,
    /// The quarters the picker offers, newest first.
    pub periods: Vec<Period>,
    pub lines: Vec<PeriodLine>,
    pub late_after_days: u32,
}

fn late_badge(lang: Lang) -> Markup {
    html! { span.badge.late { (lang.t("逾期报送", "Late")) } }
}

/// Days past a deadline: 已逾期 12 天 / 12 days overdue.
pub fn overdue_badge(days: i64, lang: Lang) -> Markup {
    html! {
        span.badge.overdue {
            @if lang.is_en() { (days) " days overdue" } @else { "已逾期 " (days) " 天" }
        }
    }
}

pub fn officer_home(home: &OfficerHome<'_>) -> Markup {
    let lang = home.lang;
    let en = lang.is_en();
    let region = &home.region.code;
    html! {
        h1 { (home.region.name(en)) " · " (lang.t("季度填报", "Quarterly reports")) }
        @if !home.returned.is_empty() {
            section.returned-reports aria-labelledby="returned-heading" {
                h2 #returned-heading { (lang.t("退回待修改", "Returned for correction")) (format::bracketed(home.returned.len(), lang)) }
                ul.todo {
                    @for line in &home.returned {
                        li.todo-returned {
                            a href={ "/reports/" (region) "/" (line.period) } { (format::period(line.period, lang)) }
                            " " (ReportBadge { status: line.status, lang })
                            @if let Some(reason) = &line.admin_comment {
                                p.reason { strong { (lang.t("省厅意见：", "Province's reason: ")) } (reason) }
                            }
                        }
                    }
                }
            }
        }
        section.due-now aria-labelledby="due-heading" {
            h2 #due-heading { (lang.t("本期应报与待报送", "Due now and outstanding")) (format::bracketed(home.due.len(), lang)) }
            @if home.due.is_empty() {
                p { (lang.t("各季度均已报送。", "Every quarter has been submitted.")) }
            } @else {
                table.todo-list {
                    thead { tr {
                        th scope="col" { (lang.t("报告期", "Period")) }
                        th scope="col" { (lang.t("状态", "Status")) }
                        th scope="col" { (lang.t("报送截止", "Due")) }
                        th scope="col" { span.visually-hidden { (lang.t("操作", "Action")) } }
                    } }
                    tbody {
                        @for due in &home.due {
                            @let period = due.line.period;
                            tr.todo-item data-period=(period) {
                                th scope="row" { a href={ "/reports/" (region) "/" (period) } { (format::period(period, lang)) } }
                                td { (ReportBadge { status: due.line.status, lang }) }
                                td {
                                    (due.due_date)
                                    @if due.overdue { " " (overdue_badge(due.days_overdue, lang)) }
                                }
                                td { a.button href={ "/reports/" (region) "/" (period) } { (lang.t("填报", "Enter figures")) } }
                            }
                        }
                    }
                }
            }
        }
        form.open-period method="get" action="/reports" {
            label for="open-period" { (lang.t("打开季度：", "Open a quarter: ")) }
            select #open-period name="period" {
                @for period in &home.periods {
                    option value=(period) { (format::period(*period, lang)) }
                }
            }
            input type="hidden" name="region" value=(region);
            button type="submit" { (lang.t("打开", "Open")) }
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
                                td { a href={ "/reports/" (region) "/" (line.period) } { (format::period(line.period, lang)) } }
                                td { (ReportBadge { status: line.status, lang }) @if line.late { " " (late_badge(lang)) } }
                                td { (line.submitted.as_deref().unwrap_or(format::NO_VALUE)) }
                                td { (line.admin_comment.as_deref().unwrap_or("")) }
                            }
                        }
                    }
                }
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
                li { a href={ "/reports?region=" (region.code) } { (region.name(lang.is_en())) } }
            }
        }
    }
}
