//! A national dataset for benchmarks: a country root and the real 31 provinces, 342
//! prefecture-level divisions and (by default) 2,850 of the 2,975 counties with their official
//! codes and names, every city reporting through its counties; ten years of synthetic quarterly
//! reports for every county and indicator, with targets. Deterministic for a given seed. The
//! figures are synthetic and marked as demonstration data in the database.

use std::cell::RefCell;
use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;

use crate::db::{self, audit::Change};
use crate::domain::catalogue::{Catalogue, Region};
use crate::domain::{Actor, Period, ReportStatus};

/// The mainland's provinces, prefectures and counties (NBS 2023 codes; see `data/README.md`).
const NATIONAL_CSV: &str = include_str!("../../data/divisions/national.csv");

/// The national root above the provinces.
pub const COUNTRY_CODE: &str = "100000";

#[derive(Clone, Copy, Debug)]
pub struct GenOptions {
    /// Last year generated; `years` years end with it.
    pub last_year: i32,
    pub years: i32,
    /// Counties in the whole country: of the real list's 2,975, this many, spread evenly.
    pub counties: usize,
    pub seed: u64,
}

impl Default for GenOptions {
    fn default() -> Self {
        Self {
            last_year: 2021,
            years: 10,
            counties: 2850,
            seed: 2020,
        }
    }
}

/// The real national list as built into the binary: provinces, cities, counties, in code order.
pub fn national_divisions() -> anyhow::Result<Vec<Region>> {
    let mut reader = csv::Reader::from_reader(NATIONAL_CSV.as_bytes());
    reader
        .deserialize::<(String, String, String, String, String)>()
        .map(|row| {
            let (code, name_zh, name_en, level, parent) = row?;
            Ok(Region {
                code,
                name_zh,
                name_en,
                level,
                parent_code: Some(parent).filter(|p| !p.is_empty()),
            })
        })
        .collect()
}

/// The region tree: the root, the real provinces and cities, and `options.counties` of the
/// real counties — every county already stored (`existing`: Guangdong's) and an evenly spread
/// share of the others. The same options always give the same tree.
pub fn regions(existing: &[Region], options: &GenOptions) -> anyhow::Result<Vec<Region>> {
    let known: HashSet<&str> = existing
        .iter()
        .filter(|r| r.level == "county")
        .map(|r| r.code.as_str())
        .collect();
    let mut out = vec![Region {
        code: COUNTRY_CODE.into(),
        name_zh: "全国".into(),
        name_en: "China".into(),
        level: "country".into(),
        parent_code: None,
    }];
    let mut others = Vec::new();
    for mut region in national_divisions()? {
        match region.level.as_str() {
            "county" if known.contains(region.code.as_str()) => out.push(region),
            "county" => others.push(region),
            "province" => {
                region.parent_code = Some(COUNTRY_CODE.into());
                out.push(region);
            }
            _ => out.push(region),
        }
    }
    let wanted = options.counties.saturating_sub(known.len()).min(others.len());
    let total = others.len().max(1);
    out.extend(
        others
            .into_iter()
            .enumerate()
            .filter(|(i, _)| (i + 1) * wanted / total > i * wanted / total)
            .map(|(_, region)| region),
    );
    Ok(out)
}

/// One generated report: a county's figures for a quarter.
pub struct GenReport {
    pub region: String,
    pub period: Period,
    pub status: ReportStatus,
    /// Indicator key and cumulative, in catalogue order.
    pub values: Vec<(String, Option<i64>)>,
}

/// Annual targets and quarterly reports for every leaf region, handed to `target` and
/// `report` as they are made so the caller can stream them into the database.
pub fn figures(
    catalogue: &Catalogue,
    options: &GenOptions,
    mut target: impl FnMut(&str, &str, i32, i64),
    mut report: impl FnMut(&GenReport),
) {
    let mut rng = StdRng::seed_from_u64(options.seed ^ 0x5eed);
    let leaves: Vec<&Region> = catalogue
        .regions()
        .iter()
        .filter(|r| !catalogue.has_children(&r.code))
        .collect();
    let first_year = options.last_year - options.years + 1;
    let mut current = GenReport {
        region: String::new(),
        period: Period::new(first_year, 1).expect("year"),
        status: ReportStatus::Approved,
        values: Vec::new(),
    };
    for leaf in leaves {
        for year in first_year..=options.last_year {
            let mut yearly: Vec<(i64, [u32; 4])> = Vec::new();
            for indicator in catalogue.indicators() {
                let size = rng.random_range(20..2000_i64) * if indicator.is_money() { 10_000 } else { 1 };
                if indicator.has_target {
                    target(&leaf.code, &indicator.key, year, size);
                }
                // Cumulative share of the year's figure by quarter, in per mille, never falling.
                let q1 = rng.random_range(100..450);
                let q2 = q1 + rng.random_range(150..300);
                let q3 = q2 + rng.random_range(150..300);
                let q4 = q3 + rng.random_range(100..350);
                yearly.push((size, [q1, q2, q3, q4]));
            }
            for quarter in 1..=4u8 {
                // About one report in two hundred is missing.
                if rng.random_range(0..200) == 0 {
                    continue;
                }
                current.region.clone_from(&leaf.code);
                current.period = Period::new(year, quarter).expect("generated period");
                current.status = if year == options.last_year && quarter == 4 && rng.random_range(0..4) == 0 {
                    ReportStatus::Submitted
                } else {
                    ReportStatus::Approved
                };
                current.values.clear();
                for (indicator, (size, shares)) in catalogue.indicators().iter().zip(&yearly) {
                    let value = size * i64::from(shares[usize::from(quarter - 1)]) / 1000;
                    current.values.push((indicator.key.clone(), Some(value)));
                }
                report(&current);
            }
        }
    }
}

/// Counts of what was written.
#[derive(Clone, Copy, Debug, Default)]
pub struct GenSummary {
    pub regions: usize,
    pub targets: usize,
    pub reports: usize,
    pub values: usize,
}

/// Writes the regions and the generated figures into a database without reports, in one
/// transaction, audited as one generation and marked as demonstration data.
pub fn load(conn: &mut Connection, regions: &[Region], options: &GenOptions) -> anyhow::Result<GenSummary> {
    let existing = db::reports::count(conn)?;
    anyhow::ensure!(
        existing == 0,
        "数据库中已有报告，gen 只用于空库（database already has reports）"
    );
    let tx = db::write(conn)?;
    db::catalogue::upsert_regions(&tx, regions)?;
    db::catalogue::all_cities_report_by_units(&tx)?;
    let catalogue: Catalogue = db::catalogue::load(&tx)?;
    let summary = RefCell::new(GenSummary {
        regions: catalogue.regions().len(),
        ..Default::default()
    });
    {
        let inserter = RefCell::new(db::bulk::Inserter::new(&tx)?);
        let failure: RefCell<Option<rusqlite::Error>> = RefCell::new(None);
        let keep = |result: rusqlite::Result<()>| {
            if let Err(error) = result {
                failure.borrow_mut().get_or_insert(error);
            }
        };
        figures(
            &catalogue,
            options,
            |region, indicator, year, value| {
                if failure.borrow().is_none() {
                    keep(inserter.borrow_mut().target(region, indicator, year, value));
                    summary.borrow_mut().targets += 1;
                }
            },
            |report| {
                if failure.borrow().is_none() {
                    keep(
                        inserter
                            .borrow_mut()
                            .report(&report.region, report.period, report.status, &report.values),
                    );
                    let mut summary = summary.borrow_mut();
                    summary.reports += 1;
                    summary.values += report.values.len();
                }
            },
        );
        if let Some(error) = failure.into_inner() {
            return Err(error.into());
        }
    }
    let summary = summary.into_inner();
    db::audit::record(
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
    db::meta::set_demo(&tx, true)?;
    db::meta::record_change(&tx, &crate::domain::change::Changed::Everything)?;
    tx.commit()?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tree_is_the_real_list_at_the_benchmarks_size_every_time() {
        let guangdong: Vec<Region> = national_divisions()
            .unwrap()
            .into_iter()
            .filter(|r| r.code.starts_with("44"))
            .collect();
        let options = GenOptions::default();
        let tree = regions(&guangdong, &options).unwrap();
        let count = |level: &str| tree.iter().filter(|r| r.level == level).count();
        assert_eq!(
            (count("country"), count("province"), count("city"), count("county")),
            (1, 31, 342, 2850)
        );
        assert_eq!(
            tree.iter()
                .filter(|r| r.code.starts_with("44") && r.level == "county")
                .count(),
            122
        );
        let codes: HashSet<&str> = tree.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes.len(), tree.len());
        assert!(
            tree.iter()
                .all(|r| r.parent_code.as_deref().is_none_or(|p| codes.contains(p)))
        );
        let beijing = tree.iter().find(|r| r.code == "110000").unwrap();
        assert_eq!(
            (beijing.name_zh.as_str(), beijing.parent_code.as_deref()),
            ("北京市", Some(COUNTRY_CODE))
        );
        let again = regions(&guangdong, &options).unwrap();
        assert_eq!(tree, again);
        let small = regions(
            &[],
            &GenOptions {
                counties: 300,
                ..options
            },
        )
        .unwrap();
        assert_eq!(small.iter().filter(|r| r.level == "county").count(), 300);
    }
}
