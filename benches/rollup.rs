//! Roll-up and rendering at national scale: 34 provinces, ~340 cities, 2,850 counties, ten
//! years of reports (≈800,000 values) generated into a temporary SQLite file once, then the
//! per-request work timed: the period's queries, the roll-up, and the dashboard with charts.

use criterion::{Criterion, criterion_group, criterion_main};

use anju::domain::Period;
use anju::domain::progress::ProgressTable;
use anju::seed::national::{self, GenOptions};
use anju::web::charts::{self, Chart};
use anju::web::views::Lang;
use anju::web::views::dashboard::{Dashboard, dashboard};

fn national_scale(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("national.db");
    let db = anju::service::pool::Db::open(&path, &dir.path().join("no-data-dir")).expect("database");
    drop(db);
    let mut conn = anju::db::connect(&path).expect("connect");
    let options = GenOptions::default();
    let regions =
        national::regions(&anju::db::catalogue::divisions(&conn).expect("catalogue"), &options).expect("regions");
    let summary = national::load(&mut conn, &regions, &options).expect("generate");
    eprintln!(
        "national dataset: {} regions, {} values",
        summary.regions, summary.values
    );
    let catalogue = anju::db::catalogue::load(&conn).expect("catalogue");
    let period: Period = "2021Q3".parse().expect("period");
    let inputs = anju::db::progress::inputs(&conn, period).expect("inputs");
    let table = ProgressTable::compute(&catalogue, period, &inputs);
    let periods = anju::db::progress::counted_periods(&conn).expect("periods");
    let key = "shantytown_starts";
    let lang = Lang::Zh;

    c.bench_function("national_queries_one_period", |b| {
        b.iter(|| anju::db::progress::inputs(&conn, period).expect("inputs"))
    });
    c.bench_function("national_rollup_compute", |b| {
        b.iter(|| ProgressTable::compute(&catalogue, period, &inputs))
    });
    let root = catalogue
        .home_region()
        .or_else(|| catalogue.roots().next())
        .expect("a root region")
        .clone();
    c.bench_function("national_dashboard_html_with_charts", |b| {
        b.iter(|| {
            let overview = charts::svg(&Chart::Bars(charts::overview(&table, &catalogue, &root.code, lang)));
            let ranking = charts::svg(&Chart::Bars(
                charts::ranking(&table, &catalogue, &root.code, key, lang).expect("ranking"),
            ));
            dashboard(&Dashboard {
                lang,
                periods: &periods,
                table: &table,
                catalogue: &catalogue,
                root: &root,
                ranking: catalogue.indicator(key).expect("indicator"),
                overview_svg: &overview,
                ranking_svg: &ranking,
                newer: &[],
                extras: Default::default(),
            })
            .into_string()
        })
    });
    c.bench_function("national_progress_rows_json", |b| {
        b.iter(|| serde_json::to_vec(&table.rows(&catalogue, None, None)).expect("json"))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = national_scale
}
criterion_main!(benches);
