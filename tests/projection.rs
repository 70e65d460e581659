//! The year-end projection where people read it: each quarter's on the city page, a marker per
//! city on the ranking chart (SVG and PNG, with its legend entry), and a Q1 projection shown
//! as indicative (仅供参考) and kept out of the bulletin's text.

mod common;

use common::{TestApp, User};
use serde_json::Value;

/// The API row of one region × indicator for `period`.
async fn api_row(user: &User, period: &str, region: &str, indicator: &str) -> Value {
    let body = user
        .get(&format!(
            "/api/v1/progress?period={period}&region={region}&indicator={indicator}"
        ))
        .await
        .json();
    body["rows"][0].clone()
}

#[tokio::test]
async fn the_city_page_shows_each_quarters_projection_and_pace_as_the_api_does() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let page = leader.get("/regions/440100?year=2021").await;
    assert_eq!(page.status, 200);
    let text = page.text;
    for needle in ["预计年底完成", "剩余季度每季度需完成"] {
        assert!(text.contains(needle), "{needle}");
    }
    for period in ["2021Q1", "2021Q2", "2021Q3"] {
        let row = api_row(&leader, period, "440100", "rent_subsidy_households").await;
        let year_end = row["projected_year_end"].as_i64().expect("a projection");
        let written = anju::domain::format::thousands(year_end);
        assert!(text.contains(&written), "{period}: {written}");
        if let Some(pace) = row["required_per_quarter"].as_i64().filter(|&p| p > 0) {
            assert!(
                text.contains(&anju::domain::format::thousands(pace)),
                "{period}: pace {pace}"
            );
        }
    }
    // Only the Q1 rows are marked indicative: one per indicator with a target.
    assert_eq!(text.matches("一季度测算，仅供参考").count(), 5, "{text}");
    app.stop().await;
}

#[tokio::test]
async fn a_first_quarter_projection_is_indicative_and_the_bulletin_names_no_city_from_it() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let q1 = leader.get("/?period=2021Q1").await.text;
    assert!(q1.contains("预计年底"), "Q1 cards still show the projection");
    assert!(q1.contains("一季度测算，仅供参考"), "… marked indicative");
    let q2 = leader.get("/?period=2021Q2").await.text;
    assert!(q2.contains("预计年底") && !q2.contains("仅供参考"), "Q2 is not marked");
    let briefing = leader.get("/briefing?period=2021Q1").await.text;
    assert!(briefing.contains("仅供参考"), "the briefing too");

    let bulletin_q1 = leader.get("/bulletin?period=2021Q1&lang=zh").await.text;
    assert!(!bulletin_q1.contains("难以完成"), "no city named from a Q1 projection");
    let english_q1 = leader.get("/bulletin?period=2021Q1&lang=en").await.text;
    assert!(!english_q1.contains("likely to miss"), "nor in English");
    // From Q2 on, a city projected to miss is named.
    let mut named = false;
    for period in ["2020Q2", "2020Q3", "2021Q2", "2021Q3"] {
        named |= leader
            .get(&format!("/bulletin?period={period}&lang=zh"))
            .await
            .text
            .contains("按目前进度，预计");
    }
    assert!(named, "some Q2/Q3 bulletin names a city projected to miss");
    app.stop().await;
}

#[tokio::test]
async fn the_ranking_chart_marks_each_citys_projected_rate_with_a_legend_entry() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let svg = leader
        .get("/charts/ranking.svg?period=2021Q2&indicator=shantytown_starts")
        .await
        .text;
    assert!(svg.contains("预计年底完成率"), "legend entry");
    let markers = svg.to_ascii_uppercase().matches("#2D1B4E").count();
    assert!(
        markers >= 22,
        "a marker per city and one in the legend: {markers}\n{svg}"
    );
    let q1 = leader
        .get("/charts/ranking.svg?period=2021Q1&indicator=shantytown_starts")
        .await
        .text;
    assert!(q1.contains("仅供参考"), "a Q1 legend says it is indicative");
    // The year is over at Q4: no projection, no legend.
    let q4 = leader
        .get("/charts/ranking.svg?period=2021Q4&indicator=shantytown_starts")
        .await
        .text;
    assert!(!q4.contains("预计年底完成率"));

    let png = leader
        .get("/charts/ranking.png?period=2021Q2&indicator=shantytown_starts")
        .await;
    let image = image::load_from_memory(&png.bytes).expect("a PNG").to_rgb8();
    let marked = image.pixels().filter(|p| p.0 == [0x2d, 0x1b, 0x4e]).count();
    assert!(marked > 21 * 40, "the PNG draws the markers: {marked} pixels");
    let q4 = leader
        .get("/charts/ranking.png?period=2021Q4&indicator=shantytown_starts")
        .await;
    let image = image::load_from_memory(&q4.bytes).expect("a PNG").to_rgb8();
    assert_eq!(image.pixels().filter(|p| p.0 == [0x2d, 0x1b, 0x4e]).count(), 0);
    app.stop().await;
}
