//! Imports of targets and reports: the upload page (preview, confirm) and the command line. Every
//! failure leaves the database exactly as it was.

mod common;

use std::process::Command;

use common::TestApp;

const BOUNDARY: &str = "anju-test-boundary-7f3a";

/// A `multipart/form-data` body as a browser sends the upload form.
fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, file_name, content) in fields {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        match file_name {
            Some(file_name) => body.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: text/csv\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn post_form(app: &TestApp, client: &reqwest::Client, body: Vec<u8>) -> (u16, String) {
    let response = client
        .post(app.url("/import"))
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// Uploads `file` for a preview (a dry run).
async fn preview(app: &TestApp, client: &reqwest::Client, kind: &str, file: &[u8]) -> (u16, String) {
    post_form(
        app,
        client,
        multipart(&[("kind", None, kind.as_bytes()), ("file", Some("upload.csv"), file)]),
    )
    .await
}

/// The previewed file carried in the confirmation form.
fn carried_content(page: &str) -> String {
    let start = page.find("name=\"content\" value=\"").expect("confirmation form") + "name=\"content\" value=\"".len();
    let end = start + page[start..].find('"').unwrap();
    page[start..end].to_owned()
}

async fn confirm(app: &TestApp, client: &reqwest::Client, kind: &str, content: &str) -> (u16, String) {
    post_form(
        app,
        client,
        multipart(&[
            ("kind", None, kind.as_bytes()),
            ("content", None, content.as_bytes()),
            ("confirm", None, b"1"),
        ]),
    )
    .await
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn count(app: &TestApp, sql: &str) -> i64 {
    app.conn().query_row(sql, [], |row| row.get(0)).unwrap()
}

#[tokio::test]
async fn admin_previews_old_and_new_targets_then_confirms() {
    let app = TestApp::demo().await;
    let client = app.login("admin").await;
    let page = client.get(app.url("/import?kind=targets")).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("region_code,year,indicator,target"));
    assert!(page.contains("enctype=\"multipart/form-data\""));

    let old: i64 = app
        .conn()
        .query_row(
            "SELECT target FROM targets WHERE region_code = '440100' AND year = 2021 AND indicator = 'shantytown_starts'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let file = "region_code,year,indicator,target\n440100,2021,shantytown_starts,123456\n440300,2022,public_rental_starts,800\n";
    let before = app.snapshot();
    let (status, page) = preview(&app, &client, "targets", file.as_bytes()).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(app.snapshot(), before, "a preview writes nothing");
    assert!(page.contains(&anju::domain::format::thousands(old)), "{page}");
    assert!(page.contains("→ 123,456"), "{page}");
    assert!(page.contains("→ 800"), "{page}");

    let (status, page) = confirm(&app, &client, "targets", &carried_content(&page)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("已导入 2 行"), "{page}");
    assert_eq!(
        count(
            &app,
            "SELECT target FROM targets WHERE region_code = '440100' AND year = 2021 AND indicator = 'shantytown_starts'"
        ),
        123456
    );
    assert_eq!(
        count(&app, "SELECT count(*) FROM targets WHERE year = 2022"),
        1,
        "the new target is stored"
    );
    assert!(count(&app, "SELECT count(*) FROM audit_log WHERE username = 'admin'") >= 2);
}

#[tokio::test]
async fn gbk_reports_file_imports_with_its_chinese_notes() {
    let app = TestApp::demo().await;
    let client = app.login("admin").await;
    let text = "region_code,period,indicator,cumulative,note\n\
                445300,2022Q1,shantytown_starts,12,受疫情影响，延期开工\n\
                445300,2022Q1,public_rental_starts,3,\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "the file really is GBK");
    let (status, page) = preview(&app, &client, "reports", &gbk).await;
    assert_eq!(status, 200, "{page}");
    // The preview says the import creates and submits the report, not only the figures.
    assert!(page.contains("以下 1 份报告的状态将变更"), "{page}");
    assert!(page.contains("(新建)") && page.contains("→ 已报送"), "{page}");
    let (status, page) = confirm(&app, &client, "reports", &carried_content(&page)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("以下 1 份报告的状态已变更"), "{page}");
    let (cumulative, note, status): (i64, String, String) = app
        .conn()
        .query_row(
            "SELECT v.cumulative, v.note, r.status FROM report_values v JOIN reports r ON r.id = v.report_id
             WHERE r.region_code = '445300' AND r.year = 2022 AND r.quarter = 1 AND v.indicator = 'shantytown_starts'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .unwrap();
    assert_eq!(
        (cumulative, note.as_str(), status.as_str()),
        (12, "受疫情影响，延期开工", "submitted")
    );
}

#[tokio::test]
async fn three_bad_rows_are_all_reported_by_line_and_nothing_changes() {
    let app = TestApp::demo().await;
    let client = app.login("admin").await;
    let file = "region_code,period,indicator,cumulative,note\n\
                445300,2022Q1,shantytown_starts,12,\n\
                999999,2022Q1,shantytown_starts,5,\n\
                445300,2022Q1,public_rental_starts,-4,\n\
                445300,2022Q1,shantytown_completions,1.5,\n\
                445300,2022Q1,rent_subsidy_households,7,\n";
    let before = app.snapshot();
    let (status, page) = preview(&app, &client, "reports", file.as_bytes()).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("发现 3 处错误"), "{page}");
    for line in [3, 4, 5] {
        assert!(
            page.contains(&format!("<td class=\"num\">{line}</td>")),
            "line {line}: {page}"
        );
    }
    assert!(page.contains("999999"));
    assert!(!page.contains("name=\"confirm\""), "no way to confirm a bad file");
    // Forcing a confirmation of the same bytes is validated again and refused.
    let (status, _) = confirm(&app, &client, "reports", &base64(file.as_bytes())).await;
    assert_eq!(status, 422);
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn wrong_header_names_the_expected_columns() {
    let app = TestApp::demo().await;
    let client = app.login("admin").await;
    let (status, page) = preview(&app, &client, "reports", b"code,period,value\n440100,2022Q1,5\n").await;
    assert_eq!(status, 422);
    assert!(page.contains("region_code,period,indicator,cumulative,note"), "{page}");
}

#[tokio::test]
async fn officer_imports_own_city_only() {
    let app = TestApp::demo().await;
    let client = app.login("gz_officer").await;
    let own = "region_code,period,indicator,cumulative,note\n440100,2022Q1,shantytown_starts,40,\n";
    let (status, page) = preview(&app, &client, "reports", own.as_bytes()).await;
    assert_eq!(status, 200, "{page}");

    let mixed = "region_code,period,indicator,cumulative,note\n\
                 440100,2022Q1,shantytown_starts,40,\n\
                 440300,2022Q1,shantytown_starts,50,\n";
    let before = app.snapshot();
    let (status, page) = preview(&app, &client, "reports", mixed.as_bytes()).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("<td class=\"num\">3</td>"), "{page}");
    assert!(page.contains("440300"), "{page}");
    // A forged confirmation of another city's figures is refused on the server.
    let (status, _) = confirm(&app, &client, "reports", &base64(mixed.as_bytes())).await;
    assert_eq!(status, 422);
    assert_eq!(app.snapshot(), before);

    let targets = "region_code,year,indicator,target\n440100,2022,shantytown_starts,1\n";
    let (status, _) = preview(&app, &client, "targets", targets.as_bytes()).await;
    assert_eq!(status, 403);
    assert_eq!(app.snapshot(), before);
    let response = client.get(app.url("/import?kind=targets")).send().await.unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn leaders_and_analysts_cannot_import_and_anonymous_must_sign_in() {
    let app = TestApp::demo().await;
    for name in ["leader", "analyst"] {
        let client = app.login(name).await;
        let response = client.get(app.url("/import?kind=reports")).send().await.unwrap();
        assert_eq!(response.status(), 403, "{name}");
        let file = "region_code,period,indicator,cumulative,note\n440100,2022Q1,shantytown_starts,40,\n";
        let before = app.snapshot();
        let (status, _) = preview(&app, &client, "reports", file.as_bytes()).await;
        assert_eq!(status, 403, "{name}");
        assert_eq!(app.snapshot(), before);
    }
    let response = app.anonymous().get(app.url("/import")).send().await.unwrap();
    assert_eq!(response.status(), 303);
}

#[tokio::test]
async fn an_oversized_upload_is_refused_with_a_clear_message() {
    let app = TestApp::demo().await;
    let client = app.login("admin").await;
    let before = app.snapshot();
    // Over the import limit but within the route's body limit: the file size is checked.
    let mut big = b"region_code,period,indicator,cumulative,note\n".to_vec();
    big.resize(anju::service::import::MAX_IMPORT_BYTES + 1, b'\n');
    let (status, page) = preview(&app, &client, "reports", &big).await;
    assert_eq!(status, 413);
    assert!(page.contains("文件过大"), "{page}");
    // Over the route's body limit: the upload is cut off and the same message shown.
    let huge = vec![b'\n'; anju::web::import::IMPORT_BODY_LIMIT + 1024];
    let (status, page) = preview(&app, &client, "reports", &huge).await;
    assert_eq!(status, 413);
    assert!(page.contains("文件过大"), "{page}");
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn an_empty_form_asks_for_a_file() {
    let app = TestApp::demo().await;
    let client = app.login("admin").await;
    let (status, page) = post_form(&app, &client, multipart(&[("kind", None, b"reports")])).await;
    assert_eq!(status, 400);
    assert!(page.contains("请选择要导入的 CSV 文件"), "{page}");
}

/// A database prepared like a fresh install: `anju migrate`, then the demonstration data.
fn prepared_database() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("anju.db");
    let migrate = Command::new(env!("CARGO_BIN_EXE_anju"))
        .arg("--db")
        .arg(&db)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(migrate.status.success(), "{}", String::from_utf8_lossy(&migrate.stderr));
    let store = anju::StoreConfig {
        db: db.clone(),
        data_dir: dir.path().join("no-data-dir"),
    };
    let config = anju::ServeConfig {
        demo: true,
        demo_password: Some(common::PASSWORD.into()),
        ..anju::ServeConfig::default()
    };
    anju::prepare(&store, config).unwrap();
    (dir, db)
}

fn cli_import(db: &std::path::Path, file: &std::path::Path, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_anju"))
        .arg("--db")
        .arg(db)
        .args(["import", "reports"])
        .arg(file)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn cli_import_with_one_bad_row_fails_naming_the_line_and_changes_nothing() {
    let (dir, db) = prepared_database();
    let file = dir.path().join("reports.csv");
    std::fs::write(
        &file,
        "region_code,period,indicator,cumulative,note\n\
         445300,2022Q1,shantytown_starts,12,\n\
         445300,2022Q1,public_rental_starts,abc,\n",
    )
    .unwrap();
    let before = common::snapshot(&rusqlite::Connection::open(&db).unwrap());
    let output = cli_import(&db, &file, &[]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("reports.csv:3:"), "{stderr}");
    assert!(stderr.contains("abc"), "the reason names the bad value: {stderr}");
    assert_eq!(common::snapshot(&rusqlite::Connection::open(&db).unwrap()), before);
}

#[test]
fn cli_dry_run_shows_changes_and_writes_nothing() {
    let (dir, db) = prepared_database();
    let file = dir.path().join("reports.csv");
    std::fs::write(
        &file,
        "region_code,period,indicator,cumulative,note\n445300,2022Q1,shantytown_starts,12,\n",
    )
    .unwrap();
    let before = common::snapshot(&rusqlite::Connection::open(&db).unwrap());
    let output = cli_import(&db, &file, &["--dry-run"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("445300 2022Q1 shantytown_starts"), "{stdout}");
    assert!(stdout.contains("report 445300 2022Q1: (新建) → 已报送"), "{stdout}");
    assert_eq!(common::snapshot(&rusqlite::Connection::open(&db).unwrap()), before);

    let output = cli_import(&db, &file, &[]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_ne!(common::snapshot(&rusqlite::Connection::open(&db).unwrap()), before);
}

#[tokio::test]
async fn the_import_page_is_in_the_navigation_of_admins_and_officers_only() {
    let app = TestApp::demo().await;
    for (name, shown) in [
        ("admin", true),
        ("gz_officer", true),
        ("leader", false),
        ("analyst", false),
    ] {
        let client = app.login(name).await;
        let page = client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert_eq!(page.contains("href=\"/import\""), shown, "{name}");
    }
}
