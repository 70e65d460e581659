//! The quarterly workflow end to end against a real server: the officer's form, the province's
//! review, the figures reaching the dashboard and API, and every kind of bad input refused.

mod common;

use anju::db::audit::AuditFilter;
use common::{TestApp, User};
use serde_json::{Value, json};

/// Sets one 2022 target through the admin grid.
async fn set_target(admin: &User, region: &str, indicator: &str, value: &str) {
    let saved = admin
        .post_form(
            "/admin/targets",
            &[("year", "2022"), (&format!("t.{region}.{indicator}"), value)],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
}

/// The report's current version, as the API tells `user`.
async fn report_version(user: &User, region: &str, period: &str) -> i64 {
    let body = user.get(&format!("/api/v1/reports/{region}/{period}")).await.json();
    body["version"].as_i64().expect("version")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_submits_admin_returns_officer_resubmits_admin_approves() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let officer = app.user("gz_officer").await;
    set_target(&admin, "440100", "shantytown_starts", "1,000").await;

    // The empty form for a quarter with no report yet.
    let page = officer.get("/reports/440100/2022Q1").await;
    assert_eq!(page.status, 200);
    let html = page.text;
    assert!(html.contains("保存草稿") && html.contains("提交"), "{html}");
    assert!(html.contains("1,000 套"), "the annual target is shown");

    // 5% of the target at Q1 is behind the 25% benchmark: no submission without a note.
    let before = app.snapshot();
    let refused = officer
        .post_form(
            "/reports/440100/2022Q1",
            &[
                ("version", "0"),
                ("value.shantytown_starts", "50"),
                ("note.shantytown_starts", ""),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let html = refused.text;
    assert!(html.contains("未填写情况说明不能报送"), "{html}");
    assert!(html.contains("value=\"50\""), "the typed value is kept");
    assert_eq!(app.snapshot(), before);

    let submitted = officer
        .post_form(
            "/reports/440100/2022Q1",
            &[
                ("version", "0"),
                ("value.shantytown_starts", "50"),
                ("note.shantytown_starts", "征地拆迁延迟"),
                ("value.rent_relief_households", ""),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(submitted.status, 303);
    assert_eq!(submitted.location(), "/reports/440100/2022Q1?done=submitted");
    let html = officer.get("/reports/440100/2022Q1").await.text;
    assert!(
        html.contains("已报送") && !html.contains("保存草稿"),
        "read-only after submission"
    );
    assert!(
        html.contains("5.0%") && html.contains("明显滞后"),
        "rate and status once saved"
    );

    // The province sees it in the queue and returns it with a comment.
    let queue = admin.get("/admin/approvals").await.text;
    assert!(queue.contains("广州市") && queue.contains("2022Q1"), "{queue}");
    let version = report_version(&admin, "440100", "2022Q1").await.to_string();
    let returned = admin
        .post_form(
            "/admin/reports/440100/2022Q1/return",
            &[("version", version.as_str()), ("comment", "新开工数与台账不符,请核实")],
        )
        .await;
    assert_eq!(returned.status, 303);

    // The officer sees the comment, corrects the figure and submits again.
    let html = officer.get("/reports/440100/2022Q1").await.text;
    assert!(
        html.contains("新开工数与台账不符,请核实") && html.contains("已退回"),
        "{html}"
    );
    let version = report_version(&officer, "440100", "2022Q1").await.to_string();
    let resubmitted = officer
        .post_form(
            "/reports/440100/2022Q1",
            &[
                ("version", version.as_str()),
                ("value.shantytown_starts", "300"),
                ("note.shantytown_starts", "已按台账核实"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(resubmitted.status, 303);

    let version = report_version(&admin, "440100", "2022Q1").await.to_string();
    let approved = admin
        .post_form("/admin/reports/440100/2022Q1/approve", &[("version", version.as_str())])
        .await;
    assert_eq!(approved.status, 303);

    // The API and the dashboard show the new figure.
    let analyst = app.user("analyst").await;
    let progress = analyst.get("/api/v1/progress?period=2022Q1").await.json();
    let row = progress["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region_code"] == "440100" && r["indicator"] == "shantytown_starts")
        .unwrap();
    assert_eq!(row["cumulative"], 300);
    assert_eq!(row["completion_rate"], 30.0);
    assert_eq!(row["report_status"], "approved");
    let report = analyst.get("/api/v1/reports/440100/2022Q1").await.json();
    assert_eq!(report["values"]["shantytown_starts"], 300);
    let leader = app.user("leader").await;
    let dashboard = leader.get("/?period=2022Q1").await.text;
    assert!(dashboard.contains("300"), "{dashboard}");

    // The audit log shows each step with the right person.
    let audit = admin.get("/api/v1/audit?region=440100&period=2022Q1").await.json();
    // Filters typed with spaces around them find the same rows.
    let spaced = admin
        .get("/api/v1/audit?region=%20440100&period=2022Q1%20")
        .await
        .json();
    assert_eq!(spaced, audit);
    let mut steps: Vec<(String, String, String, String)> = audit["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"] == "status" || r["indicator"] == "shantytown_starts")
        .map(|r| {
            let text = |v: &Value| v.as_str().unwrap_or("").to_owned();
            (
                text(&r["username"]),
                text(&r["action"]),
                text(&r["old_value"]),
                text(&r["new_value"]),
            )
        })
        .collect();
    steps.reverse();
    let expected = [
        ("gz_officer", "value", "", "50"),
        ("gz_officer", "note", "", "征地拆迁延迟"),
        ("gz_officer", "status", "", "submitted"),
        ("admin", "status", "submitted", "returned"),
        ("gz_officer", "value", "50", "300"),
        ("gz_officer", "note", "征地拆迁延迟", "已按台账核实"),
        ("gz_officer", "status", "returned", "submitted"),
        ("admin", "status", "submitted", "approved"),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d)| ((*a).into(), (*b).into(), (*c).into(), (*d).into()))
        .collect();
    assert_eq!(steps, expected);
    let page = admin.get("/audit?region=440100&period=2022Q1").await.text;
    assert!(
        page.contains("新开工数与台账不符,请核实") && page.contains("gz_officer"),
        "{page}"
    );
    app.stop().await;
}

/// PUTs `body` as the officer and expects `status` with `hint` in the message, nothing stored.
async fn refused_put(app: &TestApp, user: &User, path: &str, body: Value, status: u16, hint: &str) {
    let before = app.snapshot();
    let reply = user.put_json(path, body.clone()).await;
    assert_eq!(reply.status, status, "{path} {body}");
    let answer = reply.json();
    let message = answer["error"].as_str().unwrap_or_default();
    assert!(message.contains(hint), "{path} {body}: {answer}");
    assert_eq!(app.snapshot(), before, "{path} {body} changed the database");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_input_to_the_api_is_refused_and_changes_nothing() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let officer = app.user("gz_officer").await;
    set_target(&admin, "440100", "shantytown_starts", "1000").await;
    let q1 = "/api/v1/reports/440100/2022Q1";
    let saved = officer
        .put_json(q1, json!({"values": {"shantytown_starts": 300}}))
        .await;
    assert_eq!(saved.status, 200);
    let version = saved.json()["report"]["version"].as_i64().unwrap();

    let q2 = "/api/v1/reports/440100/2022Q2";
    let value = |v: Value| json!({"values": {"shantytown_starts": v}});
    refused_put(&app, &officer, q2, value(json!(-5)), 422, "负数").await;
    refused_put(&app, &officer, q2, value(json!("abc")), 422, "不是整数").await;
    refused_put(&app, &officer, q2, value(json!(1.5)), 422, "不是整数").await;
    refused_put(&app, &officer, q2, value(json!(10_000_000_000_000_i64)), 422, "上限").await;
    refused_put(&app, &officer, q2, value(json!(250)), 422, "不能减少").await;
    refused_put(
        &app,
        &officer,
        "/api/v1/reports/440100/2027Q1",
        value(json!(1)),
        422,
        "尚未开始",
    )
    .await;
    refused_put(
        &app,
        &officer,
        "/api/v1/reports/440300/2022Q1",
        value(json!(1)),
        403,
        "无权",
    )
    .await;
    refused_put(
        &app,
        &officer,
        "/api/v1/reports/440100/2021Q4",
        value(json!(1)),
        409,
        "已审核",
    )
    .await;
    // An approved report says it is approved, even to an editor holding an old version.
    let approved_stale = json!({"values": {"shantytown_starts": 1}, "version": 0});
    refused_put(
        &app,
        &officer,
        "/api/v1/reports/440100/2021Q4",
        approved_stale,
        409,
        "已审核",
    )
    .await;
    let stale = json!({"values": {"shantytown_starts": 310}, "version": version - 1});
    refused_put(&app, &officer, q1, stale, 409, "已被他人修改").await;
    // 30% at Q2 is 20 pp behind the 50% benchmark: the note is required to submit.
    let behind = json!({"values": {"shantytown_starts": 300}, "submit": true});
    refused_put(&app, &officer, q2, behind, 422, "情况说明").await;
    refused_put(&app, &officer, q2, json!({"values": {"bogus": 1}}), 422, "未知指标").await;
    refused_put(
        &app,
        &officer,
        "/api/v1/reports/449999/2022Q1",
        value(json!(1)),
        404,
        "未知地区",
    )
    .await;
    app.stop().await;
}

/// Posts the entry form and expects `status`, `hint` on the page, the typed text kept, nothing stored.
async fn refused_form(
    app: &TestApp,
    user: &User,
    path: &str,
    fields: &[(&str, &str)],
    status: u16,
    hint: &str,
) -> String {
    let before = app.snapshot();
    let page = user.post_form(path, fields).await;
    assert_eq!(page.status, status, "{path} {fields:?}");
    let html = page.text;
    assert!(html.contains(hint), "{path} {fields:?}: {html}");
    assert_eq!(app.snapshot(), before, "{path} {fields:?} changed the database");
    html
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_shows_each_error_next_to_its_field_and_keeps_what_was_typed() {
    let app = TestApp::demo().await;
    let officer = app.user("gz_officer").await;
    let path = "/reports/440100/2022Q1";
    let html = refused_form(
        &app,
        &officer,
        path,
        &[
            ("version", "0"),
            ("value.shantytown_starts", "-5"),
            ("value.shantytown_completions", "12abc"),
            ("value.public_rental_starts", "10000000000000"),
            ("value.rent_subsidy_households", "1,234"),
            ("action", "save"),
        ],
        422,
        "数值不能为负数",
    )
    .await;
    assert!(html.contains("“12abc”不是整数"), "{html}");
    assert!(html.contains("数值超过上限"), "{html}");
    for typed in [
        "value=\"-5\"",
        "value=\"12abc\"",
        "value=\"10000000000000\"",
        "value=\"1,234\"",
    ] {
        assert!(html.contains(typed), "{typed} kept");
    }
    assert!(
        html.contains("id=\"error-shantytown_starts\""),
        "error beside its field"
    );

    refused_form(
        &app,
        &officer,
        path,
        &[("version", "0"), ("value.bogus", "1")],
        422,
        "未知指标",
    )
    .await;
    refused_form(
        &app,
        &officer,
        "/reports/440100/2027Q1",
        &[("value.shantytown_starts", "1")],
        422,
        "尚未开始",
    )
    .await;
    refused_form(
        &app,
        &officer,
        "/reports/440300/2022Q1",
        &[("value.shantytown_starts", "1")],
        403,
        "无权",
    )
    .await;
    refused_form(
        &app,
        &officer,
        "/reports/440100/2021Q4",
        &[("value.shantytown_starts", "1")],
        409,
        "不能修改",
    )
    .await;

    // A draft saved, then a stale form posted again: 409 with a clear message, typed values kept.
    let saved = officer
        .post_form(
            path,
            &[("version", "0"), ("value.shantytown_starts", "10"), ("action", "save")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let html = refused_form(
        &app,
        &officer,
        path,
        &[("version", "0"), ("value.shantytown_starts", "20"), ("action", "save")],
        409,
        "已被他人修改",
    )
    .await;
    assert!(html.contains("value=\"20\""));
    assert!(html.contains("下方保留了您输入的内容"), "{html}");
    // Having seen what is saved now, the officer may save again: the page carries the current version.
    assert!(html.contains("name=\"version\" value=\"1\""), "{html}");
    let again = officer
        .post_form(
            path,
            &[("version", "1"), ("value.shantytown_starts", "20"), ("action", "save")],
        )
        .await;
    assert_eq!(again.status, 303);

    // Every problem is listed at once: a malformed figure beside a falling cumulative.
    let html = refused_form(
        &app,
        &officer,
        "/reports/440100/2022Q2",
        &[
            ("version", "0"),
            ("value.shantytown_starts", "5"),
            ("value.shantytown_completions", "x"),
            ("action", "save"),
        ],
        422,
        "累计数不能减少",
    )
    .await;
    assert!(html.contains("“x”不是整数"), "{html}");

    // A decreasing cumulative against Q1's draft.
    refused_form(
        &app,
        &officer,
        "/reports/440100/2022Q2",
        &[("version", "0"), ("value.shantytown_starts", "5"), ("action", "save")],
        422,
        "累计数不能减少",
    )
    .await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_reopens_an_approved_report_and_the_officer_may_edit_again() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let officer = app.user("gz_officer").await;
    let html = admin.get("/admin/approvals?period=2021Q4").await.text;
    assert!(html.contains("/admin/reports/440100/2021Q4/reopen"), "{html}");
    let reopened = admin
        .post_form(
            "/admin/reports/440100/2021Q4/reopen",
            &[("comment", "请补充租金减免户数")],
        )
        .await;
    assert_eq!(reopened.status, 303);
    let html = officer.get("/reports/440100/2021Q4").await.text;
    assert!(
        html.contains("请补充租金减免户数") && html.contains("保存草稿"),
        "{html}"
    );
    // Reopening twice is a wrong status, shown on the approvals page.
    let again = admin
        .post_form("/admin/reports/440100/2021Q4/reopen", &[("version", "")])
        .await;
    assert_eq!(again.status, 409);
    assert!(again.text.contains("不能重新打开"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returning_without_a_comment_is_refused() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let before = app.snapshot();
    let refused = admin
        .post_form("/admin/reports/440400/2021Q4/return", &[("comment", "  ")])
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.text.contains("退回报告须填写退回意见"));
    assert_eq!(app.snapshot(), before);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn officer_home_shows_periods_what_is_due_and_late_reports() {
    let app = TestApp::demo().await;
    let officer = app.user("gz_officer").await;
    // Guangzhou's reports all on time but 2021Q3, submitted on 30 October; 2021Q2 came in on
    // the last allowed day (15 July, 23:00 Beijing time). No db function back-dates a
    // submission, so the stored times are set by hand.
    let conn = app.conn();
    conn.execute(
        "UPDATE reports SET submitted_at = printf('%04d-%02d-20T02:00:00.000Z', year, quarter * 3) WHERE region_code = '440100'",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE reports SET submitted_at = '2021-10-30T02:00:00.000Z' WHERE region_code = '440100' AND year = 2021 AND quarter = 3",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE reports SET submitted_at = '2021-07-15T15:00:00.000Z' WHERE region_code = '440100' AND year = 2021 AND quarter = 2",
        [],
    )
    .unwrap();
    let html = officer.get("/reports").await.text;
    assert!(html.contains("广州市") && html.contains("本期应报"), "{html}");
    let today = chrono::Utc::now() + chrono::Duration::hours(8);
    let quarter = (chrono::Datelike::month(&today) - 1) / 3 + 1;
    let due = format!("/reports/440100/{}Q{quarter}", chrono::Datelike::year(&today));
    assert!(html.contains(&due), "{due} is due");
    let (year, quarter) = (chrono::Datelike::year(&today), quarter);
    let previous = if quarter == 1 {
        format!("{}Q4", year - 1)
    } else {
        format!("{year}Q{}", quarter - 1)
    };
    assert!(
        html.contains(&format!("/reports/440100/{previous}")),
        "the unsubmitted previous quarter is still owed"
    );
    let late_rows: Vec<&str> = html.split("<tr>").filter(|row| row.contains("逾期报送")).collect();
    assert_eq!(late_rows.len(), 1, "{html}");
    assert!(late_rows[0].contains("2021Q3"));
    // Another quarter opens from the home page without script.
    let open = officer.get("/reports?period=2022Q1").await;
    assert_eq!(open.status, 303);
    assert_eq!(open.location(), "/reports/440100/2022Q1");
    assert_eq!(officer.get("/reports?region=440300").await.status, 403);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_grid_saves_in_place_and_audits_each_revision() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let html = admin.get("/admin/targets?year=2020").await.text;
    assert!(html.contains("/import?kind=targets"), "links the CSV import");
    assert!(html.contains("name=\"t.440100.shantytown_starts\""), "{html}");
    let target = |region: &str| anju::db::targets::get(&app.conn(), region, "shantytown_starts", 2020).unwrap();
    let old = target("440100").expect("a 2020 target");
    let saved = admin
        .post_form(
            "/admin/targets",
            &[
                ("year", "2020"),
                ("t.440100.shantytown_starts", "2,500"),
                ("t.440300.shantytown_starts", ""),
            ],
        )
        .await;
    assert_eq!(saved.status, 303);
    assert_eq!(target("440100"), Some(2500));
    let latest_revision = AuditFilter {
        action: Some("target".into()),
        region_code: Some("440100".into()),
        limit: 1,
        ..AuditFilter::default()
    };
    let audited = anju::db::audit::list(&app.conn(), &latest_revision).unwrap().remove(0);
    assert_eq!(
        (audited.username, audited.old_value, audited.new_value),
        ("admin".into(), Some(old.to_string()), Some("2500".into()))
    );
    assert_eq!(target("440300"), None, "a blank cell clears the explicit target");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_bad_target_is_refused_and_changes_nothing() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    for (fields, hint) in [
        (vec![("year", "2020"), ("t.440100.shantytown_starts", "-1")], "负数"),
        (
            vec![("year", "2020"), ("t.440100.shantytown_starts", "一千")],
            "不是整数",
        ),
        (
            vec![("year", "2020"), ("t.440100.shantytown_starts", "12.5")],
            "不是整数",
        ),
        (
            vec![("year", "2020"), ("t.440100.shantytown_starts", "10000000000000")],
            "上限",
        ),
        (vec![("year", "2020"), ("t.449999.shantytown_starts", "1")], "未知地区"),
        (vec![("year", "2020"), ("t.440100.bogus", "1")], "未知指标"),
        (vec![("year", "2020"), ("t.440100.rent_relief_amount", "1")], "不设目标"),
        (vec![("year", "20x0"), ("t.440100.shantytown_starts", "1")], "年度"),
        (vec![("year", "1999"), ("t.440100.shantytown_starts", "1")], "年度"),
        (
            vec![
                ("year", "2020"),
                ("t.440100.shantytown_starts", "5"),
                ("t.440200.shantytown_starts", "x"),
            ],
            "不是整数",
        ),
    ] {
        let before = app.snapshot();
        let page = admin.post_form("/admin/targets", &fields).await;
        assert_eq!(page.status, 422, "{fields:?}");
        assert!(page.text.contains(hint), "{fields:?}: {}", page.text);
        assert_eq!(app.snapshot(), before, "{fields:?}");
    }
    app.stop().await;
}

/// Issue 12: a report for the province itself used to be stored and submitted, then ignored by
/// the roll-up. The province's figures are its cities' sum: the save is refused with a reason.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_report_for_the_province_itself_is_refused_with_its_reason() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let before = app.snapshot();
    let reply = admin
        .put_json(
            "/api/v1/reports/440000/2021Q4",
            json!({"values": {"shantytown_starts": 300}, "submit": true}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert!(reply.text.contains("广东省的数字由下级地区汇总而成"), "{}", reply.text);
    assert_eq!(app.snapshot(), before);
    app.stop().await;
}
