//! The completeness page (报送情况): for a period, at the root region and at every region under
//! it that sums its units — expected, submitted, on time, approved — as DHIS2's reporting-rate
//! summary, then the root's units one by one.

use maud::{Markup, html};

use super::Lang;
use super::components::period_selector;
use crate::domain::catalogue::{Catalogue, Region};
use crate::domain::levels::LevelSummary;
use crate::domain::progress::ProgressTable;
use crate::domain::rate::completion_rate;
use crate::domain::{Period, format};

/// Everything the completeness page shows.
pub struct CompletenessPage<'a> {
    pub lang: Lang,
    pub period: Period,
    pub periods: &'a [Period],
    pub catalogue: &'a Catalogue,
    /// The region asked for (the viewer's root unless another was chosen).
    pub region: &'a Region,
    /// [`crate::service::reporting::completeness`] of `region`.
    pub levels: &'a [LevelSummary],
    /// The period's progress table: each unit's counted report status.
    pub table: &'a ProgressTable,
}

/// "3/4 · 75.0%": a count of the expected and its share, or the share as missing when nothing
/// is expected.
fn share(count: u32, expected: u32) -> Markup {
    let rate = completion_rate(i64::from(count), Some(i64::from(expected)));
    html! {
        (count) "/" (expected)
        " "
        span.share { (format::rate(rate)) }
    }
}

pub fn completeness_page(data: &CompletenessPage<'_>) -> Markup {
    let CompletenessPage {
        lang,
        period,
        periods,
        catalogue,
        region,
        levels,
        table,
    } = *data;
    let english = lang.is_en();
    let region_code = region.code.as_str();
    let hidden: [(&str, &str); 1] = [("region", region_code)];
    let units: Vec<&Region> = catalogue.children(&region.code).collect();
    html! {
        div.page-head {
            div {
                p.breadcrumb { a href={ "/?period=" (period) } { (lang.t("总览", "Dashboard")) } " › " }
                h1 { (format::period(period, lang)) " " (region.name(english)) (lang.t("报送情况", " reporting")) }
                p.subtitle { (lang.t(
                    "各级应报、已报、按时报送和已审核的报告数；未报送的单位列出名称。",
                    "Reports expected, submitted, on time and approved at each level; units not yet reported are named."
                )) }
            }
            div.page-tools {
                (period_selector("/completeness", period, periods, lang, &hidden))
            }
        }
        @if levels.is_empty() {
            p.notice { (lang.t("该地区自行报送，没有下级单位的报送情况。", "This region reports as itself: it has no units to count.")) }
        } @else {
            h2 #levels-title { (lang.t("各级报送率", "Reporting rate by level")) }
            div.table-scroll tabindex="0" {
                table.data.completeness-table.stack-narrow aria-labelledby="levels-title" {
                    thead { tr {
                        th scope="col" { (lang.t("地区", "Region")) }
                        th scope="col" class="num" { (lang.t("应报", "Expected")) }
                        th scope="col" class="num" { (lang.t("已报送", "Submitted")) }
                        th scope="col" class="num" { (lang.t("按时报送", "On time")) }
                        th scope="col" class="num" { (lang.t("已审核", "Approved")) }
                        th scope="col" { (lang.t("未报送", "Not yet submitted")) }
                    } }
                    tbody {
                        @for level in levels {
                            @let name = catalogue.region(&level.region_code).map_or(level.region_name.as_str(), |r| r.name(english));
                            tr data-region=(level.region_code) data-expected=(level.expected) data-submitted=(level.submitted)
                                data-on-time=(level.on_time) data-approved=(level.approved) {
                                th scope="row" {
                                    @if level.region_code == region.code {
                                        (name)
                                    } @else {
                                        a href={ "/completeness?period=" (period) "&region=" (level.region_code) } { (name) }
                                    }
                                }
                                td.num data-label=(lang.t("应报", "Expected")) { (level.expected) }
                                td.num data-label=(lang.t("已报送", "Submitted")) { (share(level.submitted, level.expected)) }
                                td.num data-label=(lang.t("按时报送", "On time")) { (share(level.on_time, level.expected)) }
                                td.num data-label=(lang.t("已审核", "Approved")) { (share(level.approved, level.expected)) }
                                td.missing-list.note data-label=(lang.t("未报送", "Not yet submitted")) {
                                    @if level.missing.is_empty() {
                                        (lang.t("无", "none"))
                                    }
                                    @for (i, code) in level.missing.iter().enumerate() {
                                        @if i > 0 { (lang.t("、", ", ")) }
                                        (catalogue.region(code).map_or(code.as_str(), |r| r.name(english)))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !units.is_empty() {
                section {
                    h2 {
                        (region.name(english)) " "
                        (if english { "— each unit".to_owned() } else { format!("各{}报告状态", crate::domain::bulletin::units_noun(&region.level, false)) })
                    }
                    div.table-scroll tabindex="0" {
                        table.data.units-table {
                            thead { tr {
                                th scope="col" { (lang.t("单位", "Unit")) }
                                th scope="col" { (lang.t("报告状态", "Report")) }
                            } }
                            tbody {
                                @for unit in &units {
                                    tr data-unit=(unit.code) {
                                        th scope="row" {
                                            @if catalogue.has_children(&unit.code) {
                                                a href={ "/completeness?period=" (period) "&region=" (unit.code) } { (unit.name(english)) }
                                            } @else {
                                                a href={ "/regions/" (unit.code) "?year=" (period.year()) } { (unit.name(english)) }
                                            }
                                        }
                                        td {
                                            @match table.report_status(&unit.code) {
                                                Some(status) => span class={ "report-status report-" (status.as_str()) } { (format::report_status(status, lang)) },
                                                None => span.missing { (format::not_reported(lang)) },
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
        p.legend-note { (lang.t(
            "按时报送：在报告期结束后规定天数内提交；市级汇总报告另加两天。报送率按应报单位数计算。",
            "On time: submitted within the set days after the quarter ends (a city's consolidated report two days more). Rates are of the units expected."
        )) }
    }
}
