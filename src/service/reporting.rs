//! Who reports a city's figures: the city itself, or its county-level units (with, if it
//! chooses, its directly managed figures as one more unit, 市本级) whose sum is the city's.

use rusqlite::Connection;

use crate::db::{self, audit::Change};
use crate::domain::catalogue::{Region, ReportedBy, city_level_code};
use crate::domain::change::Changed;
use crate::domain::levels;
use crate::domain::{Actor, Text};
use crate::error::{AppError, AppResult};

/// Completeness and timeliness per level for `period`: at `region` and at every region under it
/// that sums its units ([`levels::summarise`]), from the reports as filed. What
/// `/api/v1/completeness` answers and the completeness page shows.
pub fn completeness(
    conn: &Connection,
    catalogue: &crate::domain::catalogue::Catalogue,
    region: &str,
    period: crate::domain::Period,
    late_after_days: u32,
) -> AppResult<Vec<levels::LevelSummary>> {
    let filed = db::reports::filed(conn, period)?;
    Ok(levels::summarise(catalogue, region, period, &filed, late_after_days))
}

/// Switches `city` to report as itself or through its units, in one write transaction.
pub fn set(conn: &mut Connection, actor: &Actor, city: &str, by: ReportedBy, city_level: bool) -> AppResult<()> {
    let tx = db::write(conn)?;
    set_in(&tx, actor, city, by, city_level)?;
    tx.commit()?;
    Ok(())
}

/// [`set`] inside a transaction the caller holds. Refused when reports already filed would be
/// hidden by the switch: the city's own figures when it goes to its units, its units' when it
/// goes back. The caller reloads the catalogue afterwards.
pub fn set_in(tx: &Connection, actor: &Actor, city: &str, by: ReportedBy, city_level: bool) -> AppResult<()> {
    if !actor.may_set_reporting() {
        return Err(AppError::Forbidden(
            "只有省级管理员可以设定由谁报送(only a province-wide admin decides who reports)".into(),
        ));
    }
    let divisions = db::catalogue::divisions(tx)?;
    let Some(found) = divisions.iter().find(|r| r.code == city && r.level == "city") else {
        return Err(AppError::NotFound(Text::new(
            format!("未知地级市代码“{city}”。"),
            format!("Unknown city {city}."),
        )));
    };
    let name = found.name_zh.clone();
    let units: Vec<&Region> = divisions
        .iter()
        .filter(|r| r.parent_code.as_deref() == Some(city))
        .collect();
    let old = db::catalogue::reported_by(tx, city)?.unwrap_or(ReportedBy::City);
    match by {
        ReportedBy::Units => {
            if units.is_empty() && !city_level {
                return Err(AppError::invalid(
                    "city",
                    Text::new(
                        format!("{name}没有县级单位，只能以市为单位报送。"),
                        format!("{} has no county-level units.", found.name_en),
                    ),
                ));
            }
            if db::reports::count_with_values(tx, &[city])? > 0 {
                return Err(AppError::Conflict(Text::new(
                    format!("{name}已有以市为单位填报的报告，不能改为由县区报送。"),
                    format!("{} has reports of its own.", found.name_en),
                )));
            }
            if city_level {
                add_city_level(tx, found)?;
            }
        }
        ReportedBy::City => {
            let codes: Vec<&str> = units.iter().map(|r| r.code.as_str()).collect();
            if db::reports::count_with_values(tx, &codes)? > 0 || db::reports::count_for(tx, city)? > 0 {
                return Err(AppError::Conflict(Text::new(
                    format!("{name}的县区已有报告，不能改为以市为单位报送。"),
                    format!("The units of {} have reports.", found.name_en),
                )));
            }
        }
    }
    let text = |by: ReportedBy| match by {
        ReportedBy::City => "self",
        ReportedBy::Units => "units",
    };
    db::catalogue::set_reported_by(tx, city, by)?;
    db::audit::record(
        tx,
        actor,
        &Change {
            action: "reporting",
            region_code: Some(city),
            old_value: Some(text(old).to_owned()),
            new_value: Some(text(by).to_owned()),
            detail: city_level.then(|| "含市本级(with the city's own unit)".to_owned()),
            ..Default::default()
        },
    )?;
    db::meta::record_change(tx, &Changed::Everything)?;
    Ok(())
}

/// Adds the city's 市本级 unit (440201 韶关市本级) unless it is there already.
fn add_city_level(tx: &Connection, city: &Region) -> AppResult<()> {
    let code = city_level_code(&city.code).ok_or_else(|| {
        AppError::invalid(
            "city",
            Text::new(
                format!("{}不能设市本级。", city.name_zh),
                format!("{} can have no city-level unit.", city.name_en),
            ),
        )
    })?;
    let name_zh = format!("{}本级", city.name_zh);
    if let Some(existing) = db::catalogue::divisions(tx)?.into_iter().find(|r| r.code == code) {
        if existing.name_zh == name_zh {
            return Ok(());
        }
        return Err(AppError::Conflict(Text::new(
            format!("代码 {code} 已是{}，不能用作{name_zh}。", existing.name_zh),
            format!("Code {code} is taken by {}.", existing.name_en),
        )));
    }
    db::catalogue::upsert_regions(
        tx,
        &[Region {
            code,
            name_zh,
            name_en: format!("{} (city level)", city.name_en),
            level: "county".into(),
            parent_code: Some(city.code.clone()),
        }],
    )?;
    Ok(())
}
