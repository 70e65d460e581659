//! Shared by the reliability tests: writes whose effect is known in advance, and checks that
//! what the database holds is exactly what was acknowledged, with an audit trail to match.
#![allow(dead_code)]

use std::collections::BTreeMap;

use anju::db::audit::AuditFilter;
use rusqlite::Connection;
use serde_json::{Value, json};

/// Indicators every generated write fills.
pub const INDICATORS: [&str; 3] = ["shantytown_starts", "rent_subsidy_households", "rent_relief_amount"];

/// One `PUT /api/v1/reports/{code}/{period}` of a report that did not exist before.
#[derive(Clone, Debug)]
pub struct Write {
    pub region: String,
    pub period: String,
    pub values: BTreeMap<String, i64>,
    pub submit: bool,
}

impl Write {
    pub fn path(&self) -> String {
        format!("/api/v1/reports/{}/{}", self.region, self.period)
    }

    pub fn body(&self) -> Value {
        json!({ "values": self.values, "submit": self.submit, "version": 0 })
    }

    /// Audit rows the write adds: one per value, one for the new report's status.
    pub fn audit_rows(&self) -> i64 {
        self.values.len() as i64 + 1
    }

    pub fn status(&self) -> &'static str {
        if self.submit { "submitted" } else { "draft" }
    }
}

/// The regions that report (the cities, or the units of a city that reports through them) of
/// the catalogue in `conn`.
pub fn cities(conn: &Connection) -> Vec<String> {
    let catalogue = anju::db::catalogue::load(conn).expect("catalogue");
    let mut cities: Vec<String> = catalogue
        .regions()
        .iter()
        .filter(|region| region.parent_code.is_some() && !catalogue.has_children(&region.code))
        .map(|region| region.code.clone())
        .collect();
    cities.sort();
    cities
}

/// `count` writes, each to its own fresh report in 2022Q1..2026Q4 (no demo data there), spread
/// over the cities. Figures grow with the quarter, so any order of saving keeps every year's
/// cumulative figures non-decreasing; they carry `salt` so runs are told apart.
pub fn fresh_writes(cities: &[String], count: usize, salt: i64) -> Vec<Write> {
    let periods: Vec<(i32, u8)> = (2022..=2026).flat_map(|y| (1..=4).map(move |q| (y, q))).collect();
    assert!(count <= cities.len() * periods.len(), "not enough fresh reports");
    (0..count)
        .map(|i| {
            let region = cities[i % cities.len()].clone();
            let (year, quarter) = periods[i / cities.len()];
            let values = INDICATORS
                .iter()
                .enumerate()
                .map(|(n, key)| {
                    let value = i64::from(quarter) * 100_000 + salt * 1_000 + (i as i64 % 997) + n as i64;
                    ((*key).to_owned(), value)
                })
                .collect();
            Write {
                region,
                period: format!("{year}Q{quarter}"),
                values,
                submit: i % 3 != 0,
            }
        })
        .collect()
}

/// The stored figures and status of one report, if it exists.
pub fn stored(conn: &Connection, region: &str, period: &str) -> Option<(String, BTreeMap<String, Option<i64>>)> {
    let period = period.parse().expect("period");
    let report = anju::db::reports::get(conn, region, period).expect("report query")?;
    Some((report.status.as_str().to_owned(), report.values))
}

/// How many audit rows name `write`'s report.
fn audit_rows_of(conn: &Connection, write: &Write) -> usize {
    let of_the_report = AuditFilter {
        region_code: Some(write.region.clone()),
        period: Some(write.period.clone()),
        limit: u32::MAX,
        // Every row, drafts' included: this counts what was stored.
        drafts: true,
        ..AuditFilter::default()
    };
    anju::db::audit::list(conn, &of_the_report).expect("audit rows").len()
}

/// Asserts that `write` is stored exactly as sent, once.
pub fn assert_stored(conn: &Connection, write: &Write) {
    let (status, values) = stored(conn, &write.region, &write.period)
        .unwrap_or_else(|| panic!("acknowledged write {} {} is missing", write.region, write.period));
    let expected: BTreeMap<String, Option<i64>> = write.values.iter().map(|(k, v)| (k.clone(), Some(*v))).collect();
    assert_eq!(values, expected, "{} {} figures", write.region, write.period);
    assert_eq!(status, write.status(), "{} {} status", write.region, write.period);
    assert_eq!(
        audit_rows_of(conn, write) as i64,
        write.audit_rows(),
        "{} {} audit rows",
        write.region,
        write.period
    );
}

/// Asserts that `write` left no trace at all.
pub fn assert_absent(conn: &Connection, write: &Write) {
    assert!(
        stored(conn, &write.region, &write.period).is_none(),
        "unacknowledged write {} {} is stored",
        write.region,
        write.period
    );
    assert_eq!(
        audit_rows_of(conn, write),
        0,
        "{} {} has audit rows without data",
        write.region,
        write.period
    );
}

/// Every figure and every report status in the database is the last one its audit trail
/// records, so the trail explains all the data. (Raw SQL: this joins storage against its own
/// trail, which no db function does.)
pub fn assert_audit_explains_data(conn: &Connection) {
    let mut values = conn
        .prepare(
            "SELECT r.region_code, r.year || 'Q' || r.quarter, v.indicator, v.cumulative,
                    (SELECT a.new_value FROM audit_log a
                     WHERE a.action = 'value' AND a.region_code = r.region_code
                       AND a.period = r.year || 'Q' || r.quarter AND a.indicator = v.indicator
                     ORDER BY a.id DESC LIMIT 1)
             FROM report_values v JOIN reports r ON r.id = v.report_id
             WHERE v.cumulative IS NOT NULL",
        )
        .expect("prepare");
    let rows = values
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, Option<String>>(4)?,
            ))
        })
        .expect("query");
    for row in rows {
        let (region, period, indicator, value, audited) = row.expect("row");
        // The demonstration data is loaded without an audit trail of its own.
        if period.as_str() < "2022" {
            continue;
        }
        assert_eq!(
            audited,
            Some(value.to_string()),
            "{region} {period} {indicator}: stored figure and audit trail disagree"
        );
    }
    let mut statuses = conn
        .prepare(
            "SELECT r.region_code, r.year || 'Q' || r.quarter, r.status,
                    (SELECT a.new_value FROM audit_log a
                     WHERE a.action = 'status' AND a.region_code = r.region_code
                       AND a.period = r.year || 'Q' || r.quarter
                     ORDER BY a.id DESC LIMIT 1)
             FROM reports r WHERE r.year >= 2022",
        )
        .expect("prepare");
    let rows = statuses
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<String>>(3)?,
            ))
        })
        .expect("query");
    for row in rows {
        let (region, period, status, audited) = row.expect("row");
        assert_eq!(
            audited,
            Some(status),
            "{region} {period}: status and audit trail disagree"
        );
    }
}

/// SQLite's own check of the open file (`anju::db::integrity_check` opens a path instead).
pub fn integrity_check(conn: &Connection) -> String {
    conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .expect("integrity_check")
}

pub fn audit_count(conn: &Connection) -> i64 {
    anju::db::audit::count(conn).expect("audit count")
}
