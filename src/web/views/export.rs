//! The export page: every download with its choices (period or from–to, region, indicator,
//! language, encoding), the import templates, and which file to pick for which program.

use maud::{Markup, html};

use super::Lang;
use crate::domain::catalogue::Catalogue;
use crate::domain::{Period, format};

pub struct ExportView<'a> {
    pub lang: Lang,
    /// Periods with counted figures, newest first.
    pub periods: &'a [Period],
    /// The latest quarters up to the current one, newest first: what a template may be for.
    pub recent: &'a [Period],
    pub catalogue: &'a Catalogue,
    /// A user bound to a region gets it preselected.
    pub own_region: Option<&'a str>,
    /// A city-bound reader's city: only it and its units are offered.
    pub scope: Option<&'a str>,
    pub may_import_targets: bool,
    pub may_import_reports: bool,
}

fn period_options(periods: &[Period], selected: Option<Period>, lang: Lang) -> Markup {
    html! {
        @for period in periods {
            option value=(period) selected[Some(*period) == selected] { (format::period(*period, lang)) }
        }
    }
}

fn region_select(view: &ExportView<'_>, id: &str, any: bool) -> Markup {
    let lang = view.lang;
    html! {
        span.field {
            label for=(id) { (lang.t("地区", "Region")) }
            select id=(id) name="region" {
                @if any {
                    @match view.scope.and_then(|scope| view.catalogue.region(scope)) {
                        Some(city) => option value="" { (city.name(lang.is_en())) (lang.t("及所辖县（市、区）", " and its units")) },
                        None => option value="" { (lang.t("全部地区", "All regions")) },
                    }
                }
                @for region in view.catalogue.regions().iter().filter(|r| view.scope.is_none_or(|scope| view.catalogue.is_within(&r.code, scope))) {
                    option value=(region.code) selected[view.own_region == Some(region.code.as_str())] {
                        (region.name(lang.is_en()))
                    }
                }
            }
        }
    }
}

fn indicator_select(view: &ExportView<'_>, id: &str) -> Markup {
    let lang = view.lang;
    html! {
        span.field {
            label for=(id) { (lang.t("指标", "Indicator")) }
            select id=(id) name="indicator" {
                option value="" { (lang.t("全部指标", "All indicators")) }
                @for indicator in view.catalogue.indicators() {
                    option value=(indicator.key) { (indicator.name(lang.is_en())) }
                }
            }
        }
    }
}

fn lang_select(lang: Lang, id: &str) -> Markup {
    html! {
        span.field {
            label for=(id) { (lang.t("列名", "Column names")) }
            select id=(id) name="lang" {
                option value="zh" selected[lang == Lang::Zh] { "中文" }
                option value="en" selected[lang == Lang::En] { "English" }
            }
        }
    }
}

fn encoding_select(lang: Lang, id: &str) -> Markup {
    html! {
        span.field {
            label for=(id) { (lang.t("CSV 编码", "CSV encoding")) }
            select id=(id) name="encoding" {
                option value="utf-8" { (lang.t("UTF-8（Excel、LibreOffice、pandas）", "UTF-8 (Excel, LibreOffice, pandas)")) }
                option value="gbk" { (lang.t("GBK（WPS、中文 Windows 旧版 Excel）", "GBK (WPS, older Excel on Chinese Windows)")) }
            }
        }
    }
}

fn buttons(lang: Lang, xlsx: &str, csv: Option<&str>) -> Markup {
    html! {
        p.export-buttons {
            button type="submit" formaction=(xlsx) { (lang.t("下载 Excel（.xlsx）", "Download Excel (.xlsx)")) }
            @if let Some(csv) = csv {
                " "
                button type="submit" formaction=(csv) { (lang.t("下载 CSV", "Download CSV")) }
            }
        }
    }
}

fn advice(lang: Lang) -> Markup {
    // (program in Chinese, in English, advice in Chinese, in English).
    let rows: [(&str, &str, &str, &str); 4] = [
        (
            "Microsoft Excel",
            "Microsoft Excel",
            "选 Excel（.xlsx），或 CSV（UTF-8）：双击即可正确显示中文。",
            "Pick Excel (.xlsx), or CSV (UTF-8): it opens with Chinese shown correctly.",
        ),
        (
            "WPS 表格",
            "WPS Spreadsheets",
            "选 Excel（.xlsx）；如需 CSV，请选 GBK 编码。",
            "Pick Excel (.xlsx); for CSV, choose the GBK encoding.",
        ),
        (
            "LibreOffice Calc",
            "LibreOffice Calc",
            "选 Excel（.xlsx）；如用 CSV（UTF-8），打开时在“字符集”中选择“Unicode (UTF-8)”。",
            "Pick Excel (.xlsx); opening a UTF-8 CSV, choose “Unicode (UTF-8)” as the character set.",
        ),
        (
            "pandas / R / 脚本",
            "pandas / R / scripts",
            "选 CSV（UTF-8）、英文列名，或使用 JSON 接口",
            "Pick CSV (UTF-8) with English column names, or use the JSON API",
        ),
    ];
    html! {
        section.export-advice {
            h2 { (lang.t("选哪种文件", "Which file to pick")) }
            table {
                thead { tr { th { (lang.t("软件", "Program")) } th { (lang.t("建议", "Advice")) } } }
                tbody {
                    @for (i, (program_zh, program_en, zh, en)) in rows.into_iter().enumerate() {
                        tr {
                            td { (lang.t(program_zh, program_en)) }
                            td {
                                (lang.t(zh, en))
                                // The API's address is a code, the same in both languages.
                                @if i == 3 { " " code { "/api/v1/progress" } (lang.t("。", ".")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn page(view: &ExportView<'_>) -> Markup {
    let lang = view.lang;
    let latest = view.periods.first().copied();
    let oldest_of_latest_year = latest.and_then(|p| Period::new(p.year(), 1).ok());
    let from_default = oldest_of_latest_year
        .filter(|p| view.periods.contains(p))
        .or(view.periods.last().copied());
    let years: Vec<i32> = {
        let mut years: Vec<i32> = view.recent.iter().chain(view.periods).map(|p| p.year()).collect();
        if let Some(next) = view.recent.first().map(|p| p.year() + 1) {
            years.push(next);
        }
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        years
    };
    let template_default = view.recent.get(1).copied();
    html! {
        h1 { (lang.t("数据导出", "Export")) }
        p { (lang.t(
            "所有导出只包含已报送和已审核的数据（本地区草稿除外）；空白表示未报送。报表数据和目标任务的导出与导入格式一致，修改后可直接导入。",
            "Exports hold submitted and approved figures (and your own region's drafts); a blank cell is not reported. The reports and targets exports are in the import's format: edit them and import them again."
        )) }
        (advice(lang))
        @if view.periods.is_empty() {
            p.notice { (lang.t("尚无已报送的数据可导出。", "No submitted figures to export yet.")) }
        } @else {
            section.export-section {
                h2 { (lang.t("完成进度（单季度）", "Progress (one quarter)")) }
                form.export-form method="get" action="/export/progress.xlsx" {
                    p.fields {
                        span.field {
                            label for="progress-period" { (lang.t("报告期", "Period")) }
                            select #progress-period name="period" { (period_options(view.periods, latest, lang)) }
                        }
                        (region_select(view, "progress-region", true))
                        (indicator_select(view, "progress-indicator"))
                        (lang_select(lang, "progress-lang"))
                        (encoding_select(lang, "progress-encoding"))
                    }
                    (buttons(lang, "/export/progress.xlsx", Some("/export/progress.csv")))
                }
            }
            section.export-section {
                h2 { (lang.t("历史数据（多个季度）", "History (several quarters)")) }
                form.export-form method="get" action="/export/history.xlsx" {
                    p.fields {
                        span.field {
                            label for="history-from" { (lang.t("起始期", "From")) }
                            select #history-from name="from" { (period_options(view.periods, from_default, lang)) }
                        }
                        span.field {
                            label for="history-to" { (lang.t("截止期", "To")) }
                            select #history-to name="to" { (period_options(view.periods, latest, lang)) }
                        }
                        (region_select(view, "history-region", true))
                        (indicator_select(view, "history-indicator"))
                        (lang_select(lang, "history-lang"))
                        (encoding_select(lang, "history-encoding"))
                    }
                    (buttons(lang, "/export/history.xlsx", Some("/export/history.csv")))
                }
            }
            section.export-section {
                h2 { (lang.t("报表数据（含情况说明和状态，可再导入）", "Reports (with notes and status; importable)")) }
                form.export-form method="get" action="/export/reports.xlsx" {
                    p.fields {
                        span.field {
                            label for="reports-from" { (lang.t("起始期", "From")) }
                            select #reports-from name="from" { (period_options(view.periods, latest, lang)) }
                        }
                        span.field {
                            label for="reports-to" { (lang.t("截止期", "To")) }
                            select #reports-to name="to" { (period_options(view.periods, latest, lang)) }
                        }
                        (region_select(view, "reports-region", false))
                        (lang_select(lang, "reports-lang"))
                    }
                    (buttons(lang, "/export/reports.xlsx", Some("/export/reports.csv")))
                }
            }
        }
        section.export-section {
            h2 { (lang.t("目标任务（可再导入）", "Targets (importable)")) }
            form.export-form method="get" action="/export/targets.xlsx" {
                p.fields {
                    span.field {
                        label for="targets-year" { (lang.t("年度", "Year")) }
                        select #targets-year name="year" {
                            @for year in &years {
                                option value=(year) selected[Some(*year) == latest.map(|p| p.year())] { (year) }
                            }
                        }
                    }
                    (lang_select(lang, "targets-lang"))
                }
                (buttons(lang, "/export/targets.xlsx", Some("/export/targets.csv")))
            }
        }
        @if view.may_import_reports || view.may_import_targets {
            section.export-section {
                h2 { (lang.t("导入模板", "Import templates")) }
                @if view.may_import_reports {
                    form.export-form method="get" action="/import/template/reports.xlsx" {
                        p.fields {
                            span.field {
                                label for="template-period" { (lang.t("报告期", "Period")) }
                                select #template-period name="period" { (period_options(view.recent, template_default, lang)) }
                            }
                            (region_select(view, "template-region", false))
                        }
                        p { (lang.t(
                            "预填所选地区及下辖各地区 × 各指标，附上季度累计和年度目标（锁定，供参考）；只需填写累计完成和情况说明。",
                            "Filled in with the region's reporting areas × indicators, the previous quarter's cumulative and the target (locked, for reference); fill in the cumulative and the note."
                        )) }
                        (buttons(lang, "/import/template/reports.xlsx", None))
                    }
                }
                @if view.may_import_targets {
                    form.export-form method="get" action="/import/template/targets.xlsx" {
                        p.fields {
                            span.field {
                                label for="template-year" { (lang.t("年度", "Year")) }
                                select #template-year name="year" {
                                    @for year in &years {
                                        option value=(year) selected[Some(*year) == view.recent.first().map(|p| p.year())] { (year) }
                                    }
                                }
                            }
                        }
                        p { (lang.t("预填上年目标，逐项核对修改后导入。", "Filled in with last year's targets: check and change each, then import.")) }
                        (buttons(lang, "/import/template/targets.xlsx", None))
                    }
                }
            }
        }
    }
}
