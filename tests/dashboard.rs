//! The leadership pages show the API's numbers, an empty state on a new database, the
//! bulletin with the published 2020Q1 figures, and English without untranslated labels.

mod common;

use anju::db::audit::AuditFilter;
use common::{TestApp, User};
use serde_json::Value;

/// The page at `path` (the test fails unless it is a 200).
async fn html(user: &User, path: &str) -> String {
    let page = user.get(path).await;
    assert_eq!(page.status, 200, "{path}");
    page.text
}

/// The API's progress rows for `query`.
async fn api_rows(user: &User, query: &str) -> Vec<Value> {
    let body = user.get(&format!("/api/v1/progress?{query}")).await.json();
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
    let leader = app.user("leader").await;
    for period in ["2020Q1", "2021Q4"] {
        let page = html(&leader, &format!("/?period={period}")).await;
        let rows = api_rows(&leader, &format!("period={period}")).await;
        // The province, its 21 cities and the units of the two that report through them.
        assert_eq!(rows.len(), (22 + common::DEMO_UNITS) * 7);
        // The province's dashboard lists the province and its cities; units are their city's.
        for row in rows.iter().filter(|row| row["level"] != "county") {
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
    let leader = app.user("leader").await;
    let page = html(&leader, "/").await;
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
    let analyst = app.user("analyst").await;
    let page = html(&analyst, "/indicators/shantytown_completions?period=2020Q3").await;
    let rows = api_rows(&analyst, "period=2020Q3&indicator=shantytown_completions").await;
    assert_eq!(rows.len(), 22 + common::DEMO_UNITS);
    for row in rows.iter().filter(|row| row["level"] != "county") {
        let key = format!("{}/shantytown_completions", row["region_code"].as_str().unwrap());
        assert!(page.contains(&rate_marker(&key, &row["completion_rate"])), "{key}");
    }
    assert!(page.contains("<svg"), "the ranking chart is on the page");
    app.stop().await;
}

#[tokio::test]
async fn region_page_quarters_equal_the_api() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let page = html(&leader, "/regions/440100?year=2020").await;
    for quarter in 1..=4 {
        let period = format!("2020Q{quarter}");
        for row in api_rows(&leader, &format!("period={period}&region=440100")).await {
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
    let leader = app.user("leader").await;
    for path in ["/regions/999999", "/indicators/no_such_thing"] {
        let answer = leader.get(path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert!(answer.text.contains("住房保障目标任务跟踪"), "in the layout");
    }
    assert_eq!(leader.get("/?period=2020Q9").await.status, 400);
    app.stop().await;
}

#[tokio::test]
async fn new_database_shows_a_helpful_empty_state() {
    let app = TestApp::empty().await;
    let admin = app.user("admin").await;
    let page = html(&admin, "/").await;
    assert!(page.contains("暂无已报送的数据"));
    let english = html(&admin, "/?lang=en").await;
    assert!(english.contains("No figures have been submitted yet"));
    let bulletin = html(&admin, "/bulletin?lang=zh").await;
    assert!(bulletin.contains("尚无已报送的进度数据"));
    app.stop().await;
}

#[tokio::test]
async fn bulletin_for_2020q1_reports_the_published_figures() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let page = html(&leader, "/bulletin?period=2020Q1&lang=zh").await;
    for expected in ["7899套", "3734套", "72.3%", "34.5%", "79.2%", "序时进度", "3.26亿元"] {
        assert!(page.contains(expected), "the bulletin lacks {expected}");
    }
    let english = html(&leader, "/bulletin?period=2020Q1&lang=en").await;
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
    assert!(text.contains("全省新开工棚户区改造安置住房7899套，达到年度目标任务的72.3%"));
    assert!(text.contains("34.5%") && text.contains("79.2%"));
    app.stop().await;
}

#[tokio::test]
async fn bulletin_command_writes_a_citys_bulletin_and_refuses_a_county_or_an_unknown_code() {
    let app = TestApp::demo().await;
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_anju"))
            .arg("--db")
            .arg(&app.db_path)
            .args(["bulletin", "--period", "2020Q1"])
            .args(args)
            .output()
            .expect("run anju bulletin")
    };
    let output = run(&["--region", "440200"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let text = String::from_utf8(output.stdout).expect("utf-8");
    assert!(
        text.starts_with("2020年第一季度韶关市住房保障工作进展情况通报"),
        "{text}"
    );
    assert!(text.contains("韶关市住房和城乡建设局"), "{text}");
    assert!(!text.contains("广东省住房和城乡建设厅"), "{text}");
    // The same text as the city-bound leader's bulletin page.
    let page = app.user("sg_leader").await.get("/bulletin?period=2020Q1").await.text;
    let paragraphs: Vec<&str> = text.split("\n\n").filter(|p| !p.trim().is_empty()).collect();
    assert!(paragraphs.len() > 2, "{text}");
    for paragraph in &paragraphs[..paragraphs.len() - 1] {
        assert!(page.contains(paragraph.trim()), "the page lacks {paragraph}");
    }
    let english = run(&["--region", "440200", "--lang", "en"]);
    let english = String::from_utf8(english.stdout).unwrap();
    assert!(
        english.contains("Shaoguan Housing and Urban-Rural Development Bureau"),
        "{english}"
    );

    for (code, said) in [("440203", "武江区不是地级市"), ("999999", "未知地区代码“999999”")] {
        let refused = run(&["--region", code]);
        assert!(!refused.status.success(), "{code}");
        let stderr = String::from_utf8_lossy(&refused.stderr);
        assert!(stderr.contains(said), "{code}: {stderr}");
        assert!(refused.stdout.is_empty(), "{code}: nothing printed");
    }
    let docx = run(&["--region", "440203", "--format", "docx"]);
    assert!(!docx.status.success());
    app.stop().await;
}

/// Whether `c` is a CJK ideograph or CJK punctuation.
fn is_chinese(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{4e00}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}')
}

#[tokio::test]
async fn english_pages_have_no_untranslated_chinese_labels() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    // Data may be Chinese (names, notes, comments, the demo importer's name); labels may not.
    let data: Vec<String> = {
        let conn = app.conn();
        let catalogue = anju::db::catalogue::load(&conn).unwrap();
        let mut data: Vec<String> = catalogue.regions().iter().map(|r| r.name_zh.clone()).collect();
        data.extend(catalogue.indicators().iter().map(|i| i.name_zh.clone()));
        let every_change = AuditFilter {
            limit: u32::MAX,
            drafts: true,
            ..AuditFilter::default()
        };
        for change in anju::db::audit::list(&conn, &every_change).unwrap() {
            data.push(change.username);
            data.extend(change.detail);
        }
        for summary in anju::db::reports::summaries(&conn, None, None).unwrap() {
            let report = anju::db::reports::get(&conn, &summary.region_code, summary.period).unwrap();
            data.extend(report.expect("a listed report").notes.into_values());
        }
        // In byte order, each once, as SQL's UNION gave them.
        data.sort();
        data.dedup();
        data
    };
    for path in [
        "/?lang=en",
        "/?period=2020Q1&lang=en",
        "/regions/441500?year=2021&lang=en",
        "/indicators/rent_relief_amount?period=2020Q1&lang=en",
        "/bulletin?period=2021Q4&lang=en",
        "/nowhere?lang=en",
    ] {
        let mut page = admin.get(path).await.text;
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
    let leader = app.user("leader").await;
    let english = html(&leader, "/?lang=en").await;
    assert!(english.contains("Dashboard") && english.contains("Bulletin"));
    let next = html(&leader, "/bulletin?period=2020Q1").await;
    assert!(next.contains("Progress bulletin"), "the cookie kept English");
    let chinese = html(&leader, "/?lang=zh").await;
    assert!(chinese.contains(">总览<") && chinese.contains(">通报<"));
    assert!(chinese.contains("/static/app.css"));
    assert!(!chinese.contains("<script>"), "no inline script");
    assert!(!chinese.contains(" style=\""), "no inline style");
    app.stop().await;
}
