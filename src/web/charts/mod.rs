//! Charts (plotters) as SVG and PNG: the overview bullet bars, the city ranking and the
//! quarterly trend. Each chart is first built as plain data from the progress table, then drawn;
//! the drawing never computes a rate or a status.

mod draw;
pub mod http;

use std::sync::Arc;

use std::sync::Once;

use plotters::style::FontStyle;

use crate::domain::catalogue::{Catalogue, Indicator};
use crate::domain::progress::ProgressTable;
use crate::domain::projection::Basis;
use crate::domain::rate::time_benchmark;
use crate::domain::tiles::{TileLayout, TilePosition};
use crate::domain::{Lang, Period, Region, Status, Tenths, format};

/// The font family charts are drawn in; the bundled CJK font is registered under it.
const FAMILY: &str = "sans-serif";

/// The bundled CJK font has no Latin letters or digits: PNG text draws those from this one.
const LATIN: &str = "anju-latin";

/// What the SVG asks the viewer for, in order: common Chinese UI fonts, then the bundled one.
const SVG_FONTS: &str = "Noto Sans SC, Noto Sans CJK SC, Microsoft YaHei, PingFang SC, Droid Sans Fallback, sans-serif";

/// The fonts PNG text is drawn in, built into the binary (browsers get a WOFF2 subset instead).
const CJK_FONT: &[u8] = include_bytes!("../../../fonts/DroidSansFallbackFull.ttf");
const LATIN_FONT: &[u8] = include_bytes!("../../../fonts/DejaVuSans.ttf");

static FONT: Once = Once::new();

/// Registers the bundled CJK font for PNG text and text measurement; idempotent.
fn ensure_font() {
    FONT.call_once(|| {
        for (family, file, bytes) in [
            (FAMILY, "DroidSansFallbackFull.ttf", CJK_FONT),
            (LATIN, "DejaVuSans.ttf", LATIN_FONT),
        ] {
            for style in [FontStyle::Normal, FontStyle::Bold] {
                if plotters::style::register_font(family, style, bytes).is_err() {
                    tracing::error!("the chart font {file} could not be loaded");
                }
            }
        }
    });
}

/// One horizontal bar: a label, a rate (none: not reported or no target) and its status.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub rate: Option<Tenths>,
    pub status: Status,
    /// Shown at the end of the bar: the rate, or why there is none.
    pub value_label: String,
    /// The projected year-end rate, drawn as a marker on the bar (the ranking only).
    pub projected: Option<Tenths>,
}

/// Bars against the time benchmark: the overview (one bar per indicator, drawn as bullet bars
/// with the 100% target band) and the ranking (one bar per city, sorted by rate).
#[derive(Clone, Debug, PartialEq)]
pub struct BarChart {
    pub title: String,
    pub benchmark: Tenths,
    pub benchmark_label: String,
    pub bars: Vec<Bar>,
    /// Draw the 0–100% band behind each bar (bullet style).
    pub bullet: bool,
    /// The legend entry of the projection markers, when any bar has one.
    pub projection_label: Option<String>,
}

/// Cumulative figures by quarter for one region and indicator, with the previous year.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendChart {
    pub title: String,
    pub year: i32,
    pub unit: String,
    /// Values are drawn divided by this (10,000 for money shown in 万元, a million in English).
    pub divisor: i64,
    /// What is written at this year's points: the figure as a table cell writes it.
    pub point_labels: [Option<String>; 4],
    pub target: Option<i64>,
    /// Q1..Q4 of the year; `None` not reported.
    pub cumulative: [Option<i64>; 4],
    pub previous_year: [Option<i64>; 4],
    /// The benchmark as a share of the target at each quarter end, in tenths of a percent.
    pub benchmarks: [Tenths; 4],
    pub labels: TrendLabels,
}

/// The words a trend chart needs, in the page language.
#[derive(Clone, Debug, PartialEq)]
pub struct TrendLabels {
    pub cumulative: String,
    pub previous_year: String,
    pub target: String,
    pub benchmark: String,
    pub quarters: [String; 4],
    pub no_data: String,
}

/// A chart of any kind, ready to draw (built once per response, so its size does not matter).
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Chart {
    Bars(BarChart),
    Trend(TrendChart),
    Map(MapChart),
}

/// The tile map: each city a square at its approximate place, coloured by status. No
/// boundaries are drawn, so it needs no map approval number (审图号).
#[derive(Clone, Debug, PartialEq)]
pub struct MapChart {
    pub title: String,
    pub tiles: Vec<Tile>,
    /// The statuses shown, with their words, for the legend.
    pub legend: Vec<(Status, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Tile {
    pub row: u32,
    pub col: u32,
    pub label: String,
    /// The rate, or why there is none.
    pub value_label: String,
    pub status: Status,
}

/// `map`: the home region's children for one indicator on their squares of `layout`.
pub fn map(
    table: &ProgressTable,
    catalogue: &Catalogue,
    layout: &TileLayout,
    indicator: &str,
    lang: Lang,
) -> Option<MapChart> {
    let english = lang.is_en();
    let column = catalogue.indicators().iter().position(|i| i.key == indicator)?;
    let ind = &catalogue.indicators()[column];
    let home = catalogue.home_region()?;
    let tiles: Vec<Tile> = layout
        .positions()
        .iter()
        .filter_map(
            |&TilePosition {
                 ref region_code,
                 row,
                 col,
             }| {
                let code = region_code.as_str();
                let region = catalogue.region(code)?;
                if region.parent_code.as_deref() != Some(home.code.as_str()) {
                    return None;
                }
                let figure = table.figure(catalogue.position(code)?, column);
                Some(Tile {
                    row,
                    col,
                    label: short_label(region, english),
                    value_label: bar_value_label(figure.rate, figure.status, lang),
                    status: figure.status,
                })
            },
        )
        .collect();
    let mut legend: Vec<(Status, String)> = Vec::new();
    for status in [
        Status::OnTrack,
        Status::Lagging,
        Status::Behind,
        Status::NoTarget,
        Status::NotReported,
    ] {
        if tiles.iter().any(|t| t.status == status) {
            legend.push((status, format::status(status, lang).to_owned()));
        }
    }
    Some(MapChart {
        title: format!(
            "{} {} {}",
            format::period(table.period, lang),
            ind.name(english),
            lang.t("各市进度", "by city")
        ),
        tiles,
        legend,
    })
}

/// A tile's name: 广州 for 广州市; the English name as it is.
fn short_label(region: &Region, english: bool) -> String {
    if english {
        return region.name_en.clone();
    }
    region
        .name_zh
        .strip_suffix('市')
        .filter(|s| s.chars().count() >= 2)
        .unwrap_or(&region.name_zh)
        .to_owned()
}

fn bar_value_label(rate: Option<Tenths>, status: Status, lang: Lang) -> String {
    match rate {
        Some(rate) => format::percent(rate),
        None => format::status(status, lang).to_owned(),
    }
}

/// The figure written at a point of a trend: money as [`format::money`] writes it (3.26亿元),
/// a count with separators (its unit is on the axis).
pub fn point_label(value: i64, indicator: &Indicator, lang: Lang) -> String {
    if indicator.is_money() {
        format::money(value, lang)
    } else {
        format::thousands(value)
    }
}

/// `overview`: the rate of `root` (the home region, or a city-bound viewer's city) for every
/// indicator that has a target.
pub fn overview(table: &ProgressTable, catalogue: &Catalogue, root: &str, lang: Lang) -> BarChart {
    let english = lang.is_en();
    let home = catalogue.position(root);
    let bars = catalogue
        .indicators()
        .iter()
        .enumerate()
        .filter(|(_, i)| i.has_target)
        .filter_map(|(column, indicator)| {
            let figure = table.figure(home?, column);
            // A partial sum is drawn at the reporting cities' own rate, marked, never as the
            // province's rate.
            let (rate, value_label) = if figure.status == Status::Incomplete {
                let rate = figure.reporting_rate;
                (rate, format!("{}*", format::rate(rate)))
            } else {
                (figure.rate, bar_value_label(figure.rate, figure.status, lang))
            };
            Some(Bar {
                label: indicator.name(english).to_owned(),
                rate,
                status: figure.status,
                value_label,
                projected: None,
            })
        })
        .collect();
    let period = format::period(table.period, lang);
    BarChart {
        title: format!(
            "{period} {}",
            lang.t("各项目标任务完成率", "completion rate by indicator")
        ),
        benchmark: table.time_benchmark,
        benchmark_label: format::benchmark(table.time_benchmark, lang),
        bars,
        bullet: true,
        projection_label: None,
    }
}

/// `ranking`: the children of `root` (the home region's cities, or a city's units) for one
/// indicator, highest rate first; those with no rate at the end.
pub fn ranking(
    table: &ProgressTable,
    catalogue: &Catalogue,
    root: &str,
    indicator: &str,
    lang: Lang,
) -> Option<BarChart> {
    let english = lang.is_en();
    let column = catalogue.indicators().iter().position(|i| i.key == indicator)?;
    let ind = &catalogue.indicators()[column];
    let home = catalogue.region(root)?;
    let mut bars: Vec<(Option<Tenths>, &Region, Bar)> = catalogue
        .children(&home.code)
        .filter_map(|region| {
            let figure = table.figure(catalogue.position(&region.code)?, column);
            let projected = figure
                .projection
                .filter(|p| p.basis != Basis::Final)
                .and_then(|p| p.rate);
            Some((
                figure.rate,
                region,
                Bar {
                    label: region.name(english).to_owned(),
                    rate: figure.rate,
                    status: figure.status,
                    value_label: bar_value_label(figure.rate, figure.status, lang),
                    projected,
                },
            ))
        })
        .collect();
    bars.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.code.cmp(&b.1.code)));
    let projection_label = bars.iter().any(|(_, _, bar)| bar.projected.is_some()).then(|| {
        let label = lang.t("预计年底完成率", "Projected year-end rate");
        match format::projection_caveat(table.period.quarter(), lang) {
            Some(caveat) => format!("{label}{}{caveat}{}", lang.t("（", " ("), lang.t("）", ")")),
            None => label.to_owned(),
        }
    });
    Some(BarChart {
        title: format!(
            "{} {} {}",
            format::period(table.period, lang),
            ind.name(english),
            ranking_title(&home.level, lang)
        ),
        benchmark: table.time_benchmark,
        benchmark_label: format::benchmark(table.time_benchmark, lang),
        bars: bars.into_iter().map(|(_, _, bar)| bar).collect(),
        bullet: false,
        projection_label,
    })
}

/// "各市完成率排名" under the province, "各县（市、区）完成率排名" under a city.
fn ranking_title(root_level: &str, lang: Lang) -> String {
    match (root_level == "city", lang.is_en()) {
        (false, true) => "— rate by city".to_owned(),
        (true, true) => "— rate by unit".to_owned(),
        (_, false) => format!("各{}完成率排名", crate::domain::bulletin::units_noun(root_level, false)),
    }
}

/// `trend`: a region's cumulative by quarter from the tables of a year's four quarters
/// (`this_year`) and the previous year's (`last_year`), each in quarter order.
pub fn trend(
    this_year: &[Arc<ProgressTable>],
    last_year: &[Arc<ProgressTable>],
    catalogue: &Catalogue,
    region: &str,
    indicator: &str,
    year: i32,
    lang: Lang,
) -> Option<TrendChart> {
    let english = lang.is_en();
    let ind = catalogue.indicator(indicator)?;
    let reg = catalogue.region(region)?;
    let pick = |tables: &[Arc<ProgressTable>], q: usize| {
        tables
            .get(q)
            .and_then(|t| t.figure_for(catalogue, region, indicator))
            .and_then(|f| f.cumulative)
    };
    let target = this_year
        .iter()
        .rev()
        .find_map(|t| t.figure_for(catalogue, region, indicator).and_then(|f| f.target));
    let quarters = Period::quarters_of(year).ok()?;
    let (divisor, unit) = if ind.is_money() {
        format::money_axis(lang)
    } else {
        (1, format::unit(&ind.unit, lang))
    };
    let cumulative = [0, 1, 2, 3].map(|q| pick(this_year, q));
    Some(TrendChart {
        title: format!("{} {} {year}", reg.name(english), ind.name(english)),
        year,
        unit: unit.to_owned(),
        divisor,
        point_labels: cumulative.map(|v| v.map(|v| point_label(v, ind, lang))),
        target,
        cumulative,
        previous_year: [0, 1, 2, 3].map(|q| pick(last_year, q)),
        benchmarks: quarters.map(time_benchmark),
        labels: TrendLabels {
            cumulative: format!("{year} {}", lang.t("累计完成", "cumulative")),
            previous_year: format!("{} {}", year - 1, lang.t("累计完成", "cumulative")),
            target: lang.t("年度目标", "Annual target").to_owned(),
            benchmark: lang.t("序时进度", "Time benchmark").to_owned(),
            quarters: [1, 2, 3, 4].map(|q| format::quarter(q, lang).to_owned()),
            no_data: lang.t("暂无数据", "No data").to_owned(),
        },
    })
}

/// The chart as an SVG document: real text, a `<title>`, a `viewBox` so it scales.
pub fn svg(chart: &Chart) -> String {
    ensure_font();
    let (width, height) = draw::size(chart);
    let mut out = String::with_capacity(16 * 1024);
    {
        let backend = plotters::backend::SVGBackend::with_string(&mut out, (width, height));
        if let Err(error) = draw::draw(backend, chart, 1.0, false) {
            tracing::error!("drawing an SVG chart failed: {error}");
        }
    }
    finish_svg(out, title(chart))
}

/// The same chart as a PNG image.
pub fn png(chart: &Chart) -> Vec<u8> {
    ensure_font();
    let (width, height) = draw::size(chart);
    // Twice the size, so the text stays sharp when pasted into a slide.
    let scale = 2;
    let (w, h) = (width * scale, height * scale);
    let mut pixels = vec![255_u8; (w * h * 3) as usize];
    {
        let backend = plotters::backend::BitMapBackend::with_buffer(&mut pixels, (w, h));
        if let Err(error) = draw::draw(backend, chart, f64::from(scale), true) {
            tracing::error!("drawing a PNG chart failed: {error}");
        }
    }
    let mut encoded = Vec::new();
    let encoder = image::codecs::png::PngEncoder::new(&mut encoded);
    if let Err(error) = image::ImageEncoder::write_image(encoder, &pixels, w, h, image::ColorType::Rgb8) {
        tracing::error!("encoding a PNG chart failed: {error}");
    }
    encoded
}

fn title(chart: &Chart) -> &str {
    match chart {
        Chart::Bars(c) => &c.title,
        Chart::Trend(c) => &c.title,
        Chart::Map(c) => &c.title,
    }
}

/// Adds the `<title>`, a role and the font list to plotters' SVG (which already has a `viewBox`,
/// so CSS can scale it to its container).
fn finish_svg(svg: String, title: &str) -> String {
    let Some(open_end) = svg.find('>') else {
        return svg;
    };
    let (open, rest) = svg.split_at(open_end);
    let open = open.replacen("<svg ", "<svg role=\"img\" class=\"chart-svg\" ", 1);
    let rest = &rest[1..];
    let body = rest.replace("font-family=\"sans-serif\"", &format!("font-family=\"{SVG_FONTS}\""));
    let mut out = String::with_capacity(body.len() + open.len() + title.len() + 32);
    out.push_str(&open);
    out.push_str("><title>");
    out.push_str(&maud::html! { (title) }.into_string());
    out.push_str("</title>");
    out.push_str(&body);
    out
}
