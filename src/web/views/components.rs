//! Small pieces every page uses: amounts, status badges, rate cells, the period selector.

use maud::{Markup, Render, html};

use super::Lang;
use crate::domain::format;
use crate::domain::progress::Figure;
use crate::domain::{Period, Status};

/// A figure in its unit; missing shows as 未报送, money in 万元 or 亿元.
pub struct Amount<'a> {
    pub value: Option<i64>,
    pub unit: &'a str,
    pub lang: Lang,
}

impl Render for Amount<'_> {
    fn render(&self) -> Markup {
        match self.value {
            None => html! { span.missing { (format::not_reported(self.lang)) } },
            Some(value) => html! { (format::amount(value, self.unit, self.lang)) },
        }
    }
}

/// A status shown by colour and by words, so it does not rely on colour alone.
pub struct Badge {
    pub status: Status,
    pub lang: Lang,
}

impl Render for Badge {
    fn render(&self) -> Markup {
        badge(self.status, format::status(self.status, self.lang))
    }
}

/// A figure's status badge, knowing whether its indicator carries a target: a targeted
/// indicator whose target for the year has not been issued reads 年度目标尚未下达
/// ([`format::status_for`]), one without any target 不设目标任务.
pub struct FigureBadge {
    pub status: Status,
    pub has_target: bool,
    pub lang: Lang,
}

impl Render for FigureBadge {
    fn render(&self) -> Markup {
        badge(self.status, format::status_for(self.status, self.has_target, self.lang))
    }
}

fn badge(status: Status, label: &str) -> Markup {
    html! { span class={ "badge status-" (status.as_str()) } { (label) } }
}

/// The projection lines of a figure at the end of `quarter` (Q1–Q3): the projected year end
/// and rate, 预计难以完成 when it falls short, the pace still needed, and 仅供参考 for a Q1
/// projection. Nothing at Q4 (the year end is the figure) or without a projection.
pub fn projection_facts(figure: &Figure, unit: &str, quarter: u8, lang: Lang) -> Markup {
    html! {
        @if let Some(projection) = figure.projection.filter(|p| p.basis != crate::domain::projection::Basis::Final) {
            dt { (lang.t("预计年底", "Projected year end")) }
            dd.projected {
                (format::amount(projection.year_end, unit, lang))
                @if let Some(rate) = projection.rate { (lang.t("（", " (")) (format::percent(rate)) (lang.t("）", ")")) }
                @if projection.misses_target() {
                    " " span.warning { (lang.t("预计难以完成", "likely to miss")) }
                }
                @if let Some(caveat) = format::projection_caveat(quarter, lang) {
                    " " span.indicative { (lang.t("（", "(")) (caveat) (lang.t("）", ")")) }
                }
            }
            @if let Some(pace) = projection.required_per_quarter.filter(|&p| p > 0) {
                dt { (lang.t("剩余季度每季度需完成", "Needed per remaining quarter")) }
                dd { (format::amount(pace, unit, lang)) }
            }
        }
    }
}

/// The period selector: a plain GET form (the script submits it on change).
pub fn period_selector(
    action: &str,
    current: Period,
    periods: &[Period],
    lang: Lang,
    hidden: &[(&str, &str)],
) -> Markup {
    html! {
        form.period-form method="get" action=(action) {
            @for (name, value) in hidden {
                input type="hidden" name=(name) value=(value);
            }
            label for="period" { (lang.t("报告期", "Period")) }
            select #period name="period" data-autosubmit {
                @if !periods.contains(&current) {
                    option value=(current) selected { (format::period(current, lang)) }
                }
                @for period in periods {
                    option value=(period) selected[*period == current] { (format::period(*period, lang)) }
                }
            }
            button.secondary type="submit" { (lang.t("查看", "Show")) }
        }
    }
}

/// Download links for the progress table of `period` (CSV and Excel, zh and en headers).
pub fn export_links(period: Period, lang: Lang) -> Markup {
    let code = lang.code();
    html! {
        div.export-links {
            span.export-label { (lang.t("导出", "Export")) }
            a.button.secondary href={ "/export/progress.xlsx?period=" (period) "&lang=" (code) } { "Excel" }
            a.button.secondary href={ "/export/progress.csv?period=" (period) "&lang=" (code) } { "CSV" }
        }
    }
}

/// A table cell for a rate, coloured by status: 未报送 for missing, — for no target.
pub struct RateCell<'a> {
    pub figure: &'a Figure,
    /// Whether the indicator carries a target (the words of a missing one differ).
    pub has_target: bool,
    pub lang: Lang,
    /// `region/indicator`, so tests and scripts can find the cell.
    pub key: String,
}

impl Render for RateCell<'_> {
    fn render(&self) -> Markup {
        let figure = self.figure;
        let rate_attr = figure.rate.map(|r| r.to_string()).unwrap_or_default();
        let label = format::status_for(figure.status, self.has_target, self.lang);
        html! {
            td class={ "num rate-cell status-" (figure.status.as_str()) } data-key=(self.key) data-rate=(rate_attr)
                title=(label) data-sort=(figure.rate.map_or(-1, |r| r.0)) {
                @match (figure.rate, figure.status) {
                    // The reporting children's own rate, never the partial sum over the whole target.
                    (_, Status::Incomplete) => {
                        span.partial-rate title=(format::reporting_basis(figure, self.lang)) {
                            (format::rate(figure.reporting_rate)) "*"
                        }
                        span.sr-only { " " (label) " " (format::reporting_basis(figure, self.lang)) }
                    }
                    (Some(rate), _) => { (format::percent(rate)) span.sr-only { " " (label) } }
                    (None, Status::NotReported) => span.missing { (format::not_reported(self.lang)) },
                    (None, _) => (format::NO_VALUE),
                }
            }
        }
    }
}
