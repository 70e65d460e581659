//! Target use case: set (or clear) a year's annual targets, all cells or none, each revision
//! audited.

use rusqlite::Connection;

use crate::db;
use crate::domain::Actor;
use crate::domain::catalogue::Catalogue;
use crate::domain::period::{MAX_YEAR, MIN_YEAR};
use crate::error::{AppError, AppResult, FieldError};

/// One target as entered: `None` clears it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetCell {
    pub region: String,
    pub indicator: String,
    pub value: Option<i64>,
}

impl TargetCell {
    /// The form field of this cell.
    pub fn field(&self) -> String {
        format!("t.{}.{}", self.region, self.indicator)
    }
}

/// Checks that every cell names a known region and an indicator with targets, in a known year.
pub fn check(catalogue: &Catalogue, year: i32, cells: &[TargetCell]) -> AppResult<()> {
    if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
        return Err(AppError::invalid(
            "year",
            format!("年份须在 {MIN_YEAR} 至 {MAX_YEAR} 之间(year out of range)"),
        ));
    }
    let mut errors = Vec::new();
    for cell in cells {
        if catalogue.region(&cell.region).is_none() {
            errors.push(FieldError::new(
                cell.field(),
                format!("未知地区代码“{}”(unknown region)", cell.region),
            ));
            continue;
        }
        match catalogue.indicator(&cell.indicator) {
            None => errors.push(FieldError::new(
                cell.field(),
                format!("未知指标“{}”(unknown indicator)", cell.indicator),
            )),
            Some(indicator) if !indicator.has_target => errors.push(FieldError::new(
                cell.field(),
                format!("指标“{}”不设目标任务(indicator has no target)", indicator.name_zh),
            )),
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Sets `year`'s targets in one write transaction; unchanged cells write nothing. Returns how
/// many targets changed.
pub fn set(
    conn: &mut Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    year: i32,
    cells: &[TargetCell],
) -> AppResult<usize> {
    let tx = db::write(conn)?;
    let changed = set_in(&tx, catalogue, actor, year, cells)?;
    tx.commit()?;
    Ok(changed)
}

/// [`set`] inside a transaction the caller holds.
pub fn set_in(
    tx: &Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    year: i32,
    cells: &[TargetCell],
) -> AppResult<usize> {
    if !actor.may_set_targets() {
        return Err(AppError::forbidden());
    }
    check(catalogue, year, cells)?;
    let mut changed = 0;
    for cell in cells {
        let old = db::targets::set(tx, actor, &cell.region, &cell.indicator, year, cell.value)?;
        changed += usize::from(old != cell.value);
    }
    Ok(changed)
}
