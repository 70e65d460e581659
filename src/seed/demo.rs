//! The demonstration dataset (`data/demo/`): synthetic city splits that add up to Guangdong's
//! published 2020 province totals, loaded through the same import code as any user file.
//! 韶关市 and 湛江市 report through their county-level units (韶关市 with its 市本级), whose
//! synthetic splits (`unit_reports.csv`, `unit_targets.csv`) add up to the same city figures.

use std::collections::HashMap;

use anyhow::{Context, bail};
use rusqlite::Connection;
use serde::Deserialize;

use crate::db;
use crate::domain::catalogue::{Catalogue, ReportedBy};
use crate::domain::workflow::Action;
use crate::domain::{Actor, Period, ReportStatus, Role, deadline};
use crate::service::import::{self, ImportOptions};
use crate::service::{reporting, reports};

const TARGETS_CSV: &str = include_str!("../../data/demo/targets.csv");
const REPORTS_CSV: &str = include_str!("../../data/demo/reports.csv");
const STATUSES_CSV: &str = include_str!("../../data/demo/statuses.csv");
const UNIT_TARGETS_CSV: &str = include_str!("../../data/demo/unit_targets.csv");
const UNIT_REPORTS_CSV: &str = include_str!("../../data/demo/unit_reports.csv");

/// The cities that report through their units, and whether with a 市本级 unit.
pub const UNIT_CITIES: [(&str, bool); 2] = [("440200", true), ("440800", false)];

/// Demo reports came in this many days after their quarter ended.
const SUBMITTED_AFTER_DAYS: u32 = 10;

/// The name the demo loader's changes carry in the audit log.
pub const LOADER: &str = "演示数据导入";

/// The demo accounts: name, role, region (an officer's unit, or the city an admin or leader is
/// bound to).
pub const ACCOUNTS: [(&str, Role, Option<&str>); 7] = [
    ("admin", Role::Admin, None),
    ("gz_officer", Role::Officer, Some("440100")),
    ("leader", Role::Leader, None),
    ("analyst", Role::Analyst, None),
    ("wj_officer", Role::Officer, Some("440203")),
    ("sg_admin", Role::Admin, Some("440200")),
    ("sg_leader", Role::Leader, Some("440200")),
];

#[derive(Deserialize)]
struct StatusRow {
    region_code: String,
    period: String,
    status: String,
    comment: String,
}

/// Loads the dataset into a database that has no reports yet. Returns false (and changes
/// nothing) when there are reports already. The catalogue changes (two cities report through
/// their units): the caller reloads it.
pub fn load(conn: &mut Connection) -> anyhow::Result<bool> {
    let existing = db::reports::count(conn)?;
    if existing > 0 {
        return Ok(false);
    }
    let actor = Actor::system(LOADER);
    let today = crate::clock::today();
    let tx = db::write(conn)?;
    for (city, city_level) in UNIT_CITIES {
        reporting::set_in(&tx, &actor, city, ReportedBy::Units, city_level)
            .map_err(|e| anyhow::anyhow!("demo reporting units of {city}: {e}"))?;
    }
    let catalogue = &db::catalogue::load(&tx)?;

    let targets = import::apply_targets(&tx, catalogue, &actor, TARGETS_CSV.as_bytes())?;
    ensure_clean("targets.csv", &targets)?;
    let targets = import::apply_targets(&tx, catalogue, &actor, UNIT_TARGETS_CSV.as_bytes())?;
    ensure_clean("unit_targets.csv", &targets)?;

    let mut statuses: HashMap<(String, String), (ReportStatus, String)> = HashMap::new();
    for row in csv::Reader::from_reader(STATUSES_CSV.as_bytes()).deserialize::<StatusRow>() {
        let row = row.context("statuses.csv")?;
        let status = row.status.parse().map_err(|e| anyhow::anyhow!("statuses.csv: {e}"))?;
        statuses.insert((row.region_code, row.period), (status, row.comment));
    }
    let is_draft = |region: &str, period: &str| {
        statuses
            .get(&(region.to_owned(), period.to_owned()))
            .is_some_and(|(s, _)| *s == ReportStatus::Draft)
    };
    let (drafts, others) = split_reports(catalogue, is_draft)?;
    let submitted = import::apply_reports(&tx, catalogue, &actor, &others, ImportOptions::default(), today)?;
    ensure_clean("reports.csv", &submitted)?;
    let draft_options = ImportOptions {
        keep_as_draft: true,
        ..Default::default()
    };
    let kept = import::apply_reports(&tx, catalogue, &actor, &drafts, draft_options, today)?;
    ensure_clean("reports.csv (drafts)", &kept)?;

    for report in db::reports::summaries(&tx, None, Some(ReportStatus::Submitted))? {
        let wanted = statuses.get(&(report.region_code.clone(), report.period.to_string()));
        let (action, comment) = match wanted {
            Some((ReportStatus::Submitted, _)) => continue,
            Some((ReportStatus::Returned, comment)) => (Action::Return, Some(comment.as_str())),
            _ => (Action::Approve, None),
        };
        reports::review_in(
            &tx,
            catalogue,
            &actor,
            &report.region_code,
            report.period,
            reports::Review {
                action,
                comment,
                version: None,
            },
        )
        .map_err(|e| anyhow::anyhow!("demo review of {} {}: {e}", report.region_code, report.period))?;
    }
    // Each city that reports through its units sends its consolidated report up once every
    // unit is approved, and the province approves it.
    for (city, _) in UNIT_CITIES {
        for period in db::reports::periods_of_units(&tx, catalogue, city)? {
            reports::consolidate_in(&tx, catalogue, &actor, city, period, &[])
                .and_then(|_| {
                    let review = reports::Review {
                        action: Action::Approve,
                        comment: None,
                        version: None,
                    };
                    reports::review_in(&tx, catalogue, &actor, city, period, review)
                })
                .map_err(|e| anyhow::anyhow!("demo consolidation of {city} {period}: {e}"))?;
        }
    }
    // Every submission is dated ten days after its quarter ended (10:00 Beijing time) and every
    // approval five days later, so the demo's reports are not all stamped with the moment the
    // dataset was loaded (which would flag them all late).
    let at_ten = |day: chrono::NaiveDate| format!("{}T02:00:00.000Z", day.format("%Y-%m-%d"));
    for report in db::reports::summaries(&tx, None, None)? {
        let submitted = deadline::due_date(report.period, SUBMITTED_AFTER_DAYS);
        let approved = deadline::due_date(report.period, SUBMITTED_AFTER_DAYS + 5);
        db::reports::restamp(
            &tx,
            &report.region_code,
            report.period,
            &at_ten(submitted),
            &at_ten(approved),
        )?;
    }
    db::meta::set_demo(&tx, true)?;
    tx.commit()?;
    Ok(true)
}

fn ensure_clean(file: &str, outcome: &import::ImportOutcome) -> anyhow::Result<()> {
    if let Some(error) = outcome.errors.first() {
        bail!("demo {file} line {}: {}", error.line, error.message);
    }
    Ok(())
}

/// Splits reports.csv and unit_reports.csv into the rows of draft reports and all the others,
/// both as CSV files; a city that reports through its units leaves its own rows out (its units'
/// rows add up to them).
fn split_reports(catalogue: &Catalogue, is_draft: impl Fn(&str, &str) -> bool) -> anyhow::Result<(Vec<u8>, Vec<u8>)> {
    let mut reader = csv::Reader::from_reader(REPORTS_CSV.as_bytes());
    let header = reader.headers()?.clone();
    let mut drafts = csv::Writer::from_writer(Vec::new());
    let mut others = csv::Writer::from_writer(Vec::new());
    drafts.write_record(&header)?;
    others.write_record(&header)?;
    let units = csv::Reader::from_reader(UNIT_REPORTS_CSV.as_bytes()).into_records();
    for record in reader.records().chain(units) {
        let record = record?;
        if catalogue.has_children(record.get(0).unwrap_or_default()) {
            continue;
        }
        let period = record.get(1).unwrap_or_default();
        period
            .parse::<Period>()
            .map_err(|e| anyhow::anyhow!("demo reports.csv: {e}"))?;
        if is_draft(record.get(0).unwrap_or_default(), period) {
            drafts.write_record(&record)?;
        } else {
            others.write_record(&record)?;
        }
    }
    Ok((drafts.into_inner()?, others.into_inner()?))
}

/// Creates the demo accounts that do not exist yet and gives every one of them `password`
/// (a password change is audited only when the password really changes).
pub fn ensure_accounts(conn: &mut Connection, password: &str) -> anyhow::Result<()> {
    let tx = db::write(conn)?;
    let actor = Actor::system(LOADER);
    // The accounts share one hash, so a restart with the same password checks it once and
    // hashes nothing (each takes about 50 ms).
    let mut matching: Option<String> = None;
    let mut fresh: Option<String> = None;
    for (name, role, region) in ACCOUNTS {
        let user = db::users::by_username(&tx, name)?;
        if let Some(user) = &user
            && (matching.as_ref() == Some(&user.password_hash)
                || crate::auth::verify_password(password, &user.password_hash))
        {
            matching = Some(user.password_hash.clone());
            continue;
        }
        let hash = match &fresh {
            Some(hash) => hash.clone(),
            None => fresh.insert(crate::auth::hash_password(password)?).clone(),
        };
        match user {
            None => {
                db::users::create(&tx, &actor, name, role, region, &hash)?;
            }
            Some(user) => db::users::set_password(&tx, &actor, &user, &hash)?,
        }
    }
    tx.commit()?;
    Ok(())
}
