//! A reporting round in a real headless Chromium: the officer's to-do (an old unreported quarter,
//! a reopened report with its reason, the navigation badge), the entry form computing rate and
//! status as the officer types and fitting a 390 px phone, a reopen refused without a reason and
//! confirmed with one, and three reports approved at once.
//!
//! Each test is one browser session; a failed check saves a screenshot under
//! `target/browser-screenshots/`.

mod common;

use common::TestApp;
use common::browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reopen_needs_a_reason_and_the_officer_finds_it_in_the_to_do_beside_old_quarters() {
    let Some(browser) = browser::start("reopen_and_to_do").await else {
        return;
    };
    let app = TestApp::demo().await;
    browser.sign_in(&app, "admin").await;
    browser.goto(&app.url("/reports/440100/2021Q4")).await;
    let reason = browser.find("#reopen-comment").await;
    // Without a reason the browser keeps the form, and the server refuses it too.
    browser.find("form[action$='/reopen'] button").await.click().await;
    browser
        .check(
            browser.current_url().await.ends_with("/reports/440100/2021Q4"),
            "a reopen without a reason left the page",
        )
        .await;
    browser
        .script("document.getElementById('reopen-comment').removeAttribute('required');")
        .await;
    browser.find("form[action$='/reopen'] button").await.click().await;
    browser
        .find("form[action$='/reopen'] button.confirming")
        .await
        .click()
        .await;
    browser.wait_for_text("重新打开报告须填写理由").await;
    browser.console_errors().await;
    let status = app.conn().query_row(
        "SELECT status FROM reports WHERE region_code = '440100' AND year = 2021 AND quarter = 4",
        [],
        |row| row.get::<_, String>(0),
    );
    browser
        .check(
            status.as_deref() == Ok("approved"),
            &format!("refused reopen changed the report: {status:?}"),
        )
        .await;
    drop(reason);

    // With a reason, the button asks once more before it reopens.
    browser.goto(&app.url("/reports/440100/2021Q4")).await;
    browser
        .find("#reopen-comment")
        .await
        .type_text("请补充租金减免户数的台账依据")
        .await;
    browser.find("form[action$='/reopen'] button").await.click().await;
    let confirm = browser.find("form[action$='/reopen'] button.confirming").await;
    browser
        .check(
            confirm.text().await.contains("确认重新打开"),
            "the reopen button does not ask to confirm",
        )
        .await;
    confirm.click().await;
    browser.wait_for_url("done=reopen").await;
    browser.sign_out().await;

    browser.sign_in(&app, "gz_officer").await;
    let badge = browser.find("nav.site-nav a[href='/reports'] .nav-badge").await;
    browser
        .check(badge.text().await.trim() == "1", "no badge for the returned report")
        .await;
    browser.find("nav.site-nav a[href='/reports']").await.click().await;
    browser.wait_for_url("/reports").await;
    let returned = browser.find("section.returned-reports").await.text().await;
    browser
        .check(
            returned.contains("2021年第四季度") && returned.contains("请补充租金减免户数的台账依据"),
            &format!("the to-do lacks the reopened report and its reason: {returned}"),
        )
        .await;
    let owed = browser.texts("table.todo-list tr.todo-item th").await;
    browser
        .check(
            owed.iter().any(|p| p == "2022年第三季度") && owed.iter().any(|p| p == "2021年第四季度"),
            &format!("the to-do lacks an old unreported quarter: {owed:?}"),
        )
        .await;
    browser
        .check(
            browser.count("table.todo-list .badge.overdue").await >= 10,
            "old quarters are not marked overdue",
        )
        .await;
    // The picker opens any quarter.
    browser.find("#open-period option[value='2022Q3']").await.click().await;
    browser.find("form.open-period button").await.click().await;
    browser.wait_for_url("/reports/440100/2022Q3").await;
    browser.goto(&app.url("/reports/440100/2021Q4")).await;
    let comment = browser.find(".admin-comment").await.text().await;
    browser
        .check(
            comment.contains("请补充租金减免户数的台账依据"),
            &format!("the officer does not read the reason: {comment}"),
        )
        .await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typing_a_figure_updates_rate_and_status_before_saving_and_the_form_fits_a_phone() {
    let Some(browser) = browser::start("live_check").await else {
        return;
    };
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let set = admin
        .post_form(
            "/admin/targets",
            &[("year", "2022"), ("t.440100.shantytown_starts", "2,000")],
        )
        .await;
    assert_eq!(set.status, 303, "{}", set.text);
    browser.sign_in(&app, "gz_officer").await;
    browser.goto(&app.url("/reports/440100/2022Q1")).await;
    let benchmark = browser.find(".report-meta .benchmark").await.text().await;
    browser
        .check(
            benchmark.contains("序时进度 25.0%"),
            &format!("no time benchmark: {benchmark}"),
        )
        .await;
    let field = browser.find("#value-shantytown_starts").await;
    field.type_text("1000").await;
    browser
        .wait_until(
            "document.getElementById('computed-shantytown_starts').innerText.includes('50.0%')",
            "the rate of the typed figure",
        )
        .await;
    let computed = browser.find("#computed-shantytown_starts").await.text().await;
    browser
        .check(
            computed.contains("达到序时进度") && computed.contains("+25.0"),
            &format!("status or gap missing: {computed}"),
        )
        .await;
    field.clear().await;
    field.type_text("１００").await;
    browser
        .wait_until(
            "document.getElementById('computed-shantytown_starts').innerText.includes('5.0%')",
            "the rate of a full-width figure",
        )
        .await;
    let computed = browser.find("#computed-shantytown_starts").await.text().await;
    let warning = browser.find("#messages-shantytown_starts").await.text().await;
    browser
        .check(
            computed.contains("明显滞后") && warning.contains("情况说明"),
            &format!("behind status or note warning missing: {computed} / {warning}"),
        )
        .await;
    browser
        .check(
            browser.current_url().await.ends_with("/reports/440100/2022Q1"),
            "the check navigated away",
        )
        .await;
    let stored = app
        .conn()
        .query_row(
            "SELECT count(*) FROM reports WHERE region_code = '440100' AND year = 2022",
            [],
            |row| row.get::<_, i64>(0),
        )
        .unwrap_or(-1);
    browser.check(stored == 0, "the live check stored a report").await;
    let relief = browser.find("#computed-rent_relief_amount").await;
    browser
        .find("#value-rent_relief_amount")
        .await
        .type_text("1250000")
        .await;
    browser
        .wait_until(
            "document.getElementById('computed-rent_relief_amount').innerText.includes('不设目标任务')",
            "the no-target wording",
        )
        .await;
    drop(relief);
    let target = browser
        .find("tr[data-key='shantytown_completions'] td:nth-of-type(2)")
        .await
        .text()
        .await;
    browser
        .check(
            target.contains("年度目标尚未下达"),
            &format!("a targeted indicator without a target: {target}"),
        )
        .await;

    // The same form on a phone: no sideways scrolling of the page.
    browser.resize(390, 900).await;
    browser.goto(&app.url("/reports/440100/2022Q1")).await;
    browser.find("#value-shantytown_starts").await;
    let width = browser.script("return window.innerWidth;").await.as_i64().unwrap_or(0);
    browser
        .check(
            width > 0 && width <= 400,
            &format!("the window is {width} px wide, not a phone's"),
        )
        .await;
    browser
        .check(
            !browser.scrolls_sideways().await,
            "the entry form scrolls sideways at 390 px",
        )
        .await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_province_approves_three_reports_at_once_each_audited() {
    let Some(browser) = browser::start("batch_approve").await else {
        return;
    };
    let app = TestApp::demo().await;
    let audited = || {
        app.conn()
            .query_row(
                "SELECT count(*) FROM audit_log WHERE action = 'status' AND new_value = 'approved' AND period = '2021Q4'",
                [],
                |row| row.get::<_, i64>(0),
            )
            .unwrap_or(-1)
    };
    let before = audited();
    browser.sign_in(&app, "admin").await;
    browser.goto(&app.url("/admin/approvals?period=2021Q4")).await;
    for code in ["440400", "440700", "441200"] {
        browser
            .find(&format!("input[name='batch.{code}.2021Q4']"))
            .await
            .click()
            .await;
    }
    browser.find("#batch-approve button[type=submit]").await.click().await;
    browser.wait_for_url("done=batch").await;
    for code in ["440400", "440700", "441200"] {
        browser
            .check(
                browser.count(&format!("#r-{code}-2021Q4")).await == 0,
                &format!("{code} still waits for review"),
            )
            .await;
    }
    let after = audited();
    browser
        .check(after == before + 3, &format!("audit rows {before} → {after}"))
        .await;
    // The reminder list names the cities still owing the latest due quarter.
    let reminders = browser.find("#reminders").await.text().await;
    browser
        .check(
            reminders.contains("催报通知") && reminders.contains("广东省住房和城乡建设厅"),
            &format!("no reminder notice: {reminders}"),
        )
        .await;
    browser.quit().await;
    app.stop().await;
}

/// The approvals page on a phone: the queue, what changed since a return, the 催报 list and the
/// approved list fit 390 px — neither the page nor any item scrolls sideways — in both languages.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_approvals_page_fits_a_phone_in_both_languages() {
    let Some(browser) = browser::start("approvals_phone").await else {
        return;
    };
    let app = TestApp::demo().await;
    browser.sign_in(&app, "admin").await;
    browser.resize(390, 900).await;
    for lang in ["zh", "en"] {
        for path in ["/admin/approvals", "/admin/approvals?period=2021Q4&status=approved"] {
            let join = if path.contains('?') { '&' } else { '?' };
            browser.goto(&app.url(&format!("{path}{join}lang={lang}"))).await;
            browser.find("h1").await;
            let widths = browser
                .script(
                    "const wide = [];
                     for (const el of document.querySelectorAll('.queue-item, .reminders, main table')) {
                       if (el.scrollWidth > el.clientWidth + 1) wide.push(el.className + ' ' + el.scrollWidth + '>' + el.clientWidth);
                     }
                     return {page: document.documentElement.scrollWidth, inner: window.innerWidth, wide};",
                )
                .await;
            let page = widths["page"].as_i64().unwrap_or(i64::MAX);
            let inner = widths["inner"].as_i64().unwrap_or(0);
            browser
                .check(
                    inner > 0 && inner <= 400 && page <= inner,
                    &format!("{path} ({lang}) is {page} px wide in a {inner} px window"),
                )
                .await;
            browser
                .check(
                    widths["wide"].as_array().is_some_and(Vec::is_empty),
                    &format!("{path} ({lang}): items scroll sideways: {}", widths["wide"]),
                )
                .await;
        }
    }
    browser.quit().await;
    app.stop().await;
}
