//! A national synthetic dataset for benchmarks: a country root, 34 provinces, about 340
//! prefecture cities and 2,850 counties in the 6-digit code scheme, ten years of quarterly
//! reports for every county and indicator, with targets. Deterministic for a given seed.
//! Everything here is synthetic and marked as demonstration data in the database.

use std::cell::RefCell;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;

use crate::db::{self, audit::Change};
use crate::domain::catalogue::{Catalogue, Region};
use crate::domain::{Actor, Period, ReportStatus};

/// The 34 provincial-level divisions: code prefix and name.
const PROVINCES: [(u32, &str, &str); 34] = [
    (11, "北京市", "Beijing"),
    (12, "天津市", "Tianjin"),
    (13, "河北省", "Hebei"),
    (14, "山西省", "Shanxi"),
    (15, "内蒙古自治区", "Inner Mongolia"),
    (21, "辽宁省", "Liaoning"),
    (22, "吉林省", "Jilin"),
    (23, "黑龙江省", "Heilongjiang"),
    (31, "上海市", "Shanghai"),
    (32, "江苏省", "Jiangsu"),
    (33, "浙江省", "Zhejiang"),
    (34, "安徽省", "Anhui"),
    (35, "福建省", "Fujian"),
    (36, "江西省", "Jiangxi"),
    (37, "山东省", "Shandong"),
    (41, "河南省", "Henan"),
    (42, "湖北省", "Hubei"),
    (43, "湖南省", "Hunan"),
    (44, "广东省", "Guangdong Province"),
    (45, "广西壮族自治区", "Guangxi"),
    (46, "海南省", "Hainan"),
    (50, "重庆市", "Chongqing"),
    (51, "四川省", "Sichuan"),
    (52, "贵州省", "Guizhou"),
    (53, "云南省", "Yunnan"),
    (54, "西藏自治区", "Tibet"),
    (61, "陕西省", "Shaanxi"),
    (62, "甘肃省", "Gansu"),
    (63, "青海省", "Qinghai"),
    (64, "宁夏回族自治区", "Ningxia"),
    (65, "新疆维吾尔自治区", "Xinjiang"),
    (71, "台湾省", "Taiwan"),
    (81, "香港特别行政区", "Hong Kong"),
    (82, "澳门特别行政区", "Macao"),
];

/// The national root above the provinces.
pub const COUNTRY_CODE: &str = "100000";

#[derive(Clone, Copy, Debug)]
pub struct GenOptions {
    /// Last year generated; `years` years end with it.
    pub last_year: i32,
    pub years: i32,
    /// Counties in the whole country (about 2,850).
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

/// The region tree: the root, the provinces, their cities (keeping cities already in
/// `existing`, such as Guangdong's 21), and counties spread over the cities.
pub fn regions(existing: &Catalogue, options: &GenOptions) -> Vec<Region> {
    let mut rng = StdRng::seed_from_u64(options.seed);
    let mut out = vec![Region {
        code: COUNTRY_CODE.into(),
        name_zh: "全国".into(),
        name_en: "China".into(),
        level: "country".into(),
        parent_code: None,
    }];
    let mut cities: Vec<(String, String, String)> = Vec::new();
    for (prefix, name_zh, name_en) in PROVINCES {
        let code = format!("{prefix}0000");
        out.push(Region {
            code: code.clone(),
            name_zh: name_zh.into(),
            name_en: name_en.into(),
            level: "province".into(),
            parent_code: Some(COUNTRY_CODE.into()),
        });
        let known: Vec<&Region> = existing.children(&code).collect();
        if !known.is_empty() {
            cities.extend(
                known
                    .iter()
                    .map(|c| (c.code.clone(), c.name_zh.clone(), c.name_en.clone())),
            );
            continue;
        }
        let count = rng.random_range(6..=14);
        for n in 1..=count {
            let city_code = format!("{prefix}{n:02}00");
            let short = name_zh.trim_end_matches(['省', '市']).trim_end_matches("自治区");
            let (zh, en) = (format!("{short}第{n}市"), format!("{name_en} City {n}"));
            out.push(Region {
                code: city_code.clone(),
                name_zh: zh.clone(),
                name_en: en.clone(),
                level: "city".into(),
                parent_code: Some(code.clone()),
            });
            cities.push((city_code, zh, en));
        }
    }
    let per_city = options.counties / cities.len().max(1);
    let mut extra = options.counties % cities.len().max(1);
    for (city_code, city_zh, city_en) in &cities {
        let mut count = per_city;
        if extra > 0 {
            count += 1;
            extra -= 1;
        }
        let prefix = &city_code[..4];
        for n in 1..=count.min(99) {
            out.push(Region {
                code: format!("{prefix}{n:02}"),
                name_zh: format!("{city_zh}第{n}县"),
                name_en: format!("{city_en} County {n}"),
                level: "county".into(),
                parent_code: Some(city_code.clone()),
            });
        }
    }
    out
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
