//! The one-page A4 briefing (简报) for a meeting: the indicators, the tile map, the ranking, the
//! cities behind with their notes and the bulletin's opening paragraph, with the data stamp.

use std::collections::HashMap;

use maud::{Markup, PreEscaped, html};

use super::Lang;
use super::components::FigureBadge;
use super::dashboard::data_stamp;
use crate::domain::catalogue::{Catalogue, Region};
use crate::domain::progress::ProgressTable;
use crate::domain::{Status, format};

/// The cities behind listed at most, so the page stays one page.
pub const LISTED_BEHIND: usize = 6;

pub struct Briefing<'a> {
    pub lang: Lang,
    pub table: &'a ProgressTable,
    pub catalogue: &'a Catalogue,
    /// Whose figures: the home region, or a city-bound viewer's city.
    pub root: &'a Region,
    pub map_svg: &'a str,
    pub ranking_svg: &'a str,
    pub notes: &'a HashMap<(String, String), String>,
    pub opening: Option<&'a str>,
    pub updated: Option<&'a str>,
}

pub fn briefing(data: &Briefing<'_>) -> Markup {
    let Briefing {
        lang,
        table,
        catalogue,
        root,
        map_svg,
        ranking_svg,
        notes,
        opening,
        updated,
    } = *data;
    let english = lang.is_en();
    let period = table.period;
    let home = Some(root);
    let city = root.level == "city";
    let home_position = home.and_then(|h| catalogue.position(&h.code));
    let completeness = home.map(|h| table.completeness(catalogue, &h.code));
    let behind = home
        .map(|h| table.behind_children(catalogue, &h.code))
        .unwrap_or_default();
    html! {
        article.briefing {
            header.briefing-head {
                h1 {
                    (format::period(period, lang)) " "
                    @if let Some(home) = home { (home.name(english)) }
                    (lang.t("住房保障目标任务完成情况简报", " housing-security briefing"))
                }
                p.data-stamp {
                    (data_stamp(period, updated, lang))
                    " · " (lang.t("序时进度", "Time benchmark")) " " (format::percent(table.time_benchmark))
                    @if let Some(c) = &completeness {
                        " · " (lang.t("已报送", "Submitted")) " " (c.submitted) "/" (c.expected)
                        " · " (lang.t("已审核", "Approved")) " " (c.approved) "/" (c.expected)
                    }
                }
                p.screen-only { a href={ "/?period=" (period) } { (lang.t("返回总览", "Back to the dashboard")) } " · " (lang.t("用浏览器打印为A4一页。", "Print from the browser: one A4 page.")) }
            }
            @if let Some(position) = home_position {
                table.data.briefing-cards {
                    thead { tr {
                        th scope="col" { (lang.t("指标", "Indicator")) }
                        th scope="col" class="num" { (lang.t("累计完成", "Cumulative")) }
                        th scope="col" class="num" { (lang.t("年度目标", "Target")) }
                        th scope="col" class="num" { (lang.t("完成率", "Rate")) }
                        th scope="col" { (lang.t("状态", "Status")) }
                        th scope="col" class="num" { (lang.t("预计年底", "Projected")) }
                    } }
                    tbody {
                        @for (column, indicator) in catalogue.indicators().iter().enumerate() {
                            @let figure = table.figure(position, column);
                            tr {
                                th scope="row" { (indicator.name(english)) }
                                td.num { (figure.cumulative.map_or(format::not_reported(lang).to_owned(), |v| format::amount(v, &indicator.unit, lang))) }
                                td.num { (figure.target.map_or(format::NO_VALUE.to_owned(), |v| format::amount(v, &indicator.unit, lang))) }
                                td.num {
                                    @if figure.status == Status::Incomplete {
                                        (format::rate(figure.reporting_rate)) "*"
                                    } @else {
                                        (format::rate(figure.rate))
                                    }
                                }
                                td { (FigureBadge { status: figure.status, has_target: indicator.has_target, lang }) }
                                td.num {
                                    @if let Some(projection) = figure.projection.filter(|_| indicator.has_target && period.quarter() < 4) {
                                        (format::rate(projection.rate))
                                        @if projection.misses_target() { " " span.warning { (lang.t("难以完成", "miss")) } }
                                    } @else { (format::NO_VALUE) }
                                }
                            }
                        }
                    }
                }
                @if completeness.as_ref().is_some_and(|c| c.submitted < c.expected) {
                    @if city {
                        p.briefing-note { (lang.t("* 报送不全：完成率按已报送县（市、区）口径计算。", "* Incomplete: rate of the reporting units against their own targets.")) }
                    } @else {
                        p.briefing-note { (lang.t("* 报送不全：完成率按已报送城市口径计算。", "* Incomplete: rate of the reporting cities against their own targets.")) }
                    }
                }
                @if let Some(caveat) = format::projection_caveat(period.quarter(), lang) {
                    p.briefing-note { (lang.t("预计年底完成率：", "Projected rates: ")) (caveat) (lang.t("。", ".")) }
                }
            }
            div.briefing-charts {
                // A city's briefing has no tile map (its tiles are the province's cities).
                @if !map_svg.is_empty() { figure tabindex="0" { (PreEscaped(map_svg)) } }
                figure tabindex="0" { (PreEscaped(ranking_svg)) }
            }
            section.briefing-behind {
                @if city {
                    h2 { (lang.t("进度滞后的县（市、区）及情况说明", "Units behind, with their explanations")) }
                } @else {
                    h2 { (lang.t("进度滞后的城市及情况说明", "Cities behind, with their explanations")) }
                }
                @if behind.is_empty() && city {
                    p { (lang.t("已报送各县（市、区）各项目标任务均达到序时进度。", "Every reporting unit is at or above the time benchmark.")) }
                } @else if behind.is_empty() {
                    p { (lang.t("已报送各市各项目标任务均达到序时进度。", "Every reporting city is at or above the time benchmark.")) }
                } @else {
                    ul {
                        @for &(position, column) in behind.iter().take(LISTED_BEHIND) {
                            @let region = &catalogue.regions()[position];
                            @let indicator = &catalogue.indicators()[column];
                            @let figure = table.figure(position, column);
                            li {
                                strong { (region.name(english)) } " " (indicator.name(english)) " " (format::rate(figure.rate))
                                (format::bracketed(format::gap_pp(figure.gap, lang), lang))
                                @match notes.get(&(region.code.clone(), indicator.key.clone())) {
                                    Some(note) => { (lang.t("：", ": ")) (note) }
                                    None => { (lang.t("：未填写情况说明", ": no explanation given")) }
                                }
                            }
                        }
                    }
                    @if behind.len() > LISTED_BEHIND {
                        p.briefing-note { (lang.t("另有", "And ")) (behind.len() - LISTED_BEHIND) (lang.t("项，见总览。", " more on the dashboard.")) }
                    }
                }
            }
            @if let Some(opening) = opening {
                section.briefing-bulletin {
                    h2 { (lang.t("通报摘要", "From the bulletin")) }
                    p { (opening) }
                }
            }
        }
    }
}
