//! Drawing the chart data with plotters primitives, on any backend, at any scale.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{BarChart, Chart, FAMILY, LATIN, MapChart, TrendChart};
use crate::domain::{Status, format};

const INK: RGBColor = RGBColor(0x1f, 0x29, 0x33);
const MUTED: RGBColor = RGBColor(0x5f, 0x6b, 0x7a);
const GRID: RGBColor = RGBColor(0xe3, 0xe7, 0xec);
const TRACK: RGBColor = RGBColor(0xe8, 0xec, 0xf1);
const BENCHMARK: RGBColor = RGBColor(0x1f, 0x3a, 0x5f);
const TARGET: RGBColor = RGBColor(0x9b, 0x2c, 0x2c);
const CURRENT: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
const PREVIOUS: RGBColor = RGBColor(0xa9, 0xb4, 0xc2);
/// The projected year-end marker on a ranking bar: dark, apart from every status colour.
pub const PROJECTED: RGBColor = RGBColor(0x2d, 0x1b, 0x4e);
/// Room under a bar chart for the projection marker's legend line.
const LEGEND_ROW: f64 = 24.0;

/// The pale tile fills of the map, the badges' backgrounds in app.css: dark text stays legible.
fn status_fill(status: Status) -> RGBColor {
    match status {
        Status::OnTrack => RGBColor(0xe6, 0xf4, 0xea),
        Status::Lagging => RGBColor(0xff, 0xf3, 0xd6),
        Status::Behind => RGBColor(0xfd, 0xec, 0xeb),
        Status::Incomplete => RGBColor(0xe8, 0xf0, 0xfb),
        Status::NoTarget | Status::NotReported => RGBColor(0xee, 0xf0, 0xf3),
    }
}

/// The status colours; the same as the badges in app.css.
pub fn status_colour(status: Status) -> RGBColor {
    match status {
        Status::OnTrack => RGBColor(0x17, 0x6b, 0x32),
        Status::Lagging => RGBColor(0xc7, 0x77, 0x00),
        Status::Behind => RGBColor(0xc0, 0x39, 0x2b),
        Status::Incomplete => RGBColor(0x1f, 0x4f, 0x8a),
        Status::NoTarget | Status::NotReported => RGBColor(0x8a, 0x94, 0xa0),
    }
}

const PAD: f64 = 16.0;
const MAP_TOP: f64 = 44.0;
const TILE: f64 = 74.0;
const TILE_STEP: f64 = 80.0;
const ROW: f64 = 26.0;
const BAR: f64 = 16.0;
const BAR_TOP: f64 = 62.0;
/// The bar charts' width: as narrow as a dashboard column (about 564 px), so their smallest
/// text (11) is never drawn smaller than 11 px on screen.
const WIDTH: u32 = 560;
const MAP_WIDTH: u32 = 600;
const TREND_WIDTH: u32 = 560;
const TREND_HEIGHT: u32 = 320;

/// Estimated width in pixels of `text` at a visual font size of `px`.
fn text_width(text: &str, px: f64) -> f64 {
    text.chars().map(|c| if c.is_ascii() { 0.62 } else { 1.0 }).sum::<f64>() * px
}

/// The chart's size in pixels at scale 1.
pub fn size(chart: &Chart) -> (u32, u32) {
    match chart {
        Chart::Bars(c) => {
            let legend = if c.projection_label.is_some() { LEGEND_ROW } else { 0.0 };
            (
                WIDTH,
                (BAR_TOP + ROW * c.bars.len().max(1) as f64 + 30.0 + legend) as u32,
            )
        }
        Chart::Trend(_) => (TREND_WIDTH, TREND_HEIGHT),
        Chart::Map(c) => {
            let rows = c.tiles.iter().map(|t| t.row + 1).max().unwrap_or(1);
            (MAP_WIDTH, (MAP_TOP + TILE_STEP * f64::from(rows) + 44.0) as u32)
        }
    }
}

/// How far a glyph moves the pen, and where its ink starts from the pen, in device pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GlyphMetrics {
    pub advance: f64,
    pub bearing: f64,
}

/// The bundled fonts, parsed once for measuring glyphs.
fn parsed_fonts() -> Option<&'static (ab_glyph::FontRef<'static>, ab_glyph::FontRef<'static>)> {
    static FONTS: std::sync::OnceLock<Option<(ab_glyph::FontRef<'static>, ab_glyph::FontRef<'static>)>> =
        std::sync::OnceLock::new();
    FONTS
        .get_or_init(|| {
            let cjk = ab_glyph::FontRef::try_from_slice(super::CJK_FONT).ok()?;
            let latin = ab_glyph::FontRef::try_from_slice(super::LATIN_FONT).ok()?;
            Some((cjk, latin))
        })
        .as_ref()
}

/// The metrics of `c` in `family` at `size` pixels, as plotters' ab_glyph backend scales it.
pub fn glyph_metrics(family: &str, c: char, size: f64) -> GlyphMetrics {
    use ab_glyph::{Font, ScaleFont};
    let Some((cjk, latin)) = parsed_fonts() else {
        return GlyphMetrics {
            advance: size * 0.6,
            bearing: 0.0,
        };
    };
    let font = if family == LATIN { latin } else { cjk };
    let scaled = font.as_scaled(size as f32);
    let glyph = scaled.scaled_glyph(c);
    let advance = scaled.h_advance(glyph.id);
    let bearing = scaled.outline_glyph(glyph).map_or(0.0, |q| q.px_bounds().min.x);
    GlyphMetrics {
        advance: f64::from(advance),
        bearing: f64::from(bearing),
    }
}

/// Draws `chart` with every length multiplied by `scale`. With `font_runs`, text is drawn in
/// runs, Latin from the Latin font and the rest from the CJK font (for bitmaps; an SVG keeps
/// each label as one text element and lets the viewer pick fonts).
pub fn draw<DB: DrawingBackend>(backend: DB, chart: &Chart, scale: f64, font_runs: bool) -> Result<(), String> {
    let area = backend.into_drawing_area();
    area.fill(&WHITE).map_err(|e| e.to_string())?;
    let pen = Pen {
        area: &area,
        scale,
        font_runs,
    };
    match chart {
        Chart::Bars(c) => bars(&pen, c),
        Chart::Trend(c) => trend(&pen, c),
        Chart::Map(c) => map(&pen, c),
    }
    .map_err(|e| e.to_string())?;
    area.present().map_err(|e| e.to_string())
}

type Drawn<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// The drawing area with the scale applied to every coordinate.
struct Pen<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, Shift>,
    scale: f64,
    font_runs: bool,
}

impl<DB: DrawingBackend> Pen<'_, DB> {
    fn at(&self, x: f64, y: f64) -> (i32, i32) {
        ((x * self.scale).round() as i32, (y * self.scale).round() as i32)
    }

    #[allow(clippy::too_many_arguments)] // position, size, colour and anchor read best spelled out
    fn text(
        &self,
        text: &str,
        x: f64,
        y: f64,
        px: f64,
        colour: RGBColor,
        anchor: (HPos, VPos),
        bold: bool,
    ) -> Drawn<DB> {
        let size = px * 1.24 * self.scale;
        let font = |family: &'static str| {
            let font = (family, size).into_font();
            if bold { font.style(FontStyle::Bold) } else { font }
        };
        if !self.font_runs {
            let style = font(FAMILY).color(&colour).pos(Pos::new(anchor.0, anchor.1));
            return self.area.draw(&Text::new(text.to_owned(), self.at(x, y), style));
        }
        // plotters' ab_glyph backend puts each glyph's bitmap at the pen position, ignoring
        // its left side bearing, so a narrow glyph (目) sits too far left and leaves a gap after
        // it ("各项目 标任务"). Each glyph is drawn on its own, moved right by its bearing.
        let glyphs: Vec<(char, &'static str, GlyphMetrics)> = text
            .chars()
            .map(|c| {
                let family = if c.is_ascii() { LATIN } else { FAMILY };
                (c, family, glyph_metrics(family, c, size))
            })
            .collect();
        let total = glyphs.iter().map(|(_, _, m)| m.advance).sum::<f64>() / self.scale;
        let left = match anchor.0 {
            HPos::Left => x,
            HPos::Center => x - total / 2.0,
            HPos::Right => x - total,
        };
        let (_, baseline) = self.at(x, y);
        let mut pen_x = left * self.scale;
        for (c, family, metrics) in glyphs {
            if !c.is_whitespace() {
                let style = font(family).color(&colour).pos(Pos::new(HPos::Left, anchor.1));
                let at = ((pen_x + metrics.bearing).round() as i32, baseline);
                self.area.draw(&Text::new(c.to_string(), at, style))?;
            }
            pen_x += metrics.advance;
        }
        Ok(())
    }

    fn rect(&self, x0: f64, y0: f64, x1: f64, y1: f64, colour: RGBColor) -> Drawn<DB> {
        self.area
            .draw(&Rectangle::new([self.at(x0, y0), self.at(x1, y1)], colour.filled()))
    }

    fn line(&self, points: &[(f64, f64)], colour: RGBColor, width: f64) -> Drawn<DB> {
        let points: Vec<(i32, i32)> = points.iter().map(|&(x, y)| self.at(x, y)).collect();
        let style = colour.stroke_width((width * self.scale).round().max(1.0) as u32);
        self.area.draw(&PathElement::new(points, style))
    }

    /// A dashed straight line from `a` to `b`.
    fn dashed(&self, a: (f64, f64), b: (f64, f64), colour: RGBColor, width: f64) -> Drawn<DB> {
        let length = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let (dash, gap) = (6.0, 4.0);
        let mut travelled = 0.0;
        while travelled < length {
            let end = (travelled + dash).min(length);
            let p = |t: f64| (a.0 + (b.0 - a.0) * t / length, a.1 + (b.1 - a.1) * t / length);
            self.line(&[p(travelled), p(end)], colour, width)?;
            travelled = end + gap;
        }
        Ok(())
    }

    fn dot(&self, x: f64, y: f64, radius: f64, colour: RGBColor) -> Drawn<DB> {
        self.area.draw(&Circle::new(
            self.at(x, y),
            (radius * self.scale).round() as i32,
            colour.filled(),
        ))
    }
}

fn map<DB: DrawingBackend>(pen: &Pen<'_, DB>, chart: &MapChart) -> Drawn<DB> {
    pen.text(&chart.title, PAD, 22.0, 15.0, INK, (HPos::Left, VPos::Center), true)?;
    let cols = chart.tiles.iter().map(|t| t.col + 1).max().unwrap_or(1);
    let left = (f64::from(MAP_WIDTH) - TILE_STEP * f64::from(cols)) / 2.0;
    for tile in &chart.tiles {
        let x = left + TILE_STEP * f64::from(tile.col);
        let y = MAP_TOP + TILE_STEP * f64::from(tile.row);
        let colour = status_colour(tile.status);
        pen.rect(x, y, x + TILE, y + TILE, colour)?;
        pen.rect(
            x + 3.0,
            y + 3.0,
            x + TILE - 3.0,
            y + TILE - 3.0,
            status_fill(tile.status),
        )?;
        let middle = x + TILE / 2.0;
        pen.text(
            &tile.label,
            middle,
            y + 27.0,
            14.0,
            INK,
            (HPos::Center, VPos::Center),
            true,
        )?;
        pen.text(
            &tile.value_label,
            middle,
            y + 50.0,
            12.0,
            INK,
            (HPos::Center, VPos::Center),
            false,
        )?;
    }
    let rows = chart.tiles.iter().map(|t| t.row + 1).max().unwrap_or(1);
    let ly = MAP_TOP + TILE_STEP * f64::from(rows) + 18.0;
    let mut lx = PAD;
    for (status, label) in &chart.legend {
        pen.rect(lx, ly - 7.0, lx + 14.0, ly + 7.0, status_colour(*status))?;
        pen.rect(lx + 2.0, ly - 5.0, lx + 12.0, ly + 5.0, status_fill(*status))?;
        pen.text(label, lx + 20.0, ly, 12.0, INK, (HPos::Left, VPos::Center), false)?;
        lx += 20.0 + text_width(label, 12.0) + 18.0;
    }
    Ok(())
}

fn bars<DB: DrawingBackend>(pen: &Pen<'_, DB>, chart: &BarChart) -> Drawn<DB> {
    let width = f64::from(WIDTH);
    let label_width = chart
        .bars
        .iter()
        .map(|b| text_width(&b.label, 13.0))
        .fold(40.0, f64::max);
    let value_width = chart
        .bars
        .iter()
        .map(|b| text_width(&b.value_label, 12.0))
        .fold(40.0, f64::max);
    let x0 = PAD + label_width.min(width * 0.56) + 10.0;
    let x1 = width - PAD - value_width - 8.0;
    let highest = chart.bars.iter().filter_map(|b| b.rate).map(|r| r.0).max().unwrap_or(0);
    // Scale to 100% or a little past the highest rate, at most 200%.
    let top = (highest.clamp(1000, 2000) + 249) / 250 * 250;
    let x = |rate: i64| x0 + (x1 - x0) * rate.clamp(0, top) as f64 / top as f64;
    let bottom = BAR_TOP + ROW * chart.bars.len().max(1) as f64;

    pen.text(&chart.title, PAD, 22.0, 15.0, INK, (HPos::Left, VPos::Center), true)?;
    // Grid and the percentage axis.
    let step = if top > 1000 { 500 } else { 250 };
    let mut tick = 0;
    while tick <= top {
        pen.line(&[(x(tick), BAR_TOP - 4.0), (x(tick), bottom)], GRID, 1.0)?;
        pen.text(
            &format!("{}%", tick / 10),
            x(tick),
            bottom + 14.0,
            11.0,
            MUTED,
            (HPos::Center, VPos::Center),
            false,
        )?;
        tick += step;
    }
    let mut labels = Vec::with_capacity(chart.bars.len());
    for (i, bar) in chart.bars.iter().enumerate() {
        let y = BAR_TOP + ROW * i as f64 + (ROW - BAR) / 2.0;
        let middle = y + BAR / 2.0;
        pen.text(
            &bar.label,
            x0 - 8.0,
            middle,
            13.0,
            INK,
            (HPos::Right, VPos::Center),
            false,
        )?;
        if chart.bullet {
            pen.rect(x(0), y - 2.0, x(1000), y + BAR + 2.0, TRACK)?;
        }
        match bar.rate {
            Some(rate) => {
                let end = x(rate.0).max(x(0) + 1.0);
                pen.rect(x(0), y, end, y + BAR, status_colour(bar.status))?;
                labels.push((&bar.value_label, end + 5.0, middle, INK));
            }
            None => labels.push((&bar.value_label, x(0) + 5.0, middle, MUTED)),
        }
    }
    for (i, bar) in chart.bars.iter().enumerate() {
        if let Some(projected) = bar.projected {
            let y = BAR_TOP + ROW * i as f64 + (ROW - BAR) / 2.0;
            projection_marker(pen, x(projected.0), y - 3.0, y + BAR + 3.0)?;
        }
    }
    if let Some(label) = &chart.projection_label {
        let ly = bottom + 34.0;
        projection_marker(pen, PAD + 4.0, ly - 8.0, ly + 8.0)?;
        pen.text(label, PAD + 14.0, ly, 12.0, INK, (HPos::Left, VPos::Center), false)?;
    }
    let bx = x(chart.benchmark.0);
    pen.dashed((bx, BAR_TOP - 10.0), (bx, bottom), BENCHMARK, 2.0)?;
    // Value labels on a white ground where the benchmark line would run through them.
    for (label, lx, ly, colour) in labels {
        let w = text_width(label, 12.0);
        if (lx - 2.0..=lx + w + 2.0).contains(&bx) {
            pen.rect(lx - 1.0, ly - 8.0, lx + w + 1.0, ly + 8.0, WHITE)?;
        }
        pen.text(label, lx, ly, 12.0, colour, (HPos::Left, VPos::Center), false)?;
    }
    let label_half = text_width(&chart.benchmark_label, 12.0) / 2.0;
    let label_x = bx.clamp(PAD + label_half, width - PAD - label_half);
    pen.text(
        &chart.benchmark_label,
        label_x,
        BAR_TOP - 18.0,
        12.0,
        BENCHMARK,
        (HPos::Center, VPos::Center),
        true,
    )?;
    Ok(())
}

/// The projected year-end marker: an upright bar with a white edge, so it reads on a coloured
/// bar and on white alike.
fn projection_marker<DB: DrawingBackend>(pen: &Pen<'_, DB>, x: f64, top: f64, bottom: f64) -> Drawn<DB> {
    pen.rect(x - 2.5, top, x + 2.5, bottom, WHITE)?;
    pen.rect(x - 1.5, top + 1.0, x + 1.5, bottom - 1.0, PROJECTED)
}

/// A round whole step for about four axis intervals up to `max`: 1, 2 or 5 times a power of
/// ten, or 2.5 times one from 10 up, so every tick is a whole number.
fn nice_step(max: f64) -> i64 {
    let raw = (max / 4.0).max(1.0);
    let mut magnitude: i64 = 1;
    while ((magnitude * 10) as f64) <= raw && magnitude < i64::MAX / 100 {
        magnitude *= 10;
    }
    // The multiples in tenths: 1, 2, 2.5, 5, 10.
    [10, 20, 25, 50, 100]
        .iter()
        .map(|tenths| tenths * magnitude)
        .filter(|tenths| tenths % 10 == 0)
        .map(|tenths| tenths / 10)
        .find(|&step| step as f64 >= raw)
        .unwrap_or(10 * magnitude)
}

fn trend<DB: DrawingBackend>(pen: &Pen<'_, DB>, chart: &TrendChart) -> Drawn<DB> {
    let (width, height) = (f64::from(TREND_WIDTH), f64::from(TREND_HEIGHT));
    let divisor = chart.divisor.max(1) as f64;
    let scaled = |v: i64| v as f64 / divisor;
    let (left, right, top, bottom) = (72.0, width - PAD, 78.0, height - 34.0);
    pen.text(&chart.title, PAD, 20.0, 15.0, INK, (HPos::Left, VPos::Center), true)?;
    pen.text(
        &chart.unit,
        PAD,
        top - 14.0,
        11.0,
        MUTED,
        (HPos::Left, VPos::Center),
        false,
    )?;

    // The legend, left to right.
    let mut lx = PAD;
    let ly = 44.0;
    let mut legend: Vec<(&str, RGBColor, bool)> = vec![(&chart.labels.cumulative, CURRENT, false)];
    legend.push((&chart.labels.previous_year, PREVIOUS, false));
    if chart.target.is_some() {
        legend.push((&chart.labels.target, TARGET, true));
        legend.push((&chart.labels.benchmark, BENCHMARK, true));
    }
    for (label, colour, dashed) in legend {
        if dashed {
            pen.dashed((lx, ly), (lx + 22.0, ly), colour, 2.0)?;
        } else {
            pen.line(&[(lx, ly), (lx + 22.0, ly)], colour, 2.5)?;
        }
        pen.text(label, lx + 28.0, ly, 12.0, INK, (HPos::Left, VPos::Center), false)?;
        lx += 28.0 + text_width(label, 12.0) + 18.0;
    }

    let values = chart.cumulative.iter().chain(chart.previous_year.iter()).flatten();
    let highest = values
        .chain(chart.target.iter())
        .map(|&v| scaled(v))
        .fold(0.0, f64::max);
    if chart.cumulative.iter().all(Option::is_none) && chart.previous_year.iter().all(Option::is_none) {
        pen.text(
            &chart.labels.no_data,
            (left + right) / 2.0,
            (top + bottom) / 2.0,
            14.0,
            MUTED,
            (HPos::Center, VPos::Center),
            false,
        )?;
    }
    let step = nice_step(highest * 1.08);
    let y_max = (highest * 1.08 / step as f64).ceil().max(1.0) * step as f64;
    let y = |v: f64| bottom - (bottom - top) * v / y_max;
    let x = |q: usize| left + (right - left) * (q as f64 + 0.5) / 4.0;
    let mut tick: i64 = 0;
    while tick as f64 <= y_max + 0.5 {
        let at = y(tick as f64);
        pen.line(&[(left, at), (right, at)], GRID, 1.0)?;
        pen.text(
            &format::thousands(tick),
            left - 6.0,
            at,
            11.0,
            MUTED,
            (HPos::Right, VPos::Center),
            false,
        )?;
        tick += step;
    }
    for (q, label) in chart.labels.quarters.iter().enumerate() {
        pen.text(
            label,
            x(q),
            bottom + 16.0,
            12.0,
            INK,
            (HPos::Center, VPos::Center),
            false,
        )?;
    }
    if let Some(target) = chart.target {
        let ty = y(scaled(target));
        pen.dashed((left, ty), (right, ty), TARGET, 2.0)?;
        let points: Vec<(f64, f64)> = chart
            .benchmarks
            .iter()
            .enumerate()
            .map(|(q, b)| (x(q), y(scaled(target) * b.0 as f64 / 1000.0)))
            .collect();
        for pair in points.windows(2) {
            pen.dashed(pair[0], pair[1], BENCHMARK, 1.5)?;
        }
        for &(px, py) in &points {
            pen.dot(px, py, 2.5, BENCHMARK)?;
        }
    }
    series(pen, &chart.previous_year, PREVIOUS, 1.5, &x, &y, &scaled, None)?;
    series(
        pen,
        &chart.cumulative,
        CURRENT,
        2.5,
        &x,
        &y,
        &scaled,
        Some(&chart.point_labels),
    )?;
    Ok(())
}

/// A line through the reported quarters (a gap where one is missing), dots, and the given
/// labels above the dots.
#[allow(clippy::too_many_arguments)]
fn series<DB: DrawingBackend>(
    pen: &Pen<'_, DB>,
    values: &[Option<i64>; 4],
    colour: RGBColor,
    width: f64,
    x: &dyn Fn(usize) -> f64,
    y: &dyn Fn(f64) -> f64,
    scaled: &dyn Fn(i64) -> f64,
    labels: Option<&[Option<String>; 4]>,
) -> Drawn<DB> {
    for q in 0..3 {
        if let (Some(a), Some(b)) = (values[q], values[q + 1]) {
            pen.line(&[(x(q), y(scaled(a))), (x(q + 1), y(scaled(b)))], colour, width)?;
        }
    }
    for (q, value) in values.iter().enumerate() {
        if let Some(v) = value {
            pen.dot(x(q), y(scaled(*v)), width + 1.5, colour)?;
            if let Some(label) = labels.and_then(|l| l[q].as_deref()) {
                // A long label (326.00 million yuan) shrinks to the space between two points
                // and stays inside the chart.
                let room = x(1) - x(0) - 6.0;
                // Never below 11: the chart is never shown narrower than its own width.
                let px = (room / text_width(label, 1.0)).clamp(11.0, 12.0);
                let half = text_width(label, px) / 2.0;
                let right = f64::from(TREND_WIDTH) - PAD;
                let at = x(q).clamp(PAD + half, (right - half).max(PAD + half));
                pen.text(
                    label,
                    at,
                    y(scaled(*v)) - 12.0,
                    px,
                    INK,
                    (HPos::Center, VPos::Center),
                    true,
                )?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(nice_step(10_000.0), 2_500);
        assert_eq!(nice_step(10_918.0), 5_000);
        assert_eq!(nice_step(3.0), 1);
        assert_eq!(nice_step(90.0), 25);
        // 2.5 would put ticks between whole numbers.
        assert_eq!(nice_step(9.0), 5);
    }

    /// The runs of blank pixel columns between the first and the last inked column of `text`
    /// drawn on a white bitmap, glyph by glyph (`runs`) or as plotters draws a whole string.
    fn blank_runs(text: &str, runs: bool) -> Vec<u32> {
        super::super::ensure_font();
        let (w, h) = (400u32, 60u32);
        let mut pixels = vec![255u8; (w * h * 3) as usize];
        {
            let area = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
            let pen = Pen {
                area: &area,
                scale: 2.0,
                font_runs: runs,
            };
            pen.text(text, 10.0, 15.0, 15.0, INK, (HPos::Left, VPos::Center), true)
                .unwrap();
            area.present().unwrap();
        }
        let inked: Vec<bool> = (0..w)
            .map(|x| (0..h).any(|y| pixels[((y * w + x) * 3) as usize] < 160))
            .collect();
        let first = inked.iter().position(|&i| i).unwrap_or(0);
        let last = inked.iter().rposition(|&i| i).unwrap_or(0);
        let mut gaps = Vec::new();
        let mut run = 0;
        for &ink in &inked[first..=last] {
            if ink {
                if run > 0 {
                    gaps.push(run);
                }
                run = 0;
            } else {
                run += 1;
            }
        }
        gaps
    }

    #[test]
    fn png_text_spaces_a_narrow_chinese_glyph_evenly() {
        // 目 is narrower than 工: drawn without its bearing, it sits against the glyph before it
        // and leaves a gap after it ("各项目 标任务").
        let ours = blank_runs("工目工", true);
        assert_eq!(ours.len(), 2, "{ours:?}");
        assert!(ours[0].abs_diff(ours[1]) <= 2, "uneven gaps around 目: {ours:?}");
        let plotters = blank_runs("工目工", false);
        assert!(
            plotters.len() == 2 && plotters[1] > plotters[0] + 4,
            "plotters' own layout was expected to show the gap ({plotters:?}); if it no longer does, the glyph-by-glyph drawing can go"
        );
    }

    #[test]
    fn status_colours_differ() {
        assert_ne!(status_colour(Status::OnTrack), status_colour(Status::Behind));
        let _ = crate::domain::Tenths(0);
    }
}
