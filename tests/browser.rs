//! The pages in a real headless Chromium against a real server: sign-in per role, the
//! dashboard's cards and charts, the officer's form, approval, and the language switch.

mod common;

use common::{PASSWORD, TestApp, browser};

/// Signs in through the login form as a person would.
async fn sign_in(browser: &browser::Browser, app: &TestApp, username: &str) {
    browser.goto(&app.url("/login")).await;
    browser.find("#username").await.type_text(username).await;
    browser.find("#password").await.type_text(PASSWORD).await;
    browser.find("form button[type=submit]").await.click().await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while browser.current_url().await.contains("/login") {
        if std::time::Instant::now() > deadline {
            browser.fail(&format!("{username} could not sign in")).await;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leader_signs_in_and_sees_the_dashboard_in_chinese() {
    let Some(browser) = browser::start("leader_dashboard").await else {
        return;
    };
    let app = TestApp::demo().await;
    sign_in(&browser, &app, "leader").await;
    let text = browser.page_text().await;
    browser
        .check(text.contains("住房保障目标任务跟踪"), "product name missing")
        .await;
    browser
        .check(text.contains("演示数据"), "demo-data label missing")
        .await;
    browser.quit().await;
    app.stop().await;
}
