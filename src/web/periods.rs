//! Which period a page opens on when none is asked for.

use super::AppState;
use super::state::DataFacts;
use crate::domain::progress::{self, Completeness, DefaultPeriod};
use crate::error::AppResult;

/// The period pages open on when none is asked for: the latest in which the configured share
/// of the home region's children has submitted, with the newer periods passed over.
pub async fn default_period(state: &AppState, facts: &DataFacts) -> AppResult<Option<DefaultPeriod>> {
    let catalogue = state.catalogue();
    let share = state.config.default_period_share;
    let mut candidates = Vec::new();
    for &period in facts.periods.iter() {
        let table = state.progress_at(period, facts).await?;
        let completeness = match catalogue.home_region() {
            Some(home) => table.completeness(&catalogue, &home.code),
            None => Completeness {
                submitted: 0,
                approved: 0,
                expected: 0,
                missing: Vec::new(),
            },
        };
        let met = share.met(completeness.submitted, completeness.expected);
        candidates.push((period, completeness));
        if met {
            break;
        }
    }
    Ok(progress::default_period(&candidates, share))
}
