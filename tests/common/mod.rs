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

    /// A server on a new database with only `admin`.
    pub async fn empty() -> Self {
        Self::start(false).await
    }

    async fn start(demo: bool) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db_path = dir.path().join("anju.db");
        let store = StoreConfig {
            db: db_path.clone(),
            data_dir: dir.path().join("no-data-dir"),
        };
        let config = ServeConfig {
            demo,
            demo_password: Some(PASSWORD.into()),
            admin_password: Some(PASSWORD.into()),
            ..ServeConfig::default()
        };
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
        User {
            client: self.login(username).await,
            base: self.url(""),
        }
    }

    /// Nobody signed in, with the same helpers.
    pub fn nobody(&self) -> User {
        User {
            client: self.anonymous(),
            base: self.url(""),
        }
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
pub struct User {
    pub client: reqwest::Client,
    base: String,
}

/// What the server answered: status, headers and the whole body as text.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    /// The body as JSON (the test fails when it is not).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl User {
    async fn reply(request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        Reply { status, headers, text }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> Reply {
        Self::reply(self.client.get(self.url(path))).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        Self::reply(self.client.post(self.url(path)).form(form)).await
    }

    pub async fn put_json(&self, path: &str, body: serde_json::Value) -> Reply {
        Self::reply(self.client.put(self.url(path)).json(&body)).await
    }

    pub async fn post_json(&self, path: &str, body: serde_json::Value) -> Reply {
        Self::reply(self.client.post(self.url(path)).json(&body)).await
    }
}
