//! The leadership pages show the API's numbers, an empty state on a new database, the
//! bulletin with the published 2020Q1 figures, and English without untranslated labels.

mod common;

use common::TestApp;
use serde_json::Value;

async fn text(client: &reqwest::Client, url: String) -> String {
    let response = client.get(&url).send().await.expect("request");
    assert_eq!(response.status(), 200, "{url}");
    response.text().await.expect("body")
}

async fn api_rows(client: &reqwest::Client, app: &TestApp, query: &str) -> Vec<Value> {
    let body: Value = client
        .get(app.url(&format!("/api/v1/progress?{query}")))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    body["rows"].as_array().expect("rows").clone()
}

/// The attribute pair a page writes on every rate it shows.
fn rate_marker(key: &str, rate: &Value) -> String {
    let rate = rate.as_f64().map(|r| format!("{r:.1}")).unwrap_or_default();
    format!("data-key=\"{key}\" data-rate=\"{rate}\"")
}

#[tokio::test]
async fn dashboard_rates_equal_the_api_for_the_same_period() {
    let app = TestApp::demo().await;
    let client = app.login("leader").await;
    for period in ["2020Q1", "2021Q4"] {
        let page = text(&client, app.url(&format!("/?period={period}"))).await;
        let rows = api_rows(&client, &app, &format!("period={period}")).await;
        assert_eq!(rows.len(), 22 * 7);
        for row in &rows {
            let key = format!(
                "{}/{}",
                row["region_code"].as_str().unwrap(),
                row["indicator"].as_str().unwrap()
            );
            let marker = rate_marker(&key, &row["completion_rate"]);
            assert!(page.contains(&marker), "{period}: the dashboard lacks {marker}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn dashboard_opens_on_the_latest_period_with_submitted_figures() {
    let app = TestApp::demo().await;
    let client = app.login("leader").await;
    let page = text(&client, app.url("/")).await;
    assert!(page.contains("2021年第四季度"));
    // Completeness: 云浮 has no 2021Q4 report, 汕尾 was returned, 清远 is a draft.
    assert!(page.contains("18/21"), "submitted 18/21");
    for missing in ["汕尾市", "清远市", "云浮市"] {
        assert!(page.contains(missing));
    }
    assert!(page.contains("/export/progress.csv?period=2021Q4&amp;lang=zh"));
    assert!(page.contains("/export/progress.xlsx?period=2021Q4&amp;lang=zh"));
    assert!(page.contains("/bulletin?period=2021Q4"));
    app.stop().await;
}

#[tokio::test]
async fn indicator_page_rates_equal_the_api() {
    let app = TestApp::demo().await;
    let client = app.login("analyst").await;
    let page = text(&client, app.url("/indicators/shantytown_completions?period=2020Q3")).await;
    let rows = api_rows(&client, &app, "period=2020Q3&indicator=shantytown_completions").await;
    assert_eq!(rows.len(), 22);
    for row in &rows {
        let key = format!("{}/shantytown_completions", row["region_code"].as_str().unwrap());
        assert!(page.contains(&rate_marker(&key, &row["completion_rate"])), "{key}");
    }
    assert!(page.contains("<svg"), "the ranking chart is on the page");
    app.stop().await;
}

#[tokio::test]
async fn region_page_quarters_equal_the_api() {
    let app = TestApp::demo().await;
    let client = app.login("leader").await;
    let page = text(&client, app.url("/regions/440100?year=2020")).await;
    for quarter in 1..=4 {
        let period = format!("2020Q{quarter}");
        for row in api_rows(&client, &app, &format!("period={period}&region=440100")).await {
            let key = format!("440100/{}/{period}", row["indicator"].as_str().unwrap());
            assert!(page.contains(&rate_marker(&key, &row["completion_rate"])), "{key}");
        }
    }
    // One trend chart per indicator, and the report history.
    assert_eq!(page.matches("<svg").count(), 7);
    assert!(page.contains("报送记录"));
    assert!(page.contains("已审核"));
    app.stop().await;
}

#[tokio::test]
async fn unknown_region_or_indicator_is_a_404_page() {
    let app = TestApp::demo().await;
    let client = app.login("leader").await;
    for path in ["/regions/999999", "/indicators/no_such_thing"] {
        let response = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{path}");
        let body = response.text().await.unwrap();
        assert!(body.contains("住房保障目标任务跟踪"), "in the layout");
    }
    let bad = client.get(app.url("/?period=2020Q9")).send().await.unwrap();
    assert_eq!(bad.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn new_database_shows_a_helpful_empty_state() {
    let app = TestApp::empty().await;
    let client = app.login("admin").await;
    let page = text(&client, app.url("/")).await;
    assert!(page.contains("暂无已报送的数据"));
    let english = text(&client, app.url("/?lang=en")).await;
    assert!(english.contains("No figures have been submitted yet"));
    let bulletin = text(&client, app.url("/bulletin?lang=zh")).await;
    assert!(bulletin.contains("尚无已报送的进度数据"));
    app.stop().await;
}

#[tokio::test]
async fn bulletin_for_2020q1_reports_the_published_figures() {
    let app = TestApp::demo().await;
    let client = app.login("leader").await;
    let page = text(&client, app.url("/bulletin?period=2020Q1&lang=zh")).await;
    for expected in ["7899套", "72.3%", "34.5%", "79.2%", "序时进度", "3.26亿元"] {
        assert!(page.contains(expected), "the bulletin lacks {expected}");
    }
    let english = text(&client, app.url("/bulletin?period=2020Q1&lang=en")).await;
    for expected in ["7,899", "72.3%", "34.5%", "79.2%", "time benchmark"] {
        assert!(english.contains(expected), "the English bulletin lacks {expected}");
    }
    app.stop().await;
}

#[tokio::test]
async fn bulletin_command_prints_the_same_text() {
    let app = TestApp::demo().await;
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_anju"))
        .arg("--db")
        .arg(&app.db_path)
        .args(["bulletin", "--period", "2020Q1"])
        .output()
        .expect("run anju bulletin");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(text.contains("全省新开工棚户区改造安置住房7899套,达到年度目标任务的72.3%"));
    assert!(text.contains("34.5%") && text.contains("79.2%"));
    app.stop().await;
}

/// Whether `c` is a CJK ideograph or CJK punctuation.
fn is_chinese(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

#[tokio::test]
async fn english_pages_have_no_untranslated_chinese_labels() {
    let app = TestApp::demo().await;
    let client = app.login("admin").await;
    // Data may be Chinese (names, notes, comments, the demo importer's name); labels may not.
    let data: Vec<String> = {
        let conn = app.conn();
        let mut statement = conn
            .prepare(
                "SELECT name_zh FROM regions UNION SELECT name_zh FROM indicators
                 UNION SELECT DISTINCT username FROM audit_log UNION SELECT DISTINCT detail FROM audit_log WHERE detail IS NOT NULL
                 UNION SELECT note FROM report_values WHERE note IS NOT NULL",
            )
            .unwrap();
        statement
            .query_map([], |row| row.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    for path in [
        "/?lang=en",
        "/?period=2020Q1&lang=en",
        "/regions/441500?year=2021&lang=en",
        "/indicators/rent_relief_amount?period=2020Q1&lang=en",
        "/bulletin?period=2021Q4&lang=en",
        "/nowhere?lang=en",
    ] {
        let mut page = client.get(app.url(path)).send().await.unwrap().text().await.unwrap();
        for name in &data {
            page = page.replace(&maud::html! { (name) }.into_string(), "");
        }
        // The switch back to Chinese is written in Chinese on purpose.
        page = page.replace(">中文<", "><").replace(">中文版<", "><");
        let leftover: String = page.chars().filter(|&c| is_chinese(c)).collect();
        assert!(leftover.is_empty(), "{path} has untranslated Chinese: {leftover}");
    }
    app.stop().await;
}

#[tokio::test]
async fn english_is_remembered_and_pages_link_the_leadership_routes() {
    let app = TestApp::demo().await;
    let client = app.login("leader").await;
    let english = text(&client, app.url("/?lang=en")).await;
    assert!(english.contains("Dashboard") && english.contains("Bulletin"));
    let next = text(&client, app.url("/bulletin?period=2020Q1")).await;
    assert!(next.contains("Progress bulletin"), "the cookie kept English");
    let chinese = text(&client, app.url("/?lang=zh")).await;
    assert!(chinese.contains(">总览<") && chinese.contains(">通报<"));
    assert!(chinese.contains("/static/app.css"));
    assert!(!chinese.contains("<script>"), "no inline script");
    assert!(!chinese.contains(" style=\""), "no inline style");
    app.stop().await;
}
