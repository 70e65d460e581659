//! Rules that used to be written twice, now asked of one place: the navigation offers exactly
//! the pages the policy opens, a username is judged the same by the CLI and the admin page, and
//! a blank filter means "no filter" on the API, the exports and the charts alike.

mod common;

use std::process::Command;

use common::{PASSWORD, TestApp};

const PAGES: [&str; 8] = [
    "/",
    "/bulletin",
    "/reports",
    "/admin/approvals",
    "/admin/targets",
    "/admin/users",
    "/audit",
    "/import",
];

/// The links of the main navigation in a page.
fn nav_links(page: &str) -> Vec<String> {
    let start = page.find("<nav class=\"site-nav\"").expect("navigation");
    let nav = &page[start..start + page[start..].find("</nav>").expect("navigation end")];
    nav.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn every_role_is_offered_exactly_the_pages_it_may_open() {
    let app = TestApp::demo().await;
    for username in ["admin", "gz_officer", "leader", "analyst", "sg_admin", "wj_officer"] {
        let user = app.user(username).await;
        let home = user.get("/").await;
        assert_eq!(home.status, 200, "{username}");
        let offered = nav_links(&home.text);
        for page in PAGES {
            let answer = user.get(page).await;
            let opens = answer.status == 200;
            assert!(opens || answer.status == 403, "{username} {page}: {}", answer.status);
            assert_eq!(
                offered.iter().any(|link| link == page),
                opens,
                "{username}: navigation offers {offered:?}, {page} answers {}",
                answer.status
            );
        }
    }
    app.stop().await;
}

fn cli_user_add(app: &TestApp, name: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_anju"))
        .args([
            "--db",
            app.db_path.to_str().expect("path"),
            "user",
            "add",
            name,
            "--role",
            "leader",
        ])
        .env("ANJU_USER_PASSWORD", PASSWORD)
        .output()
        .expect("run anju")
}

#[tokio::test]
async fn the_cli_and_the_admin_page_judge_a_username_alike() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    for (name, good) in [
        ("a b", false),
        ("王伟", false),
        ("x", false),
        ("tab\tname", false),
        (&*"y".repeat(33), false),
        ("wang.wei", true),
        ("li-na_2", true),
    ] {
        let page = admin
            .post_form(
                "/admin/users",
                &[
                    ("username", name),
                    ("role", "leader"),
                    ("region", ""),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(page.status == 303, good, "admin page, {name:?}: {}", page.status);
        // The CLI is asked for another name of the same shape, so the page's account does not
        // make it a duplicate.
        let twin = if good { format!("{name}2") } else { name.to_owned() };
        let cli = cli_user_add(&app, &twin);
        assert_eq!(cli.status.success(), good, "CLI, {twin:?}: {cli:?}");
        if !good {
            assert!(page.text.contains("用户名须为"), "{name:?}");
            assert!(String::from_utf8_lossy(&cli.stderr).contains("用户名须为"), "{twin:?}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_blank_filter_is_no_filter_on_the_api_exports_and_charts() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    for path in [
        "/api/v1/progress?period=2020Q1",
        "/export/progress.csv?period=2020Q1",
        "/charts/ranking.svg?period=2020Q1&indicator=shantytown_starts",
    ] {
        let unfiltered = analyst.get(path).await;
        assert_eq!(unfiltered.status, 200, "{path}");
        let mut blanks = vec!["&region=", "&region=%20"];
        if !path.contains("indicator=") {
            blanks.push("&region=&indicator=");
        }
        for blank in blanks {
            let url = format!("{path}{blank}");
            let answer = analyst.get(&url).await;
            assert_eq!(answer.status, 200, "{url}");
            assert_eq!(answer.text, unfiltered.text, "{url}");
        }
    }
    // A real region filter still filters, and an unknown one is refused the same everywhere.
    let city = analyst.get("/api/v1/progress?period=2020Q1&region=440100").await;
    assert!(
        city.json()["rows"].as_array().expect("rows").len()
            < analyst.get("/api/v1/progress?period=2020Q1").await.json()["rows"]
                .as_array()
                .expect("rows")
                .len()
    );
    for path in [
        "/api/v1/progress?period=2020Q1&region=449999",
        "/export/progress.csv?period=2020Q1&region=449999",
    ] {
        assert_eq!(analyst.get(path).await.status, 404, "{path}");
    }
    app.stop().await;
}
