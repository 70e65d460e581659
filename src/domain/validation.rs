//! The hard rules and soft warnings of SPEC §2 for a figure someone enters.

use serde::Serialize;

use super::Lang;
use super::format::{percent, period as period_label, thousands};
use super::rate::{Status, completion_rate};
use super::{Period, Tenths, Text};

/// An optional filter as given (query parameter, form field, command-line option): trimmed,
/// and a blank one is no filter at all.
pub fn given(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// A problem with one field of what was sent; `field` is an indicator key or a form field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: Option<String>,
    pub message: Text,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<Text>) -> Self {
        Self {
            field: Some(field.into()),
            message: message.into(),
        }
    }
}

/// Figures above this are a typing error, not housing.
pub const MAX_VALUE: i64 = 1_000_000_000_000;

/// Cumulative above this share of the target earns a warning (150.0%).
pub const OVER_TARGET_WARNING: Tenths = Tenths(1500);

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueError {
    NotInteger(String),
    Negative,
    TooLarge,
    Decreasing { value: i64, previous: i64, earlier: Period },
    AboveLater { value: i64, next: i64, later: Period },
}

impl ValueError {
    pub fn text(&self) -> Text {
        match self {
            ValueError::NotInteger(raw) => Text::new(
                format!("“{raw}”不是整数，请填写不带小数点和单位的整数"),
                format!("“{raw}” is not a whole number: enter digits only, without a decimal point or unit."),
            ),
            ValueError::Negative => Text::new("数值不能为负数", "A figure may not be negative."),
            ValueError::TooLarge => Text::new(
                "数值超过上限 1,000,000,000,000",
                "A figure may not exceed 1,000,000,000,000.",
            ),
            ValueError::Decreasing {
                value,
                previous,
                earlier,
            } => Text::new(
                format!(
                    "累计完成数 {} 低于本年{}已报的 {}，累计数不能减少",
                    thousands(*value),
                    period_label(*earlier, Lang::Zh),
                    thousands(*previous)
                ),
                format!(
                    "The cumulative figure {} is below the {} reported for {}: a year's cumulative figure cannot go down.",
                    thousands(*value),
                    thousands(*previous),
                    period_label(*earlier, Lang::En)
                ),
            ),
            ValueError::AboveLater { value, next, later } => Text::new(
                format!(
                    "累计完成数 {} 高于本年{}已报的 {}，累计数不能减少",
                    thousands(*value),
                    period_label(*later, Lang::Zh),
                    thousands(*next)
                ),
                format!(
                    "The cumulative figure {} is above the {} already reported for {}: a year's cumulative figure cannot go down.",
                    thousands(*value),
                    thousands(*next),
                    period_label(*later, Lang::En)
                ),
            ),
        }
    }
}

impl From<ValueError> for Text {
    fn from(error: ValueError) -> Self {
        error.text()
    }
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text().fmt(f)
    }
}

impl std::error::Error for ValueError {}

/// Full-width digits, commas and signs (as Chinese input methods type them) as their ASCII forms.
fn half_width(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '，' => ',',
            '－' => '-',
            '＋' => '+',
            other => other,
        })
        .collect()
}

/// Parses a figure a person typed into a page: as [`parse_value`], and full-width digits, commas
/// and signs (１２，０００) are read as the ASCII ones, because Chinese input methods type them.
/// Files and the API keep the stricter [`parse_value`].
pub fn parse_typed_value(raw: &str) -> Result<Option<i64>, ValueError> {
    parse_value(&half_width(raw)).map_err(|error| match error {
        ValueError::NotInteger(_) => ValueError::NotInteger(raw.trim().to_owned()),
        other => other,
    })
}

/// Parses a figure from a file or the API. Blank means "not reported", never zero.
/// Thousands separators are tolerated because people paste them from spreadsheets, and so is a
/// zero fraction (`3000.0`), which spreadsheets and pandas write for whole numbers.
pub fn parse_value(raw: &str) -> Result<Option<i64>, ValueError> {
    let trimmed = without_zero_fraction(raw.trim());
    if trimmed.is_empty() {
        return Ok(None);
    }
    let digits: String = trimmed.chars().filter(|c| *c != ',').collect();
    let (negative, magnitude) = match digits.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, digits.strip_prefix('+').unwrap_or(&digits)),
    };
    let well_formed =
        !magnitude.is_empty() && magnitude.bytes().all(|b| b.is_ascii_digit()) && comma_groups_are_valid(trimmed);
    if !well_formed {
        return Err(ValueError::NotInteger(raw.trim().to_owned()));
    }
    if negative && magnitude.bytes().any(|b| b != b'0') {
        return Err(ValueError::Negative);
    }
    let significant = magnitude.trim_start_matches('0');
    if significant.len() > 13 {
        return Err(ValueError::TooLarge);
    }
    let value: i64 = if significant.is_empty() {
        0
    } else {
        significant.parse().map_err(|_| ValueError::TooLarge)?
    };
    check_value(value).map(Some)
}

/// `3000.0` → `3000`, `440100.00` → `440100`: a whole number a spreadsheet wrote as a decimal.
/// Anything else, `1.5` included, is returned as it was.
pub fn without_zero_fraction(text: &str) -> &str {
    match text.split_once('.') {
        Some((whole, fraction))
            if !whole.trim_start_matches(['-', '+']).is_empty()
                && !fraction.is_empty()
                && fraction.bytes().all(|b| b == b'0') =>
        {
            whole
        }
        _ => text,
    }
}

/// A figure that already is an integer (from JSON) must still be in range.
pub fn check_value(value: i64) -> Result<i64, ValueError> {
    if value < 0 {
        Err(ValueError::Negative)
    } else if value > MAX_VALUE {
        Err(ValueError::TooLarge)
    } else {
        Ok(value)
    }
}

fn comma_groups_are_valid(text: &str) -> bool {
    if !text.contains(',') {
        return true;
    }
    let unsigned = text.trim_start_matches(['-', '+']);
    let mut groups = unsigned.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

/// Cumulative figures never fall within a year: not below the nearest earlier reported
/// quarter, not above the nearest later one.
pub fn check_cumulative_order(
    value: i64,
    earlier: Option<(Period, i64)>,
    later: Option<(Period, i64)>,
) -> Result<(), ValueError> {
    if let Some((earlier, previous)) = earlier.filter(|(_, previous)| value < *previous) {
        return Err(ValueError::Decreasing {
            value,
            previous,
            earlier,
        });
    }
    if let Some((later, next)) = later.filter(|(_, next)| value > *next) {
        return Err(ValueError::AboveLater { value, next, later });
    }
    Ok(())
}

/// Stored, but shown beside the figure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// Cumulative above 150% of the target.
    OverTarget { rate: Tenths },
    /// Behind the time benchmark with no 情况说明: submitting requires the note.
    BehindWithoutNote { rate: Tenths },
}

impl Warning {
    pub fn message_zh(&self) -> String {
        match self {
            Warning::OverTarget { rate } => format!("完成率 {} 超过年度目标的 150%，请核实", percent(*rate)),
            Warning::BehindWithoutNote { rate } => {
                format!("完成率 {} 明显低于序时进度，请填写情况说明", percent(*rate))
            }
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            Warning::OverTarget { rate } => {
                format!(
                    "completion rate {} is above 150% of the target; please check",
                    percent(*rate)
                )
            }
            Warning::BehindWithoutNote { rate } => {
                format!(
                    "completion rate {} is behind the time benchmark; please explain in the note",
                    percent(*rate)
                )
            }
        }
    }
}

/// The soft warnings for one figure.
pub fn warnings(cumulative: Option<i64>, target: Option<i64>, period: Period, note: &str) -> Vec<Warning> {
    let Some(cumulative) = cumulative else {
        return Vec::new();
    };
    let Some(rate) = completion_rate(cumulative, target) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    if rate > OVER_TARGET_WARNING {
        found.push(Warning::OverTarget { rate });
    }
    if Status::of(Some(cumulative), target, period) == Status::Behind && note.trim().is_empty() {
        found.push(Warning::BehindWithoutNote { rate });
    }
    found
}

/// Notes longer than this are refused: a 情况说明 is a paragraph, not a document.
pub const MAX_NOTE_CHARS: usize = 500;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NoteError {
    TooLong,
    ControlCharacters,
}

impl NoteError {
    pub fn text(&self) -> Text {
        match self {
            NoteError::TooLong => Text::new(
                format!("情况说明不能超过 {MAX_NOTE_CHARS} 个字"),
                format!("A note may be at most {MAX_NOTE_CHARS} characters long."),
            ),
            NoteError::ControlCharacters => {
                Text::new("情况说明不能包含控制字符", "A note may not contain control characters.")
            }
        }
    }
}

impl From<NoteError> for Text {
    fn from(error: NoteError) -> Self {
        error.text()
    }
}

impl std::fmt::Display for NoteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text().fmt(f)
    }
}

impl std::error::Error for NoteError {}

/// Trims a note and checks its length; control characters other than line breaks are refused.
pub fn clean_note(note: &str) -> Result<String, NoteError> {
    let note = note.trim();
    if note.chars().count() > MAX_NOTE_CHARS {
        return Err(NoteError::TooLong);
    }
    if note
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(NoteError::ControlCharacters);
    }
    Ok(note.replace("\r\n", "\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period(text: &str) -> Period {
        text.parse().unwrap()
    }

    #[test]
    fn blank_is_missing_not_zero() {
        assert_eq!(parse_value(""), Ok(None));
        assert_eq!(parse_value("   "), Ok(None));
        assert_eq!(parse_value("0"), Ok(Some(0)));
    }

    #[test]
    fn parses_integers_with_or_without_separators() {
        assert_eq!(parse_value(" 7899 "), Ok(Some(7899)));
        assert_eq!(parse_value("10,918"), Ok(Some(10918)));
        assert_eq!(parse_value("1000000000000"), Ok(Some(MAX_VALUE)));
        assert_eq!(parse_value("-0"), Ok(Some(0)));
    }

    #[test]
    fn pages_accept_full_width_digits_and_commas() {
        assert_eq!(parse_typed_value("１２"), Ok(Some(12)));
        assert_eq!(parse_typed_value("　１，２５０，０００　"), Ok(Some(1_250_000)));
        assert_eq!(parse_typed_value("１2"), Ok(Some(12)));
        assert_eq!(parse_typed_value("－５"), Err(ValueError::Negative));
        assert_eq!(
            parse_typed_value("１．５"),
            Err(ValueError::NotInteger("１．５".into()))
        );
        // Files and the API stay strict.
        assert!(matches!(parse_value("１２"), Err(ValueError::NotInteger(_))));
    }

    #[test]
    fn whole_numbers_written_as_decimals_are_integers() {
        assert_eq!(parse_value("3000.0"), Ok(Some(3000)));
        assert_eq!(parse_value("1,234.00"), Ok(Some(1234)));
        assert_eq!(parse_value(" 0.0 "), Ok(Some(0)));
        assert_eq!(without_zero_fraction("440100.0"), "440100");
        assert_eq!(without_zero_fraction("2020"), "2020");
        for bad in ["1.5", "3000.", ".0", "3000.0.0", "-.0"] {
            assert!(parse_value(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_value("-5.0"), Err(ValueError::Negative));
    }

    #[test]
    fn rejects_what_is_not_a_count() {
        for bad in ["abc", "1.5", "1e3", "12a", "1,00", "--1", "1 000", "七"] {
            assert!(matches!(parse_value(bad), Err(ValueError::NotInteger(_))), "{bad}");
        }
        assert_eq!(parse_value("-5"), Err(ValueError::Negative));
        assert_eq!(parse_value("10000000000000"), Err(ValueError::TooLarge));
        assert_eq!(parse_value("1000000000001"), Err(ValueError::TooLarge));
        assert_eq!(parse_value(&"9".repeat(400)), Err(ValueError::TooLarge));
        assert_eq!(check_value(-1), Err(ValueError::Negative));
        assert_eq!(check_value(10_i64.pow(13)), Err(ValueError::TooLarge));
    }

    #[test]
    fn a_decreasing_cumulative_is_rejected() {
        let q1 = period("2020Q1");
        let q3 = period("2020Q3");
        assert!(matches!(
            check_cumulative_order(90, Some((q1, 100)), None),
            Err(ValueError::Decreasing { .. })
        ));
        assert_eq!(check_cumulative_order(100, Some((q1, 100)), None), Ok(()));
        assert!(matches!(
            check_cumulative_order(120, Some((q1, 100)), Some((q3, 110))),
            Err(ValueError::AboveLater { .. })
        ));
        assert_eq!(check_cumulative_order(105, Some((q1, 100)), Some((q3, 110))), Ok(()));
        let message = check_cumulative_order(90, Some((q1, 100)), None)
            .unwrap_err()
            .to_string();
        assert!(
            message.contains("100") && message.contains("2020年第一季度"),
            "{message}"
        );
    }

    #[test]
    fn warns_over_target_and_behind_without_note() {
        let q2 = period("2020Q2");
        assert_eq!(
            warnings(Some(1501), Some(1000), q2, ""),
            vec![Warning::OverTarget { rate: Tenths(1501) }]
        );
        assert!(warnings(Some(1500), Some(1000), q2, "").is_empty());
        assert_eq!(
            warnings(Some(400), Some(1000), q2, ""),
            vec![Warning::BehindWithoutNote { rate: Tenths(400) }]
        );
        assert!(warnings(Some(400), Some(1000), q2, "征地拆迁延迟").is_empty());
        // Lagging by less than 10 pp needs no note.
        assert!(warnings(Some(401), Some(1000), q2, "").is_empty());
        assert!(warnings(None, Some(1000), q2, "").is_empty());
        assert!(warnings(Some(10), None, q2, "").is_empty());
    }

    #[test]
    fn notes_are_trimmed_and_bounded() {
        assert_eq!(clean_note("  受疫情影响 \r\n延期 ").unwrap(), "受疫情影响 \n延期");
        assert_eq!(clean_note(&"字".repeat(501)), Err(NoteError::TooLong));
        assert_eq!(clean_note("a\u{0}b"), Err(NoteError::ControlCharacters));
    }
}
