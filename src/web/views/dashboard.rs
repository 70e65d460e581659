//! The leadership dashboard (总览) and the one-indicator page: cards, completeness, charts and
//! the city × indicator table, all from one progress table.

use std::collections::HashMap;

use maud::{Markup, PreEscaped, html};

use super::Lang;
use super::components::{Amount, Badge, FigureBadge, RateCell, export_links, period_selector, projection_facts};
use crate::domain::Status;
use crate::domain::bulletin::units_noun;
use crate::domain::catalogue::{Catalogue, Indicator, Region};
use crate::domain::format;
use crate::domain::progress::{Completeness, Figure, ProgressTable};
use crate::domain::{Period, ReportStatus};

/// Everything the dashboard shows.
pub struct Dashboard<'a> {
    pub lang: Lang,
    pub periods: &'a [Period],
    pub table: &'a ProgressTable,
    pub catalogue: &'a Catalogue,
    /// Whose figures: the home region (the province and its cities), or a city-bound viewer's
    /// city and its units.
    pub root: &'a Region,
    /// The indicator of the ranking chart.
    pub ranking: &'a Indicator,
    pub overview_svg: &'a str,
    pub ranking_svg: &'a str,
    /// Newer periods passed over for the default because too few have submitted, newest first.
    pub newer: &'a [(Period, Completeness)],
    pub extras: Extras<'a>,
}

/// What the dashboard shows beside the period's own figures, each part optional.
#[derive(Clone, Copy, Default)]
pub struct Extras<'a> {
    /// The same quarter of last year, for 同比.
    pub last_year: Option<&'a ProgressTable>,
    /// 情况说明 by (region code, indicator key).
    pub notes: Option<&'a HashMap<(String, String), String>>,
    /// The province's quarters of the year as a trend chart (SVG).
    pub trend_svg: &'a str,
    /// The tile map of the ranking indicator (SVG).
    pub map_svg: &'a str,
    /// When a counted report of the period last changed, Beijing time.
    pub updated: Option<&'a str>,
}

/// A new database: nothing reported yet, and where to start.
pub fn empty_state(lang: Lang) -> Markup {
    html! {
        section.empty-state {
            h1 { (lang.t("暂无已报送的数据", "No figures have been submitted yet")) }
            p { (lang.t(
                "各市填报并提交季度进度后，这里将显示全省及各市对照年度目标任务和序时进度的完成情况。",
                "Once cities submit their quarterly figures, this page shows how the province and each city stand against the annual targets and the time benchmark."
            )) }
            ol {
                li { (lang.t("管理员在“目标任务”中设定各市年度目标；", "An administrator sets each city's annual targets;")) }
                li { (lang.t("各市填报员在“填报”中录入累计完成数并提交；", "City officers enter their cumulative figures and submit them;")) }
                li { (lang.t("管理员审核后，总览、图表和通报随即更新。", "The dashboard, charts and bulletin update as reports arrive.")) }
            }
        }
    }
}

fn region_href(code: &str, period: Period) -> String {
    format!("/regions/{code}?year={}", period.year())
}

fn indicator_href(key: &str, period: Period) -> String {
    format!("/indicators/{key}?period={period}")
}

pub fn dashboard(data: &Dashboard<'_>) -> Markup {
    let Dashboard {
        lang,
        periods,
        table,
        catalogue,
        root,
        ranking,
        overview_svg,
        ranking_svg,
        newer,
        extras,
    } = *data;
    let english = lang.is_en();
    let period = table.period;
    let home = Some(root);
    let home_position = catalogue.position(&root.code);
    let home_completeness = Some(table.completeness(catalogue, &root.code));
    let units = units_noun(&root.level, english);
    let city_view = root.level == "city";
    html! {
        @if let Some((newest, counts)) = newer.first() {
            p.notice.newer-period role="status" {
                (newer_period_notice(*newest, counts, period, lang))
                " "
                a href={ "/?period=" (newest) } { (lang.t("查看", "Open ")) (format::period(*newest, lang)) }
            }
        }
        @if let Some(counts) = home_completeness.as_ref().filter(|c| c.submitted < c.expected) {
            p.notice.partial-period role="note" {
                (partial_period_notice(counts, root, lang))
            }
        }
        div.page-head {
            div {
                h1 { (format::period(period, lang)) " " (lang.t("住房保障目标任务完成情况", "housing-security progress")) }
                p.subtitle {
                    (lang.t("序时进度", "Time benchmark")) " " strong { (format::percent(table.time_benchmark)) }
                    @if let Some(home) = home { " · " (home.name(english)) }
                }
                p.data-stamp { (data_stamp(period, extras.updated, lang)) }
            }
            div.page-tools {
                (period_selector("/", period, periods, lang, &[]))
                div.tool-links {
                    a.button href={ "/bulletin?period=" (period) } { (lang.t("生成通报", "Bulletin")) }
                    a.button.secondary href={ "/briefing?period=" (period) } { (lang.t("打印简报", "Briefing")) }
                    (export_links(period, lang))
                }
            }
        }
        @if let (Some(home), Some(position)) = (home, home_position) {
            @let completeness = table.completeness(catalogue, &home.code);
            section.completeness aria-label=(lang.t("报送情况", "Reporting")) {
                div.stat {
                    span.stat-label { (lang.t("已报送", "Submitted")) }
                    span.stat-value { (completeness.submitted) "/" (completeness.expected) }
                }
                div.stat {
                    span.stat-label { (lang.t("已审核", "Approved")) }
                    span.stat-value { (completeness.approved) "/" (completeness.expected) }
                }
                div.stat.stat-wide {
                    span.stat-label { (lang.t("未报送", "Not yet submitted")) }
                    span.stat-list {
                        @if completeness.missing.is_empty() {
                            (lang.t("无", "none"))
                        }
                        @for (i, code) in completeness.missing.iter().enumerate() {
                            @if i > 0 { (lang.t("、", ", ")) }
                            @if let Some(region) = catalogue.region(code) {
                                a href=(region_href(code, period)) { (region.name(english)) }
                            }
                        }
                    }
                }
                p.stat-more {
                    a href={ "/completeness?period=" (period) } { (lang.t("报送及时率和审核情况", "Reporting and timeliness by level")) }
                }
            }
            section.cards aria-label=(lang.t("各项指标", "Indicators")) {
                @for (column, indicator) in catalogue.indicators().iter().enumerate() {
                    @let figure = table.figure(position, column);
                    article.card {
                        h2 { a href=(indicator_href(&indicator.key, period)) { (indicator.name(english)) } }
                        p.card-value {
                            (Amount { value: figure.cumulative, unit: &indicator.unit, lang })
                        }
                        @if indicator.has_target {
                            dl.card-facts {
                                dt { (lang.t("年度目标", "Target")) }
                                dd { (figure.target.map_or(format::NO_VALUE.into(), |t| format::amount(t, &indicator.unit, lang))) }
                                @if figure.status == Status::Incomplete {
                                    dt { (if english { format!("Rate (reporting {units})") } else { format!("完成率（已报送{}口径）", if city_view { units } else { "城市" }) }) }
                                    dd.card-rate data-key={ (home.code) "/" (indicator.key) } data-basis="reporting" data-rate=(figure.reporting_rate.map(|r| r.to_string()).unwrap_or_default()) {
                                        (format::rate(figure.reporting_rate))
                                    }
                                } @else {
                                    dt { (lang.t("完成率", "Rate")) }
                                    dd.card-rate data-key={ (home.code) "/" (indicator.key) } data-rate=(figure.rate.map(|r| r.to_string()).unwrap_or_default()) {
                                        (format::rate(figure.rate))
                                    }
                                }
                                dt { (lang.t("序时进度", "Benchmark")) }
                                dd { (format::percent(table.time_benchmark)) }
                                @if figure.status != Status::Incomplete {
                                    dt { (lang.t("差距", "Gap")) }
                                    dd { (format::gap_pp(figure.gap, lang)) }
                                }
                                (projection_facts(figure, &indicator.unit, period.quarter(), lang))
                                (year_on_year(figure, extras.last_year.map(|t| t.figure(position, column)), &indicator.unit, lang))
                            }
                        } @else {
                            p.card-note { (lang.t("不设目标任务，只统计完成数。", "No annual target; reported figures only.")) }
                            dl.card-facts {
                                (year_on_year(figure, extras.last_year.map(|t| t.figure(position, column)), &indicator.unit, lang))
                            }
                        }
                        p.card-foot {
                            (FigureBadge { status: figure.status, has_target: indicator.has_target, lang })
                            @if figure.status == Status::Incomplete && let Some(counts) = &home_completeness {
                                span.reported { (lang.t("已报送", "Submitted")) " " (counts.submitted) "/" (counts.expected) }
                            } @else {
                                span.reported { (lang.t("报送", "Reported")) " " (figure.reported) "/" (figure.expected) }
                            }
                        }
                    }
                }
            }
            section.charts {
                figure.chart tabindex="0" {
                    (PreEscaped(overview_svg))
                    figcaption {
                        @if city_view {
                            (lang.t("虚线为序时进度，浅色底条为年度目标（100%）；带*者报送不全，按已报送县（市、区）口径。", "Dashed line: time benchmark; pale band: annual target (100%)."))
                        } @else {
                            (lang.t("虚线为序时进度，浅色底条为年度目标（100%）；带*者报送不全，按已报送城市口径。", "Dashed line: time benchmark; pale band: annual target (100%)."))
                        }
                        " "
                        a href={ "/charts/overview.svg?period=" (period) } download { "SVG" }
                        " · "
                        a href={ "/charts/overview.png?period=" (period) } download { "PNG" }
                    }
                }
                figure.chart tabindex="0" {
                    form.chart-picker method="get" action="/" {
                        input type="hidden" name="period" value=(period);
                        label for="indicator" { (lang.t("排名指标", "Ranking indicator")) }
                        select #indicator name="indicator" data-autosubmit {
                            @for indicator in catalogue.indicators().iter().filter(|i| i.has_target || i.key == ranking.key) {
                                option value=(indicator.key) selected[indicator.key == ranking.key] { (indicator.name(english)) }
                            }
                        }
                        button.secondary type="submit" { (lang.t("切换", "Switch")) }
                    }
                    (PreEscaped(ranking_svg))
                    figcaption {
                        @if city_view {
                            (lang.t("各县（市、区）按完成率由高到低排列，颜色表示进度状态。", "Units by completion rate; colour shows the status."))
                        } @else {
                            (lang.t("按完成率由高到低排列，颜色表示进度状态。", "Cities by completion rate; colour shows the status."))
                        }
                        " "
                        a href={ "/charts/ranking.svg?period=" (period) "&indicator=" (ranking.key) } download { "SVG" }
                        " · "
                        a href={ "/charts/ranking.png?period=" (period) "&indicator=" (ranking.key) } download { "PNG" }
                    }
                }
            }
            (lagging_section(table, catalogue, &home.code, extras.notes, lang))
            // Without the tile map (a city's view) the trend keeps one column's width rather
            // than running across the page.
            section.charts.trend-row.trend-alone[extras.map_svg.is_empty()] {
                @if !extras.map_svg.is_empty() {
                    figure.chart.map-chart tabindex="0" {
                        (PreEscaped(extras.map_svg))
                        figcaption {
                            (lang.t("各市方块按大致地理位置排列，颜色表示进度状态（示意，不含行政边界）。", "Each city a square at its approximate place, coloured by status (schematic, no boundaries)."))
                            " "
                            a href={ "/charts/map.svg?period=" (period) "&indicator=" (ranking.key) } download { "SVG" }
                            " · "
                            a href={ "/charts/map.png?period=" (period) "&indicator=" (ranking.key) } download { "PNG" }
                        }
                    }
                }
                @if !extras.trend_svg.is_empty() {
                    figure.chart.trend-chart tabindex="0" {
                        (PreEscaped(extras.trend_svg))
                        figcaption {
                            @if city_view {
                                (root.name(english)) (lang.t("本年各季度累计完成，对照年度目标和去年同期。", "'s cumulative by quarter, against the target and last year."))
                            } @else {
                                (lang.t("全省本年各季度累计完成，对照年度目标和去年同期。", "The province's cumulative by quarter, against the target and last year."))
                            }
                        }
                    }
                }
            }
            section {
                h2 { (if english { format!("Completion rate by {}", if city_view { "unit" } else { "city" }) } else { format!("各{units}完成率") }) }
                (progress_matrix(table, catalogue, root, lang))
                (legend(lang))
            }
        }
    }
}

/// "数据截至2021年12月31日，更新于2022-01-10 10:00".
pub fn data_stamp(period: Period, updated: Option<&str>, lang: Lang) -> String {
    let end = period.last_day();
    match (lang.is_en(), updated) {
        (false, Some(at)) => format!("数据截至{}，更新于{at}", crate::domain::bulletin::date_text(end, false)),
        (false, None) => format!("数据截至{}", crate::domain::bulletin::date_text(end, false)),
        (true, Some(at)) => format!(
            "Figures to {}, updated {at}",
            crate::domain::bulletin::date_text(end, true)
        ),
        (true, None) => format!("Figures to {}", crate::domain::bulletin::date_text(end, true)),
    }
}

/// 同比: last year's same quarter beside this year's.
fn year_on_year(now: &Figure, before: Option<&Figure>, unit: &str, lang: Lang) -> Markup {
    let Some(before) = before.and_then(|f| f.cumulative) else {
        return html! {};
    };
    let growth = now.cumulative.and_then(|n| crate::domain::rate::growth(n, before));
    html! {
        dt { (lang.t("去年同期", "Same quarter last year")) }
        dd.year-on-year {
            (format::amount(before, unit, lang))
            @if let Some(growth) = growth {
                " · " (lang.t("同比", "change")) " "
                @if growth.0 > 0 { "+" }
                (format::percent(growth))
            }
        }
    }
}

/// The cities lagging or behind the time benchmark, each with its 情况说明.
pub fn lagging_section(
    table: &ProgressTable,
    catalogue: &Catalogue,
    parent: &str,
    notes: Option<&HashMap<(String, String), String>>,
    lang: Lang,
) -> Markup {
    let english = lang.is_en();
    let behind = table.behind_children(catalogue, parent);
    let city = catalogue.region(parent).is_some_and(|r| r.level == "city");
    html! {
        section.lagging aria-labelledby="lagging-title" {
            @if city {
                h2 #lagging-title { (lang.t("进度滞后的县（市、区）及情况说明", "Units behind the time benchmark, with their explanations")) }
            } @else {
                h2 #lagging-title { (lang.t("进度滞后的城市及情况说明", "Cities behind the time benchmark, with their explanations")) }
            }
            @if behind.is_empty() && city {
                p { (lang.t("已报送各县（市、区）各项目标任务均达到序时进度。", "Every reporting unit is at or above the time benchmark.")) }
            } @else if behind.is_empty() {
                p { (lang.t("已报送各市各项目标任务均达到序时进度。", "Every reporting city is at or above the time benchmark.")) }
            } @else {
                div.table-scroll {
                    table.data.lagging-table {
                        thead { tr {
                            th scope="col" { (lang.t("地区", if city { "Unit" } else { "City" })) }
                            th scope="col" { (lang.t("指标", "Indicator")) }
                            th scope="col" class="num" { (lang.t("完成率", "Rate")) }
                            th scope="col" class="num" { (lang.t("差距", "Gap")) }
                            th scope="col" { (lang.t("情况说明", "Explanation")) }
                        } }
                        tbody {
                            @for (position, column) in behind {
                                @let region = &catalogue.regions()[position];
                                @let indicator = &catalogue.indicators()[column];
                                @let figure = table.figure(position, column);
                                @let note = notes.and_then(|n| n.get(&(region.code.clone(), indicator.key.clone())));
                                tr {
                                    th scope="row" { a href=(region_href(&region.code, table.period)) { (region.name(english)) } }
                                    td { (indicator.name(english)) }
                                    td.num { (format::rate(figure.rate)) " " (Badge { status: figure.status, lang }) }
                                    td.num { (format::gap_pp(figure.gap, lang)) }
                                    td.note {
                                        @match note {
                                            Some(note) => (note),
                                            None => span.missing { (lang.t("未填写情况说明", "No explanation given")) },
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
}

/// "2022年第一季度 has 2/21 in, so the page shows 2021年第四季度".
fn newer_period_notice(newest: Period, counts: &Completeness, shown: Period, lang: Lang) -> String {
    if lang.is_en() {
        format!(
            "{} is still partial: {} of {} cities have submitted, so this page shows {}.",
            format::period(newest, lang),
            counts.submitted,
            counts.expected,
            format::period(shown, lang)
        )
    } else {
        format!(
            "{}数据尚不完整（已报送{}/{}个市），本页默认显示{}。",
            format::period(newest, lang),
            counts.submitted,
            counts.expected,
            format::period(shown, lang)
        )
    }
}

/// What a partial period's figures of `root` (the province, or a city) are.
fn partial_period_notice(counts: &Completeness, root: &Region, lang: Lang) -> String {
    match (root.level == "city", lang.is_en()) {
        (false, true) => format!(
            "Partial period: {} of {} cities have submitted. Province figures are the reporting cities' sum; their rate is against the reporting cities' own targets.",
            counts.submitted, counts.expected
        ),
        (false, false) => format!(
            "本期报送不全：已报送{}/{}个市。全省数字为已报送城市合计，完成率按已报送城市口径（已报送城市合计÷其年度目标）计算。",
            counts.submitted, counts.expected
        ),
        (true, true) => format!(
            "Partial period: {} of {} units have submitted. The figures of {} are the reporting units' sum; their rate is against the reporting units' own targets.",
            counts.submitted, counts.expected, root.name_en
        ),
        (true, false) => format!(
            "本期报送不全：已报送{}/{}个县（市、区）。{}数字为已报送县（市、区）合计，完成率按已报送县（市、区）口径（已报送县（市、区）合计÷其年度目标）计算。",
            counts.submitted, counts.expected, root.name_zh
        ),
    }
}

/// The positions a leadership table lists for `root`: itself, then its children.
pub fn root_positions(catalogue: &Catalogue, root: &Region) -> Vec<usize> {
    match catalogue.position(&root.code) {
        Some(position) => std::iter::once(position)
            .chain(catalogue.child_positions(position).iter().copied())
            .collect(),
        None => Vec::new(),
    }
}

/// The status legend: colour and words.
pub fn legend(lang: Lang) -> Markup {
    html! {
        p.legend {
            @for status in [Status::OnTrack, Status::Lagging, Status::Behind, Status::Incomplete, Status::NoTarget] {
                (super::components::Badge { status, lang })
            }
            (FigureBadge { status: Status::NoTarget, has_target: true, lang })
            (super::components::Badge { status: Status::NotReported, lang })
            span.legend-note { (lang.t("略低于：差距不足10个百分点；明显滞后：差距10个百分点及以上；报送不全：下级尚未全部报送，不作进度判断。", "Lagging: less than 10 pp below the benchmark; behind: 10 pp or more; incomplete: not every city has submitted, so no judgement is made.")) }
        }
    }
}

/// The city × indicator table of rates (a city's units × indicator, for a city).
fn progress_matrix(table: &ProgressTable, catalogue: &Catalogue, root: &Region, lang: Lang) -> Markup {
    let english = lang.is_en();
    let period = table.period;
    html! {
        div.table-scroll {
            table.matrix.sortable {
                thead { tr {
                    th scope="col" { (lang.t("地区", "Region")) }
                    @for indicator in catalogue.indicators() {
                        // The name sorts the column; the small link beside it opens the indicator.
                        th scope="col" class="num" {
                            span.heading-name { (indicator.name(english)) }
                            " "
                            a.heading-link href=(indicator_href(&indicator.key, period))
                                title=(lang.t("查看该指标各地排名", "Open this indicator's ranking"))
                                aria-label=(format!("{} · {}", indicator.name(english), lang.t("详情", "details"))) { "›" }
                        }
                    }
                    th scope="col" { (lang.t("报告状态", "Report")) }
                } }
                tbody {
                    @for position in root_positions(catalogue, root) {
                        @let region = &catalogue.regions()[position];
                        tr class=(if region.code == root.code { "total-row" } else { "" }) {
                            th scope="row" { a href=(region_href(&region.code, period)) { (region.name(english)) } }
                            @for (column, indicator) in catalogue.indicators().iter().enumerate() {
                                (RateCell { figure: table.figure(position, column), has_target: indicator.has_target, lang, key: format!("{}/{}", region.code, indicator.key) })
                            }
                            td { (report_status(table.report_status(&region.code), catalogue.has_children(&region.code), lang)) }
                        }
                    }
                }
            }
        }
    }
}

fn report_status(status: Option<ReportStatus>, parent: bool, lang: Lang) -> Markup {
    html! {
        @match status {
            _ if parent => "",
            Some(status) => span class={ "report-status report-" (status.as_str()) } { (format::report_status(status, lang)) },
            None => span.missing { (format::not_reported(lang)) },
        }
    }
}

/// Everything the indicator page shows.
pub struct IndicatorPage<'a> {
    pub lang: Lang,
    pub periods: &'a [Period],
    pub table: &'a ProgressTable,
    pub catalogue: &'a Catalogue,
    /// Whose figures, as on the dashboard.
    pub root: &'a Region,
    pub indicator: &'a Indicator,
    pub ranking_svg: &'a str,
}

pub fn indicator_page(data: &IndicatorPage<'_>) -> Markup {
    let IndicatorPage {
        lang,
        periods,
        table,
        catalogue,
        root,
        indicator,
        ranking_svg,
    } = *data;
    let english = lang.is_en();
    let period = table.period;
    let Some(column) = catalogue.indicators().iter().position(|i| i.key == indicator.key) else {
        return html! {};
    };
    html! {
        div.page-head {
            div {
                p.breadcrumb { a href={ "/?period=" (period) } { (lang.t("总览", "Dashboard")) } " › " }
                h1 { (indicator.name(english)) }
                p.subtitle { (format::period(period, lang)) " · " (lang.t("序时进度", "Time benchmark")) " " strong { (format::percent(table.time_benchmark)) } }
            }
            div.page-tools {
                (period_selector(&format!("/indicators/{}", indicator.key), period, periods, lang, &[]))
                (export_links(period, lang))
            }
        }
        figure.chart.chart-wide tabindex="0" {
            (PreEscaped(ranking_svg))
            figcaption {
                a href={ "/charts/ranking.svg?period=" (period) "&indicator=" (indicator.key) } download { "SVG" }
                " · "
                a href={ "/charts/ranking.png?period=" (period) "&indicator=" (indicator.key) } download { "PNG" }
            }
        }
        div.table-scroll {
            table.data.sortable {
                thead { tr {
                    th scope="col" { (lang.t("地区", "Region")) }
                    th scope="col" class="num" { (lang.t("累计完成", "Cumulative")) }
                    th scope="col" class="num" { (lang.t("本季度新增", "This quarter")) }
                    th scope="col" class="num" { (lang.t("年度目标", "Target")) }
                    th scope="col" class="num" { (lang.t("完成率", "Rate")) }
                    th scope="col" class="num" { (lang.t("差距", "Gap")) }
                    th scope="col" { (lang.t("状态", "Status")) }
                    th scope="col" { (lang.t("报告状态", "Report")) }
                } }
                tbody {
                    @for position in root_positions(catalogue, root) {
                        @let region = &catalogue.regions()[position];
                        @let figure = table.figure(position, column);
                        tr class=(if region.code == root.code { "total-row" } else { "" }) {
                            th scope="row" { a href=(region_href(&region.code, period)) { (region.name(english)) } }
                            td.num data-sort=(figure.cumulative.unwrap_or(-1)) { (Amount { value: figure.cumulative, unit: &indicator.unit, lang }) }
                            td.num data-sort=(figure.increment.unwrap_or(-1)) { (figure.increment.map_or(format::NO_VALUE.into(), |v| format::amount(v, &indicator.unit, lang))) }
                            td.num data-sort=(figure.target.unwrap_or(-1)) { (figure.target.map_or(format::NO_VALUE.into(), |v| format::amount(v, &indicator.unit, lang))) }
                            (RateCell { figure, has_target: indicator.has_target, lang, key: format!("{}/{}", region.code, indicator.key) })
                            td.num data-sort=(figure.gap.map_or(-100_000, |g| g.0)) { (format::gap_pp(figure.gap, lang)) }
                            td { (FigureBadge { status: figure.status, has_target: indicator.has_target, lang }) }
                            td { (report_status(table.report_status(&region.code), catalogue.has_children(&region.code), lang)) }
                        }
                    }
                }
            }
        }
        (legend(lang))
    }
}
