//! A headless Chromium driven through chromedriver's W3C WebDriver HTTP protocol, with nothing
//! but reqwest: start it, open pages, find elements, type, click, read, screenshot.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Where Debian puts them.
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const CHROMIUM: &str = "/usr/bin/chromium";

pub struct Browser {
    driver: Child,
    http: reqwest::Client,
    session: String,
    base: String,
    port: u16,
    /// The session was ended by `quit`.
    ended: bool,
    /// Chromium's profile, removed when the browser is dropped.
    _profile: tempfile::TempDir,
    /// Name used for screenshots saved under `target/browser-screenshots/` on failure.
    pub name: String,
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
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while http.get(format!("{base}/status")).send().await.is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let profile = tempfile::tempdir().expect("profile dir");
    let capabilities = json!({
        "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", "--window-size=1280,1600",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }
        }}
    });
    let response: Value = http
        .post(format!("{base}/session"))
        .json(&capabilities)
        .send()
        .await
        .expect("new session")
        .json()
        .await
        .expect("session json");
    let session = response["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {response}"))
        .to_owned();
    Some(Browser {
        driver,
        http,
        session,
        base,
        port,
        ended: false,
        _profile: profile,
        name: name.to_owned(),
    })
}

/// How long a wait for an element or a condition lasts before the test fails.
const WAIT: Duration = Duration::from_secs(10);

impl Browser {
    async fn command(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{}", self.base, self.session, path);
        let mut request = self.http.request(method, url);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let value: Value = request
            .send()
            .await
            .expect("webdriver request")
            .json()
            .await
            .expect("webdriver json");
        value["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.command(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    pub async fn current_url(&self) -> String {
        self.command(reqwest::Method::GET, "/url", None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// The first element matching a CSS selector, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element<'_> {
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self
                .command(
                    reqwest::Method::POST,
                    "/element",
                    Some(json!({ "using": "css selector", "value": css })),
                )
                .await;
            if let Some(id) = found[ELEMENT_KEY].as_str() {
                return Element {
                    browser: self,
                    id: id.to_owned(),
                };
            }
            if Instant::now() > deadline {
                self.fail(&format!("no element {css}: {found}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// How many elements match a CSS selector now.
    pub async fn count(&self, css: &str) -> usize {
        let found = self
            .command(
                reqwest::Method::POST,
                "/elements",
                Some(json!({ "using": "css selector", "value": css })),
            )
            .await;
        found.as_array().map_or(0, Vec::len)
    }

    /// Runs a script in the page and returns its result.
    pub async fn script(&self, source: &str) -> Value {
        self.script_with(source, json!([])).await
    }

    /// Runs a script in the page with `arguments` and returns its result.
    pub async fn script_with(&self, source: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": source, "args": args })),
        )
        .await
    }

    /// Runs a script that reports its result by calling its last argument.
    pub async fn script_async(&self, source: &str, args: Value) -> Value {
        self.command(
            reqwest::Method::POST,
            "/execute/async",
            Some(json!({ "script": source, "args": args })),
        )
        .await
    }

    /// Waits until the JavaScript expression `condition` holds in the page, or fails saying `what`.
    pub async fn wait_until(&self, condition: &str, what: &str) {
        let source = format!("return !!({condition});");
        let deadline = Instant::now() + WAIT;
        while self.script(&source).await != Value::Bool(true) {
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
        let entries = self
            .command(reqwest::Method::POST, "/se/log", Some(json!({ "type": "browser" })))
            .await;
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

    pub async fn screenshot(&self, path: &Path) {
        let data = self.command(reqwest::Method::GET, "/screenshot", None).await;
        if let Some(bytes) = data.as_str().and_then(base64_decode) {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(path, bytes);
        }
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
        let url = format!("{}/session/{}", self.base, self.session);
        let _ = self.http.delete(url).send().await;
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
    id: String,
}

impl Element<'_> {
    pub async fn click(&self) {
        self.browser
            .command(
                reqwest::Method::POST,
                &format!("/element/{}/click", self.id),
                Some(json!({})),
            )
            .await;
    }

    pub async fn clear(&self) {
        self.browser
            .command(
                reqwest::Method::POST,
                &format!("/element/{}/clear", self.id),
                Some(json!({})),
            )
            .await;
    }

    pub async fn type_text(&self, text: &str) {
        self.browser
            .command(
                reqwest::Method::POST,
                &format!("/element/{}/value", self.id),
                Some(json!({ "text": text })),
            )
            .await;
    }

    pub async fn text(&self) -> String {
        self.browser
            .command(reqwest::Method::GET, &format!("/element/{}/text", self.id), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn attribute(&self, name: &str) -> Option<String> {
        let value = self
            .browser
            .command(
                reqwest::Method::GET,
                &format!("/element/{}/attribute/{name}", self.id),
                None,
            )
            .await;
        value.as_str().map(str::to_owned)
    }
}

impl Drop for Browser {
    /// Ends the session (closing Chromium) even when a test panicked, then stops chromedriver.
    fn drop(&mut self) {
        if !self.ended {
            self.end_session_blocking();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// `DELETE /session/{id}` without the async runtime, for `Drop`: waits for chromedriver's
    /// answer, which comes once Chromium has exited.
    fn end_session_blocking(&self) {
        let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) else {
            return;
        };
        let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
        let request = format!(
            "DELETE /session/{} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
            self.session, self.port
        );
        if stream.write_all(request.as_bytes()).is_err() {
            return;
        }
        // chromedriver may keep the connection open: stop at the end of the JSON body.
        let mut answer = Vec::new();
        let mut chunk = [0u8; 1024];
        while let Ok(read @ 1..) = stream.read(&mut chunk) {
            answer.extend_from_slice(&chunk[..read]);
            if answer.ends_with(b"}") {
                break;
            }
        }
    }
}

/// Standard base64 (screenshots), without pulling in a crate for it.
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' | b'\n' | b'\r' => continue,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}
