//! Bulk inserts for the synthetic national dataset (`anju gen`): plain prepared statements in
//! the caller's transaction, bypassing per-report validation because the generator guarantees
//! the rules. The rows come from the seed generator; storage knows nothing of how they were made.

use rusqlite::{Statement, Transaction, params};

use crate::domain::{Period, ReportStatus};

/// Prepared inserts of targets, reports and values, valid for one transaction.
pub struct Inserter<'tx> {
    target: Statement<'tx>,
    report: Statement<'tx>,
    value: Statement<'tx>,
    tx: &'tx Transaction<'tx>,
}

impl<'tx> Inserter<'tx> {
    pub fn new(tx: &'tx Transaction<'tx>) -> rusqlite::Result<Self> {
        Ok(Self {
            target: tx.prepare("INSERT INTO targets (region_code, indicator, year, target) VALUES (?1, ?2, ?3, ?4)")?,
            report: tx.prepare(
                "INSERT INTO reports (region_code, year, quarter, status, submitted_at, approved_at)
                 VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                         CASE WHEN ?4 = 'approved' THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END)",
            )?,
            value: tx.prepare("INSERT INTO report_values (report_id, indicator, cumulative) VALUES (?1, ?2, ?3)")?,
            tx,
        })
    }

    pub fn target(&mut self, region: &str, indicator: &str, year: i32, target: i64) -> rusqlite::Result<()> {
        self.target.execute(params![region, indicator, year, target])?;
        Ok(())
    }

    /// One report with its values (indicator key, cumulative).
    pub fn report(
        &mut self,
        region: &str,
        period: Period,
        status: ReportStatus,
        values: &[(String, Option<i64>)],
    ) -> rusqlite::Result<()> {
        self.report
            .execute(params![region, period.year(), period.quarter(), status.as_str()])?;
        let id = self.tx.last_insert_rowid();
        for (indicator, value) in values {
            self.value.execute(params![id, indicator, value])?;
        }
        Ok(())
    }
}
