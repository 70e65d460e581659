//! Review at every level, end to end against a real server: a county submits, its city admin
//! approves, the city's consolidated report goes up and the province approves it; a province
//! reopen reaches the county; a city admin reaches neither another city nor the province.

mod common;

use anju::db::audit::AuditFilter;
use common::{TestApp, User};
use serde_json::json;

const PERIOD: &str = "2022Q1";

/// 韶关市's units: 市本级 and its ten counties.
const SHAOGUAN_UNITS: [&str; 11] = [
    "440201", "440203", "440204", "440205", "440222", "440224", "440229", "440232", "440233", "440281", "440282",
];

async fn submit(user: &User, region: &str) {
    let body = json!({"values": {"shantytown_starts": 12, "rent_subsidy_households": 30}, "submit": true});
    let saved = user.put_json(&format!("/api/v1/reports/{region}/{PERIOD}"), body).await;
    assert_eq!(saved.status, 200, "{region}: {}", saved.text);
}

async fn act(user: &User, region: &str, action: &str, body: serde_json::Value) -> common::Reply {
    user.post_json(&format!("/api/v1/reports/{region}/{PERIOD}/{action}"), body)
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_county_report_climbs_to_the_province_and_a_reopen_comes_back_down() {
    let app = TestApp::demo().await;
    let province = app.user("admin").await;
    let city = app.user("sg_admin").await;
    let wujiang = app.user("wj_officer").await;

    // 武江区's officer submits; the city admin approves.
    submit(&wujiang, "440203").await;
    let refused = wujiang
        .put_json(
            &format!("/api/v1/reports/440204/{PERIOD}"),
            json!({"values": {"shantytown_starts": 1}}),
        )
        .await;
    assert_eq!(refused.status, 403, "an officer writes their own unit only");
    let approved = act(&city, "440203", "approve", json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.json()["report"]["status"], "approved");

    // The other units come in; 浈江区 stays unapproved.
    for unit in &SHAOGUAN_UNITS[2..] {
        submit(&city, unit).await;
    }
    submit(&city, "440201").await;
    for unit in SHAOGUAN_UNITS.iter().filter(|u| !["440203", "440204"].contains(u)) {
        let approved = act(&city, unit, "approve", json!({})).await;
        assert_eq!(approved.status, 200, "{unit}: {}", approved.text);
    }

    // Neither the city can send up nor the province approve while 浈江区 is unapproved.
    let before = app.snapshot();
    let early = act(&city, "440200", "consolidate", json!({})).await;
    assert_eq!(early.status, 409, "{}", early.text);
    assert!(early.text.contains("浈江区"), "{}", early.text);
    let early = act(&province, "440200", "approve", json!({})).await;
    assert_eq!(early.status, 409, "{}", early.text);
    assert!(
        early.text.contains("浈江区") && early.text.contains("Zhenjiang District"),
        "{}",
        early.text
    );
    assert!(
        !early.text.contains("武江区"),
        "only the unapproved are named: {}",
        early.text
    );
    assert_eq!(app.snapshot(), before, "nothing changed");

    // The city admin reaches neither another city, its own city's approval, nor the province.
    for (path, what) in [
        ("/api/v1/reports/440400/2021Q4/approve", "another city's report"),
        ("/api/v1/reports/440200/2022Q1/approve", "its own city's report"),
        ("/api/v1/reports/440000/2022Q1/approve", "the province"),
        ("/api/v1/reports/440802/2022Q1/approve", "another city's unit"),
    ] {
        let refused = city.post_json(path, json!({})).await;
        assert!(
            [403, 404].contains(&refused.status),
            "{what}: {} {}",
            refused.status,
            refused.text
        );
        assert_ne!(refused.status, 200, "{what}");
    }
    let refused = city
        .put_json(
            &format!("/api/v1/reports/440100/{PERIOD}"),
            json!({"values": {"shantytown_starts": 1}}),
        )
        .await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    let refused = city.post_json("/api/v1/reports/440400/2021Q4/approve", json!({})).await;
    assert_eq!(refused.status, 403, "{}", refused.text);
    assert_eq!(app.snapshot(), before, "nothing changed");

    // With 浈江区 approved the city's report goes up and the province approves it.
    assert_eq!(act(&city, "440204", "approve", json!({})).await.status, 200);
    let sent = act(&city, "440200", "consolidate", json!({})).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(sent.json()["report"]["status"], "submitted");
    let approved = act(&province, "440200", "approve", json!({})).await;
    assert_eq!(approved.status, 200, "{}", approved.text);
    assert_eq!(approved.json()["report"]["status"], "approved");
    // The city's figure is the sum of its eleven units.
    let progress = province
        .get(&format!(
            "/api/v1/progress?period={PERIOD}&region=440200&indicator=shantytown_starts"
        ))
        .await
        .json();
    assert_eq!(progress["rows"][0]["cumulative"], 12 * 11);

    // Approved is locked for the city admin: reopening a unit needs the province now.
    let locked = act(&city, "440203", "reopen", json!({"comment": "复核"})).await;
    assert_eq!(locked.status, 409, "{}", locked.text);

    // The province reopens 武江区: the reason reaches the county, and the city's report goes back.
    let reason = "武江区棚改新开工数与项目台账不符，请核实";
    let reopened = act(&province, "440203", "reopen", json!({"comment": reason})).await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    let report = wujiang.get(&format!("/api/v1/reports/440203/{PERIOD}")).await.json();
    assert_eq!(report["status"], "returned");
    assert_eq!(report["admin_comment"], reason);
    let page = wujiang.get(&format!("/reports/440203/{PERIOD}")).await.text;
    assert!(page.contains(reason) && page.contains("保存草稿"), "{page}");
    let city_report = city.get(&format!("/api/v1/reports/440200/{PERIOD}")).await.json();
    assert_eq!(city_report["status"], "returned");
    submit(&wujiang, "440203").await;

    // Every step is in the audit log.
    let conn = app.conn();
    let audited = |region: &str| {
        let filter = AuditFilter {
            region_code: Some(region.into()),
            period: Some(PERIOD.into()),
            limit: 100,
            drafts: true,
            ..Default::default()
        };
        anju::db::audit::list(&conn, &filter)
            .unwrap()
            .into_iter()
            .map(|row| (row.username, row.action, row.new_value.unwrap_or_default()))
            .collect::<Vec<_>>()
    };
    let wujiang_log = audited("440203");
    for step in [
        ("wj_officer", "status", "submitted"),
        ("sg_admin", "status", "approved"),
        ("admin", "reopen", "returned"),
    ] {
        let found = wujiang_log
            .iter()
            .any(|(user, action, new)| (user.as_str(), action.as_str(), new.as_str()) == step);
        assert!(found, "{step:?} in {wujiang_log:?}");
    }
    let city_log = audited("440200");
    for step in [
        ("sg_admin", "status", "submitted"),
        ("admin", "status", "approved"),
        ("admin", "reopen", "returned"),
    ] {
        let found = city_log
            .iter()
            .any(|(user, action, new)| (user.as_str(), action.as_str(), new.as_str()) == step);
        assert!(found, "{step:?} in {city_log:?}");
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_sends_up_without_a_unit_only_with_a_reason() {
    let app = TestApp::demo().await;
    let city = app.user("sg_admin").await;
    for unit in &SHAOGUAN_UNITS[1..] {
        submit(&city, unit).await;
        assert_eq!(act(&city, unit, "approve", json!({})).await.status, 200);
    }
    // 韶关市本级 has not reported: no reason, no consolidation; a blank reason is no reason.
    let before = app.snapshot();
    let refused = act(&city, "440200", "consolidate", json!({})).await;
    assert_eq!(refused.status, 409);
    assert!(refused.text.contains("韶关市本级"), "{}", refused.text);
    let blank = json!({"reasons": [{"unit": "440201", "reason": "  "}]});
    assert_eq!(act(&city, "440200", "consolidate", blank).await.status, 422);
    let foreign = json!({"reasons": [{"unit": "440802", "reason": "不是本市"}]});
    assert_eq!(act(&city, "440200", "consolidate", foreign).await.status, 422);
    let malformed = city
        .post_json(
            &format!("/api/v1/reports/440200/{PERIOD}/consolidate"),
            json!({"reasons": "all"}),
        )
        .await;
    assert_eq!(malformed.status, 400);
    assert_eq!(app.snapshot(), before, "nothing changed");
    // With a reason it goes up, and the reason is audited.
    let reasons = json!({"reasons": [{"unit": "440201", "reason": "市本级项目本季度无进展"}]});
    let sent = act(&city, "440200", "consolidate", reasons).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let again = act(&city, "440200", "consolidate", json!({})).await;
    assert_eq!(again.status, 409, "once only: {}", again.text);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completeness_per_level_counts_each_levels_units() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let body = leader.get("/api/v1/completeness?period=2021Q4").await.json();
    let levels = body["levels"].as_array().unwrap();
    let row = |code: &str| levels.iter().find(|l| l["region_code"] == code).unwrap().clone();
    let counts =
        |l: &serde_json::Value| ["expected", "submitted", "on_time", "approved"].map(|k| l[k].as_u64().unwrap());
    // The province over its 21 cities: 云浮 missing, 汕尾 returned, 清远 a draft.
    assert_eq!(counts(&row("440000")), [21, 18, 18, 13]);
    assert_eq!(row("440000")["missing"], json!(["441500", "441800", "445300"]));
    assert_eq!(counts(&row("440200")), [11, 11, 11, 11]);
    assert_eq!(counts(&row("440800")), [9, 9, 9, 9]);
    assert_eq!(levels.len(), 3, "the province and the two cities that sum their units");
    // A city's own summary, and a unit's submission counted at its city only.
    let wujiang = app.user("wj_officer").await;
    submit(&wujiang, "440203").await;
    let body = leader
        .get("/api/v1/completeness?period=2022Q1&region=440200")
        .await
        .json();
    let levels = body["levels"].as_array().unwrap();
    assert_eq!(levels.len(), 1);
    assert_eq!(counts(&levels[0])[..2], [11, 1]);
    let body = leader.get("/api/v1/completeness?period=2022Q1").await.json();
    assert_eq!(body["levels"][0]["submitted"], 0, "the city has not sent its report up");
    // Bad input is a clear error.
    assert_eq!(
        leader
            .get("/api/v1/completeness?period=2021Q4&region=999999")
            .await
            .status,
        404
    );
    assert_eq!(leader.get("/api/v1/completeness?period=2021Q9").await.status, 400);
    assert_eq!(app.nobody().get("/api/v1/completeness?period=2021Q4").await.status, 401);
    app.stop().await;
}
