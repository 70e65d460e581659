//! Imports as people's files are: Windows and old Mac line endings, Chinese and mixed-case
//! headers, Excel's trailing columns and floats, workbooks instead of CSV, files without the
//! note column. Nothing changes silently: every figure and note that changes is previewed.

mod common;

use std::io::Cursor;

use anju::domain::Period;
use common::TestApp;
use rust_xlsxwriter::Workbook;

fn error_lines(page: &str) -> Vec<u64> {
    let table = &page[page.find("import-errors").expect("an error table")..];
    table
        .split("<td class=\"num\">")
        .skip(1)
        .filter_map(|cell| cell.split('<').next()?.parse().ok())
        .collect()
}

fn q1_2022() -> Period {
    Period::new(2022, 1).unwrap()
}

const BAD_ROWS: [&str; 5] = [
    "region_code,period,indicator,cumulative,note",
    "445300,2022Q1,shantytown_starts,12,",
    "445300,2022Q1,public_rental_starts,abc,",
    "445300,2022Q1,shantytown_completions,3,",
    "999999,2022Q1,rent_subsidy_households,7,",
];

#[tokio::test]
async fn errors_name_physical_lines_for_lf_crlf_and_cr_files() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    for ending in ["\n", "\r\n", "\r"] {
        let file = BAD_ROWS.join(ending) + ending;
        let (status, page) = admin.preview_import("reports", "upload.csv", file.as_bytes()).await;
        assert_eq!(status, 422, "{ending:?}: {page}");
        assert_eq!(error_lines(&page), [3, 5], "{ending:?}");
    }
    // A quoted note spanning lines keeps the count of the lines after it.
    let file = "region_code,period,indicator,cumulative,note\r\n\
                445300,2022Q1,shantytown_starts,12,\"第一行\r\n第二行\"\r\n\
                445300,2022Q1,public_rental_starts,abc,\r\n";
    let (_, page) = admin.preview_import("reports", "upload.csv", file.as_bytes()).await;
    assert_eq!(error_lines(&page), [4]);
}

#[test]
fn the_cli_names_the_right_line_of_a_windows_file() {
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
    let file = dir.path().join("reports.csv");
    std::fs::write(&file, BAD_ROWS.join("\r\n") + "\r\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_anju"))
        .arg("--db")
        .arg(&db)
        .args(["import", "reports"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("reports.csv:3:"), "{stderr}");
    assert!(stderr.contains("reports.csv:5:"), "{stderr}");
    assert!(!stderr.contains("reports.csv:2:"), "{stderr}");
}

#[tokio::test]
async fn notes_survive_a_file_without_a_note_column_and_a_cleared_note_is_previewed() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let with_notes = "region_code,period,indicator,cumulative,note\n\
                      445300,2022Q1,shantytown_starts,12,受疫情影响延期开工\n\
                      445300,2022Q1,public_rental_starts,3,用地手续在办理\n";
    admin.import_file("reports", "upload.csv", with_notes.as_bytes()).await;
    let report = || {
        anju::db::reports::get(&app.conn(), "445300", q1_2022())
            .unwrap()
            .unwrap()
    };
    assert_eq!(report().notes.len(), 2);

    // No note column: the figure changes, the notes stay, and the preview says so.
    let without = "region_code,period,indicator,cumulative\n445300,2022Q1,shantytown_starts,15\n";
    let (status, page) = admin.preview_import("reports", "upload.csv", without.as_bytes()).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("1 处数值、0 条情况说明"), "{page}");
    admin.import_file("reports", "upload.csv", without.as_bytes()).await;
    let after = report();
    assert_eq!(after.values["shantytown_starts"], Some(15));
    assert_eq!(after.notes["shantytown_starts"], "受疫情影响延期开工");
    assert_eq!(after.notes["public_rental_starts"], "用地手续在办理");

    // A blank note with the column present clears it: the preview lists it, cleared.
    let blank = "region_code,period,indicator,cumulative,note\n\
                 445300,2022Q1,shantytown_starts,15,\n\
                 445300,2022Q1,public_rental_starts,3,用地手续已办结\n";
    let (status, page) = admin.preview_import("reports", "upload.csv", blank.as_bytes()).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("0 处数值、2 条情况说明（其中 1 条被清空）"), "{page}");
    assert!(page.contains("受疫情影响延期开工"), "the old note is shown: {page}");
    assert!(page.contains("（清空）"), "{page}");
    assert!(page.contains("用地手续已办结"), "{page}");
    assert_eq!(report().notes.len(), 2, "a preview writes nothing");
}

#[tokio::test]
async fn headers_and_numbers_as_people_write_them() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    // The zh export's own names, a trailing empty column from Excel, a float from pandas, a
    // code Excel turned into a number, an indicator by its Chinese name, no note column.
    let file = "行政区划代码,报告期,指标,累计完成,\r\n\
                445300.0,2022Q1,棚户区改造新开工,3000.0,\r\n\
                445300,2022Q1,public_rental_starts,\"1,234\",\r\n";
    admin.import_file("reports", "upload.csv", file.as_bytes()).await;
    let report = anju::db::reports::get(&app.conn(), "445300", q1_2022())
        .unwrap()
        .unwrap();
    assert_eq!(report.values["shantytown_starts"], Some(3000));
    assert_eq!(report.values["public_rental_starts"], Some(1234));

    let targets = "Region_Code,YEAR,Indicator,Target\n440300,2022,shantytown_starts,800.0\n";
    admin.import_file("targets", "upload.csv", targets.as_bytes()).await;
    assert_eq!(
        anju::db::targets::get(&app.conn(), "440300", "shantytown_starts", 2022).unwrap(),
        Some(800)
    );
}

#[tokio::test]
async fn a_refused_header_or_indicator_lists_what_is_accepted() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let (status, page) = admin
        .preview_import(
            "targets",
            "t.csv",
            b"region_code,year,indicatr,target\n440100,2022,shantytown_starts,5\n",
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("无法识别：indicatr"), "{page}");
    assert!(page.contains("缺少：indicator（指标代码）"), "{page}");
    assert!(page.contains("target（年度目标）"), "{page}");

    let file = "region_code,period,indicator,cumulative\n440100,2022Q1,新开工,5\n";
    let (status, page) = admin.preview_import("reports", "r.csv", file.as_bytes()).await;
    assert_eq!(status, 422);
    assert!(page.contains("未知指标“新开工”"), "{page}");
    assert!(page.contains("shantytown_starts（棚户区改造新开工）"), "{page}");
    assert!(page.contains("rent_relief_amount"), "{page}");
}

fn workbook(sheets: &[(&str, &[&[&str]])]) -> Vec<u8> {
    let mut book = Workbook::new();
    for (name, rows) in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                match cell.parse::<f64>() {
                    Ok(number) if !cell.is_empty() && !cell.contains('Q') => {
                        sheet.write_number(r as u32, c as u16, number).unwrap();
                    }
                    _ => {
                        sheet.write_string(r as u32, c as u16, *cell).unwrap();
                    }
                }
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn an_xlsx_upload_imports_its_sheet_named_import_with_row_numbers() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let header: &[&str] = &["行政区划代码", "报告期", "指标代码", "累计完成", "情况说明"];
    let bad = workbook(&[
        ("说明", &[&["请填写导入表"]]),
        (
            "导入",
            &[
                header,
                &["445300", "2022Q1", "shantytown_starts", "12", "进展顺利"],
                &["445300", "2022Q1", "public_rental_starts", "-3", ""],
            ],
        ),
    ]);
    let before = app.snapshot();
    let (status, page) = admin.preview_import("reports", "报表.xlsx", &bad).await;
    assert_eq!(status, 422, "{page}");
    assert_eq!(error_lines(&page), [3], "worksheet row numbers");
    assert!(!page.contains("编码"), "a workbook is not an encoding problem: {page}");
    assert_eq!(app.snapshot(), before);

    let good = workbook(&[(
        "Sheet1",
        &[
            header,
            &["445300", "2022Q1", "shantytown_starts", "12", "进展顺利"],
            &["445300", "2022Q1", "public_rental_starts", "3", ""],
        ],
    )]);
    admin.import_file("reports", "upload.csv", &good).await;
    let report = anju::db::reports::get(&app.conn(), "445300", q1_2022())
        .unwrap()
        .unwrap();
    assert_eq!(report.values["shantytown_starts"], Some(12));
    assert_eq!(report.values["public_rental_starts"], Some(3));
    assert_eq!(report.notes["shantytown_starts"], "进展顺利");
}

#[tokio::test]
async fn a_word_document_or_pdf_is_named_not_called_an_encoding_problem() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    zip.start_file("word/document.xml", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::Write::write_all(&mut zip, b"<w:document/>").unwrap();
    let docx = zip.finish().unwrap().into_inner();
    let (status, page) = admin.preview_import("reports", "通报.docx", &docx).await;
    assert_eq!(status, 422);
    assert!(page.contains("Word 文档"), "{page}");
    let (status, page) = admin.preview_import("reports", "a.pdf", b"%PDF-1.7 ...").await;
    assert_eq!(status, 422);
    assert!(page.contains("PDF"), "{page}");
}

#[tokio::test]
async fn json_figures_written_as_whole_floats_are_integers() {
    let app = TestApp::demo().await;
    let officer = app.user("gz_officer").await;
    let reply = officer
        .put_json(
            "/api/v1/reports/440100/2022Q1",
            serde_json::json!({"values": {"shantytown_starts": 2000.0, "public_rental_starts": 7}}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let reply = officer
        .put_json(
            "/api/v1/reports/440100/2022Q1",
            serde_json::json!({"values": {"shantytown_starts": 2000.5}}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    let report = anju::db::reports::get(&app.conn(), "440100", q1_2022())
        .unwrap()
        .unwrap();
    assert_eq!(report.values["shantytown_starts"], Some(2000));
}
