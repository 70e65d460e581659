//! The JSON API against a real server on the demonstration data.

mod common;

use anju::domain::{Period, ReportStatus};
use common::TestApp;
use serde_json::Value;

fn row<'a>(body: &'a Value, region: &str, indicator: &str) -> &'a Value {
    body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["region_code"] == region && r["indicator"] == indicator)
        .unwrap_or_else(|| panic!("no row {region} {indicator}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_2020q1_reproduces_the_published_province_figures() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    let body = analyst.get("/api/v1/progress?period=2020Q1").await.json();
    assert_eq!(body["period"], "2020Q1");
    assert_eq!(body["time_progress"], 25.0);
    let starts = row(&body, "440000", "shantytown_starts");
    assert_eq!(starts["cumulative"], 7899);
    assert_eq!(starts["target"], 10918);
    assert_eq!(starts["completion_rate"], 72.3);
    assert_eq!(starts["time_progress"], 25.0);
    assert_eq!(starts["status"], "on_track");
    assert_eq!(row(&body, "440000", "shantytown_completions")["completion_rate"], 34.5);
    assert_eq!(row(&body, "440000", "rent_subsidy_households")["completion_rate"], 79.2);
    assert_eq!(row(&body, "440000", "public_rental_completions")["target"], 751);
    let relief = row(&body, "440000", "rent_relief_households");
    assert_eq!(
        (relief["cumulative"].clone(), relief["completion_rate"].clone()),
        (Value::from(140000), Value::Null)
    );
    assert_eq!(row(&body, "440000", "rent_relief_amount")["cumulative"], 326_000_000);
    // No 2020 target for public-rental starts: no rate, never NaN.
    let no_target = row(&body, "440000", "public_rental_starts");
    assert_eq!(
        (no_target["target"].clone(), no_target["status"].clone()),
        (Value::Null, Value::from("no_target"))
    );
    // A city that did not report rent relief shows nothing, not zero.
    let silent = row(&body, "445300", "rent_relief_households");
    assert_eq!(
        (silent["cumulative"].clone(), silent["status"].clone()),
        (Value::Null, Value::from("not_reported"))
    );
    // Province first, then the 21 cities (and the units of the two that report through them),
    // 7 indicators each.
    assert_eq!(body["rows"].as_array().unwrap().len(), (22 + common::DEMO_UNITS) * 7);
    assert_eq!(body["rows"][0]["region_code"], "440000");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn api_needs_a_session_or_token() {
    let app = TestApp::demo().await;
    let answer = app.nobody().get("/api/v1/progress?period=2020Q1").await;
    assert_eq!(answer.status, 401);
    assert!(answer.json()["error"].as_str().unwrap().contains("登录"));

    let bogus = app.bearer("not-a-token").get("/api/v1/regions").await;
    assert_eq!(bogus.status, 401);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_period_is_a_400_naming_the_problem() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    for (period, hint) in [("2020Q5", "2020Q5"), ("20Q1", "20Q1"), ("2020q1", "2020q1")] {
        let answer = leader.get(&format!("/api/v1/progress?period={period}")).await;
        assert_eq!(answer.status, 400, "{period}");
        let body = answer.json();
        assert!(body["error"].as_str().unwrap().contains(hint), "{body}");
    }
    let unknown = leader.get("/api/v1/progress?period=2020Q1&region=999999").await;
    assert_eq!(unknown.status, 404);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogues_list_guangdong_and_the_seven_indicators() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let regions = leader.get("/api/v1/regions").await.json();
    let regions = regions["regions"].as_array().unwrap();
    assert_eq!(regions.len(), 22 + common::DEMO_UNITS);
    assert!(
        regions
            .iter()
            .any(|r| r["code"] == "441900" && r["name_zh"] == "东莞市")
    );
    let indicators = leader.get("/api/v1/indicators").await.json();
    let keys: Vec<&str> = indicators["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["key"].as_str().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "shantytown_starts",
            "shantytown_completions",
            "public_rental_starts",
            "public_rental_completions",
            "rent_subsidy_households",
            "rent_relief_households",
            "rent_relief_amount"
        ]
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bearer_tokens_authenticate_the_api() {
    let app = TestApp::demo().await;
    let mut conn = app.conn();
    let analyst = anju::db::users::by_username(&conn, "analyst").unwrap().unwrap();
    let new = anju::service::tokens::NewToken {
        name: "test",
        expires_in_days: None,
    };
    let token = anju::service::tokens::create(&mut conn, &analyst.actor(), "analyst", &new)
        .unwrap()
        .secret;
    let program = app.bearer(&token);
    assert_eq!(program.get("/api/v1/progress?period=2020Q1").await.status, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    assert_eq!(leader.get("/api/v1/regions").await.status, 200);
    assert_eq!(leader.post("/logout").await.status, 303);
    assert_eq!(leader.get("/api/v1/regions").await.status, 401);
    // No db function counts sessions: the table itself is what is checked.
    let sessions: i64 = app
        .conn()
        .query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sessions, 0);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_statuses_and_the_missing_report() {
    let app = TestApp::demo().await;
    let conn = app.conn();
    let count = |status: ReportStatus| anju::db::reports::summaries(&conn, None, Some(status)).unwrap().len();
    assert_eq!(count(ReportStatus::Returned), 1);
    assert_eq!(count(ReportStatus::Draft), 1);
    assert!(count(ReportStatus::Submitted) >= 3);
    assert!(count(ReportStatus::Approved) > 200);
    let yunfu = anju::db::reports::get(&conn, "445300", Period::new(2021, 4).unwrap()).unwrap();
    assert_eq!(yunfu, None);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_demo_takes_the_new_demo_password() {
    let dir = tempfile::tempdir().unwrap();
    let store = anju::StoreConfig {
        db: dir.path().join("demo.db"),
        data_dir: dir.path().join("none"),
    };
    let start = |password: &str| {
        let config = anju::ServeConfig {
            demo: true,
            demo_password: Some(password.into()),
            ..Default::default()
        };
        anju::prepare(&store, config).unwrap()
    };
    drop(start("first-password-1"));
    let state = start("second-password-2");
    let conn = anju::db::connect(&store.db).unwrap();
    let admin = anju::db::users::by_username(&conn, "admin").unwrap().unwrap();
    assert!(anju::auth::verify_password("second-password-2", &admin.password_hash));
    assert!(!anju::auth::verify_password("first-password-1", &admin.password_hash));
    for name in ["leader", "analyst", "gz_officer"] {
        let user = anju::db::users::by_username(&conn, name).unwrap().unwrap();
        assert!(
            anju::auth::verify_password("second-password-2", &user.password_hash),
            "{name}"
        );
    }
    // A restart with the same password changes nothing, not even the hashes.
    let before = common::snapshot(&conn);
    drop(state);
    let state = start("second-password-2");
    assert_eq!(common::snapshot(&conn), before);
    // The data was loaded once, not twice.
    assert_eq!(
        anju::db::reports::count(&conn).unwrap(),
        21 * 12 - 1 + common::DEMO_UNITS as i64 * 12
    );
    drop(state);
}
