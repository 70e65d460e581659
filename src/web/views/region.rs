//! One region's year: a trend chart and a quarter-by-quarter table per indicator, and the
//! history of its reports.

use std::sync::Arc;

use std::collections::BTreeMap;

use maud::{Markup, PreEscaped, html};

use super::Lang;
use super::components::{Amount, FigureBadge, projection_facts};
use crate::db::audit::AuditRow;
use crate::domain::catalogue::{Catalogue, Region};
use crate::domain::format;
use crate::domain::progress::ProgressTable;
use crate::domain::projection::Basis;
use crate::domain::{ReportStatus, Status};

pub struct RegionPage<'a> {
    pub lang: Lang,
    pub region: &'a Region,
    pub year: i32,
    /// Years to choose from, newest first.
    pub years: &'a [i32],
    pub catalogue: &'a Catalogue,
    /// The year's quarters in order (only those that have begun).
    pub tables: &'a [Arc<ProgressTable>],
    /// Notes (情况说明) of counted reports, by quarter index, indicator key.
    pub notes: &'a [BTreeMap<String, String>],
    /// One SVG per indicator, in catalogue order.
    pub trends: &'a [String],
    pub history: &'a [AuditRow],
    /// For a parent region, by indicator in catalogue order: its children's targets against
    /// its own (目标任务分解) as (kind, words), when it has an own target.
    pub breakdown: &'a [Option<(&'static str, String)>],
}

/// `2020-04-27T02:03:04.5Z` → `2020-04-27 10:03` in Asia/Shanghai.
pub fn beijing_time(at: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .ok()
        .and_then(|t| chrono::FixedOffset::east_opt(8 * 3600).map(|z| t.with_timezone(&z)))
        .map_or_else(|| at.to_owned(), |t| t.format("%Y-%m-%d %H:%M").to_string())
}

fn status_word(value: Option<&str>, lang: Lang) -> String {
    value.and_then(|v| v.parse::<ReportStatus>().ok()).map_or_else(
        || format::NO_VALUE.to_owned(),
        |s| format::report_status(s, lang).to_owned(),
    )
}

pub fn region_page(data: &RegionPage<'_>) -> Markup {
    let RegionPage {
        lang,
        region,
        year,
        years,
        catalogue,
        tables,
        notes,
        trends,
        history,
        breakdown,
    } = *data;
    let english = lang.is_en();
    let position = catalogue.position(&region.code).unwrap_or(0);
    let quarters = [1, 2, 3, 4].map(|q| format::quarter(q, lang));
    html! {
        div.page-head {
            div {
                p.breadcrumb { a href="/" { (lang.t("总览", "Dashboard")) } " › " }
                h1 { (region.name(english)) " " (year) }
                p.subtitle { (lang.t("行政区划代码", "Division code")) " " (region.code) }
            }
            div.page-tools {
                form.period-form method="get" action={ "/regions/" (region.code) } {
                    label for="year" { (lang.t("年度", "Year")) }
                    select #year name="year" data-autosubmit {
                        @for y in years { option value=(y) selected[*y == year] { (y) } }
                    }
                    button.secondary type="submit" { (lang.t("查看", "Show")) }
                }
            }
        }
        @for (column, indicator) in catalogue.indicators().iter().enumerate() {
            section.indicator-year {
                h2 { a href={ "/indicators/" (indicator.key) } { (indicator.name(english)) } }
                @if let Some(Some((kind, words))) = breakdown.get(column) {
                    p class={ "sum-check " (kind) } { (lang.t("目标任务分解：", "Target breakdown: ")) (words) }
                }
                @if indicator.has_target
                    && let Some(latest) = tables.iter().rev().find(|t| t.figure(position, column).cumulative.is_some())
                    && latest.figure(position, column).projection.is_some_and(|p| p.basis != Basis::Final)
                {
                    div.projection-summary {
                        p.projection-basis {
                            (lang.t("按", "At the pace of ")) (format::period(latest.period, lang)) (lang.t("进度和往年季度规律测算：", " and the usual seasonal pattern:"))
                        }
                        dl.card-facts {
                            (projection_facts(latest.figure(position, column), &indicator.unit, latest.period.quarter(), lang))
                        }
                    }
                }
                div.indicator-year-body {
                    @if let Some(svg) = trends.get(column) {
                        figure.chart tabindex="0" {
                            (PreEscaped(svg))
                            figcaption {
                                a href={ "/charts/trend.svg?region=" (region.code) "&indicator=" (indicator.key) "&year=" (year) } download { "SVG" }
                                " · "
                                a href={ "/charts/trend.png?region=" (region.code) "&indicator=" (indicator.key) "&year=" (year) } download { "PNG" }
                            }
                        }
                    }
                    div.table-scroll tabindex="0" {
                        table.data.quarters {
                            thead { tr {
                                th scope="col" { (lang.t("季度", "Quarter")) }
                                th scope="col" class="num" { (lang.t("累计完成", "Cumulative")) }
                                th scope="col" class="num" { (lang.t("本季度新增", "Increment")) }
                                th scope="col" class="num" { (lang.t("年度目标", "Target")) }
                                th scope="col" class="num" { (lang.t("完成率", "Rate")) }
                                th scope="col" class="num" { (lang.t("序时进度", "Benchmark")) }
                                th scope="col" { (lang.t("状态", "Status")) }
                                @if indicator.has_target {
                                    th scope="col" class="num" { (lang.t("预计年底完成", "Projected year end")) }
                                    th scope="col" class="num" { (lang.t("剩余季度每季度需完成", "Needed per remaining quarter")) }
                                }
                                th scope="col" { (lang.t("情况说明", "Note")) }
                            } }
                            tbody {
                                @for (q, table) in tables.iter().enumerate() {
                                    @let figure = table.figure(position, column);
                                    tr {
                                        th scope="row" { (quarters[q]) }
                                        td.num { (Amount { value: figure.cumulative, unit: &indicator.unit, lang }) }
                                        td.num { (figure.increment.map_or(format::NO_VALUE.into(), |v| format::amount(v, &indicator.unit, lang))) }
                                        td.num { (figure.target.map_or(format::NO_VALUE.into(), |v| format::amount(v, &indicator.unit, lang))) }
                                        td.num data-key={ (region.code) "/" (indicator.key) "/" (table.period) } data-rate=(figure.rate.map(|r| r.to_string()).unwrap_or_default()) { (format::rate(figure.rate)) }
                                        td.num { (format::percent(table.time_benchmark))
                                            @if figure.status == Status::Lagging || figure.status == Status::Behind {
                                                br; small { (format::gap_pp(figure.gap, lang)) }
                                            }
                                        }
                                        td { (FigureBadge { status: figure.status, has_target: indicator.has_target, lang }) }
                                        @if indicator.has_target {
                                            @let projection = figure.projection.filter(|p| p.basis != Basis::Final);
                                            td.num.projected {
                                                @match projection {
                                                    Some(projection) => {
                                                        (format::amount(projection.year_end, &indicator.unit, lang))
                                                        br; small { (format::rate(projection.rate)) }
                                                        @if projection.misses_target() { br; span.warning { (lang.t("预计难以完成", "likely to miss")) } }
                                                        @if let Some(caveat) = format::projection_caveat(table.period.quarter(), lang) { br; small.indicative { (caveat) } }
                                                    }
                                                    None => (format::NO_VALUE),
                                                }
                                            }
                                            td.num { (projection.and_then(|p| p.required_per_quarter).map_or(format::NO_VALUE.into(), |v| format::amount(v, &indicator.unit, lang))) }
                                        }
                                        td.note { (notes.get(q).and_then(|n| n.get(&indicator.key)).map_or("", String::as_str)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        section.history {
            h2 { (lang.t("报送记录", "Report history")) }
            @if history.is_empty() {
                p.muted { (lang.t("本年度暂无报送记录。", "No report activity this year.")) }
            } @else {
                div.table-scroll {
                    table.data {
                        thead { tr {
                            th scope="col" { (lang.t("时间（北京时间）", "Time (Beijing)")) }
                            th scope="col" { (lang.t("报告期", "Period")) }
                            th scope="col" { (lang.t("状态变化", "Status change")) }
                            th scope="col" { (lang.t("操作人", "By")) }
                            th scope="col" { (lang.t("意见", "Comment")) }
                        } }
                        tbody {
                            @for row in history {
                                tr {
                                    td { (beijing_time(&row.at)) }
                                    td { (row.period.as_deref().map_or_else(String::new, |p| p.parse::<crate::domain::Period>().map_or_else(|_| p.to_owned(), |p| format::period(p, lang)))) }
                                    td {
                                        (status_word(row.old_value.as_deref(), lang)) " → " (status_word(row.new_value.as_deref(), lang))
                                        @if row.action == "reopen" { " " span.hint { (lang.t("（重新打开）", "(reopened)")) } }
                                    }
                                    td { (format::actor_name(&row.username, lang)) }
                                    td.note { (row.detail.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
