//! The import pages: choose a file, preview what it would change (or every bad line), confirm.

use maud::{Markup, html};

use super::Lang;
use crate::domain::Period;
use crate::domain::catalogue::Catalogue;
use crate::domain::format;
use crate::domain::workflow::ReportStatus;
use crate::service::import::{
    ImportChange, ImportOutcome, Kind, MAX_IMPORT_BYTES, REPORT_COLUMNS, StatusChange, TARGET_COLUMNS,
};

/// The `kind` parameter of the import URLs.
pub fn kind_code(kind: Kind) -> &'static str {
    match kind {
        Kind::Targets => "targets",
        Kind::Reports => "reports",
    }
}

fn kind_label(kind: Kind, lang: Lang) -> &'static str {
    match kind {
        Kind::Targets => lang.t("年度目标任务", "annual targets"),
        Kind::Reports => lang.t("季度报告数据", "quarterly report figures"),
    }
}

/// The page title for `kind`.
pub fn title(kind: Kind, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("导入{}", kind_label(kind, lang)),
        Lang::En => format!("Import {}", kind_label(kind, lang)),
    }
}

/// What the upload page shows.
pub struct UploadView<'a> {
    pub lang: Lang,
    pub kind: Kind,
    /// Admins may import targets too: show both choices.
    pub may_import_targets: bool,
    /// Officers import their own region only.
    pub own_region: Option<&'a str>,
    /// Why the last upload was refused.
    pub message: Option<&'a str>,
}

pub fn upload(view: &UploadView<'_>) -> Markup {
    let lang = view.lang;
    let kind = view.kind;
    let columns = match kind {
        Kind::Targets => TARGET_COLUMNS.join(","),
        Kind::Reports => REPORT_COLUMNS.join(","),
    };
    let limit_mb = MAX_IMPORT_BYTES / 1024 / 1024;
    html! {
        h1 { (title(kind, lang)) }
        @if view.may_import_targets {
            nav.tabs aria-label=(lang.t("导入类型", "What to import")) {
                @for choice in [Kind::Targets, Kind::Reports] {
                    @if choice == kind {
                        span.tab.current aria-current="page" { (kind_label(choice, lang)) }
                    } @else {
                        a.tab href={ "/import?kind=" (kind_code(choice)) } { (kind_label(choice, lang)) }
                    }
                }
            }
        }
        @if let Some(message) = view.message {
            p.error-message role="alert" { (message) }
        }
        section.import-help {
            p {
                (lang.t("上传 Excel 工作簿（.xlsx）或 CSV 文件，第一行为表头：", "Upload an Excel workbook (.xlsx) or a CSV file whose first row is the header: "))
                code { (columns) }
            }
            p.template-links {
                @match kind {
                    Kind::Targets => a href="/import/template/targets.xlsx" { (lang.t("下载导入模板（预填上年目标）", "Download the import template (last year's targets filled in)")) },
                    Kind::Reports => a href="/import/template/reports.xlsx" { (lang.t("下载导入模板（预填地区和指标）", "Download the import template (regions and indicators filled in)")) },
                }
                " · "
                a href="/export" { (lang.t("导出现有数据（可修改后再导入）", "Export the current data (edit and import it again)")) }
            }
            ul {
                li {
                    (lang.t("列名可用中文或英文（如", "Column names may be English or Chinese ("))
                    code { "行政区划代码" } (lang.t("或", " or ")) code { "region_code" }
                    (lang.t(
                        "），大小写不限；本系统导出的文件可直接再导入，地区名称、单位、完成率等参考列会被忽略。",
                        "), in any case; this app's exports import as they are, and reference columns (names, units, rates) are ignored."
                    ))
                }
                li {
                    (lang.t("Excel 工作簿读取名为", "A workbook is read from its sheet named "))
                    code { "导入" } (lang.t("或", " or ")) code { "import" }
                    (lang.t(
                        "的工作表，没有则读取第一个工作表；CSV 可用 UTF-8（带或不带 BOM）或 GBK 编码。",
                        ", else its first sheet; CSV may be UTF-8 (with or without BOM) or GBK."
                    ))
                }
                @match kind {
                    Kind::Targets => li {
                        code { "year" } (lang.t("为年份（如 2021），", " is a year such as 2021; "))
                        code { "target" } (lang.t(
                            "为非负整数；指标可填代码或中文名称；同一地区、年份、指标只能出现一次。",
                            " is a non-negative integer; the indicator by key or name; each region, year and indicator once."
                        ))
                    },
                    Kind::Reports => li {
                        code { "period" } (lang.t("写作 2021Q1；", " is written 2021Q1; "))
                        code { "cumulative" } (lang.t("为本年累计完成数（非负整数，留空表示未报送）；", " is the year-to-date figure (blank: not reported); "))
                        code { "note" } (lang.t(
                            "为情况说明：留空即清空该条说明，文件中没有情况说明列则保留原有说明。",
                            " is the note: a blank note clears it, and a file without a note column keeps the notes as they are."
                        ))
                    },
                }
                @if let Some(region) = view.own_region {
                    li { (lang.t("您只能导入本地区的数据：", "You may import your own region only: ")) (region) }
                }
                li { (lang.t("全部行均通过校验才会导入，否则不作任何修改；导入前先预览将变更的每个数值和每条情况说明。",
                    "Nothing is imported unless every row is valid; you preview every figure and note that would change before confirming.")) }
                li { (match lang {
                    Lang::Zh => format!("文件大小上限 {limit_mb} MB。"),
                    Lang::En => format!("Files up to {limit_mb} MB."),
                }) }
            }
        }
        form.import-form method="post" action="/import" enctype="multipart/form-data" {
            input type="hidden" name="kind" value=(kind_code(kind));
            p {
                label for="import-file" { (lang.t("文件（.xlsx 或 .csv）", "File (.xlsx or .csv)")) }
                " "
                input #import-file type="file" name="file" accept=".xlsx,.xls,.ods,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required;
            }
            @if kind == Kind::Reports {
                p {
                    label {
                        input type="checkbox" name="draft" value="1";
                        " " (lang.t("仅保存为草稿，不提交审核", "Save as drafts only, do not submit"))
                    }
                }
            }
            p { button type="submit" { (lang.t("预览", "Preview")) } }
        }
    }
}

/// What the preview and result pages show.
pub struct OutcomeView<'a> {
    pub lang: Lang,
    pub kind: Kind,
    pub file_name: &'a str,
    pub outcome: &'a ImportOutcome,
    pub catalogue: &'a Catalogue,
    /// The file, base64, carried to the confirmation so it is validated again there.
    pub payload: &'a str,
    pub draft: bool,
}

fn shown(value: Option<i64>, lang: Lang) -> String {
    value.map_or_else(|| lang.t("（空）", "(blank)").to_owned(), format::thousands)
}

/// `440100 广州市`: a region's code and name, as a file names it and the page shows it.
fn region_label(view: &OutcomeView<'_>, code: &str) -> String {
    let name = view.catalogue.region(code).map_or("", |r| r.name(view.lang.is_en()));
    format!("{code} {name}")
}

/// A note as the preview shows it: the text, or that there is none.
fn shown_note(note: &str, lang: Lang) -> String {
    if note.is_empty() {
        lang.t("（无）", "(none)").to_owned()
    } else {
        note.to_owned()
    }
}

fn changes_table(view: &OutcomeView<'_>, changes: &[ImportChange]) -> Markup {
    let lang = view.lang;
    let english = lang.is_en();
    let notes = changes.iter().any(|c| c.note.is_some());
    html! {
        table.import-changes {
            thead { tr {
                th { (lang.t("行号", "Line")) }
                th { (lang.t("地区", "Region")) }
                th { (match view.kind { Kind::Targets => lang.t("年份", "Year"), Kind::Reports => lang.t("报告期", "Period") }) }
                th { (lang.t("指标", "Indicator")) }
                th.num { (lang.t("原值", "Old")) }
                th.num { (lang.t("新值", "New")) }
                @if notes {
                    th { (lang.t("原情况说明", "Old note")) }
                    th { (lang.t("新情况说明", "New note")) }
                }
            } }
            tbody {
                @for change in changes {
                    tr {
                        td.num { (change.line) }
                        td { (region_label(view, &change.region_code)) }
                        td { (period_label(&change.period, lang)) }
                        td { (view.catalogue.indicator(&change.indicator).map_or(change.indicator.as_str(), |i| i.name(english))) }
                        @if change.value_changes() {
                            td.num { (shown(change.old, lang)) }
                            td.num { "→ " (shown(change.new, lang)) }
                        } @else {
                            td.num { (shown(change.old, lang)) }
                            td.num.unchanged { (lang.t("（不变）", "(unchanged)")) }
                        }
                        @if notes {
                            @match &change.note {
                                Some(note) => {
                                    td.note { (shown_note(&note.old, lang)) }
                                    td.note {
                                        "→ "
                                        @if note.new.is_empty() { strong { (lang.t("（清空）", "(cleared)")) } }
                                        @else { (note.new) }
                                    }
                                }
                                None => { td {} td.unchanged { (lang.t("（不变）", "(unchanged)")) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A period of the file as titles write it (2022年第一季度 / Q1 2022); a targets file's year as it is.
fn period_label(text: &str, lang: Lang) -> String {
    text.parse::<Period>()
        .map_or_else(|_| text.to_owned(), |period| format::period(period, lang))
}

/// `12 处数值、3 条情况说明`: what the changes touch.
fn counted(outcome: &ImportOutcome, lang: Lang) -> String {
    let values = outcome.changes.iter().filter(|c| c.value_changes()).count();
    let notes = outcome.changes.iter().filter(|c| c.note.is_some()).count();
    let cleared = outcome
        .changes
        .iter()
        .filter(|c| c.note.as_ref().is_some_and(|n| n.new.is_empty()))
        .count();
    match lang {
        Lang::Zh if cleared > 0 => format!("{values} 处数值、{notes} 条情况说明（其中 {cleared} 条被清空）"),
        Lang::Zh => format!("{values} 处数值、{notes} 条情况说明"),
        Lang::En if cleared > 0 => format!("{values} figures and {notes} notes ({cleared} of them cleared)"),
        Lang::En => format!("{values} figures and {notes} notes"),
    }
}

fn status_table(view: &OutcomeView<'_>, changes: &[StatusChange]) -> Markup {
    let lang = view.lang;
    let label = |status: ReportStatus| format::report_status(status, lang);
    html! {
        table.import-changes.status-changes {
            thead { tr {
                th { (lang.t("地区", "Region")) }
                th { (lang.t("报告期", "Period")) }
                th { (lang.t("原状态", "Old status")) }
                th { (lang.t("新状态", "New status")) }
            } }
            tbody {
                @for change in changes {
                    tr {
                        td { (region_label(view, &change.region_code)) }
                        td { (period_label(&change.period, lang)) }
                        td { (change.old.map_or(lang.t("（新建）", "(new report)"), label)) }
                        td { "→ " (label(change.new)) }
                    }
                }
            }
        }
    }
}

/// What a reports import does to the reports' statuses, said before the figures.
fn status_summary(view: &OutcomeView<'_>, applied: bool) -> Markup {
    let changes = &view.outcome.status_changes;
    let count = changes.len();
    html! {
        @if !changes.is_empty() {
            p {
                (match (view.lang, applied) {
                    (Lang::Zh, false) => format!("以下 {count} 份报告的状态将变更："),
                    (Lang::Zh, true) => format!("以下 {count} 份报告的状态已变更："),
                    (Lang::En, false) => format!("{count} reports would change status:"),
                    (Lang::En, true) => format!("{count} reports changed status:"),
                })
            }
            (status_table(view, changes))
        }
    }
}

/// Every bad line, or what would change with a form to confirm it.
pub fn preview(view: &OutcomeView<'_>) -> Markup {
    let lang = view.lang;
    let outcome = view.outcome;
    let again = format!("/import?kind={}", kind_code(view.kind));
    html! {
        h1 { (title(view.kind, lang)) " · " (lang.t("预览", "Preview")) }
        p { (lang.t("文件：", "File: ")) code { (view.file_name) } }
        @if !outcome.errors.is_empty() {
            p.error-message role="alert" {
                (match lang {
                    Lang::Zh => format!("发现 {} 处错误，未导入任何数据。请修改文件后重新上传。", outcome.errors.len()),
                    Lang::En => format!("{} problems found; nothing was imported. Correct the file and upload it again.", outcome.errors.len()),
                })
            }
            table.import-errors {
                thead { tr { th { (lang.t("行号", "Line")) } th { (lang.t("原因", "Reason")) } } }
                tbody {
                    @for error in &outcome.errors {
                        tr { td.num { (error.line) } td { (error.message.get(lang)) } }
                    }
                }
            }
            p { a href=(again) { (lang.t("重新上传", "Upload again")) } }
        } @else {
            p {
                (match lang {
                    Lang::Zh => format!("共 {} 行，全部有效；以下 {} 将变更（尚未写入）：", outcome.rows, counted(outcome, lang)),
                    Lang::En => format!("{} rows, all valid; {} would change (nothing written yet):", outcome.rows, counted(outcome, lang)),
                })
            }
            @if outcome.unchanged_out_of_reach > 0 {
                p.unchanged-out-of-reach {
                    (match lang {
                        Lang::Zh => format!("其中 {} 行为本级以外的目标（如市级目标，由省厅下达），与现有数值相同，不变更。", outcome.unchanged_out_of_reach),
                        Lang::En => format!("Of these, {} rows are targets beyond your reach (such as the city's own, set by the province) and match what is stored: unchanged.", outcome.unchanged_out_of_reach),
                    })
                }
            }
            @if !outcome.changes.is_empty() { (changes_table(view, &outcome.changes)) }
            (status_summary(view, false))
            form.import-confirm method="post" action="/import" enctype="multipart/form-data" {
                input type="hidden" name="kind" value=(kind_code(view.kind));
                input type="hidden" name="file_name" value=(view.file_name);
                input type="hidden" name="content" value=(view.payload);
                input type="hidden" name="confirm" value="1";
                @if view.draft { input type="hidden" name="draft" value="1"; }
                button type="submit" { (lang.t("确认导入", "Confirm import")) }
                " "
                a href=(again) { (lang.t("取消", "Cancel")) }
            }
        }
    }
}

/// After a confirmed import.
pub fn done(view: &OutcomeView<'_>) -> Markup {
    let lang = view.lang;
    let outcome = view.outcome;
    html! {
        h1 { (title(view.kind, lang)) }
        p.notice role="status" {
            (match lang {
                Lang::Zh => format!("已导入 {} 行，{} 已变更，均已记入变更日志。", outcome.rows, counted(outcome, lang)),
                Lang::En => format!("Imported {} rows; {} changed, each recorded in the change log.", outcome.rows, counted(outcome, lang)),
            })
        }
        @if !outcome.changes.is_empty() { (changes_table(view, &outcome.changes)) }
        (status_summary(view, true))
        p {
            a href="/audit" { (lang.t("查看变更日志", "See the change log")) }
            " · "
            a href={ "/import?kind=" (kind_code(view.kind)) } { (lang.t("继续导入", "Import another file")) }
        }
    }
}
