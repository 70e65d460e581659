//! Security around the writes, against a real server: cross-origin refusal, sign-in throttling,
//! session lifetime and revocation, headers, body limits, passwords, the append-only audit log.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::{PASSWORD, TestApp};
use serde_json::{Value, json};

fn user_id(app: &TestApp, name: &str) -> i64 {
    app.conn()
        .query_row("SELECT id FROM users WHERE username = ?1", [name], |r| r.get(0))
        .unwrap()
}

/// A request: method, path, JSON body (else a form), form fields.
type Write = (reqwest::Method, String, Option<Value>, Vec<(&'static str, String)>);

/// Every state-changing route, with a body that would be accepted from the same origin.
fn writes(app: &TestApp) -> Vec<Write> {
    use reqwest::Method;
    let leader = user_id(app, "leader");
    let form = |pairs: &[(&'static str, &str)]| pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect::<Vec<_>>();
    vec![
        (
            Method::POST,
            "/login".into(),
            None,
            form(&[("username", "admin"), ("password", PASSWORD)]),
        ),
        (Method::POST, "/logout".into(), None, vec![]),
        (
            Method::PUT,
            "/api/v1/reports/440100/2022Q1".into(),
            Some(json!({"values": {"shantytown_starts": 1}})),
            vec![],
        ),
        (
            Method::POST,
            "/api/v1/reports/440400/2021Q4/approve".into(),
            Some(json!({})),
            vec![],
        ),
        (
            Method::POST,
            "/api/v1/reports/440400/2021Q4/return".into(),
            Some(json!({"comment": "x"})),
            vec![],
        ),
        (
            Method::POST,
            "/api/v1/reports/440100/2021Q4/reopen".into(),
            Some(json!({})),
            vec![],
        ),
        (
            Method::POST,
            "/reports/440100/2022Q1".into(),
            None,
            form(&[("value.shantytown_starts", "1"), ("action", "save")]),
        ),
        (
            Method::POST,
            "/admin/reports/440400/2021Q4/approve".into(),
            None,
            vec![],
        ),
        (
            Method::POST,
            "/admin/reports/440400/2021Q4/return".into(),
            None,
            form(&[("comment", "x")]),
        ),
        (Method::POST, "/admin/reports/440100/2021Q4/reopen".into(), None, vec![]),
        (
            Method::POST,
            "/admin/targets".into(),
            None,
            form(&[("year", "2022"), ("t.440100.shantytown_starts", "1")]),
        ),
        (
            Method::POST,
            "/admin/users".into(),
            None,
            form(&[
                ("username", "mallory"),
                ("role", "admin"),
                ("password", "long-enough-password"),
            ]),
        ),
        (
            Method::POST,
            format!("/admin/users/{leader}/role"),
            None,
            form(&[("role", "admin")]),
        ),
        (Method::POST, format!("/admin/users/{leader}/disable"), None, vec![]),
        (Method::POST, format!("/admin/users/{leader}/enable"), None, vec![]),
        (
            Method::POST,
            format!("/admin/users/{leader}/password"),
            None,
            form(&[("password", "long-enough-password")]),
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_origin_posts_are_refused_on_every_state_changing_route() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let before = app.snapshot();
    for (method, path, json_body, form) in writes(&app) {
        let mut request = admin
            .request(method.clone(), app.url(&path))
            .header("Origin", "http://evil.example")
            .header("Sec-Fetch-Site", "cross-site");
        request = match json_body {
            Some(body) => request.json(&body),
            None => request.form(&form),
        };
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 403, "{method} {path}");
        // A person gets a page, a program JSON.
        let kind = response.headers()["content-type"].to_str().unwrap().to_owned();
        let expected = if path.starts_with("/api/") {
            "application/json"
        } else {
            "text/html"
        };
        assert!(kind.starts_with(expected), "{method} {path}: {kind}");
        let text = response.text().await.unwrap();
        assert!(text.contains("拒绝跨站请求"), "{method} {path}: {text}");
    }
    assert_eq!(app.snapshot(), before);
    // The admin's session survived the forged sign-out.
    assert_eq!(admin.get(app.url("/admin/users")).send().await.unwrap().status(), 200);
    // A same-origin browser post passes.
    let same = admin
        .post(app.url("/admin/targets"))
        .header("Origin", format!("http://{}", app.addr))
        .header("Sec-Fetch-Site", "same-origin")
        .form(&[("year", "2022"), ("t.440100.shantytown_starts", "5")])
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 303);
    app.stop().await;
}

async fn sign_in(app: &TestApp, client: &reqwest::Client, password: &str) -> reqwest::Response {
    client
        .post(app.url("/login"))
        .form(&[("username", "gz_officer"), ("password", password)])
        .send()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn six_wrong_passwords_lock_the_account_for_that_address() {
    let app = TestApp::demo().await;
    let client = app.anonymous();
    for attempt in 1..=5 {
        let response = sign_in(&app, &client, "wrong-password").await;
        assert_eq!(response.status(), 401, "attempt {attempt}");
        assert!(response.text().await.unwrap().contains("用户名或密码不正确"));
    }
    let sixth = sign_in(&app, &client, "wrong-password").await;
    assert_eq!(sixth.status(), 429);
    assert!(sixth.text().await.unwrap().contains("锁定 15 分钟"));
    // Even the right password is refused from this address while locked…
    let right = sign_in(&app, &client, PASSWORD).await;
    assert_eq!(right.status(), 429);
    // …but not from another address.
    let elsewhere = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(sign_in(&app, &elsewhere, PASSWORD).await.status(), 303);
    // After the lock expires the account opens again.
    app.conn()
        .execute(
            "UPDATE login_failures SET at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-16 minutes')",
            [],
        )
        .unwrap();
    assert_eq!(sign_in(&app, &client, PASSWORD).await.status(), 303);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_users_live_session_stops_working_at_once() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let officer = app.login("gz_officer").await;
    assert_eq!(officer.get(app.url("/reports")).send().await.unwrap().status(), 200);
    let id = user_id(&app, "gz_officer");
    let disabled = admin
        .post(app.url(&format!("/admin/users/{id}/disable")))
        .send()
        .await
        .unwrap();
    assert_eq!(disabled.status(), 303);
    let page = officer.get(app.url("/reports")).send().await.unwrap();
    assert_eq!(page.status(), 303);
    assert!(page.headers()["location"].to_str().unwrap().starts_with("/login"));
    let api = officer
        .put(app.url("/api/v1/reports/440100/2022Q1"))
        .json(&json!({"values": {"shantytown_starts": 1}}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401);
    // A disabled account cannot sign in again either; enabled, it can.
    assert_eq!(sign_in(&app, &app.anonymous(), PASSWORD).await.status(), 401);
    let enabled = admin
        .post(app.url(&format!("/admin/users/{id}/enable")))
        .send()
        .await
        .unwrap();
    assert_eq!(enabled.status(), 303);
    assert_eq!(sign_in(&app, &app.anonymous(), PASSWORD).await.status(), 303);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_ends_the_users_sessions_and_the_new_password_works() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let officer = app.login("gz_officer").await;
    let id = user_id(&app, "gz_officer");
    let before = app.snapshot();
    let short = admin
        .post(app.url(&format!("/admin/users/{id}/password")))
        .form(&[("password", "123456789")])
        .send()
        .await
        .unwrap();
    assert_eq!(short.status(), 422);
    assert!(short.text().await.unwrap().contains("至少需要 10 个字符"));
    assert_eq!(app.snapshot(), before);
    let reset = admin
        .post(app.url(&format!("/admin/users/{id}/password")))
        .form(&[("password", "a-new-password-2026")])
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 303);
    assert_eq!(
        officer.get(app.url("/api/v1/regions")).send().await.unwrap().status(),
        401
    );
    assert_eq!(sign_in(&app, &app.anonymous(), PASSWORD).await.status(), 401);
    assert_eq!(
        sign_in(&app, &app.anonymous(), "a-new-password-2026").await.status(),
        303
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_after_idle_time_and_after_their_maximum_age() {
    let app = TestApp::demo().await;
    let idle = app.login("leader").await;
    let old = app.login("analyst").await;
    let conn = app.conn();
    conn.execute(
        "UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-121 minutes')
         WHERE user_id = (SELECT id FROM users WHERE username = 'leader')",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE sessions SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-13 hours')
         WHERE user_id = (SELECT id FROM users WHERE username = 'analyst')",
        [],
    )
    .unwrap();
    assert_eq!(idle.get(app.url("/api/v1/regions")).send().await.unwrap().status(), 401);
    assert_eq!(old.get(app.url("/api/v1/regions")).send().await.unwrap().status(), 401);
    let fresh = app.login("leader").await;
    assert_eq!(
        fresh.get(app.url("/api/v1/regions")).send().await.unwrap().status(),
        200
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sessions_and_spent_sign_in_failures_are_purged_when_the_server_starts() {
    let dir = tempfile::tempdir().unwrap();
    let store = anju::StoreConfig {
        db: dir.path().join("anju.db"),
        data_dir: dir.path().join("no-data-dir"),
    };
    let config = anju::ServeConfig {
        admin_password: Some(PASSWORD.into()),
        ..anju::ServeConfig::default()
    };
    let prepared = store.clone();
    let state = tokio::task::spawn_blocking(move || anju::prepare(&prepared, config))
        .await
        .unwrap()
        .unwrap();
    let conn = rusqlite::Connection::open(&store.db).unwrap();
    let admin = anju::db::users::by_username(&conn, "admin").unwrap().unwrap();
    for token in ["expired", "live"] {
        anju::db::sessions::create(&conn, token, admin.id).unwrap();
    }
    for _ in 0..2 {
        anju::db::sessions::record_login_failure(&conn, "admin", "10.0.0.1").unwrap();
    }
    conn.execute(
        "UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 hours')
         WHERE token_hash = 'expired'",
        [],
    )
    .unwrap();
    conn.execute(
        "UPDATE login_failures SET at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 day') WHERE rowid = 1",
        [],
    )
    .unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |row| row.get(0)).unwrap() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(anju::launch(state, listener, async move {
        let _ = stopped.await;
    }));
    let mut waited = 0;
    let stale = "SELECT (SELECT count(*) FROM sessions WHERE token_hash = 'expired')
                      + (SELECT count(*) FROM login_failures
                         WHERE at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 hour'))";
    while count(stale) > 0 {
        assert!(waited < 100, "expired rows are still there after 10 s");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    assert_eq!(count("SELECT count(*) FROM sessions WHERE token_hash = 'live'"), 1);
    assert_eq!(
        count("SELECT count(*) FROM login_failures"),
        1,
        "the recent failure is kept"
    );
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_carry_security_headers_and_the_session_cookie_is_http_only() {
    let app = TestApp::demo().await;
    let response = app
        .anonymous()
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let admin = app.login("admin").await;
    for path in [
        "/login",
        "/reports",
        "/admin/approvals",
        "/admin/users",
        "/audit",
        "/api/v1/regions",
    ] {
        let response = admin.get(app.url(path)).send().await.unwrap();
        let headers = response.headers();
        let csp = headers["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert!(headers.contains_key("referrer-policy"), "{path}");
        let html = response.text().await.unwrap();
        assert!(
            !html.contains("<script>") && !html.contains(" style="),
            "{path}: no inline script or style"
        );
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_bodies_get_a_clear_413_and_change_nothing() {
    let app = TestApp::demo().await;
    let officer = app.login("gz_officer").await;
    let before = app.snapshot();
    let huge = "9".repeat(300 * 1024);
    let api = officer
        .put(app.url("/api/v1/reports/440100/2022Q1"))
        .json(&json!({"values": {}, "notes": {"shantytown_starts": huge}}))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 413);
    let body: Value = api.json().await.unwrap();
    assert!(body["error"].as_str().unwrap().contains("过大"), "{body}");
    let form = officer
        .post(app.url("/reports/440100/2022Q1"))
        .form(&[("note.shantytown_starts", huge.as_str()), ("action", "save")])
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 413);
    assert!(form.text().await.unwrap().contains("提交的内容过大"));
    let login = app
        .anonymous()
        .post(app.url("/login"))
        .form(&[("username", "admin"), ("password", huge.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 413);
    assert!(login.text().await.unwrap().contains("提交的内容过大"));
    assert_eq!(app.snapshot(), before);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_rows_cannot_be_updated_or_deleted_in_the_served_database() {
    let app = TestApp::demo().await;
    let conn = app.conn();
    let update = conn.execute("UPDATE audit_log SET username = 'nobody'", []);
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = conn.execute("DELETE FROM audit_log", []);
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_users_checks_every_field_and_audits_the_creation() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    for (fields, status, hint) in [
        (
            vec![
                ("username", "sz_officer"),
                ("role", "officer"),
                ("region", "440300"),
                ("password", "short"),
            ],
            422,
            "至少需要 10 个字符",
        ),
        (
            vec![
                ("username", "sz_officer"),
                ("role", "officer"),
                ("region", ""),
                ("password", "long-enough-pw"),
            ],
            422,
            "必须指定所属地区",
        ),
        (
            vec![
                ("username", "sz_officer"),
                ("role", "officer"),
                ("region", "449999"),
                ("password", "long-enough-pw"),
            ],
            422,
            "未知地区",
        ),
        (
            vec![
                ("username", "sz_officer"),
                ("role", "root"),
                ("region", ""),
                ("password", "long-enough-pw"),
            ],
            422,
            "未知角色",
        ),
        (
            vec![
                ("username", "a b"),
                ("role", "leader"),
                ("region", ""),
                ("password", "long-enough-pw"),
            ],
            422,
            "用户名须为",
        ),
        (
            vec![
                ("username", "leader"),
                ("role", "leader"),
                ("region", ""),
                ("password", "long-enough-pw"),
            ],
            409,
            "已存在",
        ),
    ] {
        let before = app.snapshot();
        let response = admin.post(app.url("/admin/users")).form(&fields).send().await.unwrap();
        assert_eq!(response.status(), status, "{fields:?}");
        let html = response.text().await.unwrap();
        assert!(html.contains(hint), "{fields:?}: {html}");
        assert_eq!(app.snapshot(), before, "{fields:?}");
    }
    let created = admin
        .post(app.url("/admin/users"))
        .form(&[
            ("username", "sz_officer"),
            ("role", "officer"),
            ("region", "440300"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 303);
    let sz = app.login("sz_officer").await;
    assert!(
        sz.get(app.url("/reports"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
            .contains("深圳市")
    );
    // Changing the role moves the account; an admin cannot demote or disable themself.
    let id = user_id(&app, "sz_officer");
    let moved = admin
        .post(app.url(&format!("/admin/users/{id}/role")))
        .form(&[("role", "analyst"), ("region", "440300")])
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 303);
    let region: Option<String> = app
        .conn()
        .query_row("SELECT region_code FROM users WHERE id = ?1", [id], |r| r.get(0))
        .unwrap();
    assert_eq!(region, None);
    let me = user_id(&app, "admin");
    let demote = admin
        .post(app.url(&format!("/admin/users/{me}/role")))
        .form(&[("role", "leader")])
        .send()
        .await
        .unwrap();
    assert_eq!(demote.status(), 409);
    let disable = admin
        .post(app.url(&format!("/admin/users/{me}/disable")))
        .send()
        .await
        .unwrap();
    assert_eq!(disable.status(), 409);
    let actions: Vec<String> = app
        .conn()
        .prepare("SELECT action FROM audit_log WHERE username = 'admin' AND action LIKE 'user_%' ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(actions, ["user_create", "user_role"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framework_rejections_are_explained_not_bare_text() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    let wrong_method = admin.get(app.url("/logout")).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert!(wrong_method.headers().contains_key("allow"));
    assert!(wrong_method.text().await.unwrap().contains("不支持该请求方法"));
    let not_a_form = admin
        .post(app.url("/admin/targets"))
        .header("content-type", "text/csv")
        .body("year,2022")
        .send()
        .await
        .unwrap();
    assert_eq!(not_a_form.status(), 400);
    assert!(not_a_form.text().await.unwrap().contains("请以表单方式提交"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_name_is_answered_like_a_wrong_password() {
    let app = TestApp::demo().await;
    let client = app.anonymous();
    let mut answers = Vec::new();
    for username in ["admin", "no-such-user"] {
        let response = client
            .post(app.url("/login"))
            .form(&[("username", username), ("password", "not-the-password")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{username}");
        let page = response.text().await.unwrap();
        assert!(page.contains("用户名或密码不正确"), "{username}");
        answers.push(page.replace(&format!("value=\"{username}\""), "value=\"NAME\""));
    }
    assert_eq!(answers[0], answers[1], "the answer tells which names exist");
    app.stop().await;
}
