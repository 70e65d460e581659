//! Charts: SVG that parses, names the cities in Chinese, escapes what it is given; PNG that
//! decodes and shows something; ETag and 304, changed by a write.

mod common;

use common::{TestApp, User};
use reqwest::header::IF_NONE_MATCH;

const CITIES: [&str; 21] = [
    "广州市",
    "韶关市",
    "深圳市",
    "珠海市",
    "汕头市",
    "佛山市",
    "江门市",
    "湛江市",
    "茂名市",
    "肇庆市",
    "惠州市",
    "梅州市",
    "汕尾市",
    "河源市",
    "阳江市",
    "清远市",
    "东莞市",
    "中山市",
    "潮州市",
    "揭阳市",
    "云浮市",
];

/// The SVG at `path` (the test fails unless it is a 200 of `image/svg+xml`).
async fn get_svg(user: &User, path: &str) -> String {
    let chart = user.get(path).await;
    assert_eq!(chart.status, 200, "{path}");
    assert!(
        chart.header("content-type").unwrap().starts_with("image/svg+xml"),
        "{path}"
    );
    chart.text
}

/// Parses `svg` as XML and returns the text of its `<title>` and all its text.
fn parse(svg: &str) -> (String, String) {
    let document = roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("not XML: {e}\n{svg}"));
    let root = document.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert!(root.attribute("viewBox").is_some(), "a viewBox");
    let title = root
        .children()
        .find(|n| n.has_tag_name("title"))
        .and_then(|n| n.text())
        .expect("a <title>")
        .to_owned();
    let text: String = root
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    (title, text)
}

#[tokio::test]
async fn every_svg_chart_parses_as_xml_and_names_the_cities_in_chinese() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;

    let (title, text) = parse(&get_svg(&leader, "/charts/overview.svg?period=2020Q1").await);
    assert!(title.contains("2020年第一季度"));
    for label in ["棚户区改造新开工", "72.3%", "34.5%", "79.2%", "序时进度 25.0%"] {
        assert!(text.contains(label), "overview lacks {label}");
    }

    let (_, text) = parse(&get_svg(&leader, "/charts/ranking.svg?period=2020Q1&indicator=shantytown_starts").await);
    for city in CITIES {
        assert!(text.contains(city), "ranking lacks {city}");
    }

    let (title, text) = parse(
        &get_svg(
            &leader,
            "/charts/trend.svg?region=440100&indicator=shantytown_starts&year=2020",
        )
        .await,
    );
    assert!(title.contains("广州市"));
    for label in ["一季度", "四季度", "年度目标", "序时进度"] {
        assert!(text.contains(label), "trend lacks {label}");
    }
    app.stop().await;
}

#[tokio::test]
async fn chart_text_is_escaped() {
    let app = TestApp::demo().await;
    let conn = app.conn();
    let mut guangzhou = anju::db::catalogue::load(&conn)
        .unwrap()
        .region("440100")
        .unwrap()
        .clone();
    guangzhou.name_zh = "<script>alert(1)</script>&广州".into();
    anju::db::catalogue::upsert_regions(&conn, &[guangzhou]).unwrap();
    app.state.reload_catalogue().await.unwrap();
    let leader = app.user("leader").await;
    let svg = get_svg(&leader, "/charts/ranking.svg?period=2020Q1").await;
    let (_, text) = parse(&svg);
    assert!(text.contains("<script>alert(1)</script>&广州"), "shown as text");
    assert!(!svg.contains("<script>"));
    let trend = get_svg(&leader, "/charts/trend.svg?region=440100&year=2020").await;
    let (title, _) = parse(&trend);
    assert!(title.contains("<script>"), "the title holds the name as text");
    let page = leader.get("/?period=2020Q1").await;
    assert!(!page.text.contains("<script>alert"));
    app.stop().await;
}

#[tokio::test]
async fn png_chart_decodes_and_is_not_blank() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    for path in [
        "/charts/overview.png?period=2020Q1",
        "/charts/ranking.png?period=2020Q1&indicator=rent_subsidy_households",
        "/charts/trend.png?region=440300&indicator=shantytown_completions&year=2021",
    ] {
        let chart = leader.get(path).await;
        assert_eq!(chart.status, 200, "{path}");
        assert_eq!(chart.header("content-type"), Some("image/png"));
        let image = image::load_from_memory(&chart.bytes).expect("a PNG").to_rgb8();
        assert!(image.width() >= 500 && image.height() >= 200, "{path}");
        let pixels = image.pixels().count();
        let inked = image.pixels().filter(|p| p.0 != [255, 255, 255]).count();
        assert!(inked * 50 > pixels, "{path} is nearly blank ({inked} of {pixels})");
        let dark = image.pixels().filter(|p| p.0.iter().all(|&c| c < 90)).count();
        assert!(dark > 500, "{path} has no text drawn ({dark} dark pixels)");
    }
    app.stop().await;
}

#[tokio::test]
async fn repeat_chart_request_gets_304_and_a_write_changes_the_etag() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let chart = "/charts/ranking.svg?period=2021Q4&indicator=shantytown_starts";
    let first = admin.get(chart).await;
    assert_eq!(first.status, 200);
    let tag = first.header("etag").unwrap();
    let holding_tag = admin.with_header(IF_NONE_MATCH, tag);

    let again = holding_tag.get(chart).await;
    assert_eq!(again.status, 304);
    assert!(again.bytes.is_empty());

    // Another query is another ETag.
    let other = admin
        .get("/charts/ranking.svg?period=2021Q4&indicator=shantytown_completions")
        .await;
    assert_ne!(other.header("etag").unwrap(), tag);

    assert_eq!(admin.post("/api/v1/reports/440400/2021Q4/approve").await.status, 200);
    let after = holding_tag.get(chart).await;
    assert_eq!(after.status, 200, "the write made the cached chart stale");
    assert_ne!(after.header("etag").unwrap(), tag);

    // Pages carry ETags too.
    let page = admin.get("/?period=2021Q4").await;
    let page_tag = page.header("etag").unwrap();
    let cached = admin.with_header(IF_NONE_MATCH, page_tag).get("/?period=2021Q4").await;
    assert_eq!(cached.status, 304);
    app.stop().await;
}

#[tokio::test]
async fn unknown_chart_or_indicator_is_404_and_charts_need_a_session() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    for path in [
        "/charts/pie.svg",
        "/charts/overview.gif",
        "/charts/ranking.svg?indicator=nope",
        "/charts/trend.svg?region=999999",
    ] {
        assert_eq!(leader.get(path).await.status, 404, "{path}");
    }
    let anonymous = app.nobody().get("/charts/overview.svg").await;
    assert!(matches!(anonymous.status, 401 | 303), "{}", anonymous.status);
    app.stop().await;
}
