//! Small pieces every page uses: numbers with separators, rates, status badges.

use maud::{Markup, Render, html};

use super::Lang;
use crate::domain::progress::Figure;
use crate::domain::{Period, Status, Tenths};

/// An integer with thousands separators: 10918 → 10,918.
pub fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if value < 0 {
        out.push('-');
    }
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A figure in its unit; missing shows as 未报送, money in 万元 or 亿元.
pub struct Amount<'a> {
    pub value: Option<i64>,
    pub unit: &'a str,
    pub lang: Lang,
}

impl Render for Amount<'_> {
    fn render(&self) -> Markup {
        match self.value {
            None => html! { span.missing { (self.lang.t("未报送", "not reported")) } },
            Some(value) => html! { (format_amount(value, self.unit, self.lang)) },
        }
    }
}

/// Money (元) as 万元 or 亿元 with two decimals (in English: million yuan); counts with
/// separators and their unit.
pub fn format_amount(value: i64, unit: &str, lang: Lang) -> String {
    if unit == "元" {
        return match lang {
            Lang::En => format!("{} million yuan", hundredths(value, 10_000)),
            Lang::Zh if value >= 100_000_000 => format!("{} 亿元", hundredths(value, 1_000_000)),
            Lang::Zh => format!("{} 万元", hundredths(value, 100)),
        };
    }
    let unit = match (unit, lang) {
        (_, Lang::Zh) => unit,
        ("套", Lang::En) => "units",
        ("户", Lang::En) => "households",
        (other, Lang::En) => other,
    };
    format!("{} {unit}", thousands(value))
}

/// `value / divisor / 100` rounded half up, shown with two decimals and separators.
fn hundredths(value: i64, divisor: i64) -> String {
    let scaled = (i128::from(value) * 2 + i128::from(divisor)) / (i128::from(divisor) * 2);
    let scaled = i64::try_from(scaled).unwrap_or(i64::MAX);
    format!("{}.{:02}", thousands(scaled / 100), scaled % 100)
}

/// A rate with its percent sign, or — when there is none.
pub fn rate(value: Option<Tenths>) -> String {
    value.map_or_else(|| "—".to_owned(), |r| format!("{r}%"))
}

/// A status shown by colour and by words, so it does not rely on colour alone.
pub struct Badge {
    pub status: Status,
    pub lang: Lang,
}

impl Render for Badge {
    fn render(&self) -> Markup {
        let label = match self.lang {
            Lang::Zh => self.status.label_zh(),
            Lang::En => self.status.label_en(),
        };
        html! { span class={ "badge status-" (self.status.as_str()) } { (label) } }
    }
}

/// A gap in percentage points with its sign: +3.2 / −12.0, or — when there is none.
pub fn gap_pp(value: Option<Tenths>, lang: Lang) -> String {
    match value {
        None => "—".to_owned(),
        Some(gap) => {
            let sign = if gap.0 > 0 { "+" } else { "" };
            format!("{sign}{gap} {}", lang.t("个百分点", "pp"))
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
                    option value=(current) selected { (period_text(current, lang)) }
                }
                @for period in periods {
                    option value=(period) selected[*period == current] { (period_text(*period, lang)) }
                }
            }
            button.secondary type="submit" { (lang.t("查看", "Show")) }
        }
    }
}

/// 2020年第一季度 / Q1 2020.
pub fn period_text(period: Period, lang: Lang) -> String {
    match lang {
        Lang::Zh => period.label_zh(),
        Lang::En => period.label_en(),
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
    pub lang: Lang,
    /// `region/indicator`, so tests and scripts can find the cell.
    pub key: String,
}

impl Render for RateCell<'_> {
    fn render(&self) -> Markup {
        let figure = self.figure;
        let rate_attr = figure.rate.map(|r| r.to_string()).unwrap_or_default();
        let label = match self.lang {
            Lang::Zh => figure.status.label_zh(),
            Lang::En => figure.status.label_en(),
        };
        html! {
            td class={ "num rate-cell status-" (figure.status.as_str()) } data-key=(self.key) data-rate=(rate_attr)
                title=(label) data-sort=(figure.rate.map_or(-1, |r| r.0)) {
                @match (figure.rate, figure.status) {
                    (Some(rate), _) => { (format!("{rate}%")) span.sr-only { " " (label) } }
                    (None, Status::NotReported) => span.missing { (self.lang.t("未报送", "not reported")) },
                    (None, _) => "—",
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(10918), "10,918");
        assert_eq!(thousands(-1234567), "-1,234,567");
    }

    #[test]
    fn shows_money_in_wan_or_yi() {
        assert_eq!(format_amount(326_000_000, "元", Lang::Zh), "3.26 亿元");
        assert_eq!(format_amount(12_345_678, "元", Lang::Zh), "1,234.57 万元");
        assert_eq!(format_amount(7899, "套", Lang::Zh), "7,899 套");
        assert_eq!(format_amount(7899, "套", Lang::En), "7,899 units");
    }
}
