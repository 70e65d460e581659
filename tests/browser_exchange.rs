//! The export, import and bulletin pages in a real headless Chromium: they fit 1,280 and 390 px without
//! page-level sideways scrolling, and screenshots of both widths are kept for people to look at
//! under `target/browser-screenshots/`.

mod common;

use common::TestApp;
use common::browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn export_and_import_pages_fit_desktop_and_phone_widths() {
    let Some(browser) = browser::start("exchange-pages").await else {
        return;
    };
    let app = TestApp::demo().await;
    browser.sign_in(&app, "admin").await;
    let dir = browser::screenshot_dir();
    std::fs::create_dir_all(&dir).unwrap();
    for (path, name) in [
        ("/export", "export"),
        ("/import?kind=reports", "import"),
        ("/bulletin?period=2020Q1", "bulletin"),
    ] {
        for width in [1280, 390] {
            browser.resize(width, 1400).await;
            browser.goto(&app.url(path)).await;
            browser.wait_until("document.readyState === 'complete'", path).await;
            let fits = browser
                .script("return document.documentElement.scrollWidth <= window.innerWidth;")
                .await;
            browser.screenshot(&dir.join(format!("{name}-{width}.png"))).await;
            browser
                .check(
                    fits.as_bool() == Some(true),
                    &format!("{path} scrolls sideways at {width} px"),
                )
                .await;
        }
    }
    browser.quit().await;
    app.stop().await;
}
