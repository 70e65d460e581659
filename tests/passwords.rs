//! Passwords people choose: not the username, not one character repeated, not a common one;
//! and everyone changes their own on `/account`, which ends their other sessions and tokens.

mod common;

use common::{PASSWORD, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_passwords_are_refused_for_new_users_and_resets() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    for weak in ["wang.wei.2020", "aaaaaaaaaa", "          ", "1234567890", "Password123"] {
        let reply = admin
            .post_form(
                "/admin/users",
                &[
                    ("username", "wang.wei"),
                    ("role", "leader"),
                    ("region", ""),
                    ("password", weak),
                ],
            )
            .await;
        assert_eq!(reply.status, 422, "{weak:?} accepted for a new user");
    }
    let id: i64 = app
        .conn()
        .query_row("SELECT id FROM users WHERE username = 'leader'", [], |r| r.get(0))
        .unwrap();
    let reset = admin
        .post_form(&format!("/admin/users/{id}/password"), &[("password", "qwertyuiop")])
        .await;
    assert_eq!(reset.status, 422, "a common password accepted in a reset");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_ones_own_password_ends_other_sessions_and_tokens_but_not_this_one() {
    let app = TestApp::demo().await;
    let here = app.user("analyst").await;
    let elsewhere = app.user("analyst").await;
    let created = here.post_form("/account/tokens", &[("name", "script")]).await;
    assert_eq!(created.status, 200);
    let start = created.text.find("class=\"token\">").unwrap() + "class=\"token\">".len();
    let token = created.text[start..start + 64].to_owned();

    let wrong = here
        .post_form(
            "/account/password",
            &[
                ("current", "not-my-password"),
                ("password", "tall-river-2026"),
                ("repeat", "tall-river-2026"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422, "the current password must match");
    let weak = here
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("password", "analyst-2026"),
                ("repeat", "analyst-2026"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422, "the new password follows the rules");
    let changed = here
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("password", "tall-river-2026"),
                ("repeat", "tall-river-2026"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.text);

    assert_eq!(here.get("/account").await.status, 200, "this session goes on");
    assert_eq!(elsewhere.get("/account").await.status, 303, "other sessions end");
    let api = app
        .anonymous()
        .get(app.url("/api/v1/regions"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 401, "tokens are revoked");
    let again = app.nobody();
    let old = again
        .post_form("/login", &[("username", "analyst"), ("password", PASSWORD)])
        .await;
    assert_eq!(old.status, 401);
    let new = again
        .post_form("/login", &[("username", "analyst"), ("password", "tall-river-2026")])
        .await;
    assert_eq!(new.status, 303);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_an_admin_set_must_be_replaced_at_the_first_sign_in() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let created = admin
        .post_form(
            "/admin/users",
            &[
                ("username", "li.na"),
                ("role", "leader"),
                ("region", ""),
                ("password", "given-by-admin-7"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let li = app.nobody();
    let signed_in = li
        .post_form("/login", &[("username", "li.na"), ("password", "given-by-admin-7")])
        .await;
    assert_eq!(signed_in.status, 303);
    let dashboard = li.get("/").await;
    assert_eq!(dashboard.status, 303, "every page leads to the account page first");
    assert_eq!(dashboard.header("location"), Some("/account"));
    assert_eq!(li.get("/api/v1/regions").await.status, 403);
    let account = li.get("/account").await;
    assert_eq!(account.status, 200);
    assert!(
        !account.text.contains("/account/tokens\""),
        "no token before a password of one's own"
    );
    let changed = li
        .post_form(
            "/account/password",
            &[
                ("current", "given-by-admin-7"),
                ("password", "my-own-choice-26"),
                ("repeat", "my-own-choice-26"),
            ],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.text);
    assert_eq!(li.get("/").await.status, 200);

    // Demo accounts (passwords the operator gave at start) are not forced.
    assert_eq!(app.user("leader").await.get("/").await.status, 200);
    app.stop().await;
}
