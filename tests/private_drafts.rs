//! Drafts are private to their city: a draft's values and notes, the draft and returned steps of
//! a report's history, and the province's return and reopen comments reach the region's own
//! officers and the admins, and nobody else on any route.

mod common;

use common::TestApp;
use serde_json::json;

/// A figure, a note and a comment that appear nowhere but in the draft and the reviews.
const DRAFT_VALUE: &str = "987653";
const DRAFT_VALUE_SHOWN: &str = "987,653";
const DRAFT_NOTE: &str = "草稿说明仅限本市可见";
/// The demo's comment on 441500's returned 2021Q4 report.
const RETURN_COMMENT: &str = "棚改新开工数据与项目台账不一致";
const REOPEN_COMMENT: &str = "重新打开核对口径";

/// Every route that shows figures, notes or history to a reader.
const ROUTES: &[&str] = &[
    "/",
    "/?period=2022Q1",
    "/?period=2021Q4",
    "/bulletin?period=2021Q4",
    "/bulletin?period=2022Q1",
    "/audit",
    "/audit?region=440100&period=2022Q1",
    "/audit?region=441800&period=2021Q4",
    "/audit?region=441500",
    "/audit?region=440300",
    "/api/v1/audit",
    "/api/v1/audit?region=440100&period=2022Q1",
    "/api/v1/audit?region=441800&period=2021Q4",
    "/api/v1/audit?region=441500&period=2021Q4",
    "/api/v1/audit?region=440300",
    "/regions/440100?year=2022",
    "/regions/441500?year=2021",
    "/regions/441800?year=2021",
    "/regions/440300?year=2021",
    "/indicators/shantytown_starts?period=2022Q1",
    "/reports/440100/2022Q1",
    "/api/v1/reports/440100/2022Q1",
    "/api/v1/reports/441800/2021Q4",
    "/api/v1/reports/441500/2021Q4",
    "/api/v1/progress?period=2022Q1",
    "/api/v1/progress?period=2021Q4",
    "/api/v1/completeness?period=2022Q1",
    "/export/progress.csv?period=2022Q1",
    "/export/progress.csv?period=2021Q4",
    "/export/history.csv?from=2021Q1&to=2022Q1",
];

/// The demo plus a draft of Guangzhou's 2022Q1 and a reopened Shenzhen 2021Q4 report.
async fn app_with_private_steps() -> TestApp {
    let app = TestApp::demo().await;
    let officer = app.user("gz_officer").await;
    let saved = officer
        .put_json(
            "/api/v1/reports/440100/2022Q1",
            json!({
                "values": {"shantytown_starts": DRAFT_VALUE.parse::<i64>().unwrap()},
                "notes": {"shantytown_starts": DRAFT_NOTE},
                "submit": false
            }),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let admin = app.user("admin").await;
    let status = admin.get("/api/v1/reports/440300/2021Q4").await.json()["status"].clone();
    assert_eq!(status, "approved", "the demo approves Shenzhen's 2021Q4");
    let reopened = admin
        .post_json(
            "/api/v1/reports/440300/2021Q4/reopen",
            json!({ "comment": REOPEN_COMMENT }),
        )
        .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    app
}

fn secrets() -> [&'static str; 5] {
    [
        DRAFT_VALUE,
        DRAFT_VALUE_SHOWN,
        DRAFT_NOTE,
        RETURN_COMMENT,
        REOPEN_COMMENT,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn analysts_and_leaders_see_no_draft_value_note_or_comment_on_any_route() {
    let app = app_with_private_steps().await;
    for name in ["analyst", "leader"] {
        let reader = app.user(name).await;
        for route in ROUTES {
            let reply = reader.get(route).await;
            assert!(reply.status < 500, "{name} {route}: {}", reply.status);
            for secret in secrets() {
                assert!(
                    !reply.text.contains(secret),
                    "{name} {route} ({}) shows {secret:?}",
                    reply.status
                );
            }
        }
        for report in ["440100/2022Q1", "441800/2021Q4", "441500/2021Q4"] {
            let reply = reader.get(&format!("/api/v1/reports/{report}")).await;
            assert!(
                matches!(reply.status, 403 | 404),
                "{name} reads the uncounted report {report}: {}",
                reply.status
            );
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_api_gives_other_readers_no_row_of_a_draft_and_no_draft_step() {
    let app = app_with_private_steps().await;
    let analyst = app.user("analyst").await;
    for query in ["region=441800&period=2021Q4", "region=440100&period=2022Q1"] {
        let rows = analyst.get(&format!("/api/v1/audit?{query}")).await.json()["rows"].clone();
        assert_eq!(rows, json!([]), "an analyst reads a draft's changes ({query})");
    }
    let rows = analyst.get("/api/v1/audit?limit=5000").await.json()["rows"].clone();
    for row in rows.as_array().unwrap() {
        if row["action"] == "status" {
            for side in ["old_value", "new_value"] {
                assert!(
                    !matches!(row[side].as_str(), Some("draft" | "returned")),
                    "an analyst sees a draft step: {row}"
                );
            }
            assert!(row["detail"].is_null(), "an analyst reads a review comment: {row}");
        }
        if matches!(row["action"].as_str(), Some("value" | "note")) {
            assert!(row["old_value"].is_null(), "an analyst reads a replaced value: {row}");
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_region_officers_and_admins_still_see_their_drafts_and_the_comments() {
    let app = app_with_private_steps().await;
    let officer = app.user("gz_officer").await;
    let audit = officer.get("/api/v1/audit?region=440100&period=2022Q1").await;
    assert!(
        audit.text.contains(DRAFT_VALUE) && audit.text.contains(DRAFT_NOTE),
        "{}",
        audit.text
    );
    let page = officer.get("/audit").await;
    assert!(
        page.text.contains(DRAFT_NOTE),
        "the officer's audit page lacks their draft note"
    );
    let admin = app.user("admin").await;
    let audit = admin.get("/api/v1/audit?region=441800&period=2021Q4").await;
    assert_ne!(audit.json()["rows"], json!([]), "admins read every draft's changes");
    let returned = admin.get("/regions/441500?year=2021").await;
    assert!(returned.text.contains(RETURN_COMMENT), "admins read the return comment");
    let reopened = admin.get("/regions/440300?year=2021").await;
    assert!(reopened.text.contains(REOPEN_COMMENT), "admins read the reopen comment");
    let api = admin.get("/api/v1/audit?region=440300&period=2021Q4").await;
    assert!(api.text.contains(REOPEN_COMMENT));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_answers_are_never_stored_by_a_cache() {
    let app = app_with_private_steps().await;
    let admin = app.user("admin").await;
    for path in [
        "/admin/users",
        "/audit",
        "/api/v1/audit",
        "/api/v1/reports/440100/2022Q1",
        "/api/v1/progress?period=2021Q4",
        "/reports/440100/2022Q1",
        "/account",
    ] {
        let reply = admin.get(path).await;
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(reply.header("cache-control"), Some("private, no-store"), "{path}");
    }
    app.stop().await;
}
