//! The progress table: every region × indicator for one period, with roll-up and completeness.
//! Pages, charts, the bulletin, exports and the API all read their numbers from here.

use std::collections::HashMap;

use serde::Serialize;

use super::catalogue::Catalogue;
use super::rate::{Status, completion_rate, gap, time_benchmark};
use super::{Period, ReportStatus, Tenths};

/// What the database holds for one period; keys are (region code, indicator key).
#[derive(Clone, Debug, Default)]
pub struct ProgressInputs {
    /// Targets set explicitly for the period's year.
    pub targets: HashMap<(String, String), i64>,
    /// Cumulative figures in counted (submitted or approved) reports for the period.
    pub current: HashMap<(String, String), i64>,
    /// The same for the previous quarter of the same year (empty for Q1).
    pub previous: HashMap<(String, String), i64>,
    /// The status of each region's report for the period, counted or not.
    pub report_status: HashMap<String, ReportStatus>,
}

/// One region × indicator for the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figure {
    /// Own figure for a region without children; the sum of the children's reported figures
    /// otherwise. `None` means not reported — never zero.
    pub cumulative: Option<i64>,
    /// This quarter's own progress: cumulative minus the previous quarter's (Q1: cumulative).
    pub increment: Option<i64>,
    /// Explicit target, else the sum of the children's targets.
    pub target: Option<i64>,
    pub rate: Option<Tenths>,
    pub gap: Option<Tenths>,
    pub status: Status,
    /// Children (or, for a leaf, the region itself) that reported this figure.
    pub reported: u32,
    pub expected: u32,
}

/// Report completeness of a region's children for the period: 已报送 x/21, 已审核 y/21.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Completeness {
    /// Submitted or approved.
    pub submitted: u32,
    pub approved: u32,
    pub expected: u32,
    /// Codes of the children with nothing counted yet.
    pub missing: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct ProgressTable {
    pub period: Period,
    pub time_benchmark: Tenths,
    indicator_count: usize,
    /// Region-major, in catalogue order.
    figures: Vec<Figure>,
    counted_status: HashMap<String, ReportStatus>,
}

impl ProgressTable {
    pub fn compute(catalogue: &Catalogue, period: Period, inputs: &ProgressInputs) -> Self {
        let indicators = catalogue.indicators();
        let regions = catalogue.regions();
        let width = indicators.len();
        let empty = Figure {
            cumulative: None,
            increment: None,
            target: None,
            rate: None,
            gap: None,
            status: Status::NotReported,
            reported: 0,
            expected: 0,
        };
        let mut figures = vec![empty; regions.len() * width];
        let mut key = (String::new(), String::new());
        // Children follow their parent in catalogue order, so walking backwards rolls up.
        for position in (0..regions.len()).rev() {
            let region = &regions[position];
            let children = catalogue.child_positions(position);
            for (column, indicator) in indicators.iter().enumerate() {
                key.0.clone_from(&region.code);
                key.1.clone_from(&indicator.key);
                let explicit_target = inputs.targets.get(&key).copied();
                let mut figure = if children.is_empty() {
                    let cumulative = inputs.current.get(&key).copied();
                    let increment = match period.previous_in_year() {
                        None => cumulative,
                        Some(_) => cumulative
                            .zip(inputs.previous.get(&key))
                            .map(|(now, before)| now - before),
                    };
                    Figure {
                        cumulative,
                        increment,
                        target: explicit_target,
                        reported: u32::from(cumulative.is_some()),
                        expected: 1,
                        ..empty
                    }
                } else {
                    let parts = children.iter().map(|&child| &figures[child * width + column]);
                    let reported_parts: Vec<&Figure> = parts.clone().filter(|f| f.cumulative.is_some()).collect();
                    Figure {
                        cumulative: sum(reported_parts.iter().filter_map(|f| f.cumulative)),
                        increment: sum(reported_parts.iter().filter_map(|f| f.increment)),
                        target: rolled_up_target(explicit_target, parts.map(|f| f.target)),
                        reported: reported_parts.len() as u32,
                        expected: children.len() as u32,
                        ..empty
                    }
                };
                if !indicator.has_target {
                    figure.target = None;
                }
                figure.rate = figure.cumulative.and_then(|c| completion_rate(c, figure.target));
                figure.gap = figure.rate.map(|rate| gap(rate, time_benchmark(period)));
                figure.status = Status::of(figure.cumulative, figure.target, period);
                figures[position * width + column] = figure;
            }
        }
        let counted_status = inputs
            .report_status
            .iter()
            .filter(|(_, status)| status.counts())
            .map(|(code, status)| (code.clone(), *status))
            .collect();
        Self {
            period,
            time_benchmark: time_benchmark(period),
            indicator_count: width,
            figures,
            counted_status,
        }
    }

    /// The figure for the region at `position` in the catalogue and the indicator at `column`.
    pub fn figure(&self, position: usize, column: usize) -> &Figure {
        &self.figures[position * self.indicator_count + column]
    }

    /// Looks a figure up by codes.
    pub fn figure_for(&self, catalogue: &Catalogue, region: &str, indicator: &str) -> Option<&Figure> {
        let position = catalogue.position(region)?;
        let column = catalogue.indicators().iter().position(|i| i.key == indicator)?;
        Some(self.figure(position, column))
    }

    /// The region's report status when its figures count (submitted or approved).
    pub fn report_status(&self, region: &str) -> Option<ReportStatus> {
        self.counted_status.get(region).copied()
    }

    pub fn completeness(&self, catalogue: &Catalogue, region: &str) -> Completeness {
        let children: Vec<&str> = if catalogue.has_children(region) {
            catalogue.children(region).map(|r| r.code.as_str()).collect()
        } else {
            vec![region]
        };
        let mut completeness = Completeness {
            submitted: 0,
            approved: 0,
            expected: children.len() as u32,
            missing: Vec::new(),
        };
        for code in children {
            match self.report_status(code) {
                Some(status) => {
                    completeness.submitted += 1;
                    completeness.approved += u32::from(status == ReportStatus::Approved);
                }
                None => completeness.missing.push(code.to_owned()),
            }
        }
        completeness
    }

    /// Rows for `scope` and everything under it (all regions when `None`), optionally one
    /// indicator only; region-major, each region before its children.
    pub fn rows<'a>(
        &'a self,
        catalogue: &'a Catalogue,
        scope: Option<&str>,
        indicator: Option<&str>,
    ) -> Vec<ProgressRow<'a>> {
        let regions: Vec<_> = match scope {
            Some(code) => catalogue.subtree(code),
            None => catalogue.regions().iter().collect(),
        };
        let mut rows = Vec::with_capacity(regions.len() * self.indicator_count);
        for region in regions {
            let Some(position) = catalogue.position(&region.code) else {
                continue;
            };
            for (column, ind) in catalogue.indicators().iter().enumerate() {
                if indicator.is_some_and(|key| key != ind.key) {
                    continue;
                }
                let figure = self.figure(position, column);
                rows.push(ProgressRow {
                    region_code: &region.code,
                    region_name: &region.name_zh,
                    level: &region.level,
                    indicator: &ind.key,
                    indicator_name: &ind.name_zh,
                    unit: &ind.unit,
                    year: self.period.year(),
                    quarter: self.period.quarter(),
                    cumulative: figure.cumulative,
                    quarter_increment: figure.increment,
                    target: figure.target,
                    completion_rate: figure.rate,
                    time_progress: self.time_benchmark,
                    gap_pp: figure.gap,
                    status: figure.status,
                    report_status: self.report_status(&region.code),
                });
            }
        }
        rows
    }
}

fn sum(values: impl Iterator<Item = i64>) -> Option<i64> {
    values.fold(None, |total, value| Some(total.unwrap_or(0) + value))
}

/// One row of the progress table as the API and the CSV export carry it (SPEC §4).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProgressRow<'a> {
    pub region_code: &'a str,
    pub region_name: &'a str,
    pub level: &'a str,
    pub indicator: &'a str,
    pub indicator_name: &'a str,
    pub unit: &'a str,
    pub year: i32,
    pub quarter: u8,
    pub cumulative: Option<i64>,
    pub quarter_increment: Option<i64>,
    pub target: Option<i64>,
    pub completion_rate: Option<Tenths>,
    pub time_progress: Tenths,
    pub gap_pp: Option<Tenths>,
    pub status: super::Status,
    pub report_status: Option<ReportStatus>,
}

/// The column names of a progress row, in order: the CSV header and the JSON keys.
pub const COLUMNS: [&str; 16] = [
    "region_code",
    "region_name",
    "level",
    "indicator",
    "indicator_name",
    "unit",
    "year",
    "quarter",
    "cumulative",
    "quarter_increment",
    "target",
    "completion_rate",
    "time_progress",
    "gap_pp",
    "status",
    "report_status",
];

/// The same columns in Chinese, for `?lang=zh` exports.
pub const COLUMNS_ZH: [&str; 16] = [
    "行政区划代码",
    "地区",
    "层级",
    "指标代码",
    "指标",
    "单位",
    "年份",
    "季度",
    "累计完成",
    "本季度新增",
    "年度目标",
    "完成率(%)",
    "序时进度(%)",
    "与序时进度差距(百分点)",
    "进度状态",
    "报告状态",
];

/// A region's target: its own when one is set, else the sum of its children's (none when no
/// child has one). Parents' targets everywhere (tables, save warnings, the form) follow this.
pub fn rolled_up_target(explicit: Option<i64>, children: impl Iterator<Item = Option<i64>>) -> Option<i64> {
    explicit.or_else(|| sum(children.flatten()))
}

/// The targets of `region` for one year, per indicator with a target, rolled up from the
/// explicit `targets` of (region code, indicator key) as the progress table rolls them up.
pub fn region_targets(
    catalogue: &Catalogue,
    targets: &HashMap<(String, String), i64>,
    region: &str,
) -> HashMap<String, i64> {
    fn target_of(
        catalogue: &Catalogue,
        targets: &HashMap<(String, String), i64>,
        region: &str,
        key: &str,
    ) -> Option<i64> {
        let explicit = targets.get(&(region.to_owned(), key.to_owned())).copied();
        rolled_up_target(
            explicit,
            catalogue
                .children(region)
                .map(|child| target_of(catalogue, targets, &child.code, key)),
        )
    }
    catalogue
        .indicators()
        .iter()
        .filter(|indicator| indicator.has_target)
        .filter_map(|indicator| {
            Some((
                indicator.key.clone(),
                target_of(catalogue, targets, region, &indicator.key)?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::catalogue::tests::{indicator, region};

    fn guangdong_like() -> Catalogue {
        Catalogue::new(
            vec![
                region("440000", None),
                region("440100", Some("440000")),
                region("440200", Some("440000")),
                region("440300", Some("440000")),
            ],
            vec![indicator("starts", true, 1), indicator("relief", false, 2)],
        )
    }

    fn key(region: &str, indicator: &str) -> (String, String) {
        (region.into(), indicator.into())
    }

    fn approved(codes: &[&str]) -> HashMap<String, ReportStatus> {
        codes.iter().map(|c| (c.to_string(), ReportStatus::Approved)).collect()
    }

    #[test]
    fn parent_sums_children_and_divides_by_parent_target() {
        let catalogue = guangdong_like();
        let inputs = ProgressInputs {
            targets: [
                (key("440100", "starts"), 5000),
                (key("440200", "starts"), 918),
                (key("440300", "starts"), 5000),
            ]
            .into(),
            current: [
                (key("440100", "starts"), 4000),
                (key("440200", "starts"), 899),
                (key("440300", "starts"), 3000),
            ]
            .into(),
            report_status: approved(&["440100", "440200", "440300"]),
            ..Default::default()
        };
        let table = ProgressTable::compute(&catalogue, "2020Q1".parse().unwrap(), &inputs);
        let province = table.figure_for(&catalogue, "440000", "starts").unwrap();
        assert_eq!(province.cumulative, Some(7899));
        assert_eq!(province.target, Some(10918));
        assert_eq!(province.rate, Some(Tenths(723)));
        assert_eq!(province.status, Status::OnTrack);
        assert_eq!((province.reported, province.expected), (3, 3));
        // Q1's increment is its cumulative.
        assert_eq!(province.increment, Some(7899));
    }

    #[test]
    fn missing_is_not_zero_in_a_roll_up() {
        let catalogue = guangdong_like();
        let inputs = ProgressInputs {
            targets: [
                (key("440100", "starts"), 100),
                (key("440200", "starts"), 100),
                (key("440300", "starts"), 100),
            ]
            .into(),
            current: [(key("440100", "starts"), 60), (key("440200", "starts"), 0)].into(),
            report_status: approved(&["440100", "440200"]),
            ..Default::default()
        };
        let table = ProgressTable::compute(&catalogue, "2020Q2".parse().unwrap(), &inputs);
        let province = table.figure_for(&catalogue, "440000", "starts").unwrap();
        assert_eq!(province.cumulative, Some(60));
        assert_eq!((province.reported, province.expected), (2, 3));
        assert_eq!(province.rate, Some(Tenths(200)));
        let missing = table.figure_for(&catalogue, "440300", "starts").unwrap();
        assert_eq!(missing.cumulative, None);
        assert_eq!(missing.status, Status::NotReported);
        let zero = table.figure_for(&catalogue, "440200", "starts").unwrap();
        assert_eq!(zero.cumulative, Some(0));
        assert_eq!(zero.status, Status::Behind);
        let completeness = table.completeness(&catalogue, "440000");
        assert_eq!(
            (completeness.submitted, completeness.approved, completeness.expected),
            (2, 2, 3)
        );
        assert_eq!(completeness.missing, ["440300"]);
        // Nobody reported: the parent has no figure at all, not 0.
        let relief = table.figure_for(&catalogue, "440000", "relief").unwrap();
        assert_eq!((relief.cumulative, relief.status), (None, Status::NotReported));
    }

    #[test]
    fn parent_target_explicit_beats_the_sum() {
        let catalogue = guangdong_like();
        let mut inputs = ProgressInputs {
            targets: [(key("440100", "starts"), 100), (key("440300", "starts"), 300)].into(),
            current: [(key("440100", "starts"), 100)].into(),
            report_status: approved(&["440100"]),
            ..Default::default()
        };
        let period = "2020Q4".parse().unwrap();
        let summed = ProgressTable::compute(&catalogue, period, &inputs);
        assert_eq!(
            summed.figure_for(&catalogue, "440000", "starts").unwrap().target,
            Some(400)
        );
        inputs.targets.insert(key("440000", "starts"), 1000);
        let explicit = ProgressTable::compute(&catalogue, period, &inputs);
        let province = explicit.figure_for(&catalogue, "440000", "starts").unwrap();
        assert_eq!(province.target, Some(1000));
        assert_eq!(province.rate, Some(Tenths(100)));
        assert_eq!(province.status, Status::Behind);
    }

    #[test]
    fn a_regions_targets_alone_roll_up_as_the_table_does() {
        let catalogue = guangdong_like();
        let mut targets: HashMap<(String, String), i64> =
            [(key("440100", "starts"), 100), (key("440300", "starts"), 300)].into();
        let period = "2020Q4".parse().unwrap();
        let inputs = ProgressInputs {
            targets: targets.clone(),
            ..Default::default()
        };
        let table = ProgressTable::compute(&catalogue, period, &inputs);
        for region in ["440000", "440100", "440300"] {
            assert_eq!(
                region_targets(&catalogue, &targets, region).get("starts").copied(),
                table.figure_for(&catalogue, region, "starts").unwrap().target,
                "{region}"
            );
        }
        targets.insert(key("440000", "starts"), 1000);
        assert_eq!(
            region_targets(&catalogue, &targets, "440000").get("starts"),
            Some(&1000)
        );
        assert!(region_targets(&catalogue, &HashMap::new(), "440000").is_empty());
    }

    #[test]
    fn increments_and_indicators_without_targets() {
        let catalogue = guangdong_like();
        let inputs = ProgressInputs {
            targets: [(key("440100", "relief"), 50)].into(),
            current: [
                (key("440100", "starts"), 70),
                (key("440200", "starts"), 20),
                (key("440100", "relief"), 9),
            ]
            .into(),
            previous: [(key("440100", "starts"), 50)].into(),
            report_status: approved(&["440100", "440200"]),
        };
        let table = ProgressTable::compute(&catalogue, "2020Q2".parse().unwrap(), &inputs);
        assert_eq!(
            table.figure_for(&catalogue, "440100", "starts").unwrap().increment,
            Some(20)
        );
        // No previous figure for 440200: its increment is unknown, and the parent sums the known.
        assert_eq!(
            table.figure_for(&catalogue, "440200", "starts").unwrap().increment,
            None
        );
        assert_eq!(
            table.figure_for(&catalogue, "440000", "starts").unwrap().increment,
            Some(20)
        );
        let relief = table.figure_for(&catalogue, "440100", "relief").unwrap();
        assert_eq!(
            (relief.target, relief.rate, relief.status),
            (None, None, Status::NoTarget)
        );
    }

    #[test]
    fn rows_are_province_first_and_scoped() {
        let catalogue = guangdong_like();
        let table = ProgressTable::compute(&catalogue, "2020Q1".parse().unwrap(), &ProgressInputs::default());
        let rows = table.rows(&catalogue, None, None);
        assert_eq!(rows.len(), 8);
        assert_eq!((rows[0].region_code, rows[0].indicator), ("440000", "starts"));
        assert_eq!(rows[0].time_progress, Tenths(250));
        let scoped = table.rows(&catalogue, Some("440200"), Some("starts"));
        assert_eq!(scoped.len(), 1);
        assert_eq!(scoped[0].region_code, "440200");
        let json = serde_json::to_value(&rows[0]).unwrap();
        let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut expected = COLUMNS.to_vec();
        expected.sort();
        let mut keys_sorted = keys.clone();
        keys_sorted.sort();
        assert_eq!(keys_sorted, expected);
    }
}
