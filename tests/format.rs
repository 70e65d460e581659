//! A money figure reads the same in a table cell, a chart label and the bulletin: each writes it
//! through `domain::format`. Checked on the pure builders at the rounding edges, and on the
//! served dashboard, trend chart and bulletin of the demonstration data.

mod common;

use std::collections::HashMap;
use std::sync::Arc;

use anju::domain::catalogue::{Catalogue, Indicator, Region};
use anju::domain::progress::{ProgressInputs, ProgressTable};
use anju::domain::{Lang, Period, bulletin, format};
use anju::web::charts;
use anju::web::views::components::Amount;
use common::{TestApp, User};
use maud::Render;

fn region(code: &str, name: &str, parent: Option<&str>) -> Region {
    Region {
        code: code.into(),
        name_zh: name.into(),
        name_en: name.into(),
        level: if parent.is_none() { "province" } else { "city" }.into(),
        parent_code: parent.map(Into::into),
    }
}

fn indicator(key: &str, unit: &str, sort: i64) -> Indicator {
    Indicator {
        key: key.into(),
        name_zh: key.into(),
        name_en: key.into(),
        unit: unit.into(),
        has_target: false,
        sort,
    }
}

/// A province with one city that granted `yuan` of rent relief to 1,200 households in 2020Q1.
fn relief_table(yuan: i64) -> (Catalogue, ProgressTable) {
    let catalogue = Catalogue::new(
        vec![
            region("440000", "广东省", None),
            region("440100", "广州市", Some("440000")),
        ],
        vec![
            indicator("rent_relief_households", "户", 1),
            indicator("rent_relief_amount", "元", 2),
        ],
    );
    let current = HashMap::from([
        (("440100".into(), "rent_relief_households".into()), 1_200),
        (("440100".into(), "rent_relief_amount".into()), yuan),
    ]);
    let inputs = ProgressInputs {
        current,
        ..ProgressInputs::default()
    };
    let period: Period = "2020Q1".parse().expect("a period");
    let table = ProgressTable::compute(&catalogue, period, &inputs);
    (catalogue, table)
}

#[test]
fn a_money_figure_reads_the_same_in_a_cell_a_chart_label_and_the_bulletin() {
    let cases = [
        (326_000_000, Lang::Zh, "3.26亿元"),
        (12_345_678, Lang::Zh, "1234.57万元"),
        (12_345_650, Lang::Zh, "1234.57万元"),
        (12_345_649, Lang::Zh, "1234.56万元"),
        (99_999_950, Lang::Zh, "1.00亿元"),
        (45_000, Lang::Zh, "4.50万元"),
        (326_000_000, Lang::En, "326.00 million yuan"),
        (1_234_567_890, Lang::En, "1,234.57 million yuan"),
    ];
    for (yuan, lang, expected) in cases {
        let (catalogue, table) = relief_table(yuan);
        let money = catalogue.indicator("rent_relief_amount").expect("the money indicator");
        let province = table
            .figure_for(&catalogue, "440000", "rent_relief_amount")
            .expect("the province's figure");
        assert_eq!(province.cumulative, Some(yuan), "the province sums its city");

        let cell = Amount {
            value: province.cumulative,
            unit: &money.unit,
            lang,
        }
        .render()
        .into_string();
        let tables = [Arc::new(table.clone())];
        let trend =
            charts::trend(&tables, &[], &catalogue, "440000", "rent_relief_amount", 2020, lang).expect("a trend chart");
        let chart_label = trend.point_labels[0].clone().expect("a label at Q1");
        let bulletin = bulletin::generate(&table, &catalogue, lang.is_en()).text();

        assert_eq!(format::money(yuan, lang), expected);
        assert_eq!(cell, expected, "table cell for {yuan}");
        assert_eq!(chart_label, expected, "chart label for {yuan}");
        assert_eq!(charts::point_label(yuan, money, lang), expected);
        assert!(
            bulletin.contains(expected),
            "the bulletin for {yuan} lacks {expected}: {bulletin}"
        );
    }
}

#[test]
fn a_count_reads_with_the_same_digits_in_a_cell_and_a_chart_label() {
    let (catalogue, table) = relief_table(45_000);
    let households = catalogue
        .indicator("rent_relief_households")
        .expect("the count indicator");
    let cell = Amount {
        value: Some(1_200),
        unit: &households.unit,
        lang: Lang::Zh,
    }
    .render()
    .into_string();
    let tables = [Arc::new(table)];
    let trend = charts::trend(
        &tables,
        &[],
        &catalogue,
        "440000",
        "rent_relief_households",
        2020,
        Lang::Zh,
    )
    .expect("a trend chart");
    assert_eq!(cell, "1,200 户");
    assert_eq!(trend.point_labels[0].as_deref(), Some("1,200"));
    assert_eq!(trend.unit, "户");
}

/// The page at `path` (the test fails unless it is a 200).
async fn html(user: &User, path: &str) -> String {
    let page = user.get(path).await;
    assert_eq!(page.status, 200, "{path}");
    page.text
}

#[tokio::test]
async fn the_served_dashboard_chart_and_bulletin_write_the_2020q1_relief_alike() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let dashboard = html(&leader, "/?period=2020Q1&lang=zh").await;
    let chart = html(
        &leader,
        "/charts/trend.svg?region=440000&indicator=rent_relief_amount&year=2020&lang=zh",
    )
    .await;
    let bulletin = html(&leader, "/bulletin?period=2020Q1&lang=zh").await;
    for (what, body) in [
        ("dashboard", &dashboard),
        ("trend chart", &chart),
        ("bulletin", &bulletin),
    ] {
        assert!(body.contains("3.26亿元"), "the {what} lacks 3.26亿元");
    }
    app.stop().await;
}
