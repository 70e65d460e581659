//! API tokens have a life: created on `/account` (named, optionally expiring, shown once),
//! listed, revoked by their owner or an admin, and revoked by every account change that should
//! end them. Creating and revoking are audited.

mod common;

use common::{TestApp, User};

/// The secret shown once on the page that created it.
fn shown_secret(page: &str) -> String {
    let start = page.find("class=\"token\">").expect("the new token is shown") + "class=\"token\">".len();
    page[start..start + 64].to_owned()
}

async fn new_token(user: &User, name: &str, days: &str) -> String {
    let reply = user
        .post_form("/account/tokens", &[("name", name), ("expires_in_days", days)])
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.header("cache-control"), Some("private, no-store"));
    shown_secret(&reply.text)
}

async fn api_status(app: &TestApp, token: &str) -> u16 {
    app.anonymous()
        .get(app.url("/api/v1/progress?period=2020Q1"))
        .bearer_auth(token)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

fn user_id(app: &TestApp, name: &str) -> i64 {
    app.conn()
        .query_row("SELECT id FROM users WHERE username = ?1", [name], |r| r.get(0))
        .expect("user")
}

fn audited(app: &TestApp, action: &str, username: &str) -> i64 {
    app.conn()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = ?1 AND detail = ?2",
            [action, username],
            |r| r.get(0),
        )
        .expect("count")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_creates_lists_and_revokes_their_own_token_and_it_is_shown_once() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    let token = new_token(&analyst, "季度导出脚本", "30").await;
    assert_eq!(api_status(&app, &token).await, 200);
    let page = analyst.get("/account").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("季度导出脚本"), "the token is listed by name");
    assert!(!page.text.contains(&token), "the secret is shown only once");
    assert_eq!(page.header("cache-control"), Some("private, no-store"));
    assert_eq!(audited(&app, "token_create", "analyst"), 1);

    let id: i64 = app
        .conn()
        .query_row("SELECT id FROM api_tokens WHERE name = '季度导出脚本'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let expires: Option<String> = app
        .conn()
        .query_row("SELECT expires_at FROM api_tokens WHERE id = ?1", [id], |r| r.get(0))
        .unwrap();
    assert!(expires.is_some(), "a token given days expires");
    let revoked = analyst.post(&format!("/account/tokens/{id}/revoke")).await;
    assert_eq!(revoked.status, 303);
    assert_eq!(api_status(&app, &token).await, 401, "a revoked token no longer works");
    assert_eq!(audited(&app, "token_revoke", "analyst"), 1);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_and_revoke_anyones_token_and_others_cannot_touch_them() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    let leader = app.user("leader").await;
    let admin = app.user("admin").await;
    let token = new_token(&analyst, "analyst-script", "").await;
    let admin_page = admin.get("/account").await;
    assert!(admin_page.text.contains("analyst-script"), "admins see every token");
    assert!(!leader.get("/account").await.text.contains("analyst-script"));
    let id: i64 = app
        .conn()
        .query_row("SELECT id FROM api_tokens WHERE name = 'analyst-script'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let refused = leader.post(&format!("/account/tokens/{id}/revoke")).await;
    assert_eq!(refused.status, 404, "another user's token is not theirs to revoke");
    assert_eq!(api_status(&app, &token).await, 200);
    let revoked = admin.post(&format!("/account/tokens/{id}/revoke")).await;
    assert_eq!(revoked.status, 303);
    assert_eq!(api_status(&app, &token).await, 401);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_reset_disabling_and_role_change_revoke_tokens_for_good() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let analyst = app.user("analyst").await;
    let id = user_id(&app, "analyst");

    let token = new_token(&analyst, "reset", "").await;
    let reset = admin
        .post_form(
            &format!("/admin/users/{id}/password"),
            &[("password", "Fresh-Reset-Pass-42")],
        )
        .await;
    assert_eq!(reset.status, 303, "{}", reset.text);
    assert_eq!(api_status(&app, &token).await, 401, "a reset password ends the tokens");

    let analyst = relogin(&app, "analyst", "Fresh-Reset-Pass-42").await;
    let token = new_token(&analyst, "disable", "").await;
    assert_eq!(admin.post(&format!("/admin/users/{id}/disable")).await.status, 303);
    assert_eq!(api_status(&app, &token).await, 401);
    assert_eq!(admin.post(&format!("/admin/users/{id}/enable")).await.status, 303);
    assert_eq!(
        api_status(&app, &token).await,
        401,
        "enabling again does not bring tokens back"
    );

    let analyst = app.nobody();
    let own = [("username", "analyst"), ("password", "Fresh-Reset-Pass-42!")];
    assert_eq!(analyst.post_form("/login", &own).await.status, 303);
    let token = new_token(&analyst, "role", "").await;
    let changed = admin
        .post_form(
            &format!("/admin/users/{id}/role"),
            &[("role", "leader"), ("region", "")],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.text);
    assert_eq!(api_status(&app, &token).await, 401, "a new role ends the old tokens");
    app.stop().await;
}

/// Signs in as `name` with the `password` an admin set, and replaces it with `password` + "!"
/// as the account page requires before anything else.
async fn relogin(app: &TestApp, name: &str, password: &str) -> User {
    let user = app.nobody();
    let reply = user
        .post_form("/login", &[("username", name), ("password", password)])
        .await;
    assert_eq!(reply.status, 303, "{}", reply.text);
    let own = format!("{password}!");
    let changed = user
        .post_form(
            "/account/password",
            &[("current", password), ("password", &own), ("repeat", &own)],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.text);
    user
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_token_for_a_disabled_account_and_an_expired_token_is_refused() {
    let app = TestApp::demo().await;
    let id = user_id(&app, "analyst");
    let admin = app.user("admin").await;
    assert_eq!(admin.post(&format!("/admin/users/{id}/disable")).await.status, 303);
    let mut conn = app.conn();
    let new = anju::service::tokens::NewToken {
        name: "cli",
        expires_in_days: None,
    };
    let refused = anju::service::tokens::create(&mut conn, &anju::domain::Actor::system("cli"), "analyst", &new);
    assert!(refused.is_err(), "a disabled account gets no token");

    let leader = user_id(&app, "leader");
    let secret = anju::auth::new_token();
    anju::db::tokens::create(
        &conn,
        &anju::auth::token_hash(&secret),
        leader,
        "old",
        Some("2020-01-01T00:00:00.000Z"),
    )
    .unwrap();
    assert_eq!(api_status(&app, &secret).await, 401, "an expired token is refused");
    let fresh = anju::auth::new_token();
    anju::db::tokens::create(&conn, &anju::auth::token_hash(&fresh), leader, "new", None).unwrap();
    assert_eq!(api_status(&app, &fresh).await, 200);
    let used: Option<String> = conn
        .query_row("SELECT last_used_at FROM api_tokens WHERE name = 'new'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(used.is_some(), "the last use is recorded");
    app.stop().await;
}
