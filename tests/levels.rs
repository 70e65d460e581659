//! Review at every level, end to end against a real server: a county submits, its city admin
//! approves, the city's consolidated report goes up and the province approves it; a province
//! reopen reaches the county; a city admin reaches neither another city nor the province. A
//! city admin sets its units' targets (the breakdown flagged against the city's) and manages
//! its units' officers, and nothing beyond; accounts are bound where they can act. Its targets
//! template holds its units only and goes back through the import as it came; the targets
//! export of a city-bound user holds the city and its units.

mod common;

use anju::db::audit::AuditFilter;
use common::{PASSWORD, TestApp, User, sheet};
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

fn target(app: &TestApp, region: &str) -> Option<i64> {
    anju::db::targets::get(&app.conn(), region, "shantytown_starts", 2021).unwrap()
}

fn audited_by(app: &TestApp, username: &str, action: &str) -> Vec<(Option<String>, Option<String>, Option<String>)> {
    let filter = AuditFilter {
        username: Some(username.into()),
        limit: 1000,
        drafts: true,
        ..Default::default()
    };
    anju::db::audit::list(&app.conn(), &filter)
        .unwrap()
        .into_iter()
        .filter(|row| row.action == action)
        .map(|row| (row.region_code, row.new_value, row.detail))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_admin_sets_its_units_targets_and_the_breakdown_is_flagged() {
    let app = TestApp::demo().await;
    let city = app.user("sg_admin").await;

    // The city admin's grid: its city read-only, its units editable, nothing else.
    let page = city.get("/admin/targets?year=2021").await;
    assert_eq!(page.status, 200, "{}", page.text);
    for unit in SHAOGUAN_UNITS {
        assert!(
            page.text.contains(&format!("name=\"t.{unit}.shantytown_starts\"")),
            "{unit}"
        );
    }
    for other in ["440200", "440000", "440100", "440802"] {
        assert!(
            !page.text.contains(&format!("name=\"t.{other}.")),
            "{other} is not editable"
        );
    }
    assert!(
        page.text.contains("韶关市") && !page.text.contains("湛江市"),
        "{}",
        page.text
    );
    assert!(
        page.text.contains("各县区合计与市级目标一致"),
        "the demo's units add up"
    );

    // 武江区's target: stored and audited as the city admin's.
    let saved = city
        .post_form(
            "/admin/targets",
            &[("year", "2021"), ("t.440203.shantytown_starts", "60")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    assert_eq!(target(&app, "440203"), Some(60));
    assert!(
        audited_by(&app, "sg_admin", "target").contains(&(Some("440203".into()), Some("60".into()), None)),
        "{:?}",
        audited_by(&app, "sg_admin", "target")
    );

    // The units now exceed the city's 452: flagged on the city's grid, the province's and the
    // city's page.
    let flag = "超出市级目标 7 套（各县区合计 459 套）";
    assert!(city.get("/admin/targets?year=2021").await.text.contains(flag));
    let province = app.user("admin").await;
    assert!(province.get("/admin/targets?year=2021").await.text.contains(flag));
    let region = province.get("/regions/440200?year=2021").await.text;
    assert!(region.contains(&format!("目标任务分解：{flag}")), "{region}");
    let english = province.get("/regions/440200?year=2021&lang=en").await.text;
    assert!(
        english.contains("Target breakdown: Over the city&#39;s target by 7 units")
            || english.contains("Target breakdown: Over the city's target by 7 units"),
        "{english}"
    );
    // Short of it when a unit is cleared.
    let cleared = city
        .post_form(
            "/admin/targets",
            &[("year", "2021"), ("t.440203.shantytown_starts", "")],
        )
        .await;
    assert_eq!(cleared.status, 303);
    let page = city.get("/admin/targets?year=2021").await.text;
    assert!(
        page.contains("分解不完整（各县区合计 399 套，尚差 53 套，1 个县区未设目标）"),
        "{page}"
    );

    // Another city's county, a county the catalogue leaves out, the city itself, the province:
    // refused, 403, nothing stored, even beside a cell it may set.
    let before = app.snapshot();
    for (cell, what) in [
        ("t.440802.shantytown_starts", "湛江市's county"),
        ("t.440103.shantytown_starts", "广州市's county"),
        ("t.440100.shantytown_starts", "another city"),
        ("t.440200.shantytown_starts", "its own city"),
        ("t.440000.shantytown_starts", "the province"),
    ] {
        let refused = city
            .post_form(
                "/admin/targets",
                &[("year", "2021"), ("t.440204.shantytown_starts", "1"), (cell, "5")],
            )
            .await;
        assert_eq!(refused.status, 403, "{what}: {}", refused.text);
        assert!(refused.text.contains("无权设定"), "{what}: {}", refused.text);
    }
    assert_eq!(app.snapshot(), before, "nothing changed");
    assert_eq!(target(&app, "440204"), Some(61));

    // An import of targets: its units' rows only; other lines named, nothing stored.
    let file = "region_code,year,indicator,target\n440204,2021,shantytown_starts,70\n440802,2021,shantytown_starts,5\n440200,2021,shantytown_starts,9\n";
    let refused = city
        .post_multipart(
            "/import",
            &[("kind", None, b"targets"), ("file", Some("t.csv"), file.as_bytes())],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    for named in [
        "<td class=\"num\">3</td>",
        "<td class=\"num\">4</td>",
        "无权设定",
        "发现 2 处错误",
    ] {
        assert!(refused.text.contains(named), "{named}: {}", refused.text);
    }
    assert!(
        !refused.text.contains("<td class=\"num\">2</td>"),
        "the unit's own line is fine"
    );
    let dry = "region_code,year,indicator,target\n440204,2021,shantytown_starts,70\n";
    let preview = city
        .post_multipart(
            "/import",
            &[("kind", None, b"targets"), ("file", Some("t.csv"), dry.as_bytes())],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert_eq!(app.snapshot(), before, "a refused file and a preview change nothing");
    app.stop().await;
}

async fn create(admin: &User, name: &str, role: &str, region: &str) -> common::Reply {
    admin
        .post_form(
            "/admin/users",
            &[
                ("username", name),
                ("role", role),
                ("region", region),
                ("password", PASSWORD),
            ],
        )
        .await
}

fn user_id(app: &TestApp, name: &str) -> i64 {
    anju::db::users::by_username(&app.conn(), name).unwrap().expect(name).id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_admin_manages_its_units_officers_and_nobody_else() {
    let app = TestApp::demo().await;
    let city = app.user("sg_admin").await;

    // It sees the accounts bound within its city only.
    let page = city.get("/admin/users").await;
    assert_eq!(page.status, 200, "{}", page.text);
    for (name, listed) in [
        ("wj_officer", true),
        ("sg_admin", true),
        ("gz_officer", false),
        // 韶关市's leader (shown, managed by the province) but not the province's.
        ("sg_leader", true),
        (">leader<", false),
        (">admin<", false),
    ] {
        assert_eq!(page.text.contains(name), listed, "{name}");
    }
    assert!(!page.text.contains("value=\"admin\""), "it gives no admin role");

    // An officer for 浈江区: created, audited, signs in and submits 浈江区's report.
    let created = create(&city, "zj_officer", "officer", "440204").await;
    assert_eq!(created.status, 303, "{}", created.text);
    assert!(
        audited_by(&app, "sg_admin", "user_create")
            .iter()
            .any(|(region, new, _)| region.as_deref() == Some("440204")
                && new.as_deref() == Some("zj_officer (officer)"))
    );
    let zhenjiang = app.nobody();
    let signed_in = zhenjiang
        .post_form("/login", &[("username", "zj_officer"), ("password", PASSWORD)])
        .await;
    assert_eq!(signed_in.status, 303);
    let own = [("current", PASSWORD), ("password", PASSWORD), ("repeat", PASSWORD)];
    assert_eq!(zhenjiang.post_form("/account/password", &own).await.status, 303);
    submit(&zhenjiang, "440204").await;
    let refused = zhenjiang
        .put_json(
            &format!("/api/v1/reports/440203/{PERIOD}"),
            json!({"values": {"shantytown_starts": 1}}),
        )
        .await;
    assert_eq!(refused.status, 403, "its own unit only");

    // No admin, leader or analyst, no officer elsewhere, no impossible binding.
    let before = app.snapshot();
    for (name, role, region, status, says) in [
        ("sg_admin2", "admin", "440200", 403, "无权管理该账户"),
        ("sg_leader", "leader", "440200", 403, "无权管理该账户"),
        ("sg_analyst", "analyst", "", 403, "无权管理该账户"),
        ("zj_officer2", "officer", "440802", 403, "无权管理该账户"),
        ("gz_officer2", "officer", "440100", 403, "无权管理该账户"),
        ("sg_officer", "officer", "440200", 422, "由所属县区报送"),
        ("nobody_officer", "officer", "", 422, "必须指定所属地区"),
    ] {
        let refused = create(&city, name, role, region).await;
        assert_eq!(refused.status, status, "{name}: {}", refused.text);
        assert!(refused.text.contains(says), "{name}: {}", refused.text);
    }
    // Nor touch an account outside its city, nor make its officer anything else.
    let (gz, admin, wj) = (
        user_id(&app, "gz_officer"),
        user_id(&app, "admin"),
        user_id(&app, "wj_officer"),
    );
    for (path, fields) in [
        (format!("/admin/users/{gz}/disable"), vec![]),
        (
            format!("/admin/users/{gz}/password"),
            vec![("password", "another-long-password")],
        ),
        (format!("/admin/users/{admin}/disable"), vec![]),
        (
            format!("/admin/users/{gz}/role"),
            vec![("role", "officer"), ("region", "440203")],
        ),
        (
            format!("/admin/users/{wj}/role"),
            vec![("role", "admin"), ("region", "440200")],
        ),
        (
            format!("/admin/users/{wj}/role"),
            vec![("role", "officer"), ("region", "440802")],
        ),
    ] {
        let refused = city.post_form(&path, &fields).await;
        assert_eq!(refused.status, 403, "{path} {fields:?}: {}", refused.text);
    }
    assert_eq!(app.snapshot(), before, "nothing changed");

    // Its own officers: moved to another unit, password reset, disabled and enabled, each audited.
    let moved = city
        .post_form(
            &format!("/admin/users/{wj}/role"),
            &[("role", "officer"), ("region", "440205")],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.text);
    let reset = city
        .post_form(
            &format!("/admin/users/{wj}/password"),
            &[("password", "another-long-password")],
        )
        .await;
    assert_eq!(reset.status, 303, "{}", reset.text);
    assert_eq!(city.post(&format!("/admin/users/{wj}/disable")).await.status, 303);
    let stored = anju::db::users::by_id(&app.conn(), wj).unwrap().unwrap();
    assert!(stored.disabled && stored.must_change_password);
    assert_eq!(stored.region_code.as_deref(), Some("440205"));
    assert_eq!(city.post(&format!("/admin/users/{wj}/enable")).await.status, 303);
    for action in ["user_role", "user_password", "user_disable", "user_enable"] {
        assert!(!audited_by(&app, "sg_admin", action).is_empty(), "{action}");
    }
    // A city admin sees only its own tokens, not everyone's.
    let account = city.get("/account").await;
    assert_eq!(account.status, 200);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_province_binds_admins_leaders_and_analysts_to_a_city_or_to_none() {
    let app = TestApp::demo().await;
    let province = app.user("admin").await;
    for (name, role, region, bound) in [
        ("sg_leader2", "leader", "440200", Some("440200")),
        ("zj_analyst", "analyst", "440800", Some("440800")),
        ("sg_admin2", "admin", "440200", Some("440200")),
        ("gd_leader", "leader", "", None),
        ("gd_analyst", "analyst", "440000", None),
        ("wj_officer2", "officer", "440203", Some("440203")),
        ("sj_officer", "officer", "440201", Some("440201")),
        ("gz_officer2", "officer", "440100", Some("440100")),
    ] {
        let created = create(&province, name, role, region).await;
        assert_eq!(created.status, 303, "{name}: {}", created.text);
        let stored = anju::db::users::by_username(&app.conn(), name).unwrap().unwrap();
        assert_eq!(stored.region_code.as_deref(), bound, "{name}");
    }
    let before = app.snapshot();
    for (name, role, region, says) in [
        ("bad1", "officer", "440200", "韶关市由所属县区报送"),
        ("bad2", "officer", "440000", "不能绑定到广东省"),
        ("bad3", "admin", "440203", "不能绑定到武江区"),
        ("bad4", "leader", "440201", "只能绑定到地级市"),
        ("bad5", "analyst", "449999", "未知地区代码"),
    ] {
        let refused = create(&province, name, role, region).await;
        assert_eq!(refused.status, 422, "{name}: {}", refused.text);
        assert!(refused.text.contains(says), "{name}: {}", refused.text);
    }
    assert_eq!(app.snapshot(), before, "nothing changed");

    // A city leader signs in and a city-bound admin manages its own city's officers only.
    let sg_admin2 = app.nobody();
    let signed_in = sg_admin2
        .post_form("/login", &[("username", "sg_admin2"), ("password", PASSWORD)])
        .await;
    assert_eq!(signed_in.status, 303);
    let own = [("current", PASSWORD), ("password", PASSWORD), ("repeat", PASSWORD)];
    assert_eq!(sg_admin2.post_form("/account/password", &own).await.status, 303);
    let users = sg_admin2.get("/admin/users").await.text;
    assert!(users.contains("wj_officer") && !users.contains("gz_officer"), "{users}");

    // 广州市 reports itself: its admin sets no target (the city's is the province's) and may give
    // the city itself an officer.
    let created = create(&province, "gz_admin", "admin", "440100").await;
    assert_eq!(created.status, 303, "{}", created.text);
    let gz_admin = app.nobody();
    let signed_in = gz_admin
        .post_form("/login", &[("username", "gz_admin"), ("password", PASSWORD)])
        .await;
    assert_eq!(signed_in.status, 303);
    assert_eq!(gz_admin.post_form("/account/password", &own).await.status, 303);
    let grid = gz_admin.get("/admin/targets?year=2021").await;
    assert_eq!(grid.status, 200);
    assert!(
        grid.text.contains("以市为单位报送") && !grid.text.contains("name=\"t."),
        "{}",
        grid.text
    );
    assert!(!grid.text.contains("保存目标"), "nothing to save");
    let refused = gz_admin
        .post_form(
            "/admin/targets",
            &[("year", "2021"), ("t.440100.shantytown_starts", "1")],
        )
        .await;
    assert_eq!(refused.status, 403);
    let officer = create(&gz_admin, "gz_officer3", "officer", "440100").await;
    assert_eq!(officer.status, 303, "{}", officer.text);
    let users = gz_admin.get("/admin/users").await.text;
    assert!(users.contains("gz_officer3") && users.contains("gz_officer2") && !users.contains("wj_officer"));

    // The command line binds the same way and refuses the same bindings.
    let cli = |name: &str, role: &str, region: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_anju"))
            .args([
                "--db",
                app.db_path.to_str().unwrap(),
                "user",
                "add",
                name,
                "--role",
                role,
                "--region",
                region,
            ])
            .env("ANJU_USER_PASSWORD", PASSWORD)
            .output()
            .expect("run anju")
    };
    let made = cli("zj_leader", "leader", "440800");
    assert!(made.status.success(), "{made:?}");
    assert!(String::from_utf8_lossy(&made.stdout).contains("湛江市"), "{made:?}");
    let stored = anju::db::users::by_username(&app.conn(), "zj_leader").unwrap().unwrap();
    assert_eq!(stored.region_code.as_deref(), Some("440800"));
    let refused = cli("bad_admin", "admin", "440203");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("只能绑定到地级市"),
        "{refused:?}"
    );
    let refused = cli("bad_officer", "officer", "440800");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("由所属县区报送"),
        "{refused:?}"
    );
    app.stop().await;
}

/// The region codes of a targets file's rows (CSV with BOM), header skipped.
fn csv_codes(bytes: &[u8]) -> Vec<String> {
    let mut reader = csv::Reader::from_reader(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes));
    reader.records().map(|r| r.unwrap()[0].to_owned()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_admins_targets_template_and_export_hold_its_city_only() {
    use calamine::DataType;
    let app = TestApp::demo().await;
    let city = app.user("sg_admin").await;

    // The template: 韶关市's units only, each prefilled with last year's target; the city's own
    // targets named in the instructions, not in the import sheet.
    let template = city.get("/import/template/targets.xlsx?year=2022").await;
    assert_eq!(template.status, 200, "{}", template.text);
    assert!(
        template
            .header("content-disposition")
            .unwrap()
            .contains("template-targets-440200-2022.xlsx")
    );
    let range = sheet(&template.bytes, "导入");
    let last_year = anju::db::targets::for_year(&app.conn(), 2021).unwrap();
    let mut codes: Vec<String> = Vec::new();
    let mut book = rust_xlsxwriter::Workbook::new();
    let data = book.add_worksheet();
    data.set_name("导入").unwrap();
    let mut typed = Vec::new();
    for (r, row) in range.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                calamine::Data::String(text) => data.write_string(r as u32, c as u16, text).map(|_| ()).unwrap(),
                calamine::Data::Float(value) => data.write_number(r as u32, c as u16, *value).map(|_| ()).unwrap(),
                _ => {}
            }
        }
        if r == 0 {
            continue;
        }
        let (code, key) = (row[0].to_string(), row[3].to_string());
        let previous = last_year.get(&(code.clone(), key.clone())).copied();
        assert_eq!(row[6].as_f64().map(|v| v as i64), previous, "{code} {key}: last year's");
        assert_eq!(row[7].as_f64().map(|v| v as i64), previous, "{code} {key}: pre-filled");
        if !codes.contains(&code) {
            codes.push(code.clone());
        }
        // 武江区 gets a new figure; the rest go back as they were prefilled.
        if code == "440203" && key == "shantytown_starts" {
            data.write_number(r as u32, 7, 77.0).unwrap();
            typed.push((code, key, 77));
        } else if let Some(previous) = previous {
            typed.push((code, key, previous));
        }
    }
    codes.sort();
    assert_eq!(codes, SHAOGUAN_UNITS, "韶关市's units only, not the city itself");
    assert!(typed.len() >= SHAOGUAN_UNITS.len(), "{typed:?}");
    let instructions = sheet(&template.bytes, "填表说明");
    let notes: Vec<String> = instructions.rows().map(|row| row[0].to_string()).collect();
    let notes = notes.join("\n");
    assert!(notes.contains("2022年韶关市住房保障年度目标任务"), "{notes}");
    assert!(
        notes.contains("本模板只列韶关市所属县区和市本级的目标任务") && notes.contains("由省厅下达"),
        "{notes}"
    );
    assert!(
        notes.contains("2022年市级目标尚未下达（2021年为棚户区改造新开工 452套"),
        "the city's own targets named for reference: {notes}"
    );
    assert!(!notes.contains("地级市目标之和即全省目标"), "{notes}");

    // Uploaded through /import as it came, with one figure changed: accepted, stored, audited
    // as the city admin's.
    let done = city
        .import_file("targets", "targets.xlsx", &book.save_to_buffer().unwrap())
        .await;
    assert!(!done.contains("无权设定"), "{done}");
    let stored = anju::db::targets::for_year(&app.conn(), 2022).unwrap();
    for (code, key, value) in &typed {
        assert_eq!(stored.get(&(code.clone(), key.clone())), Some(value), "{code} {key}");
    }
    assert!(
        stored
            .keys()
            .all(|(code, _)| code.starts_with("4402") && code != "440200"),
        "nothing outside its units: {stored:?}"
    );
    let audited = audited_by(&app, "sg_admin", "target");
    assert!(
        audited.contains(&(Some("440203".into()), Some("77".into()), None)),
        "{audited:?}"
    );
    assert_eq!(audited.len(), typed.len(), "one audit row a target set: {audited:?}");

    // The English template says the same in English.
    let english = city.get("/import/template/targets.xlsx?year=2022&lang=en").await;
    let notes: Vec<String> = sheet(&english.bytes, "Instructions")
        .rows()
        .map(|row| row[0].to_string())
        .collect();
    assert!(
        notes.join("\n").contains("This template lists Shaoguan's units only"),
        "{notes:?}"
    );

    // The province's template still lists every city (and every county).
    let province = app.user("admin").await;
    let all = province.get("/import/template/targets.xlsx?year=2022").await;
    assert_eq!(all.status, 200);
    assert!(
        all.header("content-disposition")
            .unwrap()
            .contains("template-targets-2022.xlsx")
    );
    let listed: std::collections::HashSet<String> = sheet(&all.bytes, "导入")
        .rows()
        .skip(1)
        .map(|row| row[0].to_string())
        .collect();
    let catalogue = anju::db::catalogue::load(&app.conn()).unwrap();
    let cities: Vec<&str> = catalogue
        .regions()
        .iter()
        .filter(|r| r.level == "city")
        .map(|r| r.code.as_str())
        .collect();
    assert_eq!(cities.len(), 21);
    for code in cities.iter().copied().chain(["440203", "440802"]) {
        assert!(listed.contains(code), "{code} in the province's template");
    }

    // The targets export: 韶关市 and its units for the city admin, no 湛江 or 广州 row; every
    // region for the province and a province-wide leader.
    let csv = city.get("/export/targets.csv?year=2021").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("targets-440200-2021.csv")
    );
    let codes = csv_codes(&csv.bytes);
    assert!(codes.contains(&"440200".to_owned()) && codes.contains(&"440203".to_owned()));
    assert!(codes.iter().all(|c| c.starts_with("4402")), "{codes:?}");
    let text = String::from_utf8_lossy(&csv.bytes);
    assert!(!text.contains("湛江") && !text.contains("广州"), "{text}");
    let xlsx = city.get("/export/targets.xlsx?year=2021&lang=zh").await;
    assert_eq!(xlsx.status, 200);
    let rows = sheet(&xlsx.bytes, "目标任务");
    assert!(
        rows.rows().skip(1).all(|row| row[0].to_string().starts_with("4402")),
        "{rows:?}"
    );
    assert!(rows.height() > 1);
    for reader in ["admin", "leader", "analyst", "gz_officer"] {
        let codes = csv_codes(&app.user(reader).await.get("/export/targets.csv?year=2021").await.bytes);
        for code in ["440100", "440200", "440800", "440203"] {
            assert!(codes.contains(&code.to_owned()), "{reader}: {code}");
        }
    }

    // A city-bound leader and analyst export their city's targets only; a city that reports
    // itself gives its admin a template with no rows, saying why.
    let own = [("current", PASSWORD), ("password", PASSWORD), ("repeat", PASSWORD)];
    for (name, role, region, prefix) in [
        ("sg_reader", "leader", "440200", "4402"),
        ("zj_counter", "analyst", "440800", "4408"),
        ("gz_admin", "admin", "440100", "4401"),
    ] {
        let created = create(&province, name, role, region).await;
        assert_eq!(created.status, 303, "{name}: {}", created.text);
        let user = app.nobody();
        let signed_in = user
            .post_form("/login", &[("username", name), ("password", PASSWORD)])
            .await;
        assert_eq!(signed_in.status, 303, "{name}");
        assert_eq!(user.post_form("/account/password", &own).await.status, 303, "{name}");
        let csv = user.get("/export/targets.csv?year=2021").await;
        assert_eq!(csv.status, 200, "{name}");
        let codes = csv_codes(&csv.bytes);
        assert!(codes.contains(&region.to_owned()), "{name}: {codes:?}");
        assert!(codes.iter().all(|c| c.starts_with(prefix)), "{name}: {codes:?}");
    }
    let gz_admin = app.nobody();
    gz_admin
        .post_form("/login", &[("username", "gz_admin"), ("password", PASSWORD)])
        .await;
    let template = gz_admin.get("/import/template/targets.xlsx?year=2022").await;
    assert_eq!(template.status, 200);
    assert_eq!(sheet(&template.bytes, "导入").height(), 1, "the header only");
    let notes: Vec<String> = sheet(&template.bytes, "填表说明")
        .rows()
        .map(|row| row[0].to_string())
        .collect();
    assert!(notes.join("\n").contains("广州市以市为单位报送"), "{notes:?}");
    app.stop().await;
}

/// The workbook of `range` (its strings and numbers), `edit` changing cells as they are copied.
fn copied(
    range: &calamine::Range<calamine::Data>,
    name: &str,
    edit: impl Fn(&[calamine::Data]) -> Option<f64>,
) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let data = book.add_worksheet();
    data.set_name(name).unwrap();
    for (r, row) in range.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let edited = if r > 0 && c == 7 { edit(row) } else { None };
            match (edited, cell) {
                (Some(value), _) | (None, &calamine::Data::Float(value)) => {
                    data.write_number(r as u32, c as u16, value).map(|_| ()).unwrap()
                }
                (None, calamine::Data::String(text)) => {
                    data.write_string(r as u32, c as u16, text).map(|_| ()).unwrap()
                }
                _ => {}
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_admins_targets_export_goes_back_through_the_import_its_citys_rows_unchanged() {
    let app = TestApp::demo().await;
    let city = app.user("sg_admin").await;
    let xlsx = city.get("/export/targets.xlsx?year=2021&lang=zh").await;
    assert_eq!(xlsx.status, 200);
    let range = sheet(&xlsx.bytes, "目标任务");
    let cell = |row: &[calamine::Data], c: usize| row[c].to_string();
    assert!(
        range.rows().skip(1).any(|row| cell(row, 0) == "440200"),
        "the export holds the city's own rows"
    );
    let before = anju::db::targets::for_year(&app.conn(), 2021).unwrap();
    let key = ("440203".to_owned(), "shantytown_starts".to_owned());
    let old = before[&key];

    // 武江区's figure changed, the city's rows as they came: one change, the city's rows unchanged.
    let edited = copied(&range, "目标任务", |row| {
        (cell(row, 0) == "440203" && cell(row, 3) == "shantytown_starts").then_some((old + 5) as f64)
    });
    let preview = city
        .post_multipart(
            "/import",
            &[("kind", None, b"targets"), ("file", Some("targets.xlsx"), &edited)],
        )
        .await;
    assert_eq!(preview.status, 200, "{}", preview.text);
    assert!(preview.text.contains("1 处数值"), "{}", preview.text);
    assert!(preview.text.contains("行为本级以外的目标"), "{}", preview.text);
    assert!(!preview.text.contains("无权设定"), "{}", preview.text);
    let done = city.import_file("targets", "targets.xlsx", &edited).await;
    assert!(done.contains("1 处数值"), "{done}");
    let after = anju::db::targets::for_year(&app.conn(), 2021).unwrap();
    assert_eq!(after[&key], old + 5);
    let mut expected = before.clone();
    expected.insert(key.clone(), old + 5);
    assert_eq!(after, expected, "nothing else changed");
    let audited = audited_by(&app, "sg_admin", "target");
    assert_eq!(
        audited,
        vec![(Some("440203".into()), Some((old + 5).to_string()), None)]
    );

    // The city's own row changed: refused, its line named; nothing stored.
    let (line, city_old) = range
        .rows()
        .enumerate()
        .find(|(_, row)| cell(row, 0) == "440200" && cell(row, 3) == "shantytown_starts")
        .map(|(r, row)| (r + 1, row[7].to_string()))
        .unwrap();
    let edited = copied(&range, "目标任务", |row| {
        (cell(row, 0) == "440200" && cell(row, 3) == "shantytown_starts").then_some(9999.0)
    });
    let snapshot = app.snapshot();
    let refused = city
        .post_multipart(
            "/import",
            &[("kind", None, b"targets"), ("file", Some("targets.xlsx"), &edited)],
        )
        .await;
    assert!(refused.text.contains("无权设定韶关市的目标任务"), "{}", refused.text);
    assert!(
        refused.text.contains(&format!("<td class=\"num\">{line}</td>")),
        "line {line} named: {}",
        refused.text
    );
    assert!(!refused.text.contains("name=\"confirm\""), "no confirmation offered");
    assert_eq!(app.snapshot(), snapshot, "nothing stored");
    assert_ne!(city_old, "9999");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reminders_speak_for_each_level_and_the_province_chases_a_city_not_its_counties() {
    let app = TestApp::demo().await;
    let province = app.user("admin").await;
    let city = app.user("sg_admin").await;

    // The city admin's notice: from 韶关市's bureau to its units, naming them.
    let page = city.get(&format!("/admin/approvals?period={PERIOD}")).await.text;
    let reminders = &page[page.find("id=\"reminders\"").expect("a reminder list")..];
    let notice = &reminders[reminders.find("reminder-text").expect("a notice")..];
    let notice = &notice[..notice.find("</p>").unwrap()];
    assert!(notice.contains("韶关市住房和城乡建设局"), "{notice}");
    assert!(!notice.contains("广东省住房和城乡建设厅"), "{notice}");
    assert!(
        notice.contains("你单位尚未报送") && !notice.contains("你市"),
        "{notice}"
    );
    assert!(
        notice.contains("武江区") && notice.contains("住房城乡建设主管部门："),
        "{notice}"
    );
    assert!(notice.contains("演示数据"), "demo data is labelled: {notice}");
    assert!(reminders.contains("wj_officer"), "{reminders}");
    let english = city
        .get(&format!("/admin/approvals?period={PERIOD}&lang=en"))
        .await
        .text;
    assert!(
        english.contains("Shaoguan Housing and Urban-Rural Development Bureau") && english.contains("your unit has"),
        "{english}"
    );

    // The province's: from the configured department, 韶关市 listed once with its units missing,
    // its admins the ones to chase; no county entry.
    let page = province.get(&format!("/admin/approvals?period={PERIOD}")).await.text;
    let reminders = &page[page.find("id=\"reminders\"").expect("a reminder list")..];
    let reminders = &reminders[..reminders.find("</section>").unwrap_or(reminders.len())];
    assert!(!reminders.contains("韶关市 · "), "{reminders}");
    assert!(!reminders.contains("wj_officer"), "{reminders}");
    assert_eq!(reminders.matches("<th scope=\"row\">韶关市").count(), 1, "{reminders}");
    assert!(reminders.contains("sg_admin"), "{reminders}");
    assert!(
        reminders.contains("待报县（市、区） 11个：") && reminders.contains("武江区"),
        "{reminders}"
    );
    assert!(
        reminders.contains("gz_officer"),
        "a city that reports itself as before: {reminders}"
    );
    let notice = &reminders[reminders.find("reminder-text").expect("a notice")..];
    let notice = &notice[..notice.find("</p>").unwrap()];
    assert!(
        notice.contains("你市尚未报送") && notice.contains("广东省住房和城乡建设厅"),
        "{notice}"
    );
    assert!(notice.contains("韶关市尚有"), "{notice}");

    // Once every unit is in, 韶关市 is still chased until it sends up; then it is not.
    for unit in SHAOGUAN_UNITS {
        submit(&city, unit).await;
    }
    let page = province.get(&format!("/admin/approvals?period={PERIOD}")).await.text;
    let reminders = &page[page.find("id=\"reminders\"").unwrap()..];
    let reminders = &reminders[..reminders.find("</section>").unwrap_or(reminders.len())];
    assert!(reminders.contains("各县（市、区）均已报送，待汇总报省"), "{reminders}");
    app.stop().await;
}
