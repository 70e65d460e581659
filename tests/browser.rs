//! The pages in a real headless Chromium against a real server: sign-in per role and what the
//! navigation offers, the dashboard's cards and charts, the period and language switches, and an
//! officer's report from a corrected typo through approval to the dashboard.
//!
//! Each test is one browser session; a failed check saves a screenshot under
//! `target/browser-screenshots/`.

mod common;

use common::browser::Browser;
use common::{TestApp, browser};
use serde_json::json;

/// The labels of the main navigation.
async fn navigation(browser: &Browser) -> Vec<String> {
    browser.texts("nav.site-nav a").await
}

/// Fails the test when the page logged errors to the console (a CSP violation, a failed load,
/// a missing favicon).
async fn check_console(browser: &Browser, page: &str) {
    let errors = browser.console_errors().await;
    browser
        .check(errors.is_empty(), &format!("console errors on {page}: {errors:?}"))
        .await;
}

/// Fails unless every `img`, inline `svg` and stylesheet on the page loaded and has a size.
/// Clicks `target` in the second column's heading of `table` and checks that the rows (the total
/// row aside) come out in descending order of that column's first data cell.
async fn click_sorts_descending(browser: &Browser, target: &str, table: &str, what: &str) {
    browser.find(target).await.click().await;
    browser
        .wait_until(
            &format!(
                "document.querySelector('{table} thead th:nth-child(2)').getAttribute('aria-sort') === 'descending'"
            ),
            &format!("{what} to sort"),
        )
        .await;
    let sorted = browser
        .script(&format!(
            "return Array.from(document.querySelectorAll('{table} tbody tr:not(.total-row) td:nth-of-type(1)'),
                 td => Number(td.getAttribute('data-sort')));"
        ))
        .await;
    let column: Vec<f64> = sorted
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_f64())
        .collect();
    browser
        .check(
            column.len() > 10 && column.windows(2).all(|w| w[0] >= w[1]),
            &format!("{what} is not sorted descending: {column:?}"),
        )
        .await;
}

/// Runs axe-core on the page and fails on any serious or critical violation.
async fn check_accessible(browser: &Browser, page: &str) {
    static AXE: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let Some(source) = AXE.get_or_init(browser::axe_source) else {
        return;
    };
    let loaded = browser
        .script_with(
            "if (!window.axe) { (0, eval)(arguments[0]); } return typeof window.axe;",
            json!([source]),
        )
        .await;
    browser
        .check(
            loaded == "object",
            &format!("axe-core did not load on {page}: {loaded}"),
        )
        .await;
    let found = browser
        .script_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] })
               .then(r => done(r.violations
                   .filter(v => v.impact === 'serious' || v.impact === 'critical')
                   .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '))))
               .catch(e => done(['axe failed: ' + e]));",
            json!([]),
        )
        .await;
    browser
        .check(
            found.as_array().is_some_and(Vec::is_empty),
            &format!("accessibility violations on {page}: {found}"),
        )
        .await;
}

async fn check_rendered(browser: &Browser, page: &str) {
    let broken = browser
        .script(
            "return [].concat(
                Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0).map(i => 'img ' + i.src),
                Array.from(document.querySelectorAll('main svg')).filter(s => {
                    const r = s.getBoundingClientRect(); return r.width === 0 || r.height === 0;
                }).map(s => 'svg ' + (s.getAttribute('aria-label') || s.id || '?')),
                document.styleSheets.length === 0 ? ['no stylesheet'] : []
            );",
        )
        .await;
    browser
        .check(
            broken.as_array().is_some_and(Vec::is_empty),
            &format!("not rendered on {page}: {broken}"),
        )
        .await;
    check_accessible(browser, page).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_briefing_bulletin_and_narrow_dashboard_are_accessible() {
    let Some(browser) = browser::start("briefing").await else {
        return;
    };
    let app = TestApp::demo().await;
    browser.sign_in(&app, "leader").await;
    browser
        .wait_until("location.pathname === '/'", "the dashboard after sign-in")
        .await;
    for page in [
        "/briefing",
        "/briefing?period=2020Q2",
        "/bulletin?period=2020Q1",
        "/?period=2020Q2",
    ] {
        browser.goto(&app.url(page)).await;
        browser.find("main h1").await;
        check_rendered(&browser, page).await;
        check_console(&browser, page).await;
    }
    browser.goto(&app.url("/briefing")).await;
    let maps = browser.count(".briefing-charts svg").await;
    browser
        .check(maps == 2, &format!("the briefing's map and ranking: {maps}"))
        .await;
    // At 390 px no chart's frame runs off the side (a chart scrolls inside its own frame).
    browser.resize(390, 900).await;
    browser.goto(&app.url("/")).await;
    browser.find("section.cards").await;
    let overflowing = browser
        .script(
            "return Array.from(document.querySelectorAll('figure.chart'))
                .filter(s => s.getBoundingClientRect().right > document.documentElement.clientWidth + 1).length;",
        )
        .await;
    browser
        .check(overflowing == 0, &format!("{overflowing} charts wider than the screen"))
        .await;
    check_rendered(&browser, "/ at 390 px").await;
    browser.quit().await;
    app.stop().await;
}

/// A browser session (named for its screenshots) signed in as the demo leader, on the
/// dashboard; none when no browser is installed.
async fn signed_in_leader(name: &str) -> Option<(Browser, TestApp)> {
    let browser = browser::start(name).await?;
    let app = TestApp::demo().await;
    browser.sign_in(&app, "leader").await;
    browser
        .wait_until("location.pathname === '/'", "the dashboard after sign-in")
        .await;
    Some((browser, app))
}

/// The smallest chart text on the page as it appears on screen, in CSS pixels: each SVG text's
/// computed font size times the scale of its chart (drawn width over viewBox width).
const SMALLEST_CHART_TEXT: &str = "
    let smallest = Infinity, where = '';
    for (const svg of document.querySelectorAll('svg.chart-svg')) {
        const box = svg.viewBox.baseVal;
        const drawn = svg.getBoundingClientRect().width;
        if (!box || !box.width || !drawn) continue;
        const scale = drawn / box.width;
        for (const text of svg.querySelectorAll('text')) {
            const px = parseFloat(getComputedStyle(text).fontSize) * scale;
            if (px < smallest) { smallest = px; where = text.textContent; }
        }
    }
    return [smallest, where];";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chart_text_is_at_least_11_px_on_a_phone_and_on_a_desktop() {
    let Some((browser, app)) = signed_in_leader("chart-text").await else {
        return;
    };
    let shots = browser::screenshot_dir();
    // Tall windows, so each screenshot shows the whole page for review.
    for (width, height) in [(390, 3200), (1280, 2400)] {
        browser.resize(width, height).await;
        for (name, page) in [
            ("dashboard", "/?period=2021Q2"),
            ("city", "/regions/440100?year=2021"),
            ("briefing", "/briefing?period=2021Q2"),
            ("indicator", "/indicators/shantytown_starts?period=2021Q2"),
        ] {
            browser.goto(&app.url(page)).await;
            browser.find("main h1").await;
            browser
                .screenshot(&shots.join(format!("review-{name}-{width}.png")))
                .await;
            let found = browser.script(SMALLEST_CHART_TEXT).await;
            let smallest = found[0].as_f64().unwrap_or(0.0);
            browser::announce(&format!("{page} at {width} px: smallest chart text {smallest:.1} px"));
            browser
                .check(
                    smallest + 0.01 >= 11.0,
                    &format!("{page} at {width} px: chart text {smallest:.1} px ({})", found[1]),
                )
                .await;
            browser
                .check(
                    !browser.scrolls_sideways().await,
                    &format!("{page} at {width} px scrolls sideways"),
                )
                .await;
        }
    }
    browser.goto(&app.url("/charts/map.svg?period=2021Q2")).await;
    browser.screenshot(&shots.join("review-map.png")).await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_leaders_dashboard_bulletin_and_completeness_fit_a_phone() {
    let Some(browser) = browser::start("city-leader").await else {
        return;
    };
    let app = TestApp::demo().await;
    browser.sign_in(&app, "sg_leader").await;
    browser
        .wait_until("location.pathname === '/'", "the dashboard after sign-in")
        .await;
    let shots = browser::screenshot_dir();
    for (width, height) in [(390, 3200), (1280, 2400)] {
        browser.resize(width, height).await;
        for (name, page) in [
            ("dashboard", "/?period=2021Q4"),
            ("bulletin", "/bulletin?period=2021Q4"),
            ("completeness", "/completeness?period=2021Q4"),
        ] {
            browser.goto(&app.url(page)).await;
            browser.find("main h1").await;
            browser
                .screenshot(&shots.join(format!("review-city-{name}-{width}.png")))
                .await;
            let text = browser.page_text().await;
            browser
                .check(text.contains("韶关市"), &format!("{page} at {width} px: the city"))
                .await;
            browser
                .check(
                    !text.contains("广州市"),
                    &format!("{page} at {width} px names another city"),
                )
                .await;
            browser
                .check(
                    !browser.scrolls_sideways().await,
                    &format!("{page} at {width} px scrolls sideways"),
                )
                .await;
            check_rendered(&browser, &format!("{page} at {width} px")).await;
            check_console(&browser, page).await;
        }
        // Without the tile map the trend keeps one chart column's width: as wide as the
        // ranking beside the overview at 1280 px, the whole width on a phone.
        browser.goto(&app.url("/?period=2021Q4")).await;
        let widths = browser
            .script(
                "const w = s => document.querySelector(s).getBoundingClientRect().width;
                 return [w('figure.trend-chart'), w('section.charts figure.chart'), w('main')];",
            )
            .await;
        let width_of = |i: usize| widths[i].as_f64().unwrap_or_default();
        let (trend, column, main) = (width_of(0), width_of(1), width_of(2));
        browser
            .check(
                (trend - column).abs() < 2.0 && (width > 1000 || trend > main * 0.9),
                &format!(
                    "at {width} px the trend is {trend:.0} px, a chart column {column:.0} px, the page {main:.0} px"
                ),
            )
            .await;
    }
    browser.resize(390, 3200).await;
    browser.goto(&app.url("/?period=2021Q4")).await;
    let cards = browser.count("section.cards article.card").await;
    browser.check(cards > 0, "the city's cards").await;
    let rows = browser.count("table.matrix tbody tr").await;
    browser
        .check(rows == 12, &format!("韶关市 and its 11 units in the table: {rows}"))
        .await;
    let maps = browser.count("figure.map-chart").await;
    browser.check(maps == 0, "no province tile map in a city's view").await;
    // The city admin's approvals with the send-up form, and the province's completeness page.
    for (who, page) in [
        ("sg_admin", "/admin/approvals?period=2022Q1"),
        ("admin", "/completeness?period=2021Q4"),
    ] {
        browser.sign_out().await;
        browser.sign_in(&app, who).await;
        for (width, height) in [(390, 3200), (1280, 2400)] {
            browser.resize(width, height).await;
            browser.goto(&app.url(page)).await;
            browser.find("main h1").await;
            browser
                .screenshot(&shots.join(format!(
                    "review-{who}-{}-{width}.png",
                    page.split(['/', '?']).nth(1).unwrap_or("page")
                )))
                .await;
            browser
                .check(
                    !browser.scrolls_sideways().await,
                    &format!("{page} at {width} px scrolls sideways"),
                )
                .await;
            check_rendered(&browser, &format!("{who} {page} at {width} px")).await;
        }
    }
    browser.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_briefing_prints_on_one_a4_page() {
    let Some((browser, app)) = signed_in_leader("print").await else {
        return;
    };
    let shots = browser::screenshot_dir();
    let _ = std::fs::create_dir_all(&shots);
    for (name, page, most) in [
        ("briefing", "/briefing?period=2021Q2", 1),
        ("briefing-q1", "/briefing?period=2021Q1", 1),
        // The dashboard's print is saved for review and its pages counted, not held to a number.
        ("dashboard", "/?period=2021Q2", usize::MAX),
    ] {
        browser.goto(&app.url(page)).await;
        browser.find("main h1").await;
        let pdf = browser.print_a4().await;
        let _ = std::fs::write(shots.join(format!("print-{name}.pdf")), &pdf);
        let pages = browser::pdf_pages(&pdf);
        browser::announce(&format!("{page} prints on {pages} A4 pages"));
        browser
            .check(
                (1..=most).contains(&pages),
                &format!("{page} prints on {pages} pages, at most {most}"),
            )
            .await;
    }
    browser.quit().await;
    app.stop().await;
}

const ADMIN_PAGES: [&str; 3] = ["审核", "目标任务", "用户"];
const OFFICER_PAGE: &str = "本市填报";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_role_is_offered_only_its_own_pages_and_each_opens() {
    let Some(browser) = browser::start("navigation").await else {
        return;
    };
    let app = TestApp::demo().await;
    for username in ["admin", "gz_officer", "leader", "analyst"] {
        browser.sign_in(&app, username).await;
        let nav = navigation(&browser).await;
        let offers = |label: &str| nav.iter().any(|n| n == label);
        browser
            .check(offers("总览"), &format!("{username} has no dashboard link: {nav:?}"))
            .await;
        let admin = username == "admin";
        for label in ADMIN_PAGES {
            browser
                .check(
                    offers(label) == admin,
                    &format!("{username}: admin link {label} in {nav:?}"),
                )
                .await;
        }
        browser
            .check(
                offers(OFFICER_PAGE) == (username == "gz_officer"),
                &format!("{username}: {OFFICER_PAGE} in {nav:?}"),
            )
            .await;
        browser
            .check(
                // Officers read their own region's log (the policy opens it, so the navigation
                // offers it); leaders do not.
                offers("审计") == matches!(username, "admin" | "analyst" | "gz_officer"),
                &format!("{username}: audit link in {nav:?}"),
            )
            .await;
        // Every link offered opens a page of its own, without an error or a console complaint.
        let hrefs = browser
            .script("return Array.from(document.querySelectorAll('nav.site-nav a'), a => a.getAttribute('href'));")
            .await;
        for href in hrefs.as_array().into_iter().flatten().filter_map(|h| h.as_str()) {
            let link = browser.find(&format!("nav.site-nav a[href=\"{href}\"]")).await;
            link.click().await;
            browser
                .wait_until(
                    &format!(
                        "location.pathname === {} && document.readyState === 'complete'",
                        json!(href)
                    ),
                    &format!("{username} to reach {href}"),
                )
                .await;
            browser
                .check(
                    browser.count("main h1").await == 1 && browser.count(".error-page").await == 0,
                    &format!("{username}: {href} did not render its page"),
                )
                .await;
            check_rendered(&browser, href).await;
            check_console(&browser, href).await;
        }
        browser.sign_out().await;
    }
    // Signed out, a page sends the browser back to the login form.
    browser.goto(&app.url("/admin/approvals")).await;
    browser.wait_for_url("/login").await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_cards_and_charts_and_switches_period_and_language() {
    let Some(browser) = browser::start("dashboard").await else {
        return;
    };
    let app = TestApp::demo().await;
    browser.sign_in(&app, "leader").await;
    browser
        .wait_until("location.pathname === '/'", "the dashboard after sign-in")
        .await;
    let text = browser.page_text().await;
    browser
        .check(text.contains("住房保障目标任务跟踪"), "product name missing")
        .await;
    browser
        .check(text.contains("演示数据"), "demo-data label missing")
        .await;

    // One card per indicator, each with a figure.
    browser.find("section.cards article.card").await;
    let values = browser.texts("section.cards .card-value").await;
    browser
        .check(
            values.len() == 7,
            &format!("expected 7 indicator cards, got {values:?}"),
        )
        .await;
    browser
        .check(
            values.iter().all(|v| v.chars().any(|c| c.is_ascii_digit())),
            &format!("a card without a figure: {values:?}"),
        )
        .await;
    let rates = browser.texts("section.cards .card-rate").await;
    browser
        .check(
            rates.len() == 5 && rates.iter().all(|r| r.ends_with('%')),
            &format!("card rates: {rates:?}"),
        )
        .await;

    // Both charts are drawn with a size, and their SVG and PNG downloads load as images.
    let charts = browser.count("figure.chart svg").await;
    browser
        .check(
            charts == 4,
            &format!("expected the overview, ranking, tile map and trend charts, found {charts}"),
        )
        .await;
    check_rendered(&browser, "/").await;
    let downloads = browser
        .script_async(
            "const done = arguments[arguments.length - 1];
             const links = Array.from(document.querySelectorAll('figure.chart a[href^=\"/charts/\"]'), a => a.href);
             Promise.all(links.map(href => new Promise((ok, bad) => {
                 const img = new Image();
                 img.onload = () => ok({ href, width: img.naturalWidth, height: img.naturalHeight });
                 img.onerror = () => bad(href + ' did not load as an image');
                 img.src = href;
             })))
               .then(done, error => done(String(error)));",
            json!([]),
        )
        .await;
    let sized = downloads.as_array().map(|list| {
        list.len() == 6
            && list
                .iter()
                .all(|d| d["width"].as_f64().unwrap_or(0.0) > 0.0 && d["height"].as_f64().unwrap_or(0.0) > 0.0)
    });
    browser
        .check(sized == Some(true), &format!("chart downloads: {downloads}"))
        .await;
    check_console(&browser, "/").await;

    // A click on an indicator's name in the city × indicator table sorts by it, staying on the
    // page; the link beside the name is what opens the indicator.
    click_sorts_descending(
        &browser,
        "table.matrix thead th:nth-child(2) .heading-name",
        "table.matrix",
        "the city × indicator table",
    )
    .await;
    browser
        .check(
            !browser.current_url().await.contains("/indicators/"),
            "a click on the heading left the dashboard",
        )
        .await;

    // The period selector submits itself on change (app.js, allowed by the CSP).
    browser.find("#period option[value='2021Q2']").await.click().await;
    browser.wait_for_url("period=2021Q2").await;
    browser.wait_for_text("2021年第二季度").await;
    browser
        .find("#indicator option[value='public_rental_starts']")
        .await
        .click()
        .await;
    browser.wait_for_url("indicator=public_rental_starts").await;
    browser
        .check(
            browser.current_url().await.contains("period=2021Q2"),
            "the ranking picker lost the period",
        )
        .await;
    check_rendered(&browser, "/?period=2021Q2").await;

    // The language switch keeps the page and the period, and the choice sticks.
    browser.find("a.lang-switch").await.click().await;
    browser.wait_for_url("lang=en").await;
    browser.wait_for_text("Housing Security Target Tracker").await;
    let head = browser.find("main h1").await.text().await;
    browser
        .check(
            head.contains("Q2 2021"),
            &format!("English heading lost the period: {head}"),
        )
        .await;
    browser
        .check(
            browser.script("return document.documentElement.lang").await == "en",
            "html lang is not en",
        )
        .await;
    let nav = navigation(&browser).await;
    browser
        .check(
            nav.iter().any(|n| n == "Dashboard"),
            &format!("navigation not in English: {nav:?}"),
        )
        .await;
    browser.find("main a[href^='/indicators/']").await.click().await;
    browser.wait_for_url("/indicators/").await;
    browser
        .check(
            browser.script("return document.documentElement.lang").await == "en",
            "English was not remembered on the next page",
        )
        .await;

    // The indicator page: its chart renders and its table sorts by a click on a heading.
    check_rendered(&browser, "indicator page").await;
    click_sorts_descending(&browser, "table.data thead th:nth-child(2)", "table.data", "the table").await;
    check_console(&browser, "indicator page").await;

    // A city's page: its trend charts render too.
    browser
        .find("table.data a[href^='/regions/440100']")
        .await
        .click()
        .await;
    browser.wait_for_url("/regions/440100").await;
    browser
        .check(browser.count("main svg").await > 0, "the city page has no chart")
        .await;
    check_rendered(&browser, "/regions/440100").await;
    check_console(&browser, "/regions/440100").await;

    browser.find("a.lang-switch").await.click().await;
    browser.wait_for_url("lang=zh").await;
    browser.wait_for_text("住房保障目标任务跟踪").await;
    browser
        .check(
            browser.script("return document.documentElement.lang").await == "zh-CN",
            "html lang is not zh-CN after switching back",
        )
        .await;
    browser
        .check(
            browser.current_url().await.contains("/regions/440100"),
            "switching back left the city page",
        )
        .await;
    browser.quit().await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_officer_corrects_an_inline_error_and_the_approved_figure_reaches_the_dashboard() {
    let Some(browser) = browser::start("report_flow").await else {
        return;
    };
    let app = TestApp::demo().await;
    browser.sign_in(&app, "gz_officer").await;
    browser.find("nav.site-nav a[href='/reports']").await.click().await;
    browser.wait_for_url("/reports").await;
    browser.goto(&app.url("/reports/440100/2022Q1")).await;
    browser.wait_for_text("2022年第一季度").await;

    // A figure that is not a whole number comes back beside its field, as typed.
    browser.find("#value-shantytown_starts").await.type_text("12,345").await;
    browser.find("#value-public_rental_starts").await.type_text("-80").await;
    browser.find("button[name=action][value=submit]").await.click().await;
    browser.find("#error-public_rental_starts").await;
    let placed = browser
        .script(
            "const input = document.getElementById('value-public_rental_starts');
             const error = document.getElementById('error-public_rental_starts');
             return input.closest('td') === error.closest('td')
                 && input.getAttribute('aria-invalid') === 'true'
                 && input.getAttribute('aria-describedby') === error.id
                 && error.getBoundingClientRect().height > 0;",
        )
        .await;
    browser
        .check(placed == true, "the error is not shown beside its field")
        .await;
    let kept = browser
        .script(
            "return [document.getElementById('value-public_rental_starts').value,
                     document.getElementById('value-shantytown_starts').value];",
        )
        .await;
    browser
        .check(
            kept == json!(["-80", "12,345"]),
            &format!("typed values not kept: {kept}"),
        )
        .await;
    browser
        .check(
            browser.count("tr.has-error").await == 1 && browser.count("p.form-error").await >= 1,
            "expected one row in error and a summary",
        )
        .await;

    // The 422 answer is logged by the browser as a failed load: expected here.
    browser.console_errors().await;

    // Corrected, the report goes in.
    let field = browser.find("#value-public_rental_starts").await;
    field.clear().await;
    field.type_text("800").await;
    browser.find("button[name=action][value=submit]").await.click().await;
    browser.wait_for_url("done=submitted").await;
    browser.wait_for_text("已提交，等待省厅审核。").await;
    browser
        .check(
            browser.count("#value-shantytown_starts").await == 0,
            "a submitted report is still editable",
        )
        .await;
    browser.sign_out().await;

    // The administrator approves it from the queue.
    browser.sign_in(&app, "admin").await;
    browser
        .find("nav.site-nav a[href='/admin/approvals']")
        .await
        .click()
        .await;
    browser.wait_for_url("/admin/approvals").await;
    let item = browser.find("#r-440100-2022Q1").await;
    let shown = item.text().await;
    browser
        .check(
            shown.contains("12,345") && shown.contains("800"),
            &format!("queue item lacks the figures: {shown}"),
        )
        .await;
    browser
        .find("#r-440100-2022Q1 form[action$='/approve'] button")
        .await
        .click()
        .await;
    browser.wait_for_url("done=approve").await;
    browser
        .check(
            browser.count("#r-440100-2022Q1").await == 0,
            "approved report still queued",
        )
        .await;

    // The dashboard for the quarter: Guangzhou is the only reporter, so the province's cards
    // carry its figures.
    browser.goto(&app.url("/?period=2022Q1")).await;
    browser.find("section.cards").await;
    let values = browser.texts("section.cards .card-value").await;
    browser
        .check(
            values.first().is_some_and(|v| v.contains("12,345")) && values.get(2).is_some_and(|v| v.contains("800")),
            &format!("dashboard cards do not show the new figures: {values:?}"),
        )
        .await;
    let guangzhou = browser
        .script(
            "const link = document.querySelector('table.matrix a[href^=\"/regions/440100\"]');
             return link ? link.closest('tr').innerText : '';",
        )
        .await;
    browser
        .check(
            guangzhou.as_str().is_some_and(|row| row.contains("已审核")),
            &format!("Guangzhou's row does not say approved: {guangzhou}"),
        )
        .await;
    check_rendered(&browser, "/?period=2022Q1").await;
    check_console(&browser, "/?period=2022Q1").await;
    browser.quit().await;
    app.stop().await;
}

/// The targets and users pages of a city admin (its city read-only, its units editable) and
/// of the province, at a phone's and a desktop's width: rendered, accessible, no sideways
/// scrolling of the page; screenshots kept under `target/browser-screenshots/` for review.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_city_admins_and_the_provinces_targets_and_users_pages_render_at_both_widths() {
    let Some(browser) = browser::start("city-admin").await else {
        return;
    };
    let app = TestApp::demo().await;
    let shots = browser::screenshot_dir();
    let _ = std::fs::create_dir_all(&shots);
    for username in ["sg_admin", "admin"] {
        browser.sign_in(&app, username).await;
        for (width, height) in [(390, 2400), (1280, 1600)] {
            browser.resize(width, height).await;
            for (name, page) in [
                ("targets", "/admin/targets?year=2021"),
                ("users", "/admin/users"),
                ("targets-en", "/admin/targets?year=2021&lang=en"),
                ("city", "/regions/440200?year=2021&lang=zh"),
            ] {
                browser.goto(&app.url(page)).await;
                browser.find("main h1").await;
                browser
                    .screenshot(&shots.join(format!("review-{username}-{name}-{width}.png")))
                    .await;
                check_rendered(&browser, page).await;
                check_console(&browser, page).await;
                browser
                    .check(
                        !browser.scrolls_sideways().await,
                        &format!("{username} {page} at {width} px scrolls sideways"),
                    )
                    .await;
            }
        }
        let nav = navigation(&browser).await;
        for label in ADMIN_PAGES {
            browser
                .check(
                    nav.iter().any(|n| n == label),
                    &format!("{username}: no {label} in {nav:?}"),
                )
                .await;
        }
        browser.sign_out().await;
    }
    browser.quit().await;
    app.stop().await;
}
