//! Progress rows as CSV: UTF-8 with a BOM so Excel shows Chinese, the header of SPEC §4, empty
//! cells for missing values. The API's JSON and this CSV are the same rows.

use std::io::Write;

use crate::domain::progress::{COLUMNS, COLUMNS_ZH, ProgressRow};

pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Column names in the chosen language.
pub fn header(chinese: bool) -> [&'static str; 16] {
    if chinese { COLUMNS_ZH } else { COLUMNS }
}

fn cell<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// One row's cells, in [`COLUMNS`] order.
pub fn record(row: &ProgressRow<'_>) -> [String; 16] {
    [
        row.region_code.to_owned(),
        row.region_name.to_owned(),
        row.level.to_owned(),
        row.indicator.to_owned(),
        row.indicator_name.to_owned(),
        row.unit.to_owned(),
        row.year.to_string(),
        row.quarter.to_string(),
        cell(row.cumulative),
        cell(row.quarter_increment),
        cell(row.target),
        cell(row.completion_rate),
        row.time_progress.to_string(),
        cell(row.gap_pp),
        row.status.as_str().to_owned(),
        cell(row.report_status.map(|s| s.as_str())),
    ]
}

/// Writes the BOM, the header and every row.
pub fn write_progress_csv<W: Write>(out: W, rows: &[ProgressRow<'_>], chinese: bool) -> csv::Result<W> {
    let mut out = out;
    out.write_all(BOM)?;
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(header(chinese))?;
    for row in rows {
        writer.write_record(record(row))?;
    }
    writer.flush()?;
    writer.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}
