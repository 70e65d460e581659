//! Target use case: set (or clear) a year's annual targets, all cells or none, each revision
//! audited.

use rusqlite::Connection;

use crate::db;
use crate::domain::catalogue::{Catalogue, takes_no_target, unknown_indicator, unknown_region};
use crate::domain::period::{MAX_YEAR, MIN_YEAR, bad_year};
use crate::domain::{Actor, Text};
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
        return Err(AppError::invalid("year", bad_year(&year.to_string())));
    }
    let mut errors = Vec::new();
    for cell in cells {
        if catalogue.region(&cell.region).is_none() {
            errors.push(FieldError::new(cell.field(), unknown_region(&cell.region)));
            continue;
        }
        match catalogue.indicator(&cell.indicator) {
            None => errors.push(FieldError::new(cell.field(), unknown_indicator(&cell.indicator))),
            Some(indicator) if !indicator.has_target => {
                errors.push(FieldError::new(cell.field(), takes_no_target(indicator)))
            }
            Some(_) => {}
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(AppError::Invalid(errors))
    }
}

/// Refuses cells `actor` may not set (a city admin's outside its units, its city's own
/// included), naming their regions; nothing is set then.
pub fn authorise(catalogue: &Catalogue, actor: &Actor, cells: &[TargetCell]) -> AppResult<()> {
    if !actor.may_set_targets() {
        return Err(AppError::forbidden());
    }
    let mut refused: Vec<&str> = Vec::new();
    for cell in cells {
        if !actor.may_set_target_of(catalogue, &cell.region) && !refused.contains(&cell.region.as_str()) {
            refused.push(&cell.region);
        }
    }
    if refused.is_empty() {
        return Ok(());
    }
    Err(out_of_scope(catalogue, actor, &refused))
}

/// Whether `value` is what is stored for `region`'s `indicator` in `year`: setting it would
/// change nothing, so a cell outside the actor's reach holding it is no attempt to set it.
pub fn stored_as(conn: &Connection, region: &str, indicator: &str, year: i32, value: Option<i64>) -> AppResult<bool> {
    Ok(db::targets::get(conn, region, indicator, year)? == value)
}

/// Why `actor` may not set the targets of `regions` (a city admin's outside its units, its
/// city's own included), naming them by name when the catalogue knows them: the grid's refusal
/// and each refused line of a target import.
pub fn out_of_reach(catalogue: &Catalogue, actor: &Actor, regions: &[&str]) -> Text {
    let name = |code: &str, en: bool| {
        catalogue
            .region(code)
            .map_or(code.to_owned(), |r| r.name(en).to_owned())
    };
    let names = |en: bool| regions.iter().map(|c| name(c, en)).collect::<Vec<_>>();
    let scope = actor.region.as_deref().unwrap_or_default();
    Text::new(
        format!(
            "无权设定{}的目标任务：{}的管理员只设定本市所属县区和市本级的目标，市级目标由省厅下达",
            names(false).join("、"),
            name(scope, false)
        ),
        format!(
            "You may not set the targets of {}: {}'s administrators set its units' targets only; the city's own target is the province's.",
            names(true).join(", "),
            name(scope, true)
        ),
    )
}

/// The refusal of a grid with cells out of reach: 403, naming their regions.
fn out_of_scope(catalogue: &Catalogue, actor: &Actor, regions: &[&str]) -> AppError {
    AppError::Forbidden(out_of_reach(catalogue, actor, regions))
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
    authorise(catalogue, actor, cells)?;
    check(catalogue, year, cells)?;
    let mut changed = 0;
    for cell in cells {
        let old = db::targets::set(tx, actor, &cell.region, &cell.indicator, year, cell.value)?;
        changed += usize::from(old != cell.value);
    }
    Ok(changed)
}
