//! The progress table: every region × indicator for one period, with roll-up and completeness.
//! Pages, charts, the bulletin, exports and the API all read their numbers from here.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;

use super::catalogue::Catalogue;
use super::projection::{self, Projection, Seasonality};
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
    /// Each reporting region's seasonality over the past [`projection::HISTORY_YEARS`] years.
    pub history: HashMap<(String, String), Seasonality>,
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
    /// The targets of the children that reported this figure (an incomplete child counting
    /// its own reporting children's): the other side of [`Figure::reporting_rate`].
    pub reporting_target: Option<i64>,
    /// For an `incomplete` parent only: the reporting children's sum against their own
    /// targets (已报送城市口径), not against the whole region's target.
    pub reporting_rate: Option<Tenths>,
    /// Where the year is projected to end; none for a partial or missing figure.
    pub projection: Option<Projection>,
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
/// its explicit target and its counted figures for the period and the quarter before it. (Its
/// seasonality from past years is kept in the table's `seasons`, where a parent's is pooled.)
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
    figures: Shared<Figure>,
    /// What each figure was made from, in the same order: kept so that a change to a few
    /// regions is rolled up along their ancestor paths instead of over the whole tree.
    own: Shared<OwnFigures>,
    /// Each figure's seasonality: a leaf's own from past years, a parent's pooled from its
    /// children's.
    seasons: Shared<Seasonality>,
    /// Per region: whether every report expected under it (its own, for a leaf) counts.
    complete: Vec<bool>,
    counted_status: HashMap<String, ReportStatus>,
    /// Empty for a full table. For a summary ([`ProgressTable::summary`]): each region's slot
    /// in `figures`, [`LEFT_OUT`] for a region it does not hold.
    slots: Vec<u32>,
}

/// A region a summary does not hold.
const LEFT_OUT: u32 = u32::MAX;

/// Regions per chunk of a table's figures ([`Shared`]).
const REGIONS_PER_CHUNK: usize = 16;

/// A table's values in chunks that copies of the table share: a copy costs a pointer per
/// chunk, and writing to a copy copies only the chunks written. An update along an ancestor
/// path writes a few; copying the national table whole (6.5 MB) had been ≈2 ms of the first
/// dashboard request after a write, in copying and page faults.
#[derive(Clone, Debug)]
struct Shared<T> {
    /// Values per chunk: whole regions, so that a region's row lies in one chunk.
    chunk: usize,
    chunks: Vec<Arc<[T]>>,
    len: usize,
}

impl<T: Clone> Shared<T> {
    /// `values` of regions `width` values wide.
    fn new(values: Vec<T>, width: usize) -> Self {
        let chunk = (REGIONS_PER_CHUNK * width).max(1);
        let len = values.len();
        let chunks = values.chunks(chunk).map(Arc::from).collect();
        Self { chunk, chunks, len }
    }

    fn len(&self) -> usize {
        self.len
    }

    /// Values `start..end`, which must lie in one region's row.
    fn row(&self, start: usize, end: usize) -> &[T] {
        let at = start % self.chunk;
        &self.chunks[start / self.chunk][at..at + (end - start)]
    }

    /// The value at `index`, for writing: its chunk is copied first if another table shares it.
    fn get_mut(&mut self, index: usize) -> &mut T {
        &mut Arc::make_mut(&mut self.chunks[index / self.chunk])[index % self.chunk]
    }

    fn heap_bytes(&self) -> usize {
        self.chunks.capacity() * std::mem::size_of::<Arc<[T]>>() + self.len * std::mem::size_of::<T>()
    }
}

impl<T> std::ops::Index<usize> for Shared<T> {
    type Output = T;

    fn index(&self, index: usize) -> &T {
        &self.chunks[index / self.chunk][index % self.chunk]
    }
}

impl<T: PartialEq> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && (0..self.len).all(|index| self[index] == other[index])
    }
}

/// A figure before anything is known of it.
static NOT_REPORTED_FIGURE: Figure = NOT_REPORTED;
const NOT_REPORTED: Figure = Figure {
    cumulative: None,
    increment: None,
    target: None,
    rate: None,
    gap: None,
    status: Status::NotReported,
    reported: 0,
    expected: 0,
    reporting_target: None,
    reporting_rate: None,
    projection: None,
};

impl ProgressTable {
    pub fn compute(catalogue: &Catalogue, period: Period, inputs: &ProgressInputs) -> Self {
        let indicators = catalogue.indicators();
        let regions = catalogue.regions();
        let width = indicators.len();
        let mut own = Vec::with_capacity(regions.len() * width);
        let mut seasons = Vec::with_capacity(regions.len() * width);
        let mut key = (String::new(), String::new());
        for region in regions {
            for indicator in indicators {
                key.0.clone_from(&region.code);
                key.1.clone_from(&indicator.key);
                own.push(OwnFigures::of(inputs, &key));
                seasons.push(inputs.history.get(&key).copied().unwrap_or_default());
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
            figures: Shared::new(vec![NOT_REPORTED; regions.len() * width], width),
            own: Shared::new(own, width),
            seasons: Shared::new(seasons, width),
            complete: vec![false; regions.len()],
            counted_status,
            slots: Vec::new(),
        };
        // Children follow their parent in catalogue order, so walking backwards rolls up.
        for position in (0..regions.len()).rev() {
            table.recompute(catalogue, position);
        }
        for position in 0..regions.len() {
            table.project(catalogue, position);
        }
        table
    }

    /// Recomputes the figures (all but the projection) and seasonality of the region at
    /// `position` from its own inputs and its children's, which must be up to date: the one
    /// roll-up step, used by the full computation and by the update along an ancestor path.
    fn recompute(&mut self, catalogue: &Catalogue, position: usize) {
        let width = self.indicator_count;
        let children = catalogue.child_positions(position);
        let complete = if children.is_empty() {
            self.counted_status.contains_key(&catalogue.regions()[position].code)
        } else {
            children.iter().all(|&child| self.complete[child])
        };
        self.complete[position] = complete;
        for (column, indicator) in catalogue.indicators().iter().enumerate() {
            let index = position * width + column;
            let own = &self.own[index];
            let mut figure = if children.is_empty() {
                leaf_figure(own.current, own.previous, own.target, self.period)
            } else {
                let mut season = Seasonality::default();
                for &child in children {
                    season.add(&self.seasons[child * width + column]);
                }
                *self.seasons.get_mut(index) = season;
                let parts: Vec<&Figure> = children
                    .iter()
                    .map(|&child| &self.figures[child * width + column])
                    .collect();
                combine_children(&parts, own.target, complete)
            };
            if !indicator.has_target {
                figure.target = None;
                figure.reporting_target = None;
            }
            finish(&mut figure, self.period);
            *self.figures.get_mut(index) = figure;
        }
    }

    /// Sets the projections of the region at `position`, from its own seasonality or, when it
    /// has too little history, its ancestors'. None for a missing or incomplete figure.
    fn project(&mut self, catalogue: &Catalogue, position: usize) {
        let width = self.indicator_count;
        let regions = catalogue.regions();
        let mut ancestor_positions = Vec::new();
        let mut parent = regions[position].parent_code.as_deref();
        while let Some(at) = parent.and_then(|code| catalogue.position(code)) {
            ancestor_positions.push(at);
            parent = regions[at].parent_code.as_deref();
        }
        for column in 0..width {
            let index = position * width + column;
            let figure = &self.figures[index];
            let projection = match (figure.cumulative, figure.status) {
                (Some(cumulative), status) if status != Status::Incomplete => {
                    let ancestors: Vec<&Seasonality> = ancestor_positions
                        .iter()
                        .map(|&at| &self.seasons[at * width + column])
                        .collect();
                    Some(projection::project(
                        cumulative,
                        figure.target,
                        self.period.quarter(),
                        &self.seasons[index],
                        &ancestors,
                    ))
                }
                _ => None,
            };
            if self.figures[index].projection != projection {
                self.figures.get_mut(index).projection = projection;
            }
        }
    }

    /// Takes in what changed for `regions` (their explicit targets, counted figures, report
    /// status and history, read from `inputs`, which needs to hold only those regions) and
    /// rolls the change up along each region's ancestor path: depth × indicators, not the
    /// whole tree. Returns `false`, changing nothing, when the table was computed for another
    /// catalogue or a region is unknown; the caller then computes the table afresh.
    pub fn update<'a>(
        &mut self,
        catalogue: &Catalogue,
        regions: impl IntoIterator<Item = &'a str>,
        inputs: &ProgressInputs,
    ) -> bool {
        let width = self.indicator_count;
        if !self.slots.is_empty()
            || width != catalogue.indicators().len()
            || self.figures.len() != catalogue.regions().len() * width
        {
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
        // Whether a leaf's pattern from past years changed, and with it its ancestors' pooled one.
        let mut seasons_changed = false;
        for (code, position) in positions {
            for (column, indicator) in catalogue.indicators().iter().enumerate() {
                key.0.clear();
                key.0.push_str(code);
                key.1.clone_from(&indicator.key);
                *self.own.get_mut(position * width + column) = OwnFigures::of(inputs, &key);
                if catalogue.child_positions(position).is_empty() {
                    let season = inputs.history.get(&key).copied().unwrap_or_default();
                    if self.seasons[position * width + column] != season {
                        seasons_changed = true;
                        *self.seasons.get_mut(position * width + column) = season;
                    }
                }
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
        for &position in dirty.iter().rev() {
            self.recompute(catalogue, position);
        }
        // A region short of history follows its ancestors' pattern, so a changed pattern can
        // move projections anywhere below it; otherwise only the recomputed figures move.
        if seasons_changed {
            for position in 0..catalogue.regions().len() {
                self.project(catalogue, position);
            }
        } else {
            for &position in &dirty {
                self.project(catalogue, position);
            }
        }
        true
    }

    /// Roughly the memory the table holds, for the cache's byte budget.
    pub fn heap_bytes(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.figures.heap_bytes()
            + self.own.heap_bytes()
            + self.seasons.heap_bytes()
            + self.complete.capacity()
            + self.counted_status.capacity() * (std::mem::size_of::<(String, ReportStatus)>() + 16)
            + self.counted_status.keys().map(String::capacity).sum::<usize>()
            + self.slots.capacity() * std::mem::size_of::<u32>()
    }

    /// A copy holding only the figures of the regions at `positions` (any other reads as not
    /// reported) and their report statuses: what a page needs of a period it shows a few
    /// regions of without opening it (the dashboard's trend and 同比 read its root region and
    /// the root's children), at a small part of the full table's size (nationally 35 of 3,224
    /// regions). It cannot be brought up to date: [`ProgressTable::update`] refuses it, and it
    /// is made again from the full table.
    pub fn summary(&self, catalogue: &Catalogue, positions: &[usize]) -> Self {
        let width = self.indicator_count;
        let mut slots = vec![LEFT_OUT; self.figures.len() / width.max(1)];
        let mut figures = Vec::with_capacity(positions.len() * width);
        let mut counted_status = HashMap::new();
        for &position in positions {
            let Some(slot) = slots.get_mut(position).filter(|slot| **slot == LEFT_OUT) else {
                continue;
            };
            *slot = (figures.len() / width.max(1)) as u32;
            figures.extend_from_slice(self.figures.row(position * width, (position + 1) * width));
            if let Some(region) = catalogue.regions().get(position)
                && let Some(status) = self.counted_status.get(&region.code)
            {
                counted_status.insert(region.code.clone(), *status);
            }
        }
        Self {
            period: self.period,
            time_benchmark: self.time_benchmark,
            indicator_count: width,
            figures: Shared::new(figures, width),
            own: Shared::new(Vec::new(), width),
            seasons: Shared::new(Vec::new(), width),
            complete: Vec::new(),
            counted_status,
            slots,
        }
    }

    /// The figure for the region at `position` in the catalogue and the indicator at `column`.
    pub fn figure(&self, position: usize, column: usize) -> &Figure {
        let slot = if self.slots.is_empty() {
            position
        } else {
            match self.slots[position] {
                LEFT_OUT => return &NOT_REPORTED_FIGURE,
                slot => slot as usize,
            }
        };
        &self.figures[slot * self.indicator_count + column]
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

    /// The children of `parent` lagging or behind the time benchmark, as (position, column),
    /// indicator by indicator in catalogue order, the furthest behind first.
    pub fn behind_children(&self, catalogue: &Catalogue, parent: &str) -> Vec<(usize, usize)> {
        let children: Vec<usize> = catalogue
            .children(parent)
            .filter_map(|r| catalogue.position(&r.code))
            .collect();
        let mut found = Vec::new();
        for (column, indicator) in catalogue.indicators().iter().enumerate() {
            if !indicator.has_target {
                continue;
            }
            let mut behind: Vec<(usize, usize)> = children
                .iter()
                .filter(|&&p| matches!(self.figure(p, column).status, Status::Lagging | Status::Behind))
                .map(|&p| (p, column))
                .collect();
            behind.sort_by_key(|&(p, c)| (self.figure(p, c).rate, p));
            found.extend(behind);
        }
        found
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
                    reported: figure.reported,
                    expected: figure.expected,
                    projected_year_end: figure.projection.map(|p| p.year_end),
                    projected_rate: figure.projection.and_then(|p| p.rate),
                    required_per_quarter: figure.projection.and_then(|p| p.required_per_quarter),
                });
            }
        }
        rows
    }
}

fn sum(values: impl Iterator<Item = i64>) -> Option<i64> {
    values.fold(None, |total, value| Some(total.unwrap_or(0) + value))
}

/// A region without children: its own figure; the quarter's increment only when both this and
/// the previous quarter were reported (Q1: the cumulative).
pub fn leaf_figure(current: Option<i64>, previous: Option<i64>, target: Option<i64>, period: Period) -> Figure {
    let increment = match period.previous_in_year() {
        None => current,
        Some(_) => current.zip(previous).map(|(now, before)| now - before),
    };
    Figure {
        cumulative: current,
        increment,
        target,
        rate: None,
        gap: None,
        status: Status::NotReported,
        reported: u32::from(current.is_some()),
        expected: 1,
        reporting_target: current.and(target),
        reporting_rate: None,
        projection: None,
    }
}

/// A parent from its children's figures: the sum of what was reported, the increment of the
/// children that reported both quarters (none when no child did), the explicit target or the
/// children's, and whether it is `incomplete` — some expected report under it does not count
/// yet (`all_reports_count` false) or a child is itself incomplete. Rate, gap and status follow
/// in [`finish`].
pub fn combine_children(children: &[&Figure], explicit_target: Option<i64>, all_reports_count: bool) -> Figure {
    let reported: Vec<&&Figure> = children.iter().filter(|f| f.cumulative.is_some()).collect();
    let cumulative = sum(reported.iter().filter_map(|f| f.cumulative));
    let incomplete =
        cumulative.is_some() && (!all_reports_count || children.iter().any(|f| f.status == Status::Incomplete));
    let target = rolled_up_target(explicit_target, children.iter().map(|f| f.target));
    Figure {
        cumulative,
        increment: sum(reported.iter().filter_map(|f| f.increment)),
        target,
        rate: None,
        gap: None,
        // Marked here so that `finish` keeps it; the rest is decided there.
        status: if incomplete {
            Status::Incomplete
        } else {
            Status::NotReported
        },
        reported: reported.len() as u32,
        expected: children.len() as u32,
        reporting_target: if incomplete {
            sum(reported.iter().filter_map(|f| f.reporting_target))
        } else {
            target
        },
        reporting_rate: None,
        projection: None,
    }
}

/// Rate, gap and status of a figure whose cumulative, target and completeness are set. An
/// incomplete figure keeps its rate over the whole target but has no gap, and carries the
/// reporting children's own rate beside it.
pub fn finish(figure: &mut Figure, period: Period) {
    figure.rate = figure.cumulative.and_then(|c| completion_rate(c, figure.target));
    if figure.status == Status::Incomplete {
        figure.gap = None;
        figure.reporting_rate = figure
            .cumulative
            .and_then(|c| completion_rate(c, figure.reporting_target));
    } else {
        figure.gap = figure.rate.map(|rate| gap(rate, time_benchmark(period)));
        figure.status = Status::of(figure.cumulative, figure.target, period);
        figure.reporting_rate = None;
    }
}

/// A share of the expected regions, as a fraction: how many must have submitted for a period
/// to be the default one. Written `2/3`, `0.75` or `75%`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
    numerator: u64,
    denominator: u64,
}

impl Default for Share {
    /// Two thirds: 14 of 21 cities.
    fn default() -> Self {
        Self {
            numerator: 2,
            denominator: 3,
        }
    }
}

impl Share {
    /// Whether `submitted` of `expected` reach the share (nothing expected: always).
    pub fn met(self, submitted: u32, expected: u32) -> bool {
        u64::from(submitted) * self.denominator >= self.numerator * u64::from(expected)
    }
}

impl std::str::FromStr for Share {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let bad = || format!("占比“{text}”有误，应写作 2/3、0.75 或 75%。A share is written 2/3, 0.75 or 75%.");
        let (numerator, denominator) = if let Some((n, d)) = text.split_once('/') {
            (
                n.trim().parse::<u64>().map_err(|_| bad())?,
                d.trim().parse::<u64>().map_err(|_| bad())?,
            )
        } else {
            let (number, percent) = match text.strip_suffix('%') {
                Some(number) => (number.trim(), true),
                None => (text, false),
            };
            let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
            if fraction.len() > 6 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let scale = 10u64.pow(fraction.len() as u32) * if percent { 100 } else { 1 };
            let digits = format!("{whole}{fraction}");
            (digits.parse::<u64>().map_err(|_| bad())?, scale)
        };
        if denominator == 0 || numerator > denominator {
            return Err(bad());
        }
        Ok(Self { numerator, denominator })
    }
}

/// The period a page opens on when none is asked for, and the newer ones passed over.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DefaultPeriod {
    pub period: Period,
    /// Newer periods with fewer than the share submitted, newest first, with their counts.
    pub newer: Vec<(Period, Completeness)>,
}

/// The latest of `candidates` (newest first, each with its completeness) in which at least
/// `share` of the expected regions have submitted; the latest of all when none has.
pub fn default_period(candidates: &[(Period, Completeness)], share: Share) -> Option<DefaultPeriod> {
    let chosen = candidates
        .iter()
        .position(|(_, c)| share.met(c.submitted, c.expected))
        .unwrap_or(0);
    let (period, _) = candidates.get(chosen)?;
    Some(DefaultPeriod {
        period: *period,
        newer: candidates[..chosen].to_vec(),
    })
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
    /// Children (or the region itself) that reported this figure, of those expected.
    pub reported: u32,
    pub expected: u32,
    pub projected_year_end: Option<i64>,
    pub projected_rate: Option<Tenths>,
    pub required_per_quarter: Option<i64>,
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

/// The columns that follow the first sixteen (SPEC §4): completeness and the projection.
pub const EXTRA_COLUMNS: [&str; 5] = [
    "reported",
    "expected",
    "projected_year_end",
    "projected_rate",
    "required_per_quarter",
];

/// The same in Chinese.
pub const EXTRA_COLUMNS_ZH: [&str; 5] = [
    "已报送",
    "应报送",
    "预计年底完成",
    "预计年底完成率(%)",
    "剩余季度每季度需完成",
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
            // Every report counts (two without this figure): the province is complete.
            report_status: approved(&["440100", "440200", "440300"]),
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
            ..Default::default()
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
        expected.extend(EXTRA_COLUMNS);
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
                    match rng.random_range(0..8) {
                        7 => {
                            // A past year's figures: the seasonality projections follow.
                            let mut season = Seasonality::default();
                            let reached = rng.random_range(0..=value);
                            season.add_year([Some(reached), Some(reached), Some(reached), Some(value)]);
                            inputs.history.insert(at, season);
                        }
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
                    history: inputs
                        .history
                        .iter()
                        .filter(|((c, _), _)| changed.contains(c))
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
    fn a_summary_holds_the_regions_it_was_made_for_as_the_full_table_does() {
        // A city's page lists the city and its county; the province is left out.
        let catalogue = Catalogue::new(
            vec![
                region("100000", None),
                region("440000", Some("100000")),
                region("440200", Some("440000")),
                region("440203", Some("440200")),
            ],
            vec![indicator("starts", true, 1), indicator("relief", false, 2)],
        );
        let mut inputs = ProgressInputs::default();
        for (code, value) in [("440203", 120), ("440200", 0)] {
            inputs.current.insert(key(code, "starts"), value);
            inputs.targets.insert(key(code, "starts"), 400);
            inputs.report_status.insert(code.to_owned(), ReportStatus::Approved);
        }
        let period = "2021Q2".parse().unwrap();
        let full = ProgressTable::compute(&catalogue, period, &inputs);
        let positions = catalogue.listed_positions("440200");
        assert_eq!(positions, [2, 3]);
        let mut summary = full.summary(&catalogue, &positions);
        for code in ["440200", "440203"] {
            for indicator in ["starts", "relief"] {
                assert_eq!(
                    summary.figure_for(&catalogue, code, indicator),
                    full.figure_for(&catalogue, code, indicator),
                    "{code} {indicator}"
                );
            }
        }
        assert_eq!(
            summary.figure_for(&catalogue, "440203", "starts").unwrap().cumulative,
            Some(120)
        );
        assert_eq!(
            full.figure_for(&catalogue, "440000", "starts").unwrap().cumulative,
            Some(120)
        );
        assert_eq!(summary.figure_for(&catalogue, "440000", "starts"), Some(&NOT_REPORTED));
        assert_eq!(summary.report_status("440203"), Some(ReportStatus::Approved));
        assert_eq!(summary.report_status("440000"), None);
        assert!(summary.heap_bytes() < full.heap_bytes());
        // A summary is made again from the full table, never brought up to date.
        let before = summary.clone();
        assert!(!summary.update(&catalogue, ["440203"], &inputs));
        assert_eq!(summary, before);
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

    #[test]
    fn a_partly_reported_parent_is_incomplete_with_the_reporting_childrens_rate() {
        let catalogue = guangdong_like();
        let inputs = ProgressInputs {
            targets: [
                (key("440100", "starts"), 100),
                (key("440200", "starts"), 200),
                (key("440300", "starts"), 9700),
            ]
            .into(),
            current: [(key("440100", "starts"), 30), (key("440200", "starts"), 20)].into(),
            report_status: [
                ("440100".to_owned(), ReportStatus::Submitted),
                ("440200".to_owned(), ReportStatus::Submitted),
                ("440300".to_owned(), ReportStatus::Draft),
            ]
            .into(),
            ..Default::default()
        };
        let table = ProgressTable::compute(&catalogue, "2022Q1".parse().unwrap(), &inputs);
        let province = table.figure_for(&catalogue, "440000", "starts").unwrap();
        assert_eq!(province.status, Status::Incomplete);
        assert_eq!(province.cumulative, Some(50));
        // 50 of 10,000 would read "0.5%, behind": it is kept, but with no gap and no projection.
        assert_eq!((province.rate, province.gap), (Some(Tenths(5)), None));
        assert_eq!(province.projection, None);
        // The reporting cities against their own targets: 50 / 300.
        assert_eq!(province.reporting_target, Some(300));
        assert_eq!(province.reporting_rate, Some(Tenths(167)));
        // Each city stands on its own figures.
        let city = table.figure_for(&catalogue, "440100", "starts").unwrap();
        assert_eq!((city.status, city.reporting_rate), (Status::OnTrack, None));
        assert!(city.projection.is_some());
        let rows = table.rows(&catalogue, Some("440000"), Some("starts"));
        assert_eq!(
            (rows[0].status, rows[0].reported, rows[0].expected),
            (Status::Incomplete, 2, 3)
        );
        // Nobody reported the other indicator: not reported, not incomplete.
        let relief = table.figure_for(&catalogue, "440000", "relief").unwrap();
        assert_eq!(relief.status, Status::NotReported);
    }

    #[test]
    fn a_counted_report_that_leaves_a_figure_empty_does_not_make_the_parent_incomplete() {
        let catalogue = guangdong_like();
        let inputs = ProgressInputs {
            current: [(key("440100", "relief"), 9)].into(),
            report_status: approved(&["440100", "440200", "440300"]),
            ..Default::default()
        };
        let table = ProgressTable::compute(&catalogue, "2020Q1".parse().unwrap(), &inputs);
        let relief = table.figure_for(&catalogue, "440000", "relief").unwrap();
        assert_eq!((relief.cumulative, relief.status), (Some(9), Status::NoTarget));
        assert_eq!((relief.reported, relief.expected), (1, 3));
    }

    #[test]
    fn a_parents_increment_counts_only_children_that_reported_both_quarters() {
        let catalogue = guangdong_like();
        let mut inputs = ProgressInputs {
            current: [(key("440100", "starts"), 70), (key("440200", "starts"), 500)].into(),
            previous: [(key("440100", "starts"), 50), (key("440300", "starts"), 40)].into(),
            report_status: approved(&["440100", "440200", "440300"]),
            ..Default::default()
        };
        let period = "2020Q2".parse().unwrap();
        let table = ProgressTable::compute(&catalogue, period, &inputs);
        let province = table.figure_for(&catalogue, "440000", "starts").unwrap();
        // 440200 reported only this quarter and 440300 only the last: neither counts.
        assert_eq!((province.cumulative, province.increment), (Some(570), Some(20)));
        inputs.previous.remove(&key("440100", "starts"));
        let table = ProgressTable::compute(&catalogue, period, &inputs);
        assert_eq!(
            table.figure_for(&catalogue, "440000", "starts").unwrap().increment,
            None
        );
    }

    #[test]
    fn projections_follow_the_regions_history_or_its_parents() {
        let catalogue = guangdong_like();
        let mut history = HashMap::new();
        let mut season = Seasonality::default();
        // 440100 usually reaches 20% of its year by Q1.
        season.add_year([Some(20), Some(50), Some(80), Some(100)]);
        history.insert(key("440100", "starts"), season);
        let inputs = ProgressInputs {
            targets: [(key("440100", "starts"), 100), (key("440200", "starts"), 100)].into(),
            current: [(key("440100", "starts"), 10), (key("440200", "starts"), 10)].into(),
            report_status: approved(&["440100", "440200", "440300"]),
            history,
            ..Default::default()
        };
        let table = ProgressTable::compute(&catalogue, "2021Q1".parse().unwrap(), &inputs);
        let own = table
            .figure_for(&catalogue, "440100", "starts")
            .unwrap()
            .projection
            .unwrap();
        assert_eq!((own.year_end, own.basis), (50, projection::Basis::Own));
        assert!(own.misses_target());
        assert_eq!(own.required_per_quarter, Some(30));
        // 440200 has no history: the province's pattern (its children's pooled) stands in.
        let borrowed = table
            .figure_for(&catalogue, "440200", "starts")
            .unwrap()
            .projection
            .unwrap();
        assert_eq!((borrowed.year_end, borrowed.basis), (50, projection::Basis::Parent));
        let rows = table.rows(&catalogue, Some("440200"), Some("starts"));
        assert_eq!(
            (
                rows[0].projected_year_end,
                rows[0].projected_rate,
                rows[0].required_per_quarter
            ),
            (Some(50), Some(Tenths(500)), Some(30))
        );
    }

    fn counts(submitted: u32, expected: u32) -> Completeness {
        Completeness {
            submitted,
            approved: 0,
            expected,
            missing: Vec::new(),
        }
    }

    #[test]
    fn the_default_period_is_the_latest_with_two_thirds_in() {
        let q = |text: &str| -> Period { text.parse().unwrap() };
        let candidates = vec![
            (q("2022Q1"), counts(2, 21)),
            (q("2021Q4"), counts(18, 21)),
            (q("2021Q3"), counts(21, 21)),
        ];
        let chosen = default_period(&candidates, Share::default()).unwrap();
        assert_eq!(chosen.period, q("2021Q4"));
        assert_eq!(chosen.newer, vec![(q("2022Q1"), counts(2, 21))]);
        // 14 of 21 is exactly two thirds; 13 is not.
        assert!(Share::default().met(14, 21));
        assert!(!Share::default().met(13, 21));
        let strict: Share = "90%".parse().unwrap();
        assert_eq!(default_period(&candidates, strict).unwrap().period, q("2021Q3"));
        // Nothing reaches the share: the latest, with nothing passed over.
        let thin = vec![(q("2022Q1"), counts(2, 21)), (q("2021Q4"), counts(3, 21))];
        let chosen = default_period(&thin, Share::default()).unwrap();
        assert_eq!((chosen.period, chosen.newer.len()), (q("2022Q1"), 0));
        assert_eq!(default_period(&[], Share::default()), None);
    }

    #[test]
    fn shares_parse_as_fractions_decimals_or_percentages() {
        assert_eq!("2/3".parse::<Share>(), Ok(Share::default()));
        for (text, met, unmet) in [("0.75", (3, 4), (2, 4)), ("75%", (3, 4), (2, 4)), ("1", (4, 4), (3, 4))] {
            let share: Share = text.parse().unwrap();
            assert!(share.met(met.0, met.1), "{text}");
            assert!(!share.met(unmet.0, unmet.1), "{text}");
        }
        for bad in ["", "3/2", "1/0", "abc", "-1", "150%", "0.1234567"] {
            assert!(bad.parse::<Share>().is_err(), "{bad}");
        }
    }
}
