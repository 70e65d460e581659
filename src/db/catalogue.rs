//! Regions and indicators: loaded from the CSV files in `data/`, read back as a [`Catalogue`].

use std::path::Path;

use anyhow::{Context, bail};
use rusqlite::{Connection, params};
use serde::Deserialize;

use crate::domain::catalogue::{Catalogue, Indicator, Region, ReportedBy};

/// The catalogue files are part of the binary, so it runs from any directory.
const REGIONS_CSV: &str = include_str!("../../data/regions.csv");
const INDICATORS_CSV: &str = include_str!("../../data/indicators.csv");

#[derive(Deserialize)]
struct RegionRow {
    code: String,
    name_zh: String,
    name_en: String,
    level: String,
    parent_code: String,
}

#[derive(Deserialize)]
struct IndicatorRow {
    key: String,
    name_zh: String,
    name_en: String,
    unit: String,
    has_target: u8,
    sort: i64,
}

/// Loads `data/regions.csv` and `data/indicators.csv` (as built into the binary) or, when the
/// directory holds newer copies, those. Idempotent: existing rows are updated in place.
pub fn load_files(conn: &mut Connection, data_dir: &Path) -> anyhow::Result<()> {
    let read = |name: &str, builtin: &'static str| -> anyhow::Result<String> {
        let path = data_dir.join(name);
        match std::fs::read_to_string(&path) {
            Ok(text) => Ok(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(builtin.to_owned()),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    };
    let regions = parse_regions(&read("regions.csv", REGIONS_CSV)?)?;
    let indicators = parse_indicators(&read("indicators.csv", INDICATORS_CSV)?)?;
    let tx = super::write(conn)?;
    upsert_regions(&tx, &regions)?;
    for indicator in &indicators {
        tx.execute(
            "INSERT INTO indicators (key, name_zh, name_en, unit, has_target, sort) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (key) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
                 unit = excluded.unit, has_target = excluded.has_target, sort = excluded.sort",
            params![
                indicator.key,
                indicator.name_zh,
                indicator.name_en,
                indicator.unit,
                indicator.has_target,
                indicator.sort
            ],
        )?;
    }
    tx.commit()?;
    Ok(())
}

fn parse_regions(text: &str) -> anyhow::Result<Vec<Region>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let mut regions = Vec::new();
    for (line, row) in reader.deserialize::<RegionRow>().enumerate() {
        let row = row.with_context(|| format!("regions.csv line {}", line + 2))?;
        if !matches!(row.level.as_str(), "country" | "province" | "city" | "county") {
            bail!("regions.csv line {}: unknown level {:?}", line + 2, row.level);
        }
        regions.push(Region {
            code: row.code,
            name_zh: row.name_zh,
            name_en: row.name_en,
            level: row.level,
            parent_code: Some(row.parent_code).filter(|p| !p.is_empty()),
        });
    }
    Ok(regions)
}

fn parse_indicators(text: &str) -> anyhow::Result<Vec<Indicator>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .deserialize::<IndicatorRow>()
        .enumerate()
        .map(|(line, row)| {
            let row = row.with_context(|| format!("indicators.csv line {}", line + 2))?;
            Ok(Indicator {
                key: row.key,
                name_zh: row.name_zh,
                name_en: row.name_en,
                unit: row.unit,
                has_target: row.has_target == 1,
                sort: row.sort,
            })
        })
        .collect()
}

/// Inserts or updates regions; parents must come before their children. A region that already
/// hangs under a parent keeps it when the new row names none (a national tree adds a root above
/// a province whose file has no parent).
pub fn upsert_regions(conn: &Connection, regions: &[Region]) -> rusqlite::Result<()> {
    let mut statement = conn.prepare_cached(
        "INSERT INTO regions (code, name_zh, name_en, level, parent_code) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (code) DO UPDATE SET name_zh = excluded.name_zh, name_en = excluded.name_en,
             level = excluded.level, parent_code = COALESCE(excluded.parent_code, regions.parent_code)",
    )?;
    for region in regions {
        statement.execute(params![
            region.code,
            region.name_zh,
            region.name_en,
            region.level,
            region.parent_code
        ])?;
    }
    Ok(())
}

/// The catalogue reporting works on: every region except the counties of a city that reports as
/// itself (`reported_by = 'self'`), which stay in [`divisions`] only.
pub fn load(conn: &Connection) -> rusqlite::Result<Catalogue> {
    let regions = regions_where(
        conn,
        "WHERE r.level != 'county' OR EXISTS
             (SELECT 1 FROM regions p WHERE p.code = r.parent_code AND p.reported_by = 'units')",
    )?;
    let indicators = conn
        .prepare("SELECT key, name_zh, name_en, unit, has_target, sort FROM indicators")?
        .query_map([], |row| {
            Ok(Indicator {
                key: row.get(0)?,
                name_zh: row.get(1)?,
                name_en: row.get(2)?,
                unit: row.get(3)?,
                has_target: row.get(4)?,
                sort: row.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(Catalogue::new(regions, indicators))
}

/// Every administrative division stored, reporting or not, in code order.
pub fn divisions(conn: &Connection) -> rusqlite::Result<Vec<Region>> {
    regions_where(conn, "ORDER BY r.code")
}

fn regions_where(conn: &Connection, clause: &str) -> rusqlite::Result<Vec<Region>> {
    conn.prepare(&format!(
        "SELECT r.code, r.name_zh, r.name_en, r.level, r.parent_code FROM regions r {clause}"
    ))?
    .query_map([], |row| {
        Ok(Region {
            code: row.get(0)?,
            name_zh: row.get(1)?,
            name_en: row.get(2)?,
            level: row.get(3)?,
            parent_code: row.get(4)?,
        })
    })?
    .collect()
}

/// Who reports `city`'s figures.
pub fn reported_by(conn: &Connection, city: &str) -> rusqlite::Result<Option<ReportedBy>> {
    use rusqlite::OptionalExtension;
    let text: Option<String> = conn
        .query_row("SELECT reported_by FROM regions WHERE code = ?1", [city], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(text.map(|t| {
        if t == "units" {
            ReportedBy::Units
        } else {
            ReportedBy::City
        }
    }))
}

pub fn set_reported_by(conn: &Connection, city: &str, by: ReportedBy) -> rusqlite::Result<()> {
    let text = match by {
        ReportedBy::City => "self",
        ReportedBy::Units => "units",
    };
    conn.execute(
        "UPDATE regions SET reported_by = ?2 WHERE code = ?1",
        params![city, text],
    )?;
    Ok(())
}

/// Every city with county-level children reports through them (the national benchmark).
pub fn all_cities_report_by_units(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE regions SET reported_by = 'units'
         WHERE level = 'city' AND code IN (SELECT parent_code FROM regions WHERE level = 'county')",
        [],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_guangdong_twice_without_duplicates() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations().unwrap().to_latest(&mut conn).unwrap();
        let nowhere = Path::new("/nonexistent");
        load_files(&mut conn, nowhere).unwrap();
        load_files(&mut conn, nowhere).unwrap();
        let catalogue = load(&conn).unwrap();
        // The counties of cities that report as themselves take no part in reporting.
        assert_eq!(catalogue.regions().len(), 22);
        assert_eq!(catalogue.children("440000").count(), 21);
        assert_eq!(catalogue.region("445300").unwrap().name_zh, "云浮市");
        assert_eq!(catalogue.indicators().len(), 7);
        assert_eq!(catalogue.indicators()[0].key, "shantytown_starts");
        assert!(!catalogue.indicator("rent_relief_amount").unwrap().has_target);
    }

    #[test]
    fn guangdong_has_122_county_level_divisions_under_the_right_cities() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations().unwrap().to_latest(&mut conn).unwrap();
        load_files(&mut conn, Path::new("/nonexistent")).unwrap();
        let all = divisions(&conn).unwrap();
        let counties: Vec<&Region> = all.iter().filter(|r| r.level == "county").collect();
        assert_eq!(counties.len(), 122);
        let ending = |suffix: &str| counties.iter().filter(|r| r.name_zh.ends_with(suffix)).count();
        let autonomous = ending("自治县");
        assert_eq!(
            (ending("区"), ending("县") - autonomous, autonomous, ending("市")),
            (65, 34, 3, 20)
        );
        let under = |city: &str| {
            counties
                .iter()
                .filter(|r| r.parent_code.as_deref() == Some(city))
                .count()
        };
        let expected = [
            ("440100", 11),
            ("440200", 10),
            ("440300", 9),
            ("440400", 3),
            ("440500", 7),
            ("440600", 5),
            ("440700", 7),
            ("440800", 9),
            ("440900", 5),
            ("441200", 8),
            ("441300", 5),
            ("441400", 8),
            ("441500", 4),
            ("441600", 6),
            ("441700", 4),
            ("441800", 8),
            ("441900", 0),
            ("442000", 0),
            ("445100", 3),
            ("445200", 5),
            ("445300", 5),
        ];
        for (city, count) in expected {
            assert_eq!(under(city), count, "{city}");
        }
        for county in &counties {
            let parent = county.parent_code.as_deref().unwrap();
            assert_eq!(&county.code[..4], &parent[..4], "{}", county.code);
            assert!(all.iter().any(|r| r.code == parent && r.level == "city"));
        }
        let wujiang = all.iter().find(|r| r.code == "440203").unwrap();
        assert_eq!(
            (wujiang.name_zh.as_str(), wujiang.name_en.as_str()),
            ("武江区", "Wujiang District")
        );
        let ruyuan = all.iter().find(|r| r.code == "440232").unwrap();
        assert_eq!(ruyuan.name_en, "Ruyuan Yao Autonomous County");
    }

    #[test]
    fn a_city_reporting_through_its_units_has_them_as_children() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrations().unwrap().to_latest(&mut conn).unwrap();
        load_files(&mut conn, Path::new("/nonexistent")).unwrap();
        assert_eq!(reported_by(&conn, "440200").unwrap(), Some(ReportedBy::City));
        set_reported_by(&conn, "440200", ReportedBy::Units).unwrap();
        assert_eq!(reported_by(&conn, "440200").unwrap(), Some(ReportedBy::Units));
        let catalogue = load(&conn).unwrap();
        assert_eq!(catalogue.regions().len(), 32);
        assert_eq!(catalogue.children("440200").count(), 10);
        assert!(!catalogue.has_children("440100"));
        assert_eq!(reported_by(&conn, "999999").unwrap(), None);
    }
}
