//! Completeness and timeliness at each level, as DHIS2's reporting-rate summary: for a period,
//! at a region and at every region under it whose figure is summed from reporting units —
//! expected, submitted, on time and approved.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::catalogue::Catalogue;
use super::{Period, ReportStatus, deadline};

/// A city's consolidated report is due this many days after its units' (counties report by a
/// day, the city compiles two days later).
pub const CONSOLIDATION_DAYS: u32 = 2;

/// What an officer reads after submitting `code`'s report: who reviews it next — the province
/// for a city (or a unit directly under the province), its city for a county or 市本级 unit.
pub fn submitted_to(catalogue: &Catalogue, code: &str) -> super::lang::Text {
    let parent = catalogue
        .region(code)
        .and_then(|r| r.parent_code.as_deref())
        .and_then(|p| catalogue.region(p))
        .filter(|p| {
            p.parent_code
                .as_deref()
                .is_some_and(|grand| catalogue.region(grand).is_some())
        });
    match parent {
        Some(city) => super::lang::Text::new(
            format!("已提交，等待{}审核。", city.name_zh),
            format!("Submitted for review by {}.", city.name_en),
        ),
        None => super::lang::Text::new("已提交，等待省厅审核。", "Submitted for review."),
    }
}

/// One level: the reports expected from the units directly under `region_code`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LevelSummary {
    pub region_code: String,
    pub region_name: String,
    pub level: String,
    pub expected: u32,
    /// Submitted or approved.
    pub submitted: u32,
    /// Submitted by the unit's due date.
    pub on_time: u32,
    pub approved: u32,
    /// Units with nothing counted yet.
    pub missing: Vec<String>,
}

/// What is stored of a unit's report: its status and the day (Beijing time) it was submitted.
pub type Filed = HashMap<String, (ReportStatus, Option<NaiveDate>)>;

/// The summary at `region` and at every region under it that sums its units, in catalogue
/// order; empty for an unknown region or one that reports as itself.
pub fn summarise(
    catalogue: &Catalogue,
    region: &str,
    period: Period,
    filed: &Filed,
    late_after_days: u32,
) -> Vec<LevelSummary> {
    catalogue
        .subtree(region)
        .into_iter()
        .filter(|parent| catalogue.has_children(&parent.code))
        .map(|parent| {
            let mut summary = LevelSummary {
                region_code: parent.code.clone(),
                region_name: parent.name_zh.clone(),
                level: parent.level.clone(),
                expected: 0,
                submitted: 0,
                on_time: 0,
                approved: 0,
                missing: Vec::new(),
            };
            for unit in catalogue.children(&parent.code) {
                summary.expected += 1;
                let days = late_after_days
                    + if catalogue.has_children(&unit.code) {
                        CONSOLIDATION_DAYS
                    } else {
                        0
                    };
                match filed.get(&unit.code) {
                    Some((status, submitted_on)) if status.counts() => {
                        summary.submitted += 1;
                        summary.approved += u32::from(*status == ReportStatus::Approved);
                        let late = submitted_on.is_none_or(|day| deadline::is_late(period, day, days));
                        summary.on_time += u32::from(!late);
                    }
                    _ => summary.missing.push(unit.code.clone()),
                }
            }
            summary
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::tests::region;

    #[test]
    fn a_countys_report_goes_to_its_city_and_a_citys_to_the_province() {
        let mut regions = vec![
            region("440000", None),
            region("440100", Some("440000")),
            region("440200", Some("440000")),
            region("440203", Some("440200")),
        ];
        regions[2].name_zh = "韶关市".into();
        regions[2].name_en = "Shaoguan".into();
        let catalogue = Catalogue::new(regions, vec![]);
        let county = submitted_to(&catalogue, "440203");
        assert_eq!(county.zh(), "已提交，等待韶关市审核。");
        assert_eq!(county.get(crate::domain::Lang::En), "Submitted for review by Shaoguan.");
        assert_eq!(submitted_to(&catalogue, "440100").zh(), "已提交，等待省厅审核。");
    }

    #[test]
    fn each_level_counts_its_own_units_and_their_timeliness() {
        let catalogue = Catalogue::new(
            vec![
                region("440000", None),
                region("440100", Some("440000")),
                region("440200", Some("440000")),
                region("440203", Some("440200")),
                region("440204", Some("440200")),
                region("440205", Some("440200")),
            ],
            vec![],
        );
        let period: Period = "2020Q1".parse().unwrap();
        let day = |d: &str| Some(d.parse::<NaiveDate>().unwrap());
        let filed: Filed = [
            ("440100".to_owned(), (ReportStatus::Approved, day("2020-04-10"))),
            ("440200".to_owned(), (ReportStatus::Submitted, day("2020-04-17"))),
            ("440203".to_owned(), (ReportStatus::Approved, day("2020-04-15"))),
            ("440204".to_owned(), (ReportStatus::Submitted, day("2020-04-16"))),
            ("440205".to_owned(), (ReportStatus::Draft, None)),
        ]
        .into();
        let levels = summarise(&catalogue, "440000", period, &filed, 15);
        let counts: Vec<(&str, u32, u32, u32, u32)> = levels
            .iter()
            .map(|l| (l.region_code.as_str(), l.expected, l.submitted, l.on_time, l.approved))
            .collect();
        // 440200's consolidated report has two more days: 17 April is on time; 440204's 16 is not.
        assert_eq!(counts, [("440000", 2, 2, 2, 1), ("440200", 3, 2, 1, 1)]);
        assert_eq!(levels[1].missing, ["440205"]);
        assert_eq!(summarise(&catalogue, "440200", period, &filed, 15).len(), 1);
        assert!(summarise(&catalogue, "440100", period, &filed, 15).is_empty());
    }
}
