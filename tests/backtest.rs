//! Backtest of the year-end projection on the demonstration history: projections made at Q1, Q2
//! and Q3 of 2020 and 2021 against each city's actual year end, in percentage points of the
//! target, beside the naive projection (cumulative ÷ time benchmark). Prints the figures
//! (`cargo test --test backtest -- --nocapture`).

mod common;

use anju::db;
use anju::domain::Period;
use anju::domain::projection::naive_year_end;
use common::TestApp;

#[tokio::test]
async fn seasonal_projection_beats_the_naive_one_on_the_demo_history() {
    let app = TestApp::demo().await;
    let conn = app.conn();
    let catalogue = db::catalogue::load(&conn).unwrap();
    let mut overall = (0.0, 0.0, 0usize);
    for year in [2020, 2021] {
        let year_end = db::progress::table(&conn, &catalogue, Period::new(year, 4).unwrap()).unwrap();
        for quarter in 1..=3u8 {
            let table = db::progress::table(&conn, &catalogue, Period::new(year, quarter).unwrap()).unwrap();
            let (mut seasonal, mut naive, mut count) = (0.0, 0.0, 0usize);
            for (position, region) in catalogue.regions().iter().enumerate() {
                if catalogue.has_children(&region.code) {
                    continue;
                }
                for (column, indicator) in catalogue.indicators().iter().enumerate() {
                    let figure = table.figure(position, column);
                    let actual = year_end.figure(position, column).cumulative;
                    let (Some(cumulative), Some(actual), Some(target), Some(projection)) =
                        (figure.cumulative, actual, figure.target, figure.projection)
                    else {
                        continue;
                    };
                    if !indicator.has_target || target <= 0 {
                        continue;
                    }
                    let points = |projected: i64| (projected - actual).abs() as f64 * 100.0 / target as f64;
                    seasonal += points(projection.year_end);
                    naive += points(naive_year_end(cumulative, quarter));
                    count += 1;
                }
            }
            assert!(count > 50, "{year}Q{quarter}: only {count} projections");
            println!(
                "backtest {year}Q{quarter}: {count} city × indicator projections, MAE seasonal {:.1} pp, naive {:.1} pp",
                seasonal / count as f64,
                naive / count as f64
            );
            overall = (overall.0 + seasonal, overall.1 + naive, overall.2 + count);
        }
    }
    let (seasonal, naive) = (overall.0 / overall.2 as f64, overall.1 / overall.2 as f64);
    println!("backtest overall: MAE seasonal {seasonal:.1} pp, naive {naive:.1} pp of the target");
    assert!(
        seasonal < naive,
        "seasonal {seasonal:.1} pp is no better than naive {naive:.1} pp"
    );
    app.stop().await;
}
