//! Bulk loading for the synthetic national dataset (`anju gen`): plain prepared inserts in one
//! transaction, bypassing per-report validation because the generator guarantees the rules.

use rusqlite::{Connection, params};

use super::audit::{self, Change};
use crate::domain::Actor;
use crate::domain::catalogue::{Catalogue, Region};
use crate::national::{GenOptions, figures};

/// Counts of what was written.
#[derive(Clone, Copy, Debug, Default)]
pub struct GenSummary {
    pub regions: usize,
    pub targets: usize,
    pub reports: usize,
    pub values: usize,
}

/// Writes the regions and the generated figures into an empty-of-reports database.
pub fn load_generated(conn: &mut Connection, regions: &[Region], options: &GenOptions) -> anyhow::Result<GenSummary> {
    let existing = super::reports::count(conn)?;
    anyhow::ensure!(
        existing == 0,
        "数据库中已有报告,gen 只用于空库(database already has reports)"
    );
    let tx = super::write(conn)?;
    super::catalogue::upsert_regions(&tx, regions)?;
    let catalogue: Catalogue = super::catalogue::load(&tx)?;
    let mut summary = GenSummary {
        regions: catalogue.regions().len(),
        ..Default::default()
    };
    {
        let mut insert_target =
            tx.prepare("INSERT INTO targets (region_code, indicator, year, target) VALUES (?1, ?2, ?3, ?4)")?;
        let mut insert_report = tx.prepare(
            "INSERT INTO reports (region_code, year, quarter, status, submitted_at, approved_at)
             VALUES (?1, ?2, ?3, ?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
                     CASE WHEN ?4 = 'approved' THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END)",
        )?;
        let mut insert_value =
            tx.prepare("INSERT INTO report_values (report_id, indicator, cumulative) VALUES (?1, ?2, ?3)")?;
        let mut failure: Option<rusqlite::Error> = None;
        let mut targets = Vec::new();
        // Targets first (collected: they are few), then reports streamed.
        figures(
            &catalogue,
            options,
            |region, indicator, year, value| targets.push((region.to_owned(), indicator.to_owned(), year, value)),
            |report| {
                if failure.is_some() {
                    return;
                }
                let result = (|| -> rusqlite::Result<()> {
                    insert_report.execute(params![
                        report.region,
                        report.period.year(),
                        report.period.quarter(),
                        report.status.as_str()
                    ])?;
                    let id = tx.last_insert_rowid();
                    for (indicator, value) in &report.values {
                        insert_value.execute(params![id, indicator, value])?;
                    }
                    Ok(())
                })();
                match result {
                    Ok(()) => {
                        summary.reports += 1;
                        summary.values += report.values.len();
                    }
                    Err(e) => failure = Some(e),
                }
            },
        );
        if let Some(error) = failure {
            return Err(error.into());
        }
        for (region, indicator, year, value) in &targets {
            insert_target.execute(params![region, indicator, year, value])?;
        }
        summary.targets = targets.len();
    }
    audit::record(
        &tx,
        &Actor::system("anju gen"),
        &Change {
            action: "generate",
            detail: Some(format!(
                "synthetic national dataset: {} regions, {} reports, {} values",
                summary.regions, summary.reports, summary.values
            )),
            ..Default::default()
        },
    )?;
    super::meta::set_demo(&tx, true)?;
    super::meta::bump_data_version(&tx)?;
    tx.commit()?;
    Ok(summary)
}
