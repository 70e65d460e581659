//! Role × endpoint matrix: every write is refused to the officer of another city, the leader,
//! the analyst, a city admin outside its city and an anonymous visitor, leaving the database
//! unchanged, and accepted from the right role. Deny by default. A city admin's own reach (its
//! units' targets and officers) is walked route by route.

mod common;

use common::{PASSWORD, Reply, TestApp, User};
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    OwnOfficer,
    OtherOfficer,
    Leader,
    Analyst,
    Admin,
    /// 韶关市's admin: none of these endpoints is about its city.
    CityAdmin,
    Anonymous,
}

use Who::*;

const EVERYONE: [Who; 7] = [OwnOfficer, OtherOfficer, Leader, Analyst, Admin, CityAdmin, Anonymous];

enum Body {
    Json(Value),
    Form(Vec<(&'static str, String)>),
}

struct Endpoint {
    method: Method,
    path: String,
    body: Body,
    allowed: &'static [Who],
    /// The status of an accepted request.
    accepted: u16,
}

fn form(pairs: &[(&'static str, &str)]) -> Body {
    Body::Form(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
}

async fn send(user: &User, endpoint: &Endpoint) -> Reply {
    let (method, path) = (endpoint.method.clone(), &endpoint.path);
    match &endpoint.body {
        Body::Json(value) => user.send_json(method, path, value).await,
        Body::Form(fields) => user.send_form(method, path, fields).await,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_endpoint_refuses_the_wrong_roles_and_accepts_the_right_one() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    for (name, role, region) in [("sz_officer", "officer", "440300"), ("temp_user", "leader", "")] {
        let created = admin
            .post_form(
                "/admin/users",
                &[
                    ("username", name),
                    ("role", role),
                    ("region", region),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(created.status, 303, "creating {name}");
        // A password an admin set is replaced at the first sign-in (here by the same text).
        let own = [("current", PASSWORD), ("password", PASSWORD), ("repeat", PASSWORD)];
        let user = app.nobody();
        let signed_in = user
            .post_form("/login", &[("username", name), ("password", PASSWORD)])
            .await;
        assert_eq!(signed_in.status, 303, "{name} signs in");
        assert_eq!(
            user.post_form("/account/password", &own).await.status,
            303,
            "{name} chooses"
        );
    }
    let temp = anju::db::users::by_username(&app.conn(), "temp_user")
        .unwrap()
        .expect("temp_user")
        .id;
    let mut users = Vec::new();
    for who in EVERYONE {
        let user = match who {
            OwnOfficer => app.user("gz_officer").await,
            OtherOfficer => app.user("sz_officer").await,
            Leader => app.user("leader").await,
            Analyst => app.user("analyst").await,
            Admin => app.user("admin").await,
            CityAdmin => app.user("sg_admin").await,
            Anonymous => app.nobody(),
        };
        users.push((who, user));
    }
    const WRITERS: &[Who] = &[OwnOfficer, Admin];
    const ADMIN: &[Who] = &[Admin];
    let endpoints = vec![
        Endpoint {
            method: Method::PUT,
            path: "/api/v1/reports/440100/2022Q1".into(),
            body: Body::Json(json!({"values": {"shantytown_starts": 10}})),
            allowed: WRITERS,
            accepted: 200,
        },
        Endpoint {
            method: Method::POST,
            path: "/reports/440100/2022Q2".into(),
            body: form(&[("value.shantytown_starts", "20"), ("action", "save")]),
            allowed: WRITERS,
            accepted: 303,
        },
        Endpoint {
            method: Method::POST,
            path: "/api/v1/reports/440400/2021Q4/approve".into(),
            body: Body::Json(json!({})),
            allowed: ADMIN,
            accepted: 200,
        },
        Endpoint {
            method: Method::POST,
            path: "/api/v1/reports/440700/2021Q4/return".into(),
            body: Body::Json(json!({"comment": "请核实"})),
            allowed: ADMIN,
            accepted: 200,
        },
        Endpoint {
            method: Method::POST,
            path: "/api/v1/reports/440300/2021Q4/reopen".into(),
            body: Body::Json(json!({"comment": "请补充情况说明"})),
            allowed: ADMIN,
            accepted: 200,
        },
        Endpoint {
            method: Method::POST,
            path: "/admin/reports/441200/2021Q4/approve".into(),
            body: form(&[]),
            allowed: ADMIN,
            accepted: 303,
        },
        Endpoint {
            method: Method::POST,
            path: "/admin/reports/441600/2021Q4/return".into(),
            body: form(&[("comment", "请补充情况说明")]),
            allowed: ADMIN,
            accepted: 303,
        },
        Endpoint {
            method: Method::POST,
            path: "/admin/reports/440100/2021Q4/reopen".into(),
            body: form(&[("comment", "请补充租金减免户数")]),
            allowed: ADMIN,
            accepted: 303,
        },
        Endpoint {
            method: Method::POST,
            path: "/admin/targets".into(),
            body: form(&[("year", "2022"), ("t.440100.shantytown_starts", "1000")]),
            allowed: ADMIN,
            accepted: 303,
        },
        Endpoint {
            method: Method::POST,
            path: "/admin/users".into(),
            body: form(&[
                ("username", "new_analyst"),
                ("role", "analyst"),
                ("region", ""),
                ("password", "long-enough-password"),
            ]),
            allowed: ADMIN,
            accepted: 303,
        },
        Endpoint {
            method: Method::POST,
            path: format!("/admin/users/{temp}/role"),
            body: form(&[("role", "analyst"), ("region", "")]),
            allowed: ADMIN,
            accepted: 303,
        },
        Endpoint {
            method: Method::POST,
            path: format!("/admin/users/{temp}/disable"),
            body: form(&[]),
            allowed: ADMIN,
            accepted: 303,
        },
        Endpoint {
            method: Method::POST,
            path: format!("/admin/users/{temp}/enable"),
            body: form(&[]),
            allowed: ADMIN,
            accepted: 303,
        },
        Endpoint {
            method: Method::POST,
            path: format!("/admin/users/{temp}/password"),
            body: form(&[("password", "another-long-password")]),
            allowed: ADMIN,
            accepted: 303,
        },
    ];
    for endpoint in &endpoints {
        let is_api = endpoint.path.starts_with("/api/");
        for (who, user) in users.iter().filter(|(who, _)| !endpoint.allowed.contains(who)) {
            let before = app.snapshot();
            let answer = send(user, endpoint).await;
            match (who, is_api) {
                (Anonymous, true) => assert_eq!(answer.status, 401, "{who:?} {} {}", endpoint.method, endpoint.path),
                (Anonymous, false) => {
                    assert_eq!(answer.status, 303, "{who:?} {}", endpoint.path);
                    let location = answer.location();
                    assert!(location.starts_with("/login"), "{location}");
                }
                _ => {
                    assert_eq!(answer.status, 403, "{who:?} {} {}", endpoint.method, endpoint.path);
                    let text = &answer.text;
                    assert!(text.contains("无权"), "{who:?} {}: {text}", endpoint.path);
                }
            }
            assert_eq!(app.snapshot(), before, "{who:?} {} changed the database", endpoint.path);
        }
        for (who, user) in users.iter().filter(|(who, _)| endpoint.allowed.contains(who)) {
            let answer = send(user, endpoint).await;
            assert_eq!(
                answer.status, endpoint.accepted,
                "{who:?} {} {}: {}",
                endpoint.method, endpoint.path, answer.text
            );
        }
    }
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_pages_and_entry_forms_are_closed_to_the_wrong_roles() {
    let app = TestApp::demo().await;
    let pages: [(&str, &[&str]); 7] = [
        ("/admin/approvals", &["admin"]),
        ("/admin/targets?year=2021", &["admin"]),
        ("/admin/users", &["admin"]),
        ("/audit", &["admin", "analyst", "gz_officer"]),
        ("/reports", &["admin", "gz_officer"]),
        ("/reports/440100/2022Q1", &["admin", "gz_officer"]),
        ("/reports/440300/2022Q1", &["admin"]),
    ];
    for name in ["admin", "gz_officer", "leader", "analyst"] {
        let user = app.user(name).await;
        for (path, allowed) in pages {
            let expected = if allowed.contains(&name) { 200 } else { 403 };
            assert_eq!(user.get(path).await.status, expected, "{name} GET {path}");
        }
    }
    let admin = app.user("admin").await;
    for (path, _) in pages {
        let english = format!("{path}{}lang=en", if path.contains('?') { '&' } else { '?' });
        let page = admin.get(&english).await;
        assert_eq!(page.status, 200, "{english}");
        assert!(page.text.contains("lang=\"en\""), "{english}");
    }
    // Officers see only their own region's audit rows.
    let officer = app.user("gz_officer").await;
    let html = officer.get("/audit").await.text;
    assert!(html.contains("广州市") && !html.contains("深圳市"), "only own region");
    assert_eq!(officer.get("/audit?region=440300").await.status, 403);
    for path in ["/admin/approvals", "/reports", "/audit"] {
        assert_eq!(app.nobody().get(path).await.status, 303, "{path}");
    }
    app.stop().await;
}

/// 韶关市's admin, route by route: its units' targets and officers yes; its city's own target,
/// another city's county, admins and accounts elsewhere no (403, nothing changed).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_admin_writes_within_its_units_only() {
    let app = TestApp::demo().await;
    let city = app.user("sg_admin").await;
    for path in ["/admin/approvals", "/admin/targets?year=2021", "/admin/users", "/audit"] {
        assert_eq!(city.get(path).await.status, 200, "sg_admin GET {path}");
    }
    let id = |name: &str| anju::db::users::by_username(&app.conn(), name).unwrap().expect(name).id;
    let (gz, wj, leader) = (id("gz_officer"), id("wj_officer"), id("leader"));
    let new_user = |name: &'static str, role: &'static str, region: &'static str| {
        form(&[
            ("username", name),
            ("role", role),
            ("region", region),
            ("password", "long-enough-password"),
        ])
    };
    let refused = vec![
        (
            "/admin/targets".to_owned(),
            form(&[("year", "2022"), ("t.440200.shantytown_starts", "500")]),
        ),
        (
            "/admin/targets".to_owned(),
            form(&[("year", "2022"), ("t.440103.shantytown_starts", "5")]),
        ),
        (
            "/admin/targets".to_owned(),
            form(&[("year", "2022"), ("t.440802.shantytown_starts", "5")]),
        ),
        ("/admin/users".to_owned(), new_user("sg_admin2", "admin", "440200")),
        ("/admin/users".to_owned(), new_user("zj_officer", "officer", "440802")),
        ("/admin/users".to_owned(), new_user("sg_analyst", "analyst", "440200")),
        (format!("/admin/users/{gz}/disable"), form(&[])),
        (
            format!("/admin/users/{leader}/password"),
            form(&[("password", "another-long-password")]),
        ),
        (
            format!("/admin/users/{wj}/role"),
            form(&[("role", "leader"), ("region", "440200")]),
        ),
    ];
    for (path, body) in refused {
        let before = app.snapshot();
        let endpoint = Endpoint {
            method: Method::POST,
            path,
            body,
            allowed: &[],
            accepted: 403,
        };
        let answer = send(&city, &endpoint).await;
        assert_eq!(answer.status, 403, "{}: {}", endpoint.path, answer.text);
        assert!(answer.text.contains("无权"), "{}: {}", endpoint.path, answer.text);
        assert_eq!(app.snapshot(), before, "{} changed the database", endpoint.path);
    }
    let accepted = vec![
        (
            "/admin/targets".to_owned(),
            form(&[("year", "2022"), ("t.440203.shantytown_starts", "50")]),
        ),
        ("/admin/users".to_owned(), new_user("zj_officer", "officer", "440204")),
        (
            format!("/admin/users/{wj}/password"),
            form(&[("password", "another-long-password")]),
        ),
        (format!("/admin/users/{wj}/disable"), form(&[])),
        (format!("/admin/users/{wj}/enable"), form(&[])),
    ];
    for (path, body) in accepted {
        let endpoint = Endpoint {
            method: Method::POST,
            path,
            body,
            allowed: &[],
            accepted: 303,
        };
        let answer = send(&city, &endpoint).await;
        assert_eq!(answer.status, 303, "{}: {}", endpoint.path, answer.text);
    }
    let stored = anju::db::targets::get(&app.conn(), "440203", "shantytown_starts", 2022).unwrap();
    assert_eq!(stored, Some(50));
    app.stop().await;
}
