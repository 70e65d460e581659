//! What a reviewer sees beyond the figures: what the reporting unit changed since the report was
//! last returned (or reopened), per figure and note, from the audit trail's edits; and, for a
//! city that reports through its units, which units still stand in the way of its report.

use serde::Serialize;

use super::ReportStatus;

/// One audited edit of a report after its return: a figure or a note, old → new.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub indicator: String,
    /// A figure (`true`) or its note.
    pub figure: bool,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// An indicator's net change since the return: the value the province saw then and the value now.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SinceReturn {
    pub indicator: String,
    /// Old and new figure, when the figure differs (`None` inside: empty).
    pub value: Option<(Option<i64>, Option<i64>)>,
    /// Old and new note, when the note differs.
    pub note: Option<(String, String)>,
}

/// Folds the edits (oldest first) into one net change per indicator, in the order `keys` gives;
/// an edit undone later (5 → 7 → 5) is no change.
pub fn since_return(edits: &[Edit], keys: &[&str]) -> Vec<SinceReturn> {
    let number = |v: &Option<String>| v.as_deref().and_then(|t| t.parse::<i64>().ok());
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    keys.iter()
        .filter_map(|key| {
            let mine = |figure: bool| edits.iter().filter(move |e| e.indicator == *key && e.figure == figure);
            let value = match (mine(true).next(), mine(true).next_back()) {
                (Some(first), Some(last)) if number(&first.old) != number(&last.new) => {
                    Some((number(&first.old), number(&last.new)))
                }
                _ => None,
            };
            let note = match (mine(false).next(), mine(false).next_back()) {
                (Some(first), Some(last)) if text(&first.old) != text(&last.new) => {
                    Some((text(&first.old), text(&last.new)))
                }
                _ => None,
            };
            (value.is_some() || note.is_some()).then(|| SinceReturn {
                indicator: (*key).to_owned(),
                value,
                note,
            })
        })
        .collect()
}

/// A unit of a city for one period: its report's status and the city's reason for leaving it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitState {
    pub code: String,
    pub status: Option<ReportStatus>,
    pub reason: Option<String>,
}

/// The units that keep a city's consolidated report from going up (or from being approved):
/// those not approved, except a unit with no counted report for which the city recorded why.
pub fn blocking_units(units: &[UnitState]) -> Vec<&str> {
    units
        .iter()
        .filter(|unit| match unit.status {
            Some(ReportStatus::Approved) => false,
            Some(ReportStatus::Submitted) => true,
            None | Some(ReportStatus::Draft | ReportStatus::Returned) => unit.reason.is_none(),
        })
        .map(|unit| unit.code.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(indicator: &str, figure: bool, old: Option<&str>, new: Option<&str>) -> Edit {
        Edit {
            indicator: indicator.into(),
            figure,
            old: old.map(Into::into),
            new: new.map(Into::into),
        }
    }

    #[test]
    fn folds_each_indicators_edits_into_one_change() {
        let edits = [
            edit("starts", true, Some("100"), Some("250")),
            edit("starts", true, Some("250"), Some("310")),
            edit("starts", false, None, Some("征收延迟")),
            edit("relief", true, Some("5"), Some("7")),
            edit("relief", true, Some("7"), Some("5")),
            edit("subsidy", true, None, Some("12")),
        ];
        let changes = since_return(&edits, &["starts", "relief", "subsidy", "other"]);
        assert_eq!(changes.len(), 2, "{changes:?}");
        assert_eq!(changes[0].indicator, "starts");
        assert_eq!(changes[0].value, Some((Some(100), Some(310))));
        assert_eq!(changes[0].note, Some((String::new(), "征收延迟".into())));
        assert_eq!(changes[1].value, Some((None, Some(12))));
        assert!(since_return(&[], &["starts"]).is_empty());
    }

    #[test]
    fn a_city_waits_for_every_unit_but_those_it_explained() {
        let unit = |code: &str, status: Option<ReportStatus>, reason: Option<&str>| UnitState {
            code: code.into(),
            status,
            reason: reason.map(Into::into),
        };
        let units = [
            unit("440203", Some(ReportStatus::Approved), None),
            unit("440204", Some(ReportStatus::Submitted), Some("ignored: it did report")),
            unit("440205", None, None),
            unit("440222", None, Some("县住建局机构改革，本季度未报")),
            unit("440224", Some(ReportStatus::Returned), None),
        ];
        assert_eq!(blocking_units(&units), ["440204", "440205", "440224"]);
        assert!(blocking_units(&units[..1]).is_empty());
    }
}
