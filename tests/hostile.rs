//! Hostile input against the real server: every malformed, oversized, misdirected or
//! injection-shaped request gets a clear 4xx (never a 500, a panic or a dropped connection),
//! and the data tables are exactly as they were. Markup sent as data comes back as data.

mod common;

use std::io::{Read, Write as _};
use std::net::SocketAddr;
use std::time::Duration;

use common::TestApp;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

/// What came back, whichever client sent the request.
struct Answer {
    status: u16,
    content_type: String,
    body: String,
}

impl Answer {
    async fn from(response: reqwest::Result<reqwest::Response>, label: &str) -> Self {
        let response = response.unwrap_or_else(|e| {
            let e = e.to_string().chars().take(200).collect::<String>();
            panic!("{label}: no answer (server panicked?): {e}")
        });
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let body = response
            .text()
            .await
            .unwrap_or_else(|e| panic!("{label}: body cut off: {e}"));
        Self {
            status,
            content_type,
            body,
        }
    }
}

/// Sends `request` as raw bytes, so nothing normalises the path or fixes up the syntax.
async fn raw(addr: SocketAddr, request: Vec<u8>) -> Answer {
    let label = String::from_utf8_lossy(&request[..request.len().min(80)]).into_owned();
    tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
        stream.write_all(&request).expect("send");
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response).into_owned();
        let status = text
            .strip_prefix("HTTP/1.1 ")
            .and_then(|rest| rest.get(..3))
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("{label}: no HTTP answer (server panicked?): {text:?}"));
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let content_type = head
            .lines()
            .find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-type")
                    .then(|| value.trim().to_owned())
            })
            .unwrap_or_default();
        Answer {
            status,
            content_type,
            body: body.to_owned(),
        }
    })
    .await
    .expect("raw request")
}

fn get(path: &str, cookie: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n").into_bytes()
}

/// The session cookie (`name=value`) of a fresh sign-in as `username`.
async fn session_cookie(app: &TestApp, username: &str) -> String {
    let response = app
        .anonymous()
        .post(app.url("/login"))
        .form(&[("username", username), ("password", common::PASSWORD)])
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 303);
    let set_cookie = response.headers()["set-cookie"].to_str().expect("cookie").to_owned();
    set_cookie.split(';').next().expect("name=value").to_owned()
}

/// Asserts a clear refusal: a 4xx, a message rather than a stack trace, and no data changed.
fn assert_refused(app: &TestApp, before: &[String], label: &str, answer: &Answer) {
    assert!(
        (400..500).contains(&answer.status),
        "{label}: expected a 4xx, got {} {}",
        answer.status,
        answer.body.chars().take(300).collect::<String>()
    );
    for leak in [
        "panicked",
        "RUST_BACKTRACE",
        "rusqlite",
        "SQLITE",
        "sqlite3",
        "stack backtrace",
    ] {
        assert!(
            !answer.body.contains(leak),
            "{label}: internals leaked: {}",
            answer.body
        );
    }
    assert_eq!(app.snapshot(), before, "{label}: a refused request changed data");
}

/// Asserts that an API refusal is the JSON error format with a message.
fn assert_json_error(label: &str, answer: &Answer) {
    assert!(
        answer.content_type.starts_with("application/json"),
        "{label}: {}",
        answer.content_type
    );
    let body: Value = serde_json::from_str(&answer.body).unwrap_or_else(|e| panic!("{label}: {e}: {}", answer.body));
    assert!(
        body["error"].as_str().is_some_and(|m| !m.is_empty()),
        "{label}: {}",
        answer.body
    );
}

const INJECTIONS: [&str; 6] = [
    "' OR '1'='1",
    "440100'; DROP TABLE reports; --",
    "1 UNION SELECT password_hash FROM users",
    "\"; DELETE FROM audit_log; --",
    "%00",
    "../../etc/passwd",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_report_bodies_get_a_clear_4xx_and_change_nothing() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let before = app.snapshot();
    let url = app.url("/api/v1/reports/440100/2022Q1");
    let too_long_note = "长".repeat(100_000);
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let mut json_bodies: Vec<(&str, Vec<u8>)> = vec![
        ("truncated JSON", br#"{"values":"#.to_vec()),
        ("not JSON", b"values=1".to_vec()),
        ("empty body", Vec::new()),
        ("a JSON array", b"[]".to_vec()),
        ("a JSON string", br#""submit""#.to_vec()),
        ("JSON null", b"null".to_vec()),
        (
            "invalid UTF-8",
            b"{\"notes\":{\"shantytown_starts\":\"\xff\xfe\xc0\"}}".to_vec(),
        ),
        ("deep nesting", deep.into_bytes()),
        ("unknown field", br#"{"valuez":{}}"#.to_vec()),
        ("values not an object", br#"{"values":[1,2]}"#.to_vec()),
        ("submit not a bool", br#"{"submit":"yes"}"#.to_vec()),
        ("version a string", br#"{"version":"1"}"#.to_vec()),
        ("version too large", br#"{"version":1e300}"#.to_vec()),
        (
            "stale version",
            br#"{"values":{"shantytown_starts":1},"version":-1}"#.to_vec(),
        ),
        ("a fraction", br#"{"values":{"shantytown_starts":1.5}}"#.to_vec()),
        ("negative", br#"{"values":{"shantytown_starts":-1}}"#.to_vec()),
        (
            "huge",
            br#"{"values":{"shantytown_starts":99999999999999999999999}}"#.to_vec(),
        ),
        ("1e300", br#"{"values":{"shantytown_starts":1e300}}"#.to_vec()),
        ("a bool", br#"{"values":{"shantytown_starts":true}}"#.to_vec()),
        ("an object", br#"{"values":{"shantytown_starts":{"$gt":0}}}"#.to_vec()),
        ("words", br#"{"values":{"shantytown_starts":"one hundred"}}"#.to_vec()),
        ("NaN text", br#"{"values":{"shantytown_starts":"NaN"}}"#.to_vec()),
        (
            "full-width digits",
            "{\"values\":{\"shantytown_starts\":\"１２３\"}}".as_bytes().to_vec(),
        ),
        (
            "note too long",
            json!({"notes": {"shantytown_starts": too_long_note}})
                .to_string()
                .into_bytes(),
        ),
        (
            "NUL in note",
            json!({"notes": {"shantytown_starts": "a\u{0}b"}})
                .to_string()
                .into_bytes(),
        ),
        (
            "escape in note",
            json!({"notes": {"shantytown_starts": "\u{1b}[31m"}})
                .to_string()
                .into_bytes(),
        ),
        ("note not a string", br#"{"notes":{"shantytown_starts":5}}"#.to_vec()),
    ];
    for injection in INJECTIONS {
        json_bodies.push((
            "injection as indicator",
            json!({"values": {injection: 1}}).to_string().into_bytes(),
        ));
        json_bodies.push((
            "injection as a figure",
            json!({"values": {"shantytown_starts": injection}})
                .to_string()
                .into_bytes(),
        ));
        json_bodies.push((
            "injection as a note key",
            json!({"notes": {injection: "x"}}).to_string().into_bytes(),
        ));
    }
    json_bodies.push((
        "long indicator key",
        json!({"values": {"k".repeat(200_000): 1}}).to_string().into_bytes(),
    ));
    for (label, body) in json_bodies {
        let answer = Answer::from(
            admin
                .put(&url)
                .header(CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await,
            label,
        )
        .await;
        assert_refused(&app, &before, label, &answer);
        assert_json_error(label, &answer);
    }

    let valid = json!({"values": {"shantytown_starts": 1}}).to_string();
    for (label, content_type) in [
        ("text/plain", Some("text/plain")),
        ("form", Some("application/x-www-form-urlencoded")),
        ("no content type", None),
        ("nonsense content type", Some("application/json/../../x")),
    ] {
        let mut request = admin.put(&url).body(valid.clone());
        if let Some(content_type) = content_type {
            request = request.header(CONTENT_TYPE, content_type);
        }
        let answer = Answer::from(request.send().await, label).await;
        assert_refused(&app, &before, label, &answer);
        assert_json_error(label, &answer);
    }

    // Over the body limit: 413 with a JSON error, for the report API…
    let oversized = json!({"notes": {"shantytown_starts": "x".repeat(300 * 1024)}}).to_string();
    let answer = Answer::from(
        admin
            .put(&url)
            .json(&serde_json::from_str::<Value>(&oversized).unwrap())
            .send()
            .await,
        "oversized",
    )
    .await;
    assert_eq!(answer.status, 413, "{}", answer.body);
    assert_refused(&app, &before, "oversized", &answer);
    assert_json_error("oversized", &answer);
    // …and a clear 413 for the review actions and the sign-in form.
    let answer = Answer::from(
        admin
            .post(app.url("/api/v1/reports/440400/2021Q4/return"))
            .header(CONTENT_TYPE, "application/json")
            .body(vec![b' '; 2 * 1024 * 1024])
            .send()
            .await,
        "oversized review",
    )
    .await;
    assert_eq!(answer.status, 413);
    assert_refused(&app, &before, "oversized review", &answer);
    let answer = Answer::from(
        app.anonymous()
            .post(app.url("/login"))
            .form(&[("username", "x".repeat(400 * 1024)), ("password", "y".into())])
            .send()
            .await,
        "oversized login",
    )
    .await;
    assert_eq!(answer.status, 413);
    assert_refused(&app, &before, "oversized login", &answer);
    // A body declared far over the limit is refused before it is read: the server does not wait
    // for the 100 MB that never come (the read would time out first).
    for (path, kind, limit) in [
        ("PUT /api/v1/reports/440100/2021Q4", "application/json", "256 KiB"),
        ("POST /login", "text/html", "256 KiB"),
        ("POST /import", "text/html", "8 MB"),
    ] {
        let request = format!(
            "{path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n\
             Content-Length: 100000000\r\nConnection: close\r\n\r\n{{\"values\":",
            app.addr
        );
        let answer = raw(app.addr, request.into_bytes()).await;
        assert_eq!(answer.status, 413, "{path}: {}", answer.body);
        assert!(answer.content_type.starts_with(kind), "{path}: {}", answer.content_type);
        assert!(answer.body.contains("过大"), "{path}: {}", answer.body);
        assert!(answer.body.contains(limit), "{path} names its limit: {}", answer.body);
        if kind == "text/html" {
            assert!(answer.body.contains("<h1>内容过大</h1>"), "{path}: {}", answer.body);
        }
    }
    assert_eq!(app.snapshot(), before);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_actions_refuse_malformed_and_hostile_bodies() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let before = app.snapshot();
    // 440400 2021Q4 is submitted: every one of these would be a real change if accepted.
    let bodies: Vec<(&str, &str, Vec<u8>)> = vec![
        ("approve", "truncated", br#"{"comment":"#.to_vec()),
        ("approve", "invalid UTF-8", b"{\"comment\":\"\xff\"}".to_vec()),
        ("approve", "unknown field", br#"{"status":"approved"}"#.to_vec()),
        ("approve", "stale version", br#"{"version":0}"#.to_vec()),
        ("approve", "version a string", br#"{"version":"2"}"#.to_vec()),
        ("return", "no comment", b"{}".to_vec()),
        ("return", "blank comment", br#"{"comment":"   "}"#.to_vec()),
        (
            "return",
            "comment too long",
            json!({"comment": "退".repeat(10_000)}).to_string().into_bytes(),
        ),
        ("return", "comment not a string", br#"{"comment":["a"]}"#.to_vec()),
        ("reopen", "not approved yet", Vec::new()),
    ];
    for (action, label, body) in bodies {
        let label = format!("{action}: {label}");
        let answer = Answer::from(
            admin
                .post(app.url(&format!("/api/v1/reports/440400/2021Q4/{action}")))
                .header(CONTENT_TYPE, "application/json")
                .body(body)
                .send()
                .await,
            &label,
        )
        .await;
        assert_refused(&app, &before, &label, &answer);
        assert_json_error(&label, &answer);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn injection_shaped_and_very_long_parameters_are_refused_or_match_nothing() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let before = app.snapshot();
    // Long, but within what an HTTP client will put in a URL (longer ones: see the raw requests).
    let long = "广".repeat(5_000);
    let mut hostile: Vec<String> = INJECTIONS.iter().map(|s| (*s).to_owned()).collect();
    hostile.push(long.clone());
    hostile.push("2020Q1' OR '1'='1".into());
    hostile.push("<script>alert(1)</script>".into());

    for value in &hostile {
        let label = format!("{}…", value.chars().take(40).collect::<String>());
        // Path parameters of the report API, read and written.
        for (region, period) in [(value.as_str(), "2022Q1"), ("440100", value.as_str())] {
            let path = format!("/api/v1/reports/{}/{}", urlencode(region), urlencode(period));
            let answer = Answer::from(admin.get(app.url(&path)).send().await, &label).await;
            assert_refused(&app, &before, &format!("GET {label}"), &answer);
            let answer = Answer::from(
                admin
                    .put(app.url(&path))
                    .json(&json!({"values": {"shantytown_starts": 1}}))
                    .send()
                    .await,
                &label,
            )
            .await;
            assert_refused(&app, &before, &format!("PUT {label}"), &answer);
            let answer = Answer::from(admin.post(app.url(&format!("{path}/approve"))).send().await, &label).await;
            assert_refused(&app, &before, &format!("approve {label}"), &answer);
        }
        // Every filter of the progress API.
        for name in ["period", "region", "indicator"] {
            let answer = Answer::from(
                admin
                    .get(app.url("/api/v1/progress"))
                    .query(&[(name, value)])
                    .send()
                    .await,
                &label,
            )
            .await;
            assert_refused(&app, &before, &format!("progress {name}={label}"), &answer);
            assert_json_error(&label, &answer);
        }
        // The audit's period, region and indicator must be ones that exist…
        for name in ["region", "period", "indicator"] {
            let answer = Answer::from(
                admin.get(app.url("/api/v1/audit")).query(&[(name, value)]).send().await,
                &label,
            )
            .await;
            assert_refused(&app, &before, &format!("audit {name}={label}"), &answer);
            assert_json_error(&label, &answer);
        }
        // …its user and action filters are a search: an injection matches nothing, changes nothing.
        for name in ["user", "action"] {
            let answer = Answer::from(
                admin.get(app.url("/api/v1/audit")).query(&[(name, value)]).send().await,
                &label,
            )
            .await;
            assert_eq!(answer.status, 200, "audit {name}={label}");
            let body: Value = serde_json::from_str(&answer.body).expect("audit json");
            assert_eq!(body["rows"], json!([]), "audit {name}={label} matched rows");
            assert_eq!(app.snapshot(), before);
        }
        // Credentials.
        let answer = Answer::from(
            app.anonymous()
                .post(app.url("/login"))
                .form(&[("username", value.as_str()), ("password", value.as_str())])
                .send()
                .await,
            &label,
        )
        .await;
        assert_refused(&app, &before, &format!("login {label}"), &answer);
        let answer = Answer::from(
            app.anonymous()
                .get(app.url("/api/v1/regions"))
                .bearer_auth(value)
                .send()
                .await,
            &label,
        )
        .await;
        assert_eq!(answer.status, 401, "bearer {label}");
    }
    for limit in ["-1", "abc", "99999999999999999999", "1e3", "1; DROP TABLE users"] {
        let answer = Answer::from(
            admin
                .get(app.url("/api/v1/audit"))
                .query(&[("limit", limit)])
                .send()
                .await,
            limit,
        )
        .await;
        assert_refused(&app, &before, &format!("audit limit={limit}"), &answer);
        assert_json_error(limit, &answer);
    }
    // The audit page says what is wrong with a filter, on a page.
    for query in ["period=2021Q5", "region=999999", "indicator=nope"] {
        let answer = Answer::from(admin.get(app.url(&format!("/audit?{query}"))).send().await, query).await;
        assert!(matches!(answer.status, 400 | 404), "{query}: {}", answer.status);
        assert!(answer.content_type.starts_with("text/html"), "{query}");
        assert!(answer.body.contains("error-message"), "{query}");
    }
    // Invalid UTF-8 in the path and the query string.
    let cookie = session_cookie(&app, "admin").await;
    for path in [
        "/api/v1/reports/%FF%FE/2022Q1",
        "/api/v1/reports/440100/%C0%AF",
        "/api/v1/progress?period=%FF",
        "/api/v1/progress?region=%E5%B9",
    ] {
        let answer = raw(app.addr, get(path, &cookie)).await;
        assert_refused(&app, &before, path, &answer);
    }
    let answer = raw(app.addr, get("/api/v1/audit?user=%FF&region=%C0%AF", &cookie)).await;
    assert!(
        answer.status < 500 && !answer.body.contains("\"id\""),
        "{}",
        answer.body
    );
    // A sign-in that smuggles a header or an off-site address through `next` goes nowhere odd.
    for next in [
        "/\r\nSet-Cookie: evil=1",
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "/%0d%0a",
    ] {
        let response = app
            .anonymous()
            .post(app.url("/login"))
            .form(&[("username", "leader"), ("password", common::PASSWORD), ("next", next)])
            .send()
            .await
            .unwrap_or_else(|e| panic!("next={next:?}: no answer (server panicked?): {e}"));
        assert_eq!(response.status(), 303, "next={next:?}");
        let location = response.headers()["location"].to_str().expect("location");
        assert!(
            location.starts_with('/') && !location.starts_with("//"),
            "next={next:?} → {location}"
        );
        assert!(!response.headers().contains_key("set-cookie") || !location.contains("evil"));
        assert!(
            response
                .headers()
                .get_all("set-cookie")
                .iter()
                .all(|c| !c.to_str().unwrap_or("").contains("evil")),
            "next={next:?} set a cookie"
        );
    }
    assert_eq!(app.snapshot(), before);
    app.stop().await;
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn static_files_cannot_be_escaped_by_path_traversal() {
    let app = TestApp::demo().await;
    let before = app.snapshot();
    for path in [
        "/static/../Cargo.toml",
        "/static/../../../../../../etc/passwd",
        "/static/%2e%2e/Cargo.toml",
        "/static/%2E%2E%2FCargo.toml",
        "/static/..%2fCargo.toml",
        "/static/..%2F..%2F..%2F..%2Fetc%2Fpasswd",
        "/static/..%5cCargo.toml",
        "/static/..\\Cargo.toml",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/css/../../Cargo.toml",
        "/static/./../src/main.rs",
        "/static/%252e%252e/Cargo.toml",
        "/static/%c0%ae%c0%ae/Cargo.toml",
        "/static/%00",
        "/static/Cargo.toml%00.css",
        "/static/",
        "/static/..",
        "/src/main.rs",
        "/Cargo.toml",
        "/.git/config",
    ] {
        let answer = raw(app.addr, get(path, "")).await;
        assert_refused(&app, &before, path, &answer);
        for secret in ["[package]", "root:x:", "fn main", "[core]"] {
            assert!(!answer.body.contains(secret), "{path} served a file outside static/");
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_get_404_and_wrong_methods_get_405() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let before = app.snapshot();
    for path in [
        "/api/v1/nope",
        "/api/v1/reports/440100",
        "/api/v1/reports/440100/2021Q4/delete",
    ] {
        let answer = Answer::from(admin.get(app.url(path)).send().await, path).await;
        assert_eq!(answer.status, 404, "{path}");
        assert_json_error(path, &answer);
        assert_refused(&app, &before, path, &answer);
    }
    for path in [
        "/nope",
        "/api/v2/progress",
        "/admin.php",
        "/wp-login.php",
        "/static/nope.css",
    ] {
        let answer = Answer::from(admin.get(app.url(path)).send().await, path).await;
        assert_eq!(answer.status, 404, "{path}");
    }
    let wrong_methods = [
        (reqwest::Method::DELETE, "/api/v1/reports/440100/2021Q4"),
        (reqwest::Method::PATCH, "/api/v1/reports/440100/2021Q4"),
        (reqwest::Method::POST, "/api/v1/reports/440100/2021Q4"),
        (reqwest::Method::GET, "/api/v1/reports/440400/2021Q4/approve"),
        (reqwest::Method::PUT, "/api/v1/reports/440400/2021Q4/return"),
        (reqwest::Method::POST, "/api/v1/progress"),
        (reqwest::Method::DELETE, "/api/v1/audit"),
        (reqwest::Method::PUT, "/healthz"),
        (reqwest::Method::GET, "/logout"),
        (reqwest::Method::DELETE, "/login"),
        (reqwest::Method::POST, "/"),
    ];
    for (method, path) in wrong_methods {
        let label = format!("{method} {path}");
        let answer = Answer::from(admin.request(method, app.url(path)).send().await, &label).await;
        assert_eq!(answer.status, 405, "{label}");
        assert_refused(&app, &before, &label, &answer);
    }
    let cookie = session_cookie(&app, "admin").await;
    for request in [
        format!("BREW /api/v1/progress HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n"),
        format!(
            "GET /api/v1/reports/{}/2022Q1 HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n",
            "%E5%B9%BF".repeat(20_000)
        ),
        format!(
            "GET /api/v1/progress?region={} HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n",
            "%27%20OR%201%3D1".repeat(10_000)
        ),
        "GARBAGE\r\n\r\n".to_owned(),
        "GET / HTTP/1.1\r\nHost: x\r\nBad Header Without Colon\r\nConnection: close\r\n\r\n".to_owned(),
        format!(
            "GET /api/v1/progress HTTP/1.1\r\nHost: x\r\nCookie: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(200_000)
        ),
        format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Filler: {}\r\nConnection: close\r\n\r\n",
            "a".repeat(1_000_000)
        ),
        format!(
            "GET /{} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "a".repeat(100_000)
        ),
    ] {
        let label = request.chars().take(60).collect::<String>();
        let answer = raw(app.addr, request.into_bytes()).await;
        assert_refused(&app, &before, &label, &answer);
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_in_notes_and_user_names_comes_back_as_json_data_never_as_markup() {
    let app = TestApp::demo().await;
    let name = "<script>alert('name')</script>";
    let note = "<script>alert(\"note\")</script><img src=x onerror=alert(1)>";
    {
        let mut conn = app.conn();
        let hash = anju::auth::hash_password(common::PASSWORD).expect("hash");
        let tx = conn.transaction().expect("tx");
        anju::db::users::create(
            &tx,
            &anju::domain::Actor::system("test"),
            name,
            anju::domain::Role::Admin,
            None,
            &hash,
        )
        .expect("create user");
        tx.commit().expect("commit");
    }
    let client = app.login(name).await;
    let saved = Answer::from(
        client
            .put(app.url("/api/v1/reports/440100/2022Q1"))
            .json(&json!({"values": {"shantytown_starts": 5}, "notes": {"shantytown_starts": note}}))
            .send()
            .await,
        "save",
    )
    .await;
    assert_eq!(saved.status, 200, "{}", saved.body);

    for path in [
        "/api/v1/reports/440100/2022Q1",
        "/api/v1/audit?region=440100&period=2022Q1",
        "/api/v1/progress?period=2022Q1",
    ] {
        let answer = Answer::from(client.get(app.url(path)).send().await, path).await;
        assert_eq!(answer.status, 200, "{path}");
        assert!(
            answer.content_type.starts_with("application/json"),
            "{path}: {}",
            answer.content_type
        );
    }
    let report: Value = common::get_json(&client, app.url("/api/v1/reports/440100/2022Q1")).await;
    assert_eq!(
        report["notes"]["shantytown_starts"], note,
        "the note is data, unchanged"
    );
    assert_eq!(report["updated_by"], name);
    let audit: Value = common::get_json(&client, app.url("/api/v1/audit?region=440100&period=2022Q1")).await;
    let rows = audit["rows"].as_array().expect("rows");
    assert!(rows.iter().all(|r| r["username"] == name));
    assert!(rows.iter().any(|r| r["action"] == "note" && r["new_value"] == note));

    // JSON is never sniffed as a page, and no page shows the markup unescaped.
    let response = client
        .get(app.url("/api/v1/reports/440100/2022Q1"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    for path in ["/", "/?period=2022Q1", "/login", "/nope"] {
        let answer = Answer::from(client.get(app.url(path)).send().await, path).await;
        assert!(answer.status < 500, "{path}");
        assert!(!answer.body.contains("<script>alert"), "{path} shows markup unescaped");
        assert!(!answer.body.contains("<img src=x"), "{path} shows markup unescaped");
    }
    app.stop().await;
}
