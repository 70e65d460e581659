//! The columns of the files people import and the app exports: each column's key, its English
//! and Chinese headers, and the other spellings a header may take when someone types it.

/// One column a file may carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    /// The English header, which is also the key the code uses.
    pub key: &'static str,
    /// The Chinese header the zh exports and templates write.
    pub zh: &'static str,
    /// Other headers read as this column.
    pub aliases: &'static [&'static str],
}

use super::progress::{COLUMNS, COLUMNS_ZH, EXTRA_COLUMNS, EXTRA_COLUMNS_ZH};

const fn column(key: &'static str, zh: &'static str, aliases: &'static [&'static str]) -> Column {
    Column { key, zh, aliases }
}

/// Every column known to imports and exports. The sixteen progress columns come first, with
/// the Chinese names of [`COLUMNS_ZH`](super::progress::COLUMNS_ZH), then the five that follow
/// them in a progress export ([`EXTRA_COLUMNS`](super::progress::EXTRA_COLUMNS)), so that an
/// export read back as a reports file is not refused for them.
pub const KNOWN: [Column; 25] = [
    column(
        COLUMNS[0],
        COLUMNS_ZH[0],
        &["地区代码", "区划代码", "代码", "regioncode", "code"],
    ),
    column(
        COLUMNS[1],
        COLUMNS_ZH[1],
        &["地区名称", "地市", "城市", "region", "name"],
    ),
    column(COLUMNS[2], COLUMNS_ZH[2], &[]),
    column(COLUMNS[3], COLUMNS_ZH[3], &["indicator_key", "key"]),
    column(COLUMNS[4], COLUMNS_ZH[4], &["指标名称"]),
    column(COLUMNS[5], COLUMNS_ZH[5], &[]),
    column(COLUMNS[6], COLUMNS_ZH[6], &["年度", "年"]),
    column(COLUMNS[7], COLUMNS_ZH[7], &[]),
    column(
        COLUMNS[8],
        COLUMNS_ZH[8],
        &["累计完成数", "本年累计完成", "累计", "value"],
    ),
    column(COLUMNS[9], COLUMNS_ZH[9], &[]),
    column(COLUMNS[10], COLUMNS_ZH[10], &["目标任务", "年度目标任务", "目标"]),
    column(COLUMNS[11], COLUMNS_ZH[11], &["完成率"]),
    column(COLUMNS[12], COLUMNS_ZH[12], &["序时进度"]),
    column(COLUMNS[13], COLUMNS_ZH[13], &[]),
    column(COLUMNS[14], COLUMNS_ZH[14], &[]),
    column(COLUMNS[15], COLUMNS_ZH[15], &["状态"]),
    column(EXTRA_COLUMNS[0], EXTRA_COLUMNS_ZH[0], &[]),
    column(EXTRA_COLUMNS[1], EXTRA_COLUMNS_ZH[1], &[]),
    column(EXTRA_COLUMNS[2], EXTRA_COLUMNS_ZH[2], &["预计年底"]),
    column(EXTRA_COLUMNS[3], EXTRA_COLUMNS_ZH[3], &["预计完成率"]),
    column(EXTRA_COLUMNS[4], EXTRA_COLUMNS_ZH[4], &["每季度需完成"]),
    column("period", "报告期", &["期别"]),
    column("note", "情况说明", &["备注", "说明", "notes", "comment"]),
    column("previous_cumulative", "上季度累计", &["上季度累计完成"]),
    column("last_year_target", "上年目标", &["上年度目标"]),
];

/// A header as typed, in the form headers are compared in: no spaces or BOM, ASCII in lower
/// case, full-width brackets and percent signs as ASCII, spaces and hyphens as underscores.
fn normalised(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .trim()
        .chars()
        .filter_map(|c| match c {
            '（' => Some('('),
            '）' => Some(')'),
            '％' => Some('%'),
            ' ' | '-' => Some('_'),
            c if c.is_whitespace() => None,
            c => Some(c.to_ascii_lowercase()),
        })
        .collect()
}

/// The column a header names, in English or Chinese, in any case.
pub fn recognise(header: &str) -> Option<&'static Column> {
    let header = normalised(header);
    if header.is_empty() {
        return None;
    }
    KNOWN.iter().find(|column| {
        normalised(column.key) == header
            || normalised(column.zh) == header
            || column.aliases.iter().any(|alias| normalised(alias) == header)
    })
}

/// The column with `key`.
pub fn by_key(key: &str) -> Option<&'static Column> {
    KNOWN.iter().find(|column| column.key == key)
}

/// A column's header in the chosen language.
pub fn header(key: &'static str, chinese: bool) -> &'static str {
    match by_key(key) {
        Some(column) if chinese => column.zh,
        _ => key,
    }
}

/// `region_code（行政区划代码）`: how a refusal names a column so both readers find it.
pub fn described(key: &str) -> String {
    match by_key(key) {
        Some(column) => format!("{}（{}）", column.key, column.zh),
        None => key.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_in_either_language_and_any_case() {
        for (typed, key) in [
            ("region_code", "region_code"),
            ("Region_Code", "region_code"),
            ("REGION CODE", "region_code"),
            (" 行政区划代码 ", "region_code"),
            ("\u{feff}region_code", "region_code"),
            ("累计完成", "cumulative"),
            ("情况说明", "note"),
            ("完成率（%）", "completion_rate"),
            ("指标", "indicator_name"),
            ("Indicator", "indicator"),
        ] {
            assert_eq!(recognise(typed).map(|c| c.key), Some(key), "{typed}");
        }
        assert_eq!(recognise(""), None);
        assert_eq!(recognise("cumulativ"), None);
    }

    #[test]
    fn the_progress_columns_keep_their_export_names() {
        let keys: Vec<&str> = KNOWN[..16].iter().map(|c| c.key).collect();
        assert_eq!(keys, super::super::progress::COLUMNS);
        let zh: Vec<&str> = KNOWN[..16].iter().map(|c| c.zh).collect();
        assert_eq!(zh, super::super::progress::COLUMNS_ZH);
        let extra: Vec<&str> = KNOWN[16..21].iter().map(|c| c.key).collect();
        assert_eq!(extra, super::super::progress::EXTRA_COLUMNS);
        let extra_zh: Vec<&str> = KNOWN[16..21].iter().map(|c| c.zh).collect();
        assert_eq!(extra_zh, super::super::progress::EXTRA_COLUMNS_ZH);
    }

    #[test]
    fn no_spelling_names_two_columns() {
        let mut seen = std::collections::HashSet::new();
        for column in &KNOWN {
            for spelling in [column.key, column.zh].iter().chain(column.aliases) {
                assert!(seen.insert(normalised(spelling)), "{spelling}");
            }
        }
    }
}
