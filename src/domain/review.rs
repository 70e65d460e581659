//! What a province reviewer sees beyond the figures: what the city changed since the report was
//! last returned (or reopened), per figure and note, from the audit trail's edits.

use serde::Serialize;

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
}
