//! The bulletin as a Word document, checked by reading its WordprocessingML: A4, the GB/T 9704
//! margins and grid, fonts named with `w:eastAsia` on every run, the published 2020Q1 figures,
//! page numbers as "— n —" on alternating sides, the issuing office, the date, the demo label.

mod common;

use std::io::{Cursor, Read};

use common::TestApp;

const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";

fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

fn attr<'a>(node: roxmltree::Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute((W, name))
}

/// Every run's text, with the East Asian font and size it is set in.
fn runs(xml: &str) -> Vec<(String, Option<String>, Option<String>)> {
    let doc = roxmltree::Document::parse(xml).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name((W, "r")))
        .map(|r| {
            let text: String = r
                .descendants()
                .filter(|n| n.has_tag_name((W, "t")))
                .filter_map(|n| n.text())
                .collect();
            let fonts = r.descendants().find(|n| n.has_tag_name((W, "rFonts")));
            let size = r.descendants().find(|n| n.has_tag_name((W, "sz")));
            (
                text,
                fonts.and_then(|f| attr(f, "eastAsia")).map(str::to_owned),
                size.and_then(|s| attr(s, "val")).map(str::to_owned),
            )
        })
        .collect()
}

fn check_document(bytes: &[u8]) {
    let xml = part(bytes, "word/document.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let find = |tag: &str| doc.descendants().find(|n| n.has_tag_name((W, tag))).unwrap();
    let size = find("pgSz");
    assert_eq!((attr(size, "w"), attr(size, "h")), (Some("11906"), Some("16838")), "A4");
    let margins = find("pgMar");
    assert_eq!(
        ["top", "bottom", "left", "right"].map(|side| attr(margins, side)),
        [Some("2098"), Some("1984"), Some("1587"), Some("1474")],
        "37 / 35 / 28 / 26 mm"
    );
    let grid = find("docGrid");
    assert_eq!(attr(grid, "type"), Some("linesAndChars"));
    assert_eq!(attr(grid, "linePitch"), Some("579"), "22 lines");
    assert!(attr(grid, "charSpace").is_some(), "28 characters");

    let runs = runs(&xml);
    assert!(
        runs.iter().all(|(_, font, _)| font.is_some()),
        "w:eastAsia on every run"
    );
    let (title, title_font, title_size) = &runs[0];
    assert!(title.contains("2020年第一季度") && title.contains("通报"), "{title}");
    assert_eq!(
        (title_font.as_deref(), title_size.as_deref()),
        (Some("方正小标宋简体"), Some("44"))
    );
    let text: String = runs.iter().map(|(t, _, _)| t.as_str()).collect();
    let body = runs
        .iter()
        .find(|(t, _, _)| t.contains("7899") || t.contains("7,899"))
        .expect("the figure");
    assert_eq!(
        (body.1.as_deref(), body.2.as_deref()),
        (Some("仿宋_GB2312"), Some("32"))
    );
    assert!(text.contains("7,899"), "the attached table's figure");
    assert!(text.contains("72.3%"), "{text}");
    assert!(text.contains("广东省住房和城乡建设厅"), "the issuing office");
    assert!(
        text.contains("年") && text.contains("月") && text.contains("日"),
        "the date"
    );
    assert!(text.contains("演示数据"), "the demo label");
    assert!(text.contains("附件"), "the attachment");
    assert!(
        text.contains("广州市") && text.contains("达到序时进度"),
        "each city and its status"
    );
    assert!(
        runs.iter().any(|(t, f, _)| t == "附件" && f.as_deref() == Some("黑体")),
        "the attachment heading in 黑体"
    );

    let settings = part(bytes, "word/settings.xml");
    assert!(settings.contains("<w:evenAndOddHeaders/>"));
    for (footer, side) in [("word/footer1.xml", "right"), ("word/footer2.xml", "left")] {
        let xml = part(bytes, footer);
        assert!(
            xml.contains("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>"),
            "{xml}"
        );
        assert!(xml.contains("— ") && xml.contains(" —"), "{xml}");
        assert!(xml.contains(&format!("<w:jc w:val=\"{side}\"/>")), "{footer}: {xml}");
        assert!(xml.contains("w:sz w:val=\"28\""), "4号: {xml}");
        assert!(xml.contains("w:eastAsia=\"宋体\""), "{xml}");
    }
    let types = part(bytes, "[Content_Types].xml");
    assert!(types.contains("wordprocessingml.document.main+xml"));
}

#[tokio::test]
async fn the_bulletin_downloads_as_a_gb_t_9704_word_document() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let page = leader.get("/bulletin?period=2020Q1").await;
    assert!(page.text.contains("/bulletin.docx?period=2020Q1"), "the page links it");
    let docx = leader.get("/bulletin.docx?period=2020Q1").await;
    assert_eq!(docx.status, 200);
    assert_eq!(
        docx.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    );
    assert!(
        docx.header("content-disposition")
            .unwrap()
            .contains("bulletin-2020Q1.docx")
    );
    check_document(&docx.bytes);
    assert!(matches!(
        app.nobody().get("/bulletin.docx?period=2020Q1").await.status,
        303 | 401
    ));
}

#[test]
fn the_command_line_writes_the_same_document() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("anju.db");
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
    let output = dir.path().join("通报.docx");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_anju"))
        .arg("--db")
        .arg(&db)
        .args(["bulletin", "--period", "2020Q1", "--format", "docx", "--output"])
        .arg(&output)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    check_document(&std::fs::read(&output).unwrap());
}

/// The document's text, run by run.
fn document_text(bytes: &[u8]) -> String {
    runs(&part(bytes, "word/document.xml"))
        .into_iter()
        .map(|(t, _, _)| t)
        .collect()
}

#[tokio::test]
async fn the_word_bulletin_signs_with_the_configured_issuer_and_date_as_the_page_does() {
    let app = TestApp::demo_with(|config| {
        config.imprint.issuer = "某某省住房和城乡建设厅".into();
        config.imprint.bulletin_date = chrono::NaiveDate::from_ymd_opt(2020, 4, 27);
    })
    .await;
    let leader = app.user("leader").await;
    let page = leader.get("/bulletin?period=2020Q1&lang=zh").await.text;
    assert!(page.contains("某某省住房和城乡建设厅") && page.contains("2020年4月27日"));
    let docx = leader.get("/bulletin.docx?period=2020Q1").await;
    let text = document_text(&docx.bytes);
    assert!(text.contains("某某省住房和城乡建设厅"), "{text}");
    assert!(!text.contains("广东省住房和城乡建设厅"), "not the default office");
    assert!(text.contains("2020年4月27日"), "{text}");
}

#[test]
fn the_command_lines_word_bulletin_takes_issuer_and_bulletin_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("anju.db");
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
    let output = dir.path().join("通报.docx");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_anju"))
        .arg("--db")
        .arg(&db)
        .args(["bulletin", "--period", "2020Q1", "--format", "docx"])
        .args([
            "--issuer",
            "某某市住房和城乡建设局",
            "--bulletin-date",
            "2020-04-21",
            "--output",
        ])
        .arg(&output)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let text = document_text(&std::fs::read(&output).unwrap());
    assert!(
        text.contains("某某市住房和城乡建设局") && text.contains("2020年4月21日"),
        "{text}"
    );
}
