//! Imports of targets and reports: the upload page (preview, confirm) and the command line. Every
//! failure leaves the database exactly as it was.

mod common;

use std::process::Command;

use anju::db::audit::AuditFilter;
use anju::domain::Period;
use common::{TestApp, User, carried_content};

/// Posts the upload form's `fields` as a browser does.
async fn upload(user: &User, fields: &[(&str, Option<&str>, &[u8])]) -> (u16, String) {
    let page = user.post_multipart("/import", fields).await;
    (page.status, page.text)
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[tokio::test]
async fn admin_previews_old_and_new_targets_then_confirms() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let page = admin.get("/import?kind=targets").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("region_code,year,indicator,target"));
    assert!(page.text.contains("enctype=\"multipart/form-data\""));

    let guangzhou_2021 = || anju::db::targets::get(&app.conn(), "440100", "shantytown_starts", 2021).unwrap();
    let old = guangzhou_2021().expect("a 2021 target");
    let file = "region_code,year,indicator,target\n440100,2021,shantytown_starts,123456\n440300,2022,public_rental_starts,800\n";
    let before = app.snapshot();
    let (status, page) = admin.preview_import("targets", "upload.csv", file.as_bytes()).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(app.snapshot(), before, "a preview writes nothing");
    assert!(page.contains(&anju::domain::format::thousands(old)), "{page}");
    assert!(page.contains("→ 123,456"), "{page}");
    assert!(page.contains("→ 800"), "{page}");

    let (status, page) = admin.confirm_import("targets", &carried_content(&page)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("已导入 2 行"), "{page}");
    assert_eq!(guangzhou_2021(), Some(123456));
    let conn = app.conn();
    assert_eq!(
        anju::db::targets::for_year(&conn, 2022).unwrap().len(),
        1,
        "the new target is stored"
    );
    let by_admin = AuditFilter {
        username: Some("admin".into()),
        limit: u32::MAX,
        ..AuditFilter::default()
    };
    assert!(anju::db::audit::list(&conn, &by_admin).unwrap().len() >= 2);
}

#[tokio::test]
async fn gbk_reports_file_imports_with_its_chinese_notes() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let text = "region_code,period,indicator,cumulative,note\n\
                445300,2022Q1,shantytown_starts,12,受疫情影响，延期开工\n\
                445300,2022Q1,public_rental_starts,3,\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "the file really is GBK");
    let (status, page) = admin.preview_import("reports", "upload.csv", &gbk).await;
    assert_eq!(status, 200, "{page}");
    // The preview says the import creates and submits the report, not only the figures.
    assert!(page.contains("以下 1 份报告的状态将变更"), "{page}");
    assert!(page.contains("（新建）") && page.contains("→ 已报送"), "{page}");
    let (status, page) = admin.confirm_import("reports", &carried_content(&page)).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("以下 1 份报告的状态已变更"), "{page}");
    let report = anju::db::reports::get(&app.conn(), "445300", Period::new(2022, 1).unwrap())
        .unwrap()
        .expect("the imported report");
    assert_eq!(
        (
            report.values["shantytown_starts"],
            report.notes["shantytown_starts"].as_str(),
            report.status.as_str()
        ),
        (Some(12), "受疫情影响，延期开工", "submitted")
    );
}

#[tokio::test]
async fn three_bad_rows_are_all_reported_by_line_and_nothing_changes() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let file = "region_code,period,indicator,cumulative,note\n\
                445300,2022Q1,shantytown_starts,12,\n\
                999999,2022Q1,shantytown_starts,5,\n\
                445300,2022Q1,public_rental_starts,-4,\n\
                445300,2022Q1,shantytown_completions,1.5,\n\
                445300,2022Q1,rent_subsidy_households,7,\n";
    let before = app.snapshot();
    let (status, page) = admin.preview_import("reports", "upload.csv", file.as_bytes()).await;
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
    let (status, _) = admin.confirm_import("reports", &base64(file.as_bytes())).await;
    assert_eq!(status, 422);
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn wrong_header_names_the_expected_columns() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let (status, page) = admin
        .preview_import("reports", "upload.csv", b"code,period,value\n440100,2022Q1,5\n")
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("region_code,period,indicator,cumulative,note"), "{page}");
}

#[tokio::test]
async fn officer_imports_own_city_only() {
    let app = TestApp::demo().await;
    let officer = app.user("gz_officer").await;
    let own = "region_code,period,indicator,cumulative,note\n440100,2022Q1,shantytown_starts,40,\n";
    let (status, page) = officer.preview_import("reports", "upload.csv", own.as_bytes()).await;
    assert_eq!(status, 200, "{page}");

    let mixed = "region_code,period,indicator,cumulative,note\n\
                 440100,2022Q1,shantytown_starts,40,\n\
                 440300,2022Q1,shantytown_starts,50,\n";
    let before = app.snapshot();
    let (status, page) = officer.preview_import("reports", "upload.csv", mixed.as_bytes()).await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("<td class=\"num\">3</td>"), "{page}");
    assert!(page.contains("440300"), "{page}");
    // A forged confirmation of another city's figures is refused on the server.
    let (status, _) = officer.confirm_import("reports", &base64(mixed.as_bytes())).await;
    assert_eq!(status, 422);
    assert_eq!(app.snapshot(), before);

    let targets = "region_code,year,indicator,target\n440100,2022,shantytown_starts,1\n";
    let (status, _) = officer
        .preview_import("targets", "upload.csv", targets.as_bytes())
        .await;
    assert_eq!(status, 403);
    assert_eq!(app.snapshot(), before);
    assert_eq!(officer.get("/import?kind=targets").await.status, 403);
}

#[tokio::test]
async fn leaders_and_analysts_cannot_import_and_anonymous_must_sign_in() {
    let app = TestApp::demo().await;
    for name in ["leader", "analyst"] {
        let user = app.user(name).await;
        assert_eq!(user.get("/import?kind=reports").await.status, 403, "{name}");
        let file = "region_code,period,indicator,cumulative,note\n440100,2022Q1,shantytown_starts,40,\n";
        let before = app.snapshot();
        let (status, _) = user.preview_import("reports", "upload.csv", file.as_bytes()).await;
        assert_eq!(status, 403, "{name}");
        assert_eq!(app.snapshot(), before);
    }
    assert_eq!(app.nobody().get("/import").await.status, 303);
}

#[tokio::test]
async fn an_oversized_upload_is_refused_with_a_clear_message() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let before = app.snapshot();
    // Over the import limit but within the route's body limit: the file size is checked.
    let mut big = b"region_code,period,indicator,cumulative,note\n".to_vec();
    big.resize(anju::service::import::MAX_IMPORT_BYTES + 1, b'\n');
    let (status, page) = admin.preview_import("reports", "upload.csv", &big).await;
    assert_eq!(status, 413);
    assert!(page.contains("文件过大"), "{page}");
    // Over the route's body limit: the upload is cut off and the same message shown.
    let huge = vec![b'\n'; anju::web::import::IMPORT_BODY_LIMIT + 1024];
    let (status, page) = admin.preview_import("reports", "upload.csv", &huge).await;
    assert_eq!(status, 413);
    assert!(page.contains("文件过大"), "{page}");
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn an_empty_form_asks_for_a_file() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let (status, page) = upload(&admin, &[("kind", None, b"reports")]).await;
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
        let home = app.user(name).await.get("/").await;
        assert_eq!(home.text.contains("href=\"/import\""), shown, "{name}");
    }
}
