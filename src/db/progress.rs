//! Reads what the progress engine needs for one period, in a fixed number of queries
//! whatever the number of regions: targets, counted figures, report statuses.

use std::collections::HashMap;

use rusqlite::{Connection, params};

use crate::domain::catalogue::Catalogue;
use crate::domain::progress::{ProgressInputs, ProgressTable};
use crate::domain::projection::{HISTORY_YEARS, Seasonality};
use crate::domain::{Period, ReportStatus};

type Figures = HashMap<(String, String), i64>;

/// Counted figures of one period: the reports by their (year, quarter, region) index, the
/// values by their primary key.
const COUNTED_FIGURES: &str = "SELECT r.region_code, v.indicator, v.cumulative
     FROM reports r JOIN report_values v ON v.report_id = r.id
     WHERE r.year = ?1 AND r.quarter = ?2 AND r.status IN ('submitted', 'approved')
       AND v.cumulative IS NOT NULL";

const REPORT_STATUSES: &str = "SELECT region_code, status FROM reports WHERE year = ?1 AND quarter = ?2";

/// Cumulative figures in submitted or approved reports for one period.
fn counted_figures(conn: &Connection, period: Period) -> rusqlite::Result<Figures> {
    let mut statement = conn.prepare_cached(COUNTED_FIGURES)?;
    let rows = statement.query_map(params![period.year(), period.quarter()], |row| {
        Ok(((row.get(0)?, row.get(1)?), row.get(2)?))
    })?;
    rows.collect()
}

fn report_statuses(conn: &Connection, period: Period) -> rusqlite::Result<HashMap<String, ReportStatus>> {
    let mut statement = conn.prepare_cached(REPORT_STATUSES)?;
    let rows = statement.query_map(params![period.year(), period.quarter()], |row| {
        let status: String = row.get(1)?;
        let status = status
            .parse::<ReportStatus>()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?;
        Ok((row.get(0)?, status))
    })?;
    rows.collect()
}

/// Each region × indicator's seasonality over the [`HISTORY_YEARS`] years before `period`'s:
/// the counted cumulative at the period's quarter and at Q4 of each year (none needed at Q4),
/// from `figures` of a past period (every region's, or one region's for an update).
fn history(
    period: Period,
    mut figures: impl FnMut(Period) -> rusqlite::Result<Figures>,
) -> rusqlite::Result<HashMap<(String, String), Seasonality>> {
    let mut history: HashMap<(String, String), Seasonality> = HashMap::new();
    let quarter = period.quarter();
    if quarter == 4 {
        return Ok(history);
    }
    for year in period.year() - HISTORY_YEARS..period.year() {
        let (Ok(at), Ok(end)) = (Period::new(year, quarter), Period::new(year, 4)) else {
            continue;
        };
        let reached = figures(at)?;
        for (key, year_end) in figures(end)? {
            let mut quarters = [None; 4];
            quarters[usize::from(quarter - 1)] = reached.get(&key).copied();
            quarters[3] = Some(year_end);
            history.entry(key).or_default().add_year(quarters);
        }
    }
    Ok(history)
}

pub fn inputs(conn: &Connection, period: Period) -> rusqlite::Result<ProgressInputs> {
    Ok(ProgressInputs {
        history: history(period, |at| counted_figures(conn, at))?,
        targets: super::targets::for_year(conn, period.year())?,
        current: counted_figures(conn, period)?,
        previous: match period.previous_in_year() {
            Some(previous) => counted_figures(conn, previous)?,
            None => HashMap::new(),
        },
        report_status: report_statuses(conn, period)?,
    })
}

/// Counted figures of one region in one period, by the (year, quarter, region) index.
const REGION_FIGURES: &str = "SELECT r.region_code, v.indicator, v.cumulative
     FROM reports r JOIN report_values v ON v.report_id = r.id
     WHERE r.year = ?1 AND r.quarter = ?2 AND r.region_code = ?3 AND r.status IN ('submitted', 'approved')
       AND v.cumulative IS NOT NULL";

const REGION_STATUS: &str =
    "SELECT region_code, status FROM reports WHERE year = ?1 AND quarter = ?2 AND region_code = ?3";

/// Counted figures of `region` in `period`.
fn region_figures(conn: &Connection, period: Period, region: &str) -> rusqlite::Result<Figures> {
    let mut statement = conn.prepare_cached(REGION_FIGURES)?;
    let rows = statement.query_map(params![period.year(), period.quarter(), region], |row| {
        Ok(((row.get(0)?, row.get(1)?), row.get(2)?))
    })?;
    rows.collect()
}

/// What [`inputs`] holds for `regions` only: the few rows an update of a cached table needs.
pub fn region_inputs<'a>(
    conn: &Connection,
    period: Period,
    regions: impl IntoIterator<Item = &'a str>,
) -> rusqlite::Result<ProgressInputs> {
    let mut inputs = ProgressInputs::default();
    let mut status = conn.prepare_cached(REGION_STATUS)?;
    for region in regions {
        inputs
            .targets
            .extend(super::targets::for_region(conn, region, period.year())?);
        inputs.current.extend(region_figures(conn, period, region)?);
        if let Some(previous) = period.previous_in_year() {
            inputs.previous.extend(region_figures(conn, previous, region)?);
        }
        inputs
            .history
            .extend(history(period, |at| region_figures(conn, at, region))?);
        let rows = status.query_map(params![period.year(), period.quarter(), region], |row| {
            let text: String = row.get(1)?;
            let parsed = text
                .parse::<ReportStatus>()
                .map_err(|e| rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, Box::new(e)))?;
            Ok((row.get::<_, String>(0)?, parsed))
        })?;
        for row in rows {
            let (code, parsed) = row?;
            inputs.report_status.insert(code, parsed);
        }
    }
    Ok(inputs)
}

/// The computed progress table for a period: the one source of every number shown.
pub fn table(conn: &Connection, catalogue: &Catalogue, period: Period) -> rusqlite::Result<ProgressTable> {
    Ok(ProgressTable::compute(catalogue, period, &inputs(conn, period)?))
}

/// The 情况说明 of counted reports for one period, non-empty only.
const COUNTED_NOTES: &str = "SELECT r.region_code, v.indicator, v.note
     FROM reports r JOIN report_values v ON v.report_id = r.id
     WHERE r.year = ?1 AND r.quarter = ?2 AND r.status IN ('submitted', 'approved') AND v.note <> ''";

/// The notes officers wrote beside counted figures of `period`, by (region code, indicator key).
pub fn counted_notes(conn: &Connection, period: Period) -> rusqlite::Result<HashMap<(String, String), String>> {
    let mut statement = conn.prepare_cached(COUNTED_NOTES)?;
    let rows = statement.query_map(params![period.year(), period.quarter()], |row| {
        Ok(((row.get(0)?, row.get(1)?), row.get(2)?))
    })?;
    rows.collect()
}

const LAST_UPDATE: &str = "SELECT max(updated_at) FROM reports
     WHERE year = ?1 AND quarter = ?2 AND status IN ('submitted', 'approved')";

/// When a counted report of `period` last changed (stored UTC), if any counts.
pub fn last_update(conn: &Connection, period: Period) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached(LAST_UPDATE)?
        .query_row(params![period.year(), period.quarter()], |row| row.get(0))
}

/// Whether any report of the period counts: one probe of the (year, quarter, region) index.
const PERIOD_COUNTS: &str = "SELECT EXISTS (SELECT 1 FROM reports WHERE year = ?1 AND quarter = ?2
     AND status IN ('submitted', 'approved'))";

/// The first and last year on file. Two subqueries, so that each reads one end of the
/// (year, quarter, region) index: `min(year), max(year)` in one select scans every report
/// (161 ms instead of 1 ms on the national data).
const PERIOD_RANGE: &str = "SELECT (SELECT min(year) FROM reports), (SELECT max(year) FROM reports)";

/// Every period that has any counted report, newest first: the period selector's choices.
/// Probes each quarter between the first and last year on file rather than scanning every
/// report, so it costs the same for a province and for the whole country.
pub fn counted_periods(conn: &Connection) -> rusqlite::Result<Vec<Period>> {
    let (first, last): (Option<i32>, Option<i32>) =
        conn.query_row(PERIOD_RANGE, [], |row| Ok((row.get(0)?, row.get(1)?)))?;
    let (Some(first), Some(last)) = (first, last) else {
        return Ok(Vec::new());
    };
    let mut probe = conn.prepare_cached(PERIOD_COUNTS)?;
    let mut periods = Vec::new();
    for year in (first..=last).rev() {
        for quarter in (1..=4u8).rev() {
            if probe.query_row(params![year, quarter], |row| row.get::<_, bool>(0))?
                && let Ok(period) = Period::new(year, quarter)
            {
                periods.push(period);
            }
        }
    }
    Ok(periods)
}

/// The latest period with submitted or approved figures: where the dashboard opens.
pub fn latest_counted_period(conn: &Connection) -> rusqlite::Result<Option<Period>> {
    Ok(counted_periods(conn)?.into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plan of `sql` as SQLite reports it, one line per step.
    fn plan(conn: &Connection, sql: &str) -> Vec<String> {
        let mut statement = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let count = statement.parameter_count();
        let params: Vec<i64> = vec![2020; count];
        statement
            .query_map(rusqlite::params_from_iter(params), |row| row.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn progress_queries_search_indexes_instead_of_scanning() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations().unwrap().to_latest(&mut conn).unwrap();
        for sql in [
            COUNTED_FIGURES,
            COUNTED_NOTES,
            LAST_UPDATE,
            REPORT_STATUSES,
            REGION_FIGURES,
            REGION_STATUS,
            PERIOD_COUNTS,
            PERIOD_RANGE,
            super::super::targets::FOR_YEAR,
        ] {
            let steps = plan(&conn, sql);
            assert!(!steps.is_empty());
            assert!(
                steps.iter().any(|step| step.starts_with("SEARCH")),
                "no index search in {sql}: {steps:?}"
            );
            for step in &steps {
                let full_scan = step.starts_with("SCAN") && step != "SCAN CONSTANT ROW";
                assert!(!full_scan, "full scan in {sql}: {steps:?}");
            }
        }
    }
}
