//! A headless Chromium driven through chromedriver with `fantoccini`: start it, open pages, find
//! elements, type, click, read, screenshot. Each step fails the test, with a screenshot, rather
//! than returning an error.
#![allow(dead_code)]

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use axum::http::Method;
use fantoccini::error::CmdError;
use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

/// Where Debian puts them.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium's switches: headless, no GPU, sandbox or network of its own (updates, sync, QUIC),
/// so a test talks to the test server and nothing else.
const CHROMIUM_ARGS: [&str; 10] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1600",
];

/// How long a wait for an element or a condition lasts before the test fails.
const WAIT: Duration = Duration::from_secs(10);

pub struct Browser {
    client: Client,
    driver: Child,
    /// `http://127.0.0.1:{port}/session/{id}`, to end the session from `Drop`.
    session_url: String,
    /// The session was ended by `quit`.
    ended: bool,
    /// Chromium's profile, removed when the browser is dropped.
    _profile: tempfile::TempDir,
    /// Name used for screenshots saved under `target/browser-screenshots/` on failure.
    pub name: String,
}

/// axe-core's script, as `.ci/run` installs it (`npm install --prefix target/axe axe-core`), or
/// from `AXE_CORE_JS`.
pub fn axe_source() -> Option<String> {
    let path = std::env::var("AXE_CORE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/axe/node_modules/axe-core/axe.min.js"));
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(error) => {
            let reason = format!(
                "axe-core checks skipped: {} unreadable ({error}); run `npm install --prefix target/axe axe-core`",
                path.display()
            );
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{reason}; CI=true requires axe-core");
            }
            announce(&reason);
            None
        }
    }
}

/// Starts a browser, or explains why not: `None` skips the test, except on CI where a missing
/// browser is a failure.
pub async fn start(name: &str) -> Option<Browser> {
    let missing: Vec<&str> = [CHROMEDRIVER, CHROMIUM]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if !missing.is_empty() {
        let reason = format!(
            "browser test {name} skipped: {} not installed (apt-get install chromium chromium-driver)",
            missing.join(", ")
        );
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("{reason}; CI=true requires the browser");
        }
        announce(&reason);
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().expect("profile dir");
    let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.path().display()));
    let capabilities: Capabilities = serde_json::from_value(json!({
        "browserName": "chrome",
        "goog:loggingPrefs": { "browser": "ALL" },
        "goog:chromeOptions": { "binary": CHROMIUM, "args": args },
    }))
    .expect("capabilities");
    let base = format!("http://127.0.0.1:{port}");
    let client = ClientBuilder::new(HttpConnector::new())
        .capabilities(capabilities)
        .connect(&base)
        .await
        .expect("new webdriver session");
    let session = client.session_id().await.ok().flatten().expect("webdriver session id");
    Some(Browser {
        client,
        driver,
        session_url: format!("{base}/session/{session}"),
        ended: false,
        _profile: profile,
        name: name.to_owned(),
    })
}

/// chromedriver's log of the page's console, which fantoccini has no call for.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(json!({ "type": "browser" }).to_string()))
    }
}

impl Browser {
    /// The value of a WebDriver call, or the test fails saying `what`.
    async fn ok<T>(&self, result: Result<T, CmdError>, what: &str) -> T {
        match result {
            Ok(value) => value,
            Err(error) => self.fail(&format!("{what}: {error}")).await,
        }
    }

    pub async fn goto(&self, url: &str) {
        let result = self.client.goto(url).await;
        self.ok(result, &format!("open {url}")).await;
    }

    pub async fn current_url(&self) -> String {
        let result = self.client.current_url().await;
        self.ok(result, "read the address").await.to_string()
    }

    /// Sets the size of the window (the viewport's width follows it).
    pub async fn resize(&self, width: u32, height: u32) {
        let result = self.client.set_window_size(width, height).await;
        self.ok(result, &format!("resize to {width}×{height}")).await;
    }

    /// The first element matching a CSS selector, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element<'_> {
        let found = self
            .client
            .wait()
            .at_most(WAIT)
            .every(Duration::from_millis(100))
            .for_element(Locator::Css(css))
            .await;
        Element {
            element: self.ok(found, &format!("no element {css}")).await,
            browser: self,
        }
    }

    /// How many elements match a CSS selector now.
    pub async fn count(&self, css: &str) -> usize {
        let found = self.client.find_all(Locator::Css(css)).await;
        self.ok(found, &format!("look for {css}")).await.len()
    }

    /// Runs a script in the page and returns its result.
    pub async fn script(&self, source: &str) -> Value {
        self.script_with(source, json!([])).await
    }

    /// Runs a script in the page with `arguments` and returns its result.
    pub async fn script_with(&self, source: &str, args: Value) -> Value {
        let args = args.as_array().cloned().unwrap_or_default();
        let result = self.client.execute(source, args).await;
        self.ok(result, "run a script").await
    }

    /// Runs a script that reports its result by calling its last argument.
    pub async fn script_async(&self, source: &str, args: Value) -> Value {
        let args = args.as_array().cloned().unwrap_or_default();
        let result = self.client.execute_async(source, args).await;
        self.ok(result, "run an asynchronous script").await
    }

    /// Waits until the JavaScript expression `condition` holds in the page, or fails saying `what`.
    pub async fn wait_until(&self, condition: &str, what: &str) {
        let source = format!("return !!({condition});");
        let deadline = Instant::now() + WAIT;
        // A navigation under way can make a script fail: that is a "not yet".
        while !matches!(self.client.execute(&source, vec![]).await, Ok(Value::Bool(true))) {
            if Instant::now() > deadline {
                let url = self.current_url().await;
                self.fail(&format!("timed out waiting for {what} (at {url})")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the address bar contains `fragment`.
    pub async fn wait_for_url(&self, fragment: &str) {
        self.wait_until(
            &format!("location.href.includes({})", json!(fragment)),
            &format!("an address containing {fragment}"),
        )
        .await;
    }

    /// Waits until the page shows `text`.
    pub async fn wait_for_text(&self, text: &str) {
        self.wait_until(
            &format!("document.body && document.body.innerText.includes({})", json!(text)),
            &format!("the text {text:?}"),
        )
        .await;
    }

    pub async fn page_text(&self) -> String {
        self.script("return document.body.innerText")
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The visible text of every element matching a CSS selector.
    pub async fn texts(&self, css: &str) -> Vec<String> {
        let found = self
            .script_with(
                "return Array.from(document.querySelectorAll(arguments[0]), e => e.innerText.trim());",
                json!([css]),
            )
            .await;
        found
            .as_array()
            .map(|items| items.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default()
    }

    /// The page's console messages at error level since the last call (CSP violations, failed
    /// loads, script errors).
    pub async fn console_errors(&self) -> Vec<String> {
        let result = self.client.issue_cmd(BrowserLog).await;
        let entries = self.ok(result, "read the console").await;
        entries
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .filter(|e| e["level"] == "SEVERE")
                    .filter_map(|e| e["message"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Saves a PNG of the window at `path`; a failure to take or write it is only reported, as
    /// this runs when a test is failing already.
    pub async fn screenshot(&self, path: &Path) {
        match self.client.screenshot().await {
            Ok(png) => {
                if let Some(dir) = path.parent() {
                    let _ = std::fs::create_dir_all(dir);
                }
                if let Err(error) = std::fs::write(path, png) {
                    announce(&format!("screenshot {} not saved: {error}", path.display()));
                }
            }
            Err(error) => announce(&format!("no screenshot: {error}")),
        }
    }

    /// Signs in through the login form as a person would, as `username` with the demo password.
    pub async fn sign_in(&self, app: &super::TestApp, username: &str) {
        self.goto(&app.url("/login")).await;
        self.find("#username").await.type_text(username).await;
        self.find("#password").await.type_text(super::PASSWORD).await;
        self.find("form button[type=submit]").await.click().await;
        self.wait_until(
            "!location.pathname.startsWith('/login')",
            &format!("{username} to sign in"),
        )
        .await;
    }

    /// Signs out with the header's button.
    pub async fn sign_out(&self) {
        self.find("form.logout button").await.click().await;
        self.wait_for_url("/login").await;
    }

    /// The page printed to PDF on A4 with the stylesheet's margins (14 × 12 mm), backgrounds
    /// on, not shrunk: what a reader's print dialog gives.
    pub async fn print_a4(&self) -> Vec<u8> {
        use fantoccini::wd::{PrintConfiguration, PrintMargins, PrintSize};
        let config = PrintConfiguration::builder()
            .size(PrintSize::A4)
            .margins(PrintMargins {
                top: 1.4,
                bottom: 1.4,
                left: 1.2,
                right: 1.2,
            })
            .background(true)
            .shrink_to_fit(false)
            .build()
            .expect("a valid print configuration");
        let result = self.client.print(config).await;
        self.ok(result, "print to PDF").await
    }

    /// Whether the page scrolls sideways at the current window size.
    pub async fn scrolls_sideways(&self) -> bool {
        self.script("return document.documentElement.scrollWidth > window.innerWidth;")
            .await
            .as_bool()
            .unwrap_or(true)
    }

    /// Saves a screenshot under `target/browser-screenshots/` and fails the test.
    pub async fn fail(&self, message: &str) -> ! {
        let path = screenshot_dir().join(format!("{}.png", self.name));
        self.screenshot(&path).await;
        panic!("{message} (screenshot: {})", path.display());
    }

    /// Asserts `condition`, with a screenshot when it does not hold.
    pub async fn check(&self, condition: bool, message: &str) {
        if !condition {
            self.fail(message).await;
        }
    }

    /// Closes the browser and says, past the test harness's output capture, that the test ran.
    pub async fn quit(mut self) {
        let _ = self.client.clone().close().await;
        self.ended = true;
        announce(&format!("browser test {} ran", self.name));
    }
}

/// A line on stderr that `cargo test` shows even for passing tests (it captures only the
/// `print!` family), so CI logs prove the browser tests ran rather than skipped.
pub fn announce(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

pub fn screenshot_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/browser-screenshots")
}

pub struct Element<'b> {
    browser: &'b Browser,
    element: fantoccini::elements::Element,
}

impl Element<'_> {
    pub async fn click(&self) {
        let result = self.element.click().await;
        self.browser.ok(result, "click").await;
    }

    pub async fn clear(&self) {
        let result = self.element.clear().await;
        self.browser.ok(result, "clear a field").await;
    }

    pub async fn type_text(&self, text: &str) {
        let result = self.element.send_keys(text).await;
        self.browser.ok(result, &format!("type {text:?}")).await;
    }

    pub async fn text(&self) -> String {
        let result = self.element.text().await;
        self.browser.ok(result, "read an element's text").await
    }

    pub async fn attribute(&self, name: &str) -> Option<String> {
        let result = self.element.attr(name).await;
        self.browser.ok(result, &format!("read the attribute {name}")).await
    }
}

impl Drop for Browser {
    /// Ends the session (closing Chromium) even when a test panicked, then stops chromedriver.
    fn drop(&mut self) {
        if !self.ended {
            end_session(&self.session_url);
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// `DELETE` on the session from a thread of its own: a panicking test's runtime no longer runs
/// fantoccini's task, and chromedriver answers once Chromium has exited.
fn end_session(session_url: &str) {
    let url = session_url.to_owned();
    let ended = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        runtime.block_on(async {
            let client = reqwest::Client::builder().timeout(Duration::from_secs(10)).build()?;
            client.delete(url).send().await.map(drop)
        })?;
        Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
    })
    .join();
    if !matches!(ended, Ok(Ok(()))) {
        announce("the browser session could not be ended");
    }
}

/// The number of pages of a PDF: its `/Type /Page` objects (not `/Pages`).
pub fn pdf_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| w.starts_with(needle) && w[needle.len()] != b's')
        .count()
}
