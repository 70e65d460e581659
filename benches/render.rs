//! Server-side rendering time of the dashboard and each SVG chart on the demo data.

use criterion::{Criterion, criterion_group, criterion_main};

use anju::domain::Period;
use anju::web::charts::{self, Chart};
use anju::web::views::Lang;
use anju::web::views::dashboard::{Dashboard, dashboard};
use anju::{ServeConfig, StoreConfig};

fn render(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = StoreConfig {
        db: dir.path().join("anju.db"),
        data_dir: dir.path().join("no-data-dir"),
    };
    let config = ServeConfig {
        demo: true,
        demo_password: Some("bench-password-2020".into()),
        ..ServeConfig::default()
    };
    let state = anju::prepare(&store, config).expect("demo database");
    let catalogue = state.catalogue();
    let conn = anju::db::connect(&store.db).expect("connect");
    let period: Period = "2020Q1".parse().expect("period");
    let table = anju::db::progress::table(&conn, &catalogue, period).expect("table");
    let periods = anju::db::progress::counted_periods(&conn).expect("periods");
    let this_year: Vec<_> = Period::quarters_of(2020)
        .expect("year")
        .iter()
        .map(|&p| std::sync::Arc::new(anju::db::progress::table(&conn, &catalogue, p).expect("table")))
        .collect();
    let last_year: Vec<_> = Period::quarters_of(2019)
        .expect("year")
        .iter()
        .map(|&p| std::sync::Arc::new(anju::db::progress::table(&conn, &catalogue, p).expect("table")))
        .collect();
    let lang = Lang::Zh;
    let key = "shantytown_starts";

    c.bench_function("table_compute_2020Q1", |b| {
        let inputs = anju::db::progress::inputs(&conn, period).expect("inputs");
        b.iter(|| anju::domain::progress::ProgressTable::compute(&catalogue, period, &inputs))
    });
    c.bench_function("chart_overview_svg", |b| {
        b.iter(|| charts::svg(&Chart::Bars(charts::overview(&table, &catalogue, "440000", lang))))
    });
    c.bench_function("chart_ranking_svg", |b| {
        b.iter(|| {
            charts::svg(&Chart::Bars(
                charts::ranking(&table, &catalogue, "440000", key, lang).expect("ranking"),
            ))
        })
    });
    c.bench_function("chart_trend_svg", |b| {
        b.iter(|| {
            charts::svg(&Chart::Trend(
                charts::trend(&this_year, &last_year, &catalogue, "440100", key, 2020, lang).expect("trend"),
            ))
        })
    });
    c.bench_function("dashboard_html_with_charts", |b| {
        b.iter(|| {
            let overview = charts::svg(&Chart::Bars(charts::overview(&table, &catalogue, "440000", lang)));
            let ranking = charts::svg(&Chart::Bars(
                charts::ranking(&table, &catalogue, "440000", key, lang).expect("ranking"),
            ));
            let ranking_indicator = catalogue.indicator(key).expect("indicator");
            dashboard(&Dashboard {
                lang,
                periods: &periods,
                table: &table,
                catalogue: &catalogue,
                root: catalogue.home_region().expect("home"),
                ranking: ranking_indicator,
                overview_svg: &overview,
                ranking_svg: &ranking,
                newer: &[],
                extras: Default::default(),
            })
            .into_string()
        })
    });
    c.bench_function("chart_ranking_png", |b| {
        b.iter(|| {
            charts::png(&Chart::Bars(
                charts::ranking(&table, &catalogue, "440000", key, lang).expect("ranking"),
            ))
        })
    });
}

criterion_group!(benches, render);
criterion_main!(benches);
