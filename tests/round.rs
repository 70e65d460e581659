//! A reporting round over HTTP: periods typed as people type them, the entry form's live check,
//! full-width figures, a reason on every reopen (audited as a reopen), what changed since a
//! return, batch approval all-or-nothing, the 催报 list, and targets started from last year with
//! the cities' sum checked. Every refusal leaves the database as it was.

mod common;

use common::{TestApp, User};
use serde_json::json;

async fn version(user: &User, region: &str, period: &str) -> i64 {
    let body = user.get(&format!("/api/v1/reports/{region}/{period}")).await.json();
    body["version"].as_i64().expect("version")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn periods_open_as_people_type_them_and_a_bad_one_is_explained_in_chinese() {
    let app = TestApp::demo().await;
    let officer = app.user("gz_officer").await;
    for typed in ["2022年第一季度", "2022q1", "2022-Q1", "２０２２Ｑ１", "2022年一季度"] {
        let open = officer.get(&format!("/reports?period={}", urlencode(typed))).await;
        assert_eq!(open.status, 303, "{typed}");
        assert_eq!(open.location(), "/reports/440100/2022Q1", "{typed}");
    }
    let bad = officer
        .get(&format!("/reports?period={}", urlencode("2022年第五季度")))
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.text.contains("2022年第一季度、2022Q1 或 2022-Q1"), "{}", bad.text);
    assert!(!bad.text.contains("(period must"), "an English tail on a Chinese page");
    let admin = app.user("admin").await;
    let approvals = admin
        .get(&format!("/admin/approvals?period={}", urlencode("2021年第四季度")))
        .await;
    assert_eq!(approvals.status, 200);
    app.stop().await;
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_check_computes_without_storing_and_explains_bad_figures() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let set = admin
        .post_form(
            "/admin/targets",
            &[("year", "2022"), ("t.440100.shantytown_starts", "2,000")],
        )
        .await;
    assert_eq!(set.status, 303);
    let officer = app.user("gz_officer").await;
    let before = app.snapshot();
    let checked = officer
        .post_form(
            "/reports/440100/2022Q1/check",
            &[
                ("version", "0"),
                ("value.shantytown_starts", "1,000"),
                ("value.public_rental_starts", "x"),
                ("value.rent_relief_households", "-3"),
            ],
        )
        .await;
    assert_eq!(checked.status, 200, "{}", checked.text);
    let lines = &checked.json()["lines"];
    let starts = lines["shantytown_starts"]["computed"].as_str().unwrap();
    assert!(starts.contains("50.0%") && starts.contains("达到序时进度"), "{starts}");
    let bad = lines["public_rental_starts"]["messages"].as_str().unwrap();
    assert!(bad.contains("不是整数") && !bad.contains("not an integer"), "{bad}");
    let negative = lines["rent_relief_households"]["messages"].as_str().unwrap();
    assert!(negative.contains("不能为负数"), "{negative}");
    let no_target = lines["shantytown_completions"]["computed"].as_str().unwrap();
    assert!(no_target.contains("—"), "{no_target}");
    assert_eq!(app.snapshot(), before, "the check stored something");
    // Another city's form cannot be checked.
    let other = officer
        .post_form("/reports/440300/2022Q1/check", &[("value.shantytown_starts", "1")])
        .await;
    assert_eq!(other.status, 403);
    assert!(other.text.contains("深圳市"), "names the city: {}", other.text);
    assert_eq!(app.snapshot(), before);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_width_figures_are_saved_and_read_back_in_their_unit_with_separators() {
    let app = TestApp::demo().await;
    let officer = app.user("gz_officer").await;
    let saved = officer
        .post_form(
            "/reports/440100/2022Q1",
            &[
                ("version", "0"),
                ("value.shantytown_starts", "１２，３４５"),
                ("value.rent_relief_amount", "1250000"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    let report = officer.get("/api/v1/reports/440100/2022Q1").await.json();
    assert_eq!(report["values"]["shantytown_starts"], 12345);
    let form = officer.get("/reports/440100/2022Q1").await.text;
    assert!(form.contains("value=\"1,250,000\""), "the input keeps separators");
    assert!(form.contains("（元）"), "the money field names its unit");
    assert!(!form.contains("125.00万元"), "money read back in another unit");
    let english = officer.get("/reports/440100/2022Q1?lang=en").await.text;
    assert!(
        english.contains("(yuan)") && english.contains("(units)"),
        "English units"
    );
    assert!(!english.contains("(套)"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reopening_needs_a_reason_and_is_audited_as_a_reopen() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let before = app.snapshot();
    for body in [json!({}), json!({"comment": "   "})] {
        let refused = admin.post_json("/api/v1/reports/440100/2021Q4/reopen", body).await;
        assert_eq!(refused.status, 422, "{}", refused.text);
        assert!(refused.json()["error"].as_str().unwrap().contains("须填写理由"));
    }
    let page = admin
        .post_form("/admin/reports/440100/2021Q4/reopen", &[("comment", "")])
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(app.snapshot(), before);
    let reopened = admin
        .post_json(
            "/api/v1/reports/440100/2021Q4/reopen",
            json!({"comment": "请补充租金减免户数"}),
        )
        .await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    let (action, old, new, detail): (String, String, String, String) = app
        .conn()
        .query_row(
            "SELECT action, old_value, new_value, detail FROM audit_log ORDER BY id DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        (action.as_str(), old.as_str(), new.as_str(), detail.as_str()),
        ("reopen", "approved", "returned", "请补充租金减免户数")
    );
    let audit = admin.get("/audit?region=440100&period=2021Q4").await.text;
    assert!(
        audit.contains("重新打开") && audit.contains("请补充租金减免户数"),
        "{audit}"
    );
    // The officer reads the reason, on the to-do and the form, and the badge counts it.
    let officer = app.user("gz_officer").await;
    let home = officer.get("/reports").await.text;
    assert!(
        home.contains("请补充租金减免户数") && home.contains("nav-badge"),
        "{home}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_province_sees_what_changed_since_it_returned_a_report() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let v = version(&admin, "440400", "2021Q4").await.to_string();
    let returned = admin
        .post_form(
            "/admin/reports/440400/2021Q4/return",
            &[("version", v.as_str()), ("comment", "新开工数请核实")],
        )
        .await;
    assert_eq!(returned.status, 303);
    let report = admin.get("/api/v1/reports/440400/2021Q4").await.json();
    let old = report["values"]["shantytown_starts"].as_i64().expect("a figure");
    let v = version(&admin, "440400", "2021Q4").await.to_string();
    let new = (old + 1234).to_string();
    let resubmitted = admin
        .post_form(
            "/reports/440400/2021Q4",
            &[
                ("version", v.as_str()),
                ("value.shantytown_starts", new.as_str()),
                ("note.shantytown_starts", "已按台账核实"),
                ("action", "submit"),
            ],
        )
        .await;
    assert_eq!(resubmitted.status, 303, "{}", resubmitted.text);
    let queue = admin.get("/admin/approvals?period=2021Q4").await.text;
    let item = &queue[queue.find("id=\"r-440400-2021Q4\"").expect("queued")..];
    let item = &item[..item.find("</section>").unwrap_or(item.len())];
    let item = &item[..item.find("class=\"queue\"").unwrap_or(item.len())];
    assert!(item.contains("自上次退回以来的修改"), "{item}");
    let thousands = anju::domain::format::thousands;
    assert!(
        item.contains(&thousands(old)) && item.contains(&thousands(old + 1234)) && item.contains("已按台账核实"),
        "{item}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_approval_is_all_or_nothing_and_names_the_report_refused() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let a = version(&admin, "440400", "2021Q4").await.to_string();
    let b = version(&admin, "440700", "2021Q4").await.to_string();
    let before = app.snapshot();
    let refused = admin
        .post_form(
            "/admin/approvals/batch",
            &[("batch.440400.2021Q4", a.as_str()), ("batch.440700.2021Q4", "0")],
        )
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert!(refused.text.contains("江门市2021年第四季度"), "{}", refused.text);
    assert_eq!(app.snapshot(), before, "a refused batch wrote something");
    let none = admin.post_form("/admin/approvals/batch", &[("x", "y")]).await;
    assert_eq!(none.status, 422);
    let bad = admin
        .post_form("/admin/approvals/batch", &[("batch.440400.2021Q9", "1")])
        .await;
    assert_eq!(bad.status, 400);
    assert_eq!(app.snapshot(), before);
    let done = admin
        .post_form(
            "/admin/approvals/batch",
            &[("batch.440400.2021Q4", a.as_str()), ("batch.440700.2021Q4", b.as_str())],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.text);
    let officer = app.user("gz_officer").await;
    let forbidden = officer
        .post_form("/admin/approvals/batch", &[("batch.441200.2021Q4", "1")])
        .await;
    assert_eq!(forbidden.status, 403);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reminder_list_names_the_cities_their_officers_and_the_days_overdue() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let page = admin.get("/admin/approvals?period=2022Q1").await.text;
    let reminders = &page[page.find("id=\"reminders\"").expect("a reminder list")..];
    assert!(
        reminders.contains("广州市") && reminders.contains("gz_officer"),
        "{reminders}"
    );
    assert!(reminders.contains("已逾期"), "{reminders}");
    assert!(
        reminders.contains("关于报送2022年第一季度住房保障目标任务完成情况的催报通知"),
        "{reminders}"
    );
    let filtered = admin
        .get("/admin/approvals?status=approved&region=440100&period=2021Q4")
        .await;
    assert_eq!(filtered.status, 200);
    assert!(
        filtered.text.contains("id=\"r-440100-2021Q4\""),
        "the filters show the approved report"
    );
    assert!(
        !filtered.text.contains("id=\"r-440300-2021Q4\""),
        "another city slipped through the filter"
    );
    let q1 = admin
        .get("/admin/approvals?status=approved&period=2021Q1&region=440100")
        .await
        .text;
    let item = &q1[q1.find("id=\"r-440100-2021Q1\"").expect("Q1 item")..];
    assert!(!item.contains("上季度累计"), "Q1 has no previous quarter");
    let bad = admin.get("/admin/approvals?status=bogus").await;
    assert_eq!(bad.status, 400);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_starts_from_last_years_targets_and_the_split_is_checked() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let before = app.snapshot();
    let prefilled = admin.get("/admin/targets?year=2022&from=2021").await;
    assert_eq!(prefilled.status, 200);
    let target_2021 = anju::db::targets::get(&app.conn(), "440100", "shantytown_starts", 2021)
        .unwrap()
        .expect("a 2021 target");
    let cell = &prefilled.text[prefilled
        .text
        .find("name=\"t.440100.shantytown_starts\"")
        .expect("cell")..];
    let value = cell
        .split("value=\"")
        .nth(1)
        .and_then(|v| v.split('"').next())
        .unwrap_or("");
    assert_eq!(value.replace(',', ""), target_2021.to_string(), "prefilled from 2021");
    assert!(prefilled.text.contains("核对后点击"), "says nothing is saved yet");
    assert_eq!(app.snapshot(), before, "prefilling saved targets");
    let bad = admin.get("/admin/targets?year=2022&from=20x1").await;
    assert_eq!(bad.status, 422);

    // The province's own target against the cities' sum: short, then over.
    let save = |fields: Vec<(&'static str, String)>| {
        let admin = &admin;
        async move { admin.post_form("/admin/targets", &fields).await }
    };
    assert_eq!(
        save(vec![
            ("year", "2023".into()),
            ("t.440000.shantytown_starts", "1000".into()),
            ("t.440100.shantytown_starts", "600".into()),
        ])
        .await
        .status,
        303
    );
    let page = admin.get("/admin/targets?year=2023").await.text;
    assert!(
        page.contains("分解不完整(各市合计 600 套,尚差 400 套")
            || page.contains("分解不完整（各市合计 600 套，尚差 400 套"),
        "{page}"
    );
    assert_eq!(
        save(vec![
            ("year", "2023".into()),
            ("t.440300.shantytown_starts", "500".into())
        ])
        .await
        .status,
        303
    );
    let page = admin.get("/admin/targets?year=2023").await.text;
    assert!(page.contains("超出省级目标 100 套"), "{page}");
    app.stop().await;
}
