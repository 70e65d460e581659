//! Role × endpoint matrix: every write is refused to the officer of another city, the leader,
//! the analyst and an anonymous visitor, leaving the database unchanged, and accepted from the
//! right role. Deny by default.

mod common;

use common::{PASSWORD, TestApp};
use reqwest::Method;
use serde_json::{Value, json};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    OwnOfficer,
    OtherOfficer,
    Leader,
    Analyst,
    Admin,
    Anonymous,
}

use Who::*;

const EVERYONE: [Who; 6] = [OwnOfficer, OtherOfficer, Leader, Analyst, Admin, Anonymous];

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

async fn send(app: &TestApp, client: &reqwest::Client, endpoint: &Endpoint) -> reqwest::Response {
    let request = client.request(endpoint.method.clone(), app.url(&endpoint.path));
    let request = match &endpoint.body {
        Body::Json(value) => request.json(value),
        Body::Form(fields) => request.form(fields),
    };
    request.send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_endpoint_refuses_the_wrong_roles_and_accepts_the_right_one() {
    let app = TestApp::demo().await;
    let admin = app.login("admin").await;
    for (name, role, region) in [("sz_officer", "officer", "440300"), ("temp_user", "leader", "")] {
        let created = admin
            .post(app.url("/admin/users"))
            .form(&[
                ("username", name),
                ("role", role),
                ("region", region),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(created.status(), 303, "creating {name}");
    }
    let temp: i64 = app
        .conn()
        .query_row("SELECT id FROM users WHERE username = 'temp_user'", [], |r| r.get(0))
        .unwrap();
    let mut clients = Vec::new();
    for who in EVERYONE {
        let client = match who {
            OwnOfficer => app.login("gz_officer").await,
            OtherOfficer => app.login("sz_officer").await,
            Leader => app.login("leader").await,
            Analyst => app.login("analyst").await,
            Admin => app.login("admin").await,
            Anonymous => app.anonymous(),
        };
        clients.push((who, client));
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
            body: Body::Json(json!({})),
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
            body: form(&[]),
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
        for (who, client) in clients.iter().filter(|(who, _)| !endpoint.allowed.contains(who)) {
            let before = app.snapshot();
            let response = send(&app, client, endpoint).await;
            let status = response.status().as_u16();
            match (who, is_api) {
                (Anonymous, true) => assert_eq!(status, 401, "{who:?} {} {}", endpoint.method, endpoint.path),
                (Anonymous, false) => {
                    assert_eq!(status, 303, "{who:?} {}", endpoint.path);
                    let location = response.headers()["location"].to_str().unwrap();
                    assert!(location.starts_with("/login"), "{location}");
                }
                _ => {
                    assert_eq!(status, 403, "{who:?} {} {}", endpoint.method, endpoint.path);
                    let text = response.text().await.unwrap();
                    assert!(text.contains("无权"), "{who:?} {}: {text}", endpoint.path);
                }
            }
            assert_eq!(app.snapshot(), before, "{who:?} {} changed the database", endpoint.path);
        }
        for (who, client) in clients.iter().filter(|(who, _)| endpoint.allowed.contains(who)) {
            let response = send(&app, client, endpoint).await;
            let status = response.status().as_u16();
            let text = response.text().await.unwrap();
            assert_eq!(
                status, endpoint.accepted,
                "{who:?} {} {}: {text}",
                endpoint.method, endpoint.path
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
        let client = app.login(name).await;
        for (path, allowed) in pages {
            let status = client.get(app.url(path)).send().await.unwrap().status().as_u16();
            let expected = if allowed.contains(&name) { 200 } else { 403 };
            assert_eq!(status, expected, "{name} GET {path}");
        }
    }
    let admin = app.login("admin").await;
    for (path, _) in pages {
        let english = format!("{path}{}lang=en", if path.contains('?') { '&' } else { '?' });
        let response = admin.get(app.url(&english)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{english}");
        assert!(response.text().await.unwrap().contains("lang=\"en\""), "{english}");
    }
    // Officers see only their own region's audit rows.
    let officer = app.login("gz_officer").await;
    let html = officer
        .get(app.url("/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("广州市") && !html.contains("深圳市"), "only own region");
    let other = officer.get(app.url("/audit?region=440300")).send().await.unwrap();
    assert_eq!(other.status(), 403);
    for path in ["/admin/approvals", "/reports", "/audit"] {
        let response = app.anonymous().get(app.url(path)).send().await.unwrap();
        assert_eq!(response.status(), 303, "{path}");
    }
    app.stop().await;
}
