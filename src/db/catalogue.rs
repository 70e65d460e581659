//! Regions and indicators: loaded from the CSV files in `data/`, read back as a [`Catalogue`].

use std::path::Path;

use anyhow::{Context, bail};
use rusqlite::{Connection, params};
use serde::Deserialize;

use crate::domain::catalogue::{Catalogue, Indicator, Region};

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

pub fn load(conn: &Connection) -> rusqlite::Result<Catalogue> {
    let regions = conn
        .prepare("SELECT code, name_zh, name_en, level, parent_code FROM regions")?
        .query_map([], |row| {
            Ok(Region {
                code: row.get(0)?,
                name_zh: row.get(1)?,
                name_en: row.get(2)?,
                level: row.get(3)?,
                parent_code: row.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
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
        assert_eq!(catalogue.regions().len(), 22);
        assert_eq!(catalogue.children("440000").count(), 21);
        assert_eq!(catalogue.region("445300").unwrap().name_zh, "云浮市");
        assert_eq!(catalogue.indicators().len(), 7);
        assert_eq!(catalogue.indicators()[0].key, "shantytown_starts");
        assert!(!catalogue.indicator("rent_relief_amount").unwrap().has_target);
    }
}
