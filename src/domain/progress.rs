//! The progress table: every region × indicator for one period, with roll-up and completeness.
//! Pages, charts, the bulletin, exports and the API all read their numbers from here.

use std::collections::HashMap;

use serde::Serialize;

use super::catalogue::{Catalogue, Indicator};
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

/// What one region × indicator brings of its own to the table, before anything is rolled up:
/// its explicit target and its counted figures for the period and the quarter before it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OwnFigures {
    pub target: Option<i64>,
    pub current: Option<i64>,
    pub previous: Option<i64>,
}

impl OwnFigures {
    fn of(inputs: &ProgressInputs, key: &(String, String)) -> Self {
        Self {
            target: inputs.targets.get(key).copied(),
            current: inputs.current.get(key).copied(),
            previous: inputs.previous.get(key).copied(),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProgressTable {
    pub period: Period,
    pub time_benchmark: Tenths,
    indicator_count: usize,
    /// Region-major, in catalogue order.
    figures: Vec<Figure>,
    /// What each figure was made from, in the same order: kept so that a change to a few
    /// regions is rolled up along their ancestor paths instead of over the whole tree.
    own: Vec<OwnFigures>,
    counted_status: HashMap<String, ReportStatus>,
}

/// A figure before anything is known of it.
const NOT_REPORTED: Figure = Figure {
    cumulative: None,
    increment: None,
    target: None,
    rate: None,
    gap: None,
    status: Status::NotReported,
    reported: 0,
    expected: 0,
};

/// One region × indicator's figure from its own inputs and its children's figures (none for a
/// region without children): the one roll-up step, used by the full computation and by the
/// update along an ancestor path alike.
pub fn combine<'a>(
    period: Period,
    indicator: &Indicator,
    own: &OwnFigures,
    children: impl ExactSizeIterator<Item = &'a Figure> + Clone,
) -> Figure {
    let empty = NOT_REPORTED;
    let mut figure = if children.len() == 0 {
        let cumulative = own.current;
        let increment = match period.previous_in_year() {
            None => cumulative,
            Some(_) => cumulative.zip(own.previous).map(|(now, before)| now - before),
        };
        Figure {
            cumulative,
            increment,
            target: own.target,
            reported: u32::from(cumulative.is_some()),
            expected: 1,
            ..empty
        }
    } else {
        let expected = children.len() as u32;
        let reported_parts = children.clone().filter(|f| f.cumulative.is_some());
        Figure {
            cumulative: sum(reported_parts.clone().filter_map(|f| f.cumulative)),
            increment: sum(reported_parts.clone().filter_map(|f| f.increment)),
            target: rolled_up_target(own.target, children.map(|f| f.target)),
            reported: reported_parts.count() as u32,
            expected,
            ..empty
        }
    };
    if !indicator.has_target {
        figure.target = None;
    }
    figure.rate = figure.cumulative.and_then(|c| completion_rate(c, figure.target));
    figure.gap = figure.rate.map(|rate| gap(rate, time_benchmark(period)));
    figure.status = Status::of(figure.cumulative, figure.target, period);
    figure
}

impl ProgressTable {
    pub fn compute(catalogue: &Catalogue, period: Period, inputs: &ProgressInputs) -> Self {
        let indicators = catalogue.indicators();
        let regions = catalogue.regions();
        let width = indicators.len();
        let mut own = Vec::with_capacity(regions.len() * width);
        let mut key = (String::new(), String::new());
        for region in regions {
            for indicator in indicators {
                key.0.clone_from(&region.code);
                key.1.clone_from(&indicator.key);
                own.push(OwnFigures::of(inputs, &key));
            }
        }
        let counted_status = inputs
            .report_status
            .iter()
            .filter(|(_, status)| status.counts())
            .map(|(code, status)| (code.clone(), *status))
            .collect();
        let mut table = Self {
            period,
            time_benchmark: time_benchmark(period),
            indicator_count: width,
            figures: Vec::new(),
            own,
            counted_status,
        };
        table.figures = vec![NOT_REPORTED; regions.len() * width];
        // Children follow their parent in catalogue order, so walking backwards rolls up.
        for position in (0..regions.len()).rev() {
            table.recompute(catalogue, position);
        }
        table
    }

    /// Recomputes the figures of the region at `position` from its own inputs and its
    /// children's figures, which must be up to date.
    fn recompute(&mut self, catalogue: &Catalogue, position: usize) {
        let width = self.indicator_count;
        let children = catalogue.child_positions(position);
        for (column, indicator) in catalogue.indicators().iter().enumerate() {
            let figures = &self.figures;
            let parts = children.iter().map(|&child| &figures[child * width + column]);
            let figure = combine(self.period, indicator, &self.own[position * width + column], parts);
            self.figures[position * width + column] = figure;
        }
    }

    /// Takes in what changed for `regions` (their explicit targets, counted figures and report
    /// status, read from `inputs`, which needs to hold only those regions) and rolls the change
    /// up along each region's ancestor path: depth × indicators, not the whole tree. Returns
    /// `false`, changing nothing, when the table was computed for another catalogue or a region
    /// is unknown; the caller then computes the table afresh.
    pub fn update<'a>(
        &mut self,
        catalogue: &Catalogue,
        regions: impl IntoIterator<Item = &'a str>,
        inputs: &ProgressInputs,
    ) -> bool {
        let width = self.indicator_count;
        if width != catalogue.indicators().len() || self.figures.len() != catalogue.regions().len() * width {
            return false;
        }
        let mut positions = Vec::new();
        for code in regions {
            match catalogue.position(code) {
                Some(position) => positions.push((code, position)),
                None => return false,
            }
        }
        let mut dirty = std::collections::BTreeSet::new();
        let mut key = (String::new(), String::new());
        for (code, position) in positions {
            for (column, indicator) in catalogue.indicators().iter().enumerate() {
                key.0.clear();
                key.0.push_str(code);
                key.1.clone_from(&indicator.key);
                self.own[position * width + column] = OwnFigures::of(inputs, &key);
            }
            match inputs.report_status.get(code).filter(|status| status.counts()) {
                Some(status) => {
                    self.counted_status.insert(code.to_owned(), *status);
                }
                None => {
                    self.counted_status.remove(code);
                }
            }
            let mut at = Some(position);
            while let Some(position) = at {
                if !dirty.insert(position) {
                    break;
                }
                at = catalogue.parent_position(position);
            }
        }
        // Children come after their parents in catalogue order: the highest position first.
        for position in dirty.into_iter().rev() {
            self.recompute(catalogue, position);
        }
        true
    }

    /// Roughly the memory the table holds, for the cache's byte budget.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.figures.capacity() * std::mem::size_of::<Figure>()
            + self.own.capacity() * std::mem::size_of::<OwnFigures>()
            + self.counted_status.capacity() * (std::mem::size_of::<(String, ReportStatus)>() + 16)
            + self.counted_status.keys().map(String::capacity).sum::<usize>()
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

    /// A province of 3–6 cities, each with up to four counties.
    fn random_catalogue(rng: &mut rand::rngs::StdRng) -> Catalogue {
        use rand::Rng;
        let mut regions = vec![region("440000", None)];
        for city in 1..=rng.random_range(3..=6u32) {
            let city_code = format!("44{city:02}00");
            regions.push(region(&city_code, Some("440000")));
            for county in 1..=rng.random_range(0..=4u32) {
                regions.push(region(&format!("44{city:02}{county:02}"), Some(&city_code)));
            }
        }
        Catalogue::new(
            regions,
            vec![indicator("starts", true, 1), indicator("relief", false, 2)],
        )
    }

    #[test]
    fn updates_along_ancestor_paths_equal_a_full_recompute() {
        use rand::{Rng, SeedableRng};
        for seed in 0..200u64 {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let catalogue = random_catalogue(&mut rng);
            let period: Period = ["2021Q1", "2021Q3"][rng.random_range(0..2)].parse().unwrap();
            let codes: Vec<String> = catalogue.regions().iter().map(|r| r.code.clone()).collect();
            let mut inputs = ProgressInputs::default();
            let mut table = ProgressTable::compute(&catalogue, period, &inputs);
            for step in 0..60 {
                // One or a few regions change at once, as a save, a review or a batch does.
                let mut changed = Vec::new();
                for _ in 0..rng.random_range(1..=3) {
                    let code = codes[rng.random_range(0..codes.len())].clone();
                    let indicator = ["starts", "relief"][rng.random_range(0..2)];
                    let at = key(&code, indicator);
                    let value = rng.random_range(0..2000i64);
                    match rng.random_range(0..7) {
                        0 => drop(inputs.current.insert(at, value)),
                        1 => drop(inputs.current.remove(&at)),
                        2 => drop(inputs.previous.insert(at, value / 2)),
                        3 => drop(inputs.targets.insert(at, value)),
                        4 => drop(inputs.targets.remove(&at)),
                        _ => {
                            let status = ReportStatus::ALL[rng.random_range(0..4)];
                            inputs.report_status.insert(code.clone(), status);
                        }
                    }
                    changed.push(code);
                }
                // The update sees only what the changed regions hold.
                let partial = ProgressInputs {
                    targets: inputs
                        .targets
                        .iter()
                        .filter(|((c, _), _)| changed.contains(c))
                        .map(|(k, v)| (k.clone(), *v))
                        .collect(),
                    current: inputs
                        .current
                        .iter()
                        .filter(|((c, _), _)| changed.contains(c))
                        .map(|(k, v)| (k.clone(), *v))
                        .collect(),
                    previous: inputs
                        .previous
                        .iter()
                        .filter(|((c, _), _)| changed.contains(c))
                        .map(|(k, v)| (k.clone(), *v))
                        .collect(),
                    report_status: inputs
                        .report_status
                        .iter()
                        .filter(|(c, _)| changed.contains(c))
                        .map(|(k, v)| (k.clone(), *v))
                        .collect(),
                };
                assert!(table.update(&catalogue, changed.iter().map(String::as_str), &partial));
                let full = ProgressTable::compute(&catalogue, period, &inputs);
                assert_eq!(table, full, "seed {seed}, step {step}, changed {changed:?}");
            }
        }
    }

    #[test]
    fn an_update_for_another_catalogue_is_refused() {
        let catalogue = guangdong_like();
        let period = "2020Q1".parse().unwrap();
        let mut table = ProgressTable::compute(&catalogue, period, &ProgressInputs::default());
        let before = table.clone();
        assert!(!table.update(&catalogue, ["990000"], &ProgressInputs::default()));
        let smaller = Catalogue::new(vec![region("440000", None)], vec![indicator("starts", true, 1)]);
        assert!(!table.update(&smaller, ["440000"], &ProgressInputs::default()));
        assert_eq!(table, before);
    }
}
