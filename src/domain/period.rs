//! A reporting period: one quarter of one year, written `2020Q1`.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::Text;

/// Earliest and latest years a period may name; outside them a typo is far likelier than data.
pub const MIN_YEAR: i32 = 2000;
pub const MAX_YEAR: i32 = 2100;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Period {
    year: i32,
    quarter: u8,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PeriodError {
    /// Not written the way files and the API write a period.
    Format(String),
    /// Typed on a page in none of the spellings a person may use.
    Typed(String),
    Quarter(String),
    Year(String),
}

impl PeriodError {
    pub fn text(&self) -> Text {
        match self {
            PeriodError::Format(t) => Text::new(
                format!("报告期“{t}”格式不对，应写作 2020Q1 这样的四位年份加 Q 加季度"),
                format!("The period “{t}” is not written like 2020Q1 (a four-digit year, Q, the quarter)."),
            ),
            PeriodError::Typed(t) => Text::new(
                format!("报告期“{t}”无法识别，请写作 2022年第一季度、2022Q1 或 2022-Q1"),
                format!("The period “{t}” is not recognised: write it as 2022Q1, 2022-Q1 or Q1 2022."),
            ),
            PeriodError::Quarter(t) => Text::new(
                format!("报告期“{t}”的季度必须是 1 至 4"),
                format!("The quarter of the period “{t}” must be 1 to 4."),
            ),
            PeriodError::Year(t) => Text::new(
                format!("报告期“{t}”的年份须在 {MIN_YEAR} 至 {MAX_YEAR} 之间"),
                format!("The year of the period “{t}” must be between {MIN_YEAR} and {MAX_YEAR}."),
            ),
        }
    }
}

/// A year that is not a four-digit year this tool knows.
pub fn bad_year(text: &str) -> Text {
    Text::new(
        format!("年度“{text}”无效，须为 {MIN_YEAR} 至 {MAX_YEAR} 之间的四位年份"),
        format!("The year “{text}” is not valid: use a four-digit year from {MIN_YEAR} to {MAX_YEAR}."),
    )
}

impl From<PeriodError> for Text {
    fn from(error: PeriodError) -> Self {
        error.text()
    }
}

impl fmt::Display for PeriodError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text().fmt(f)
    }
}

impl std::error::Error for PeriodError {}

impl Period {
    pub fn new(year: i32, quarter: u8) -> Result<Self, PeriodError> {
        let text = format!("{year}Q{quarter}");
        if !(1..=4).contains(&quarter) {
            return Err(PeriodError::Quarter(text));
        }
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(PeriodError::Year(text));
        }
        Ok(Self { year, quarter })
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn quarter(self) -> u8 {
        self.quarter
    }

    /// The earlier quarters of the same year, nearest first.
    pub fn earlier_in_year(self) -> impl Iterator<Item = Period> {
        (1..self.quarter).rev().map(move |quarter| Period {
            year: self.year,
            quarter,
        })
    }

    /// The later quarters of the same year, nearest first.
    pub fn later_in_year(self) -> impl Iterator<Item = Period> {
        (self.quarter + 1..=4).map(move |quarter| Period {
            year: self.year,
            quarter,
        })
    }

    /// The quarter before this one in the same year (none for Q1: cumulative figures restart).
    pub fn previous_in_year(self) -> Option<Period> {
        self.earlier_in_year().next()
    }

    pub fn next(self) -> Option<Period> {
        if self.quarter == 4 {
            Period::new(self.year + 1, 1).ok()
        } else {
            Some(Period {
                year: self.year,
                quarter: self.quarter + 1,
            })
        }
    }

    /// All four quarters of a year.
    pub fn quarters_of(year: i32) -> Result<[Period; 4], PeriodError> {
        Ok([
            Period::new(year, 1)?,
            Period::new(year, 2)?,
            Period::new(year, 3)?,
            Period::new(year, 4)?,
        ])
    }

    pub fn first_day(self) -> NaiveDate {
        let month = u32::from(self.quarter) * 3 - 2;
        NaiveDate::from_ymd_opt(self.year, month, 1).expect("quarter start is a valid date")
    }

    pub fn last_day(self) -> NaiveDate {
        match self.next() {
            Some(next) => next.first_day().pred_opt().expect("a day precedes every quarter start"),
            None => NaiveDate::from_ymd_opt(self.year, 12, 31).expect("31 December exists"),
        }
    }

    /// A period whose quarter has not yet started on `today` cannot have figures.
    pub fn is_future(self, today: NaiveDate) -> bool {
        self.first_day() > today
    }

    /// The quarter that contains `day`.
    pub fn containing(day: NaiveDate) -> Result<Self, PeriodError> {
        use chrono::Datelike;
        Period::new(day.year(), (day.month0() / 3 + 1) as u8)
    }
}

/// A digit, ASCII or full-width (０–９, as Chinese input methods type them), as its value.
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// A quarter number written as a person writes it: 1–4 in ASCII or full-width digits, or 一 to 四.
fn quarter_value(text: &str) -> Option<u8> {
    let mut chars = text.chars();
    let c = chars.next()?;
    if chars.next().is_some() {
        return None;
    }
    let value = match c {
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        other => digit_value(other)?,
    };
    u8::try_from(value).ok()
}

impl Period {
    /// A period as a person types it: `2022Q1`, `2022q1`, `2022-Q1`, `2022 Q1`, `2022年第一季度`,
    /// `2022年一季度`, `2022年第1季度`, `Q1 2022`, with ASCII or full-width digits and surrounding spaces.
    /// Stored data, CSV files and the API keep the strict `2022Q1` of [`FromStr`].
    pub fn parse_typed(text: &str) -> Result<Self, PeriodError> {
        let refused = || PeriodError::Typed(text.trim().to_owned());
        let cleaned: String = text
            .trim()
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| match c {
                'ｑ' | 'Ｑ' => 'Q',
                '－' | '—' | '–' | '/' | '／' => '-',
                other => other,
            })
            .collect();
        if let Some(english) = cleaned.strip_prefix(['Q', 'q']) {
            // Q1 2022, as an English page writes a period.
            let mut chars = english.chars();
            let quarter = chars.next().and_then(|c| quarter_value(c.encode_utf8(&mut [0; 4])));
            let year: String = chars.collect();
            let year = (year.chars().count() == 4)
                .then(|| {
                    year.chars()
                        .try_fold(0i32, |acc, c| digit_value(c).map(|d| acc * 10 + d as i32))
                })
                .flatten();
            return match (quarter, year) {
                (Some(quarter), Some(year)) => Period::new(year, quarter),
                _ => Err(refused()),
            };
        }
        let year_len = cleaned.chars().take_while(|c| digit_value(*c).is_some()).count();
        if year_len != 4 {
            return Err(refused());
        }
        let year = cleaned
            .chars()
            .take(4)
            .try_fold(0i32, |acc, c| digit_value(c).map(|d| acc * 10 + d as i32))
            .ok_or_else(refused)?;
        let rest: String = cleaned.chars().skip(4).collect();
        let quarter_text = if let Some(zh) = rest.strip_prefix('年') {
            let zh = zh.strip_prefix('第').unwrap_or(zh);
            zh.strip_suffix("季度").ok_or_else(refused)?.to_owned()
        } else {
            let rest = rest.strip_prefix('-').unwrap_or(&rest);
            rest.strip_prefix(['Q', 'q']).ok_or_else(refused)?.to_owned()
        };
        let quarter = quarter_value(&quarter_text).ok_or_else(refused)?;
        Period::new(year, quarter)
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}Q{}", self.year, self.quarter)
    }
}

impl FromStr for Period {
    type Err = PeriodError;

    /// Strict: exactly four digits, an upper-case `Q`, one digit. No spaces, no `q`, no `20Q1`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bytes = text.as_bytes();
        let well_formed = bytes.len() == 6
            && bytes[..4].iter().all(u8::is_ascii_digit)
            && bytes[4] == b'Q'
            && bytes[5].is_ascii_digit();
        if !well_formed {
            return Err(PeriodError::Format(text.to_owned()));
        }
        let year: i32 = text[..4].parse().map_err(|_| PeriodError::Format(text.to_owned()))?;
        let quarter = bytes[5] - b'0';
        Period::new(year, quarter)
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats_a_quarter() {
        let period: Period = "2020Q1".parse().unwrap();
        assert_eq!((period.year(), period.quarter()), (2020, 1));
        assert_eq!(period.to_string(), "2020Q1");
        // Its label, 2020年第一季度, is checked in `format`.
    }

    #[test]
    fn rejects_malformed_periods_with_a_reason() {
        assert!(matches!("2020Q5".parse::<Period>(), Err(PeriodError::Quarter(_))));
        assert!(matches!("2020Q0".parse::<Period>(), Err(PeriodError::Quarter(_))));
        for bad in [
            "20Q1",
            "2020q1",
            "2020q1 ",
            " 2020Q1",
            "2020Q",
            "2020-Q1",
            "",
            "２０２０Q1",
            "2020Q11",
        ] {
            assert!(matches!(bad.parse::<Period>(), Err(PeriodError::Format(_))), "{bad:?}");
        }
        assert!(matches!("1999Q1".parse::<Period>(), Err(PeriodError::Year(_))));
        let message = "2020Q5".parse::<Period>().unwrap_err().to_string();
        assert!(message.contains("2020Q5") && message.contains("1 至 4"), "{message}");
    }

    #[test]
    fn understands_the_spellings_people_type() {
        for typed in [
            "2022Q1",
            "2022q1",
            "2022-Q1",
            "2022-q1",
            " 2022 Q1 ",
            "2022年第一季度",
            "2022年一季度",
            "2022年第1季度",
            "２０２２年第一季度",
            "２０２２Ｑ１",
            "2022－Q1",
            "Q1 2022",
            "q1 2022",
        ] {
            assert_eq!(
                Period::parse_typed(typed).map(|p| p.to_string()),
                Ok("2022Q1".into()),
                "{typed:?}"
            );
        }
        assert_eq!(Period::parse_typed("2021年第四季度").unwrap().to_string(), "2021Q4");
        for bad in [
            "",
            "22Q1",
            "2022",
            "2022Q5",
            "2022年第五季度",
            "2022年第一",
            "第一季度",
            "2022Q11",
            "2022年Q1",
            "Q5 2022",
            "Q1 22",
            "Q 2022",
        ] {
            assert!(Period::parse_typed(bad).is_err(), "{bad:?}");
        }
        assert!(matches!(Period::parse_typed("2022Q5"), Err(PeriodError::Quarter(_))));
        let message = Period::parse_typed("2022年第五季度").unwrap_err().to_string();
        assert!(
            message.contains("2022年第一季度") && message.contains("2022Q1"),
            "{message}"
        );
    }

    #[test]
    fn knows_its_neighbours_and_dates() {
        let q1: Period = "2021Q1".parse().unwrap();
        assert_eq!(q1.previous_in_year(), None);
        let q3: Period = "2021Q3".parse().unwrap();
        assert_eq!(q3.previous_in_year().unwrap().to_string(), "2021Q2");
        assert_eq!(q3.earlier_in_year().map(|p| p.quarter()).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(q3.later_in_year().map(|p| p.quarter()).collect::<Vec<_>>(), [4]);
        let q4: Period = "2020Q4".parse().unwrap();
        assert_eq!(q4.next().unwrap().to_string(), "2021Q1");
        assert_eq!(q4.last_day().to_string(), "2020-12-31");
        assert_eq!(q1.last_day().to_string(), "2021-03-31");
    }

    #[test]
    fn a_quarter_is_future_until_its_first_day() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        assert!(!"2026Q4".parse::<Period>().unwrap().is_future(today));
        assert!("2027Q1".parse::<Period>().unwrap().is_future(today));
        assert_eq!(Period::containing(today).unwrap().to_string(), "2026Q4");
    }
}
