//! Small pieces every page uses: numbers with separators, rates, status badges.

use maud::{Markup, Render, html};

use super::Lang;
use crate::domain::{Status, Tenths};

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

/// Money (元) as 万元 or 亿元 with two decimals; counts with separators and their unit.
pub fn format_amount(value: i64, unit: &str, lang: Lang) -> String {
    if unit == "元" {
        if value >= 100_000_000 {
            return format!(
                "{} {}",
                hundredths(value, 1_000_000),
                lang.t("亿元", "hundred million yuan")
            );
        }
        return format!("{} {}", hundredths(value, 100), lang.t("万元", "ten-thousand yuan"));
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
