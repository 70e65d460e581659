//! The API as scripts and BI tools expect it: an OpenAPI 3.1 description kept true against the
//! router both ways, ETags on progress, paged audit rows, the auth scheme in any case, one answer
//! shape for report writes, 422 for a period not yet started.

mod common;

use std::collections::BTreeSet;

use common::TestApp;
use serde_json::{Value, json};

/// `(METHOD, /path)` of every route `fn api()` in `src/web/router.rs` registers.
fn routed() -> BTreeSet<(String, String)> {
    let source = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/web/router.rs")).unwrap();
    let start = source.find("fn api()").expect("fn api()");
    let body = &source[start..start + source[start..].find("\n}").unwrap()];
    let mut routes = BTreeSet::new();
    for route in body.split(".route(\"").skip(1) {
        let path = &route[..route.find('"').unwrap()];
        let handlers = &route[..route.find("))\n").unwrap_or(route.len())];
        for method in ["get", "post", "put", "delete", "patch"] {
            if handlers.contains(&format!("{method}(")) || handlers.contains(&format!(".{method}(")) {
                routes.insert((method.to_uppercase(), path.to_owned()));
            }
        }
    }
    routes
}

fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut routes = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            routes.insert((method.to_uppercase(), path.clone()));
        }
    }
    routes
}

fn refs(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                if key == "$ref" {
                    found.push(value.as_str().unwrap().to_owned());
                }
                refs(value, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_description_matches_the_router_both_ways() {
    let app = TestApp::demo().await;
    let reply = app.nobody().get("/api/v1/openapi.json").await;
    assert_eq!(reply.status, 200, "scripts read it before they sign in");
    let doc: Value = serde_json::from_slice(&reply.bytes).expect("valid JSON");
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(doc["info"]["title"].is_string() && doc["info"]["version"].is_string());
    assert_eq!(doc["servers"][0]["url"], "/api/v1");

    let routes = routed();
    assert!(routes.len() >= 9, "{routes:?}");
    assert_eq!(documented(&doc), routes, "documented ⇔ routed");

    // Every documented operation answers from its handler, not the API's fallback.
    let admin = app.user("admin").await;
    for (method, path) in documented(&doc) {
        let concrete = format!(
            "/api/v1{}",
            path.replace("{code}", "440400").replace("{period}", "2021Q4")
        );
        let reply = admin.send_json(method.parse().unwrap(), &concrete, &json!({})).await;
        assert_ne!(reply.status, 405, "{method} {path}");
        assert!(
            !reply.text.contains("no such API endpoint"),
            "{method} {path}: {}",
            reply.text
        );
        let operation = &doc["paths"][&path][method.to_lowercase()];
        assert!(operation["responses"]["200"].is_object(), "{method} {path}");
        if path.contains('{') {
            let names: Vec<&str> = operation["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["code", "period"], "{method} {path}");
        }
    }
    let mut found = Vec::new();
    refs(&doc, &mut found);
    for reference in found {
        let name = reference.strip_prefix("#/components/schemas/").expect(&reference);
        assert!(doc["components"]["schemas"][name].is_object(), "{reference}");
    }
}

#[tokio::test]
async fn progress_carries_an_etag_and_answers_304_until_the_data_changes() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    let first = analyst.get("/api/v1/progress?period=2021Q4").await;
    let tag = first.header("etag").expect("an ETag").to_owned();
    let again = analyst
        .with_header(reqwest::header::IF_NONE_MATCH, &tag)
        .get("/api/v1/progress?period=2021Q4")
        .await;
    assert_eq!(again.status, 304);
    assert!(again.bytes.is_empty());
    let other = analyst
        .with_header(reqwest::header::IF_NONE_MATCH, &tag)
        .get("/api/v1/progress?period=2021Q4&region=440100")
        .await;
    assert_eq!(other.status, 200, "another query, another tag");

    let admin = app.user("admin").await;
    assert_eq!(admin.post("/api/v1/reports/440400/2021Q4/approve").await.status, 200);
    let after = analyst
        .with_header(reqwest::header::IF_NONE_MATCH, &tag)
        .get("/api/v1/progress?period=2021Q4")
        .await;
    assert_eq!(after.status, 200, "a write changes the tag");
    assert_ne!(after.header("etag"), Some(tag.as_str()));
}

#[tokio::test]
async fn the_audit_log_pages_with_a_cursor_to_the_end() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let all = admin.get("/api/v1/audit?limit=5000").await.json();
    let all_ids: Vec<i64> = all["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(all_ids.len() > 700, "{}", all_ids.len());
    assert!(all["next_cursor"].is_null());

    let mut paged = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(cursor) => format!("/api/v1/audit?limit=300&cursor={cursor}"),
            None => "/api/v1/audit?limit=300".to_owned(),
        };
        let page = admin.get(&path).await.json();
        let rows = page["rows"].as_array().unwrap();
        assert!(rows.len() <= 300);
        paged.extend(rows.iter().map(|r| r["id"].as_i64().unwrap()));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert!(pages >= 3);
    assert_eq!(paged, all_ids, "every row once, newest first");
    // The default page stops at 500 and says there is more instead of stopping silently.
    let first = admin.get("/api/v1/audit").await.json();
    assert_eq!(first["rows"].as_array().unwrap().len(), 500.min(all_ids.len()));
    assert_eq!(first["next_cursor"].is_string(), all_ids.len() > 500);
    assert_eq!(admin.get("/api/v1/audit?cursor=abc").await.status, 400);
}

#[tokio::test]
async fn the_bearer_scheme_is_read_in_any_case() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    let page = analyst
        .post_form("/account/tokens", &[("name", "bi"), ("expires_in_days", "30")])
        .await;
    let start = page.text.find("class=\"token\">").unwrap() + "class=\"token\">".len();
    let token = &page.text[start..start + 64];
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let reply = app
            .nobody()
            .with_header(reqwest::header::AUTHORIZATION, &format!("{scheme} {token}"))
            .get("/api/v1/regions")
            .await;
        assert_eq!(reply.status, 200, "{scheme}");
    }
    let reply = app
        .nobody()
        .with_header(reqwest::header::AUTHORIZATION, &format!("Basic {token}"))
        .get("/api/v1/regions")
        .await;
    assert_eq!(reply.status, 401);
}

#[tokio::test]
async fn report_writes_answer_one_shape_and_a_future_period_is_422() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let put = admin
        .put_json(
            "/api/v1/reports/445300/2022Q1",
            json!({"values": {"shantytown_starts": 5}, "submit": true}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    let approve = admin.post("/api/v1/reports/445300/2022Q1/approve").await;
    assert_eq!(approve.status, 200, "{}", approve.text);
    let reopen = admin
        .post_json("/api/v1/reports/445300/2022Q1/reopen", json!({"comment": "请核实"}))
        .await;
    assert_eq!(reopen.status, 200, "{}", reopen.text);
    for reply in [&put, &approve, &reopen] {
        let body = reply.json();
        assert!(body["report"]["version"].is_i64(), "{body}");
        assert!(body["warnings"].is_array(), "{body}");
    }
    assert_eq!(approve.json()["report"]["status"], "approved");

    let future = admin.get("/api/v1/progress?period=2030Q1").await;
    assert_eq!(future.status, 422, "{}", future.text);
    assert_eq!(future.json()["field"], "period");
    let write = admin
        .put_json(
            "/api/v1/reports/440100/2030Q1",
            json!({"values": {"shantytown_starts": 1}}),
        )
        .await;
    assert_eq!(write.status, 422, "as report writes do");
}

/// Each read a city-bound reader may be refused for a region outside its city documents that
/// 403, and answers it: `sg_leader` (韶关市) asking for 广州市.
#[tokio::test]
async fn a_city_bound_readers_403_is_documented_where_it_is_answered() {
    let app = TestApp::demo().await;
    let doc: Value = serde_json::from_slice(&app.nobody().get("/api/v1/openapi.json").await.bytes).unwrap();
    let leader = app.user("sg_leader").await;
    for (path, concrete, own) in [
        (
            "/progress",
            "/api/v1/progress?period=2021Q4&region=440100",
            "/api/v1/progress?period=2021Q4&region=440203",
        ),
        (
            "/completeness",
            "/api/v1/completeness?period=2021Q4&region=440100",
            "/api/v1/completeness?period=2021Q4&region=440200",
        ),
        (
            "/reports/{code}/{period}",
            "/api/v1/reports/440100/2021Q4",
            "/api/v1/reports/440203/2021Q4",
        ),
    ] {
        let documented = &doc["paths"][path]["get"]["responses"]["403"];
        assert!(
            documented["description"].as_str().is_some_and(|d| d.contains("city")),
            "{path}: {documented}"
        );
        let refused = leader.get(concrete).await;
        assert_eq!(refused.status, 403, "{concrete}: {}", refused.text);
        assert!(
            refused.text.contains("韶关市") && refused.text.contains("广州市"),
            "{}",
            refused.text
        );
        assert_eq!(leader.get(own).await.status, 200, "{own}");
    }
    app.stop().await;
}
