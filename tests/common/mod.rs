//! A real anju server on a free loopback port with its own SQLite file, and logged-in clients.
#![allow(dead_code)]

pub mod browser;

use std::net::SocketAddr;
use std::path::PathBuf;

use anju::{ServeConfig, StoreConfig};
use tempfile::TempDir;
use tokio::sync::oneshot;

/// The demo accounts' password in tests.
pub const PASSWORD: &str = "demo-password-2020";

/// The demo's reporting units below the cities (issue 17): 韶关市's ten counties and 市本级 and
/// 湛江市's nine counties report for their cities, whose figures are their sums.
#[allow(dead_code)]
pub const DEMO_UNITS: usize = 20;

pub struct TestApp {
    pub addr: SocketAddr,
    pub dir: TempDir,
    pub db_path: PathBuf,
    pub state: anju::AppState,
    shutdown: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    /// A server on the demonstration dataset, accounts admin, gz_officer, leader, analyst.
    pub async fn demo() -> Self {
        Self::start(true).await
    }

    /// A demo server whose configuration `configure` adjusts (timeouts, limits, proxy).
    pub async fn demo_with(configure: impl FnOnce(&mut ServeConfig)) -> Self {
        Self::start_with(true, configure).await
    }

    /// A server on a new database with only `admin`.
    pub async fn empty() -> Self {
        Self::start(false).await
    }

    async fn start(demo: bool) -> Self {
        Self::start_with(demo, |_| {}).await
    }

    async fn start_with(demo: bool, configure: impl FnOnce(&mut ServeConfig)) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = dir.path().join("anju.db");
        let store = StoreConfig {
            db: db_path.clone(),
            data_dir: dir.path().join("no-data-dir"),
        };
        let mut config = ServeConfig {
            demo,
            demo_password: Some(PASSWORD.into()),
            admin_password: Some(PASSWORD.into()),
            ..ServeConfig::default()
        };
        configure(&mut config);
        let state = tokio::task::spawn_blocking(move || anju::prepare(&store, config))
            .await
            .expect("prepare task")
            .expect("prepare");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let (tx, rx) = oneshot::channel::<()>();
        let server = tokio::spawn(anju::launch(state.clone(), listener, async move {
            let _ = rx.await;
        }));
        Self {
            addr,
            dir,
            db_path,
            state,
            shutdown: Some(tx),
            server: Some(server),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A client with a cookie jar and no session.
    pub fn anonymous(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    /// A client signed in as `username` with the test password.
    pub async fn login(&self, username: &str) -> reqwest::Client {
        let client = self.anonymous();
        let response = client
            .post(self.url("/login"))
            .form(&[("username", username), ("password", PASSWORD)])
            .send()
            .await
            .expect("login request");
        assert_eq!(response.status(), 303, "login as {username} failed");
        client
    }

    /// A signed-in user whose requests read as one line each: `admin.get("/audit").await`.
    pub async fn user(&self, username: &str) -> User {
        User::new(self.login(username).await, self.url(""))
    }

    /// Nobody signed in, with the same helpers.
    pub fn nobody(&self) -> User {
        User::new(self.anonymous(), self.url(""))
    }

    /// Nobody signed in, connecting from another local `address` (another client to the
    /// sign-in throttle).
    pub fn nobody_from(&self, address: std::net::IpAddr) -> User {
        let client = reqwest::Client::builder()
            .local_address(address)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        User::new(client, self.url(""))
    }

    /// A program holding the API token `token`, without a session.
    pub fn bearer(&self, token: &str) -> User {
        self.nobody()
            .with_header(reqwest::header::AUTHORIZATION, &format!("Bearer {token}"))
    }

    /// A direct connection to the server's database file, for checking what was stored.
    pub fn conn(&self) -> rusqlite::Connection {
        let conn = rusqlite::Connection::open(&self.db_path).expect("open db");
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .expect("busy timeout");
        conn
    }

    /// Every table's rows as text, to prove that a failed request changed nothing.
    pub fn snapshot(&self) -> Vec<String> {
        snapshot(&self.conn())
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.expect("server task").expect("server");
        }
    }
}

/// The content of every data table, row by row (the sessions and login records excepted: reading
/// is allowed to touch them).
/// The sheet `name` of an XLSX file, read with calamine as an analyst's script would.
pub fn sheet(bytes: &[u8], name: &str) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    workbook.worksheet_range(name).unwrap()
}

pub fn snapshot(conn: &rusqlite::Connection) -> Vec<String> {
    let mut out = Vec::new();
    for table in [
        "meta",
        "regions",
        "indicators",
        "users",
        "targets",
        "reports",
        "report_values",
        "audit_log",
    ] {
        let mut statement = conn
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1, 2"))
            .expect("prepare");
        let columns = statement.column_count();
        let rows = statement
            .query_map([], |row| {
                let mut cells = Vec::with_capacity(columns);
                for i in 0..columns {
                    let value: rusqlite::types::Value = row.get(i)?;
                    cells.push(format!("{value:?}"));
                }
                Ok(format!("{table}: {}", cells.join(" | ")))
            })
            .expect("query");
        for row in rows {
            out.push(row.expect("row"));
        }
    }
    out
}

/// GETs `url` with `client` and returns the JSON body (the test fails when there is none).
pub async fn get_json(client: &reqwest::Client, url: impl reqwest::IntoUrl) -> serde_json::Value {
    client
        .get(url)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON body")
}

/// A client of the test server (signed in or not) with one-line requests.
#[derive(Clone)]
pub struct User {
    pub client: reqwest::Client,
    base: String,
    /// Sent with every request (see [`User::with_header`]).
    headers: reqwest::header::HeaderMap,
}

/// What the server answered: status, headers and the whole body, as bytes and as text.
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    /// The body as it came over the wire (not decompressed).
    pub bytes: Vec<u8>,
    /// The body as UTF-8 text, a byte-order mark removed, bad bytes replaced.
    pub text: String,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("headers", &self.headers)
            .field("text", &self.text)
            .finish()
    }
}

impl Reply {
    /// The body as JSON (the test fails when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Where a redirect points (the test fails when there is no `Location`).
    pub fn location(&self) -> &str {
        self.header("location")
            .unwrap_or_else(|| panic!("no Location ({}): {}", self.status, self.text))
    }
}

/// The multipart boundary of [`User::post_multipart`].
const BOUNDARY: &str = "anju-test-boundary-7f3a";

/// A `multipart/form-data` body as a browser sends a form: each field is (name, file name for
/// a file, content).
pub fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, content) in fields {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match file_name {
            Some(file_name) => format!(
                "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
            ),
            None => format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        };
        body.extend_from_slice(disposition.as_bytes());
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

impl User {
    fn new(client: reqwest::Client, base: String) -> Self {
        Self {
            client,
            base,
            headers: reqwest::header::HeaderMap::new(),
        }
    }

    async fn reply(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.headers(self.headers.clone()).send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body").to_vec();
        // As reqwest's `text()` decodes a UTF-8 body: BOM removed, bad bytes replaced.
        let text = encoding_rs::UTF_8.decode(&bytes).0.into_owned();
        Reply {
            status,
            headers,
            bytes,
            text,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The same user (same cookies) sending `name: value` with every request as well.
    pub fn with_header(&self, name: impl reqwest::header::IntoHeaderName, value: &str) -> User {
        let mut headers = self.headers.clone();
        headers.insert(name, value.parse().expect("header value"));
        User {
            client: self.client.clone(),
            base: self.base.clone(),
            headers,
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.reply(self.client.get(self.url(path))).await
    }

    /// A POST without a body.
    pub async fn post(&self, path: &str) -> Reply {
        self.reply(self.client.post(self.url(path))).await
    }

    pub async fn post_form<F: serde::Serialize + ?Sized>(&self, path: &str, form: &F) -> Reply {
        self.send_form(reqwest::Method::POST, path, form).await
    }

    pub async fn put_json(&self, path: &str, body: serde_json::Value) -> Reply {
        self.send_json(reqwest::Method::PUT, path, &body).await
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> Reply {
        self.send_json(reqwest::Method::POST, path, &body).await
    }

    /// `form` URL-encoded with any method.
    pub async fn send_form<F: serde::Serialize + ?Sized>(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &F,
    ) -> Reply {
        self.reply(self.client.request(method, self.url(path)).form(form)).await
    }

    /// `body` as JSON with any method.
    pub async fn send_json(&self, method: reqwest::Method, path: &str, body: &serde_json::Value) -> Reply {
        self.reply(self.client.request(method, self.url(path)).json(body)).await
    }

    /// A POST of `body` as it is, labelled `content_type`.
    pub async fn post_body(&self, path: &str, content_type: &str, body: impl Into<reqwest::Body>) -> Reply {
        let request = self.client.post(self.url(path)).header("content-type", content_type);
        self.reply(request.body(body)).await
    }

    /// A POST of a [`multipart`] form, as a browser uploads a file.
    pub async fn post_multipart(&self, path: &str, fields: &[(&str, Option<&str>, &[u8])]) -> Reply {
        let content_type = format!("multipart/form-data; boundary={BOUNDARY}");
        self.post_body(path, &content_type, multipart(fields)).await
    }

    /// Uploads `file` (named `name`) on `/import` as `kind`: the preview, a dry run. Its status
    /// and page.
    pub async fn preview_import(&self, kind: &str, name: &str, file: &[u8]) -> (u16, String) {
        let page = self
            .post_multipart(
                "/import",
                &[("kind", None, kind.as_bytes()), ("file", Some(name), file)],
            )
            .await;
        (page.status, page.text)
    }

    /// Confirms a previewed import of `kind` whose file the preview carried as `content`.
    pub async fn confirm_import(&self, kind: &str, content: &str) -> (u16, String) {
        let page = self
            .post_multipart(
                "/import",
                &[
                    ("kind", None, kind.as_bytes()),
                    ("content", None, content.as_bytes()),
                    ("confirm", None, b"1"),
                ],
            )
            .await;
        (page.status, page.text)
    }

    /// Previews `file` and confirms it; panics unless both succeed. The confirmation page.
    pub async fn import_file(&self, kind: &str, name: &str, file: &[u8]) -> String {
        let (status, page) = self.preview_import(kind, name, file).await;
        assert_eq!(status, 200, "{page}");
        let (status, done) = self.confirm_import(kind, &carried_content(&page)).await;
        assert_eq!(status, 200, "{done}");
        done
    }
}

/// The previewed file an import preview page carries in its confirmation form.
pub fn carried_content(page: &str) -> String {
    let marker = "name=\"content\" value=\"";
    let start = page.find(marker).expect("confirmation form") + marker.len();
    let end = start + page[start..].find('"').expect("the end of the carried file");
    page[start..end].to_owned()
}
