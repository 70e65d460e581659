//! Security around the writes, against a real server: cross-origin refusal, sign-in throttling,
//! session lifetime and revocation, headers, body limits, passwords, the append-only audit log.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use anju::db::audit::AuditFilter;
use common::{PASSWORD, Reply, TestApp, User};
use serde_json::{Value, json};

fn user_id(app: &TestApp, name: &str) -> i64 {
    anju::db::users::by_username(&app.conn(), name)
        .unwrap()
        .unwrap_or_else(|| panic!("no user {name}"))
        .id
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
    let admin = app.user("admin").await;
    // The admin's own browser, made to post from another site.
    let forged = admin
        .with_header("origin", "http://evil.example")
        .with_header("sec-fetch-site", "cross-site");
    let before = app.snapshot();
    for (method, path, json_body, form) in writes(&app) {
        let answer = match json_body {
            Some(body) => forged.send_json(method.clone(), &path, &body).await,
            None => forged.send_form(method.clone(), &path, &form).await,
        };
        assert_eq!(answer.status, 403, "{method} {path}");
        // A person gets a page, a program JSON.
        let kind = answer.header("content-type").unwrap();
        let expected = if path.starts_with("/api/") {
            "application/json"
        } else {
            "text/html"
        };
        assert!(kind.starts_with(expected), "{method} {path}: {kind}");
        assert!(answer.text.contains("拒绝跨站请求"), "{method} {path}: {}", answer.text);
    }
    assert_eq!(app.snapshot(), before);
    // The admin's session survived the forged sign-out.
    assert_eq!(admin.get("/admin/users").await.status, 200);
    // A program (no Sec-Fetch-Site) posting from the same host and port but another scheme is
    // refused too: the origin is scheme, host and port.
    let other_scheme = admin.with_header("origin", &format!("https://{}", app.addr));
    let answer = other_scheme
        .post_form(
            "/admin/targets",
            &[("year", "2022"), ("t.440100.shantytown_starts", "5")],
        )
        .await;
    assert_eq!(answer.status, 403);
    let other_port = admin.with_header("origin", &format!("http://{}:1", app.addr.ip()));
    let answer = other_port
        .post_form(
            "/admin/targets",
            &[("year", "2022"), ("t.440100.shantytown_starts", "5")],
        )
        .await;
    assert_eq!(answer.status, 403);
    assert_eq!(app.snapshot(), before);
    // A same-origin browser post passes.
    let same = admin
        .with_header("origin", &format!("http://{}", app.addr))
        .with_header("sec-fetch-site", "same-origin")
        .post_form(
            "/admin/targets",
            &[("year", "2022"), ("t.440100.shantytown_starts", "5")],
        )
        .await;
    assert_eq!(same.status, 303);
    app.stop().await;
}

/// `visitor` signs in as `gz_officer` with `password`.
async fn sign_in(visitor: &User, password: &str) -> Reply {
    visitor
        .post_form("/login", &[("username", "gz_officer"), ("password", password)])
        .await
}

/// Issue 12 replaced the 15-minute lock with a growing wait: whoever fails on someone else's
/// name delays, never locks, the account.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_five_wrong_passwords_each_try_from_that_address_waits_longer() {
    let app = TestApp::demo().await;
    let visitor = app.nobody();
    for attempt in 1..=5 {
        let answer = sign_in(&visitor, "wrong-password").await;
        assert_eq!(answer.status, 401, "attempt {attempt}");
        assert!(answer.text.contains("用户名或密码不正确"));
    }
    let sixth = sign_in(&visitor, "wrong-password").await;
    assert_eq!(sixth.status, 429);
    assert_eq!(sixth.header("retry-after"), Some("1"));
    assert!(sixth.text.contains("登录失败次数过多，请 1 秒后再试"), "{}", sixth.text);
    // Even the right password waits its turn from this address…
    assert_eq!(sign_in(&visitor, PASSWORD).await.status, 429);
    // …but not from another address.
    let elsewhere = app.nobody_from(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    assert_eq!(sign_in(&elsewhere, PASSWORD).await.status, 303);
    // One more failure after the wait doubles it. No db function ages a failure, so the stored
    // times are moved back by hand.
    let age = |seconds: u32| {
        app.conn()
            .execute(
                "UPDATE login_failures SET at = strftime('%Y-%m-%dT%H:%M:%fZ', at, ?1)",
                [format!("-{seconds} seconds")],
            )
            .unwrap()
    };
    age(2);
    assert_eq!(sign_in(&visitor, "wrong-password").await.status, 401);
    let seventh = sign_in(&visitor, PASSWORD).await;
    assert_eq!(seventh.status, 429);
    assert_eq!(seventh.header("retry-after"), Some("2"));
    age(3);
    assert_eq!(sign_in(&visitor, PASSWORD).await.status, 303);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_users_live_session_stops_working_at_once() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let officer = app.user("gz_officer").await;
    assert_eq!(officer.get("/reports").await.status, 200);
    let id = user_id(&app, "gz_officer");
    assert_eq!(admin.post(&format!("/admin/users/{id}/disable")).await.status, 303);
    let page = officer.get("/reports").await;
    assert_eq!(page.status, 303);
    assert!(page.location().starts_with("/login"));
    let api = officer
        .put_json(
            "/api/v1/reports/440100/2022Q1",
            json!({"values": {"shantytown_starts": 1}}),
        )
        .await;
    assert_eq!(api.status, 401);
    // A disabled account cannot sign in again either; enabled, it can.
    assert_eq!(sign_in(&app.nobody(), PASSWORD).await.status, 401);
    assert_eq!(admin.post(&format!("/admin/users/{id}/enable")).await.status, 303);
    assert_eq!(sign_in(&app.nobody(), PASSWORD).await.status, 303);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_ends_the_users_sessions_and_the_new_password_works() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let officer = app.user("gz_officer").await;
    let id = user_id(&app, "gz_officer");
    let reset = format!("/admin/users/{id}/password");
    let before = app.snapshot();
    let short = admin.post_form(&reset, &[("password", "123456789")]).await;
    assert_eq!(short.status, 422);
    assert!(short.text.contains("至少需要 10 个字符"));
    assert_eq!(app.snapshot(), before);
    let done = admin.post_form(&reset, &[("password", "a-new-password-2026")]).await;
    assert_eq!(done.status, 303);
    assert_eq!(officer.get("/api/v1/regions").await.status, 401);
    assert_eq!(sign_in(&app.nobody(), PASSWORD).await.status, 401);
    assert_eq!(sign_in(&app.nobody(), "a-new-password-2026").await.status, 303);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_end_after_idle_time_and_after_their_maximum_age() {
    let app = TestApp::demo().await;
    let idle = app.user("leader").await;
    let old = app.user("analyst").await;
    // No db function ages a session: its stored times are moved back by hand.
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
    assert_eq!(idle.get("/api/v1/regions").await.status, 401);
    assert_eq!(old.get("/api/v1/regions").await.status, 401);
    let fresh = app.user("leader").await;
    assert_eq!(fresh.get("/api/v1/regions").await.status, 200);
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
    let signed_in = app
        .nobody()
        .post_form("/login", &[("username", "admin"), ("password", PASSWORD)])
        .await;
    let cookies: Vec<&str> = signed_in
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let cookie = cookies.iter().find(|c| c.starts_with("anju_session=")).unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    // The sign-in throttle's device cookie goes back to the sign-in form only.
    let device = cookies.iter().find(|c| c.starts_with("anju_device=")).unwrap();
    assert!(
        device.contains("HttpOnly") && device.contains("Path=/login"),
        "{device}"
    );
    let admin = app.user("admin").await;
    for path in [
        "/login",
        "/reports",
        "/admin/approvals",
        "/admin/users",
        "/audit",
        "/api/v1/regions",
    ] {
        let page = admin.get(path).await;
        let csp = page.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(page.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(page.header("x-content-type-options"), Some("nosniff"), "{path}");
        assert!(page.headers.contains_key("referrer-policy"), "{path}");
        let html = &page.text;
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
    let officer = app.user("gz_officer").await;
    let before = app.snapshot();
    let huge = "9".repeat(300 * 1024);
    let api = officer
        .put_json(
            "/api/v1/reports/440100/2022Q1",
            json!({"values": {}, "notes": {"shantytown_starts": huge}}),
        )
        .await;
    assert_eq!(api.status, 413);
    let body: Value = api.json();
    assert!(body["error"].as_str().unwrap().contains("过大"), "{body}");
    let form = officer
        .post_form(
            "/reports/440100/2022Q1",
            &[("note.shantytown_starts", huge.as_str()), ("action", "save")],
        )
        .await;
    assert_eq!(form.status, 413);
    assert!(form.text.contains("提交的内容过大"));
    let login = app
        .nobody()
        .post_form("/login", &[("username", "admin"), ("password", huge.as_str())])
        .await;
    assert_eq!(login.status, 413);
    assert!(login.text.contains("提交的内容过大"));
    assert_eq!(app.snapshot(), before);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_rows_cannot_be_updated_or_deleted_in_the_served_database() {
    let app = TestApp::demo().await;
    // The trigger on the table itself is what is tested: raw SQL on purpose.
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
    let admin = app.user("admin").await;
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
        let page = admin.post_form("/admin/users", &fields).await;
        assert_eq!(page.status, status, "{fields:?}");
        assert!(page.text.contains(hint), "{fields:?}: {}", page.text);
        assert_eq!(app.snapshot(), before, "{fields:?}");
    }
    let created = admin
        .post_form(
            "/admin/users",
            &[
                ("username", "sz_officer"),
                ("role", "officer"),
                ("region", "440300"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    let sz = app.user("sz_officer").await;
    // A password an admin set is replaced at the first sign-in (here by the same text).
    let own = [("current", PASSWORD), ("password", PASSWORD), ("repeat", PASSWORD)];
    assert_eq!(sz.post_form("/account/password", &own).await.status, 303);
    assert!(sz.get("/reports").await.text.contains("深圳市"));
    // Changing the role moves the account (an analyst may stay bound to the city: 深圳市's
    // analyst); an admin cannot demote or disable themself.
    let id = user_id(&app, "sz_officer");
    let moved = admin
        .post_form(
            &format!("/admin/users/{id}/role"),
            &[("role", "analyst"), ("region", "440300")],
        )
        .await;
    assert_eq!(moved.status, 303);
    let moved = anju::db::users::by_id(&app.conn(), id).unwrap().expect("sz_officer");
    assert_eq!(
        (moved.role, moved.region_code.as_deref()),
        (anju::domain::Role::Analyst, Some("440300"))
    );
    let me = user_id(&app, "admin");
    let demote = admin
        .post_form(&format!("/admin/users/{me}/role"), &[("role", "leader")])
        .await;
    assert_eq!(demote.status, 409);
    assert_eq!(admin.post(&format!("/admin/users/{me}/disable")).await.status, 409);
    let by_admin = AuditFilter {
        username: Some("admin".into()),
        limit: u32::MAX,
        drafts: true,
        ..AuditFilter::default()
    };
    let mut actions: Vec<String> = anju::db::audit::list(&app.conn(), &by_admin)
        .unwrap()
        .into_iter()
        .map(|change| change.action)
        .filter(|action| action.starts_with("user_"))
        .collect();
    actions.reverse(); // the log lists the newest first
    assert_eq!(actions, ["user_create", "user_role"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn framework_rejections_are_explained_not_bare_text() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let wrong_method = admin.get("/logout").await;
    assert_eq!(wrong_method.status, 405);
    assert!(wrong_method.headers.contains_key("allow"));
    assert!(wrong_method.text.contains("不支持该请求方法"));
    let not_a_form = admin.post_body("/admin/targets", "text/csv", "year,2022").await;
    assert_eq!(not_a_form.status, 400);
    assert!(not_a_form.text.contains("请以表单方式提交"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_name_is_answered_like_a_wrong_password() {
    let app = TestApp::demo().await;
    let visitor = app.nobody();
    let mut answers = Vec::new();
    for username in ["admin", "no-such-user"] {
        let answer = visitor
            .post_form("/login", &[("username", username), ("password", "not-the-password")])
            .await;
        assert_eq!(answer.status, 401, "{username}");
        let page = answer.text;
        assert!(page.contains("用户名或密码不正确"), "{username}");
        answers.push(page.replace(&format!("value=\"{username}\""), "value=\"NAME\""));
    }
    assert_eq!(answers[0], answers[1], "the answer tells which names exist");
    app.stop().await;
}
