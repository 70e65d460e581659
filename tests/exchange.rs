//! Files that go out and come back: exports in the import's columns change nothing when
//! imported again; templates filled in import exactly what was typed; the XLSX and the CSV agree
//! (scale, words, print setup, file names, GBK on request); the export page offers it all.

mod common;

use std::io::{Cursor, Read};

use anju::domain::Period;
use calamine::{Data, DataType};
use common::{TestApp, sheet};
use rust_xlsxwriter::Workbook;

/// The text of one part of an OOXML package.
fn part(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = String::new();
    archive.by_name(name).unwrap().read_to_string(&mut text).unwrap();
    text
}

#[tokio::test]
async fn reports_and_targets_exports_import_again_changing_nothing() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let before = app.snapshot();
    for path in [
        "/export/reports.csv?from=2020Q1&to=2020Q4",
        "/export/reports.xlsx?from=2020Q1&to=2020Q4&lang=zh",
        "/export/reports.csv?period=2021Q2&lang=zh",
    ] {
        let file = admin.get(path).await;
        assert_eq!(file.status, 200, "{path}");
        let name = if path.contains(".xlsx") { "r.xlsx" } else { "r.csv" };
        let (status, page) = admin.preview_import("reports", name, &file.bytes).await;
        assert_eq!(status, 200, "{path}: {page}");
        assert!(page.contains("0 处数值、0 条情况说明"), "{path}: {page}");
        assert!(!page.contains("份报告的状态将变更"), "{path}: {page}");
        admin.import_file("reports", name, &file.bytes).await;
    }
    for path in [
        "/export/targets.csv?year=2020",
        "/export/targets.xlsx?year=2021&lang=zh",
    ] {
        let file = admin.get(path).await;
        assert_eq!(file.status, 200, "{path}");
        let name = if path.contains(".xlsx") { "t.xlsx" } else { "t.csv" };
        let (status, page) = admin.preview_import("targets", name, &file.bytes).await;
        assert_eq!(status, 200, "{path}: {page}");
        assert!(page.contains("0 处数值"), "{path}: {page}");
        admin.import_file("targets", name, &file.bytes).await;
    }
    assert_eq!(app.snapshot(), before, "export → import changed something");
}

#[tokio::test]
async fn the_reports_export_carries_notes_and_status_in_the_import_columns() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let csv = admin.get("/export/reports.csv?period=2020Q1&lang=zh").await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("reports-440000-2020Q1-zh.csv")
    );
    let text = String::from_utf8(csv.bytes[3..].to_vec()).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(
        header,
        "行政区划代码,地区,报告期,指标代码,指标,单位,上季度累计,年度目标,累计完成,情况说明,报告状态"
    );
    assert!(text.contains("已审核") || text.contains("已报送"), "{text}");
    let conn = app.conn();
    let noted = (|| {
        for city in ["440100", "440200", "440300", "440500", "440600", "441300"] {
            let report = anju::db::reports::get(&conn, city, Period::new(2020, 1).unwrap()).ok()??;
            if let Some((_, note)) = report.notes.iter().next() {
                return Some(note.clone());
            }
        }
        None
    })();
    if let Some(note) = noted {
        assert!(text.contains(&note), "the notes are exported: {note}");
    }
}

#[tokio::test]
async fn a_filled_reports_template_imports_exactly_what_was_typed() {
    let app = TestApp::demo().await;
    let officer = app.user("gz_officer").await;
    let template = officer.get("/import/template/reports.xlsx?period=2022Q1").await;
    assert_eq!(template.status, 200, "{}", template.text);
    assert!(
        template
            .header("content-disposition")
            .unwrap()
            .contains("template-reports-440100-2022Q1.xlsx")
    );
    let range = sheet(&template.bytes, "导入");
    let header: Vec<String> = range.rows().next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(
        header,
        [
            "行政区划代码",
            "地区",
            "报告期",
            "指标代码",
            "指标",
            "单位",
            "上季度累计",
            "年度目标",
            "累计完成",
            "情况说明",
            "报告状态"
        ]
    );
    // Guangzhou × seven indicators, each with its target beside it where it has one.
    assert_eq!(range.height(), 1 + 7);
    assert_eq!(range.get((1, 0)), Some(&Data::String("440100".into())));
    assert_eq!(range.get((1, 3)), Some(&Data::String("shantytown_starts".into())));
    let xml = part(&template.bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("<sheetProtection"), "reference columns are locked");
    assert!(
        xml.contains("type=\"whole\"") && xml.contains("operator=\"greaterThanOrEqual\""),
        "{xml}"
    );
    assert!(xml.contains("sqref=\"I2:I8\""), "validation on 累计完成: {xml}");
    let styles = part(&template.bytes, "xl/styles.xml");
    assert!(styles.contains("locked=\"0\""), "input cells are unlocked");
    let instructions = sheet(&template.bytes, "填表说明");
    assert!(instructions.rows().any(|r| r[0].to_string().contains("累计完成")));

    // Fill it as a person does: numbers in some cells, text in another, a note, blanks left.
    let typed: [(&str, Option<f64>, &str); 7] = [
        ("shantytown_starts", Some(120.0), "受征地影响进度偏慢"),
        ("shantytown_completions", Some(0.0), ""),
        ("public_rental_starts", None, ""),
        ("public_rental_completions", Some(15.0), ""),
        ("rent_subsidy_households", Some(2300.0), ""),
        ("rent_relief_households", None, ""),
        ("rent_relief_amount", Some(1_250_000.0), "含人才住房"),
    ];
    let mut book = Workbook::new();
    let data = book.add_worksheet();
    data.set_name("导入").unwrap();
    for (r, row) in range.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Data::String(text) => {
                    data.write_string(r as u32, c as u16, text).unwrap();
                }
                Data::Float(value) => {
                    data.write_number(r as u32, c as u16, *value).unwrap();
                }
                Data::Int(value) => {
                    data.write_number(r as u32, c as u16, *value as f64).unwrap();
                }
                _ => {}
            }
        }
        if r == 0 {
            continue;
        }
        let key = row[3].to_string();
        let (_, value, note) = typed.iter().find(|(k, _, _)| *k == key).unwrap();
        if let Some(value) = value {
            data.write_number(r as u32, 8, *value).unwrap();
        }
        if !note.is_empty() {
            data.write_string(r as u32, 9, *note).unwrap();
        }
    }
    let filled = book.save_to_buffer().unwrap();
    officer.import_file("reports", "已填模板.xlsx", &filled).await;
    let report = anju::db::reports::get(&app.conn(), "440100", Period::new(2022, 1).unwrap())
        .unwrap()
        .unwrap();
    for (key, value, note) in typed {
        assert_eq!(
            report.values.get(key).copied().flatten(),
            value.map(|v| v as i64),
            "{key}"
        );
        assert_eq!(report.notes.get(key).map_or("", String::as_str), note, "{key}");
    }
}

#[tokio::test]
async fn an_untouched_template_imports_nothing() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let before = app.snapshot();
    let template = admin.get("/import/template/reports.xlsx?period=2022Q2").await;
    assert_eq!(template.status, 200);
    // One row per reporting unit: 19 cities and the 20 units of 韶关市 and 湛江市.
    assert_eq!(
        sheet(&template.bytes, "导入").height(),
        1 + (21 - 2 + common::DEMO_UNITS) * 7
    );
    admin.import_file("reports", "t.xlsx", &template.bytes).await;
    let template = admin.get("/import/template/reports.xlsx?period=2021Q4").await;
    admin.import_file("reports", "t.xlsx", &template.bytes).await;
    assert_eq!(app.snapshot(), before);
}

#[tokio::test]
async fn the_targets_template_is_last_years_targets_and_imports_what_was_typed() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    assert_eq!(
        app.user("gz_officer")
            .await
            .get("/import/template/targets.xlsx?year=2022")
            .await
            .status,
        403
    );
    let template = admin.get("/import/template/targets.xlsx?year=2022").await;
    assert_eq!(template.status, 200, "{}", template.text);
    let range = sheet(&template.bytes, "导入");
    let conn = app.conn();
    let last_year = anju::db::targets::for_year(&conn, 2021).unwrap();
    let mut book = Workbook::new();
    let data = book.add_worksheet();
    data.set_name("导入").unwrap();
    let mut typed = Vec::new();
    for (r, row) in range.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            match cell {
                Data::String(text) => data.write_string(r as u32, c as u16, text).map(|_| ()).unwrap(),
                Data::Float(value) => data.write_number(r as u32, c as u16, *value).map(|_| ()).unwrap(),
                _ => {}
            }
        }
        if r == 0 {
            continue;
        }
        let (code, key) = (row[0].to_string(), row[3].to_string());
        let previous = last_year.get(&(code.clone(), key.clone())).copied();
        assert_eq!(row[6].as_f64().map(|v| v as i64), previous, "{code} {key}: last year's");
        assert_eq!(row[7].as_f64().map(|v| v as i64), previous, "{code} {key}: pre-filled");
        if code == "440100" && key == "shantytown_starts" {
            data.write_number(r as u32, 7, 4321.0).unwrap();
            typed.push((code, key, 4321));
        } else if let Some(previous) = previous {
            typed.push((code, key, previous));
        }
    }
    assert!(typed.len() >= 80, "{}", typed.len());
    admin
        .import_file("targets", "targets.xlsx", &book.save_to_buffer().unwrap())
        .await;
    let stored = anju::db::targets::for_year(&app.conn(), 2022).unwrap();
    for (code, key, value) in typed {
        assert_eq!(stored.get(&(code.clone(), key.clone())), Some(&value), "{code} {key}");
    }
}

#[tokio::test]
async fn xlsx_and_csv_agree_and_print_as_people_expect() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    let xlsx = analyst.get("/export/progress.xlsx?period=2020Q1&lang=zh").await;
    assert!(
        xlsx.header("content-disposition")
            .unwrap()
            .contains("progress-2020Q1-zh.xlsx")
    );
    let range = sheet(&xlsx.bytes, "完成进度");
    assert_eq!(range.get((1, 2)), Some(&Data::String("省".into())));
    assert_eq!(range.get((8, 2)), Some(&Data::String("地级市".into())));
    assert_eq!(range.get((1, 11)), Some(&Data::Float(72.3)));
    let sheet_xml = part(&xlsx.bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet_xml.contains("orientation=\"landscape\""), "{sheet_xml}");
    assert!(sheet_xml.contains("fitToPage=\"1\""), "{sheet_xml}");
    assert!(
        sheet_xml.contains("fitToHeight=\"0\""),
        "one page wide, as many long: {sheet_xml}"
    );
    assert!(sheet_xml.contains("paperSize=\"9\""), "A4: {sheet_xml}");
    assert!(
        sheet_xml.contains("2020年第一季度") && sheet_xml.contains("单位"),
        "title: {sheet_xml}"
    );
    let workbook_xml = part(&xlsx.bytes, "xl/workbook.xml");
    assert!(workbook_xml.contains("_xlnm.Print_Titles"), "{workbook_xml}");

    let csv = analyst.get("/export/progress.csv?period=2020Q1&lang=zh").await;
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("progress-2020Q1-zh.csv")
    );
    let text = String::from_utf8(csv.bytes[3..].to_vec()).unwrap();
    let province = text.lines().nth(1).unwrap();
    assert!(
        province.contains(",省,") && province.contains(",72.3,") && province.contains("达到序时进度"),
        "{province}"
    );
    assert!(text.lines().nth(8).unwrap().contains(",地级市,"), "{text}");

    let gbk = analyst
        .get("/export/progress.csv?period=2020Q1&lang=zh&encoding=gbk")
        .await;
    assert_eq!(gbk.status, 200);
    assert!(
        gbk.header("content-disposition")
            .unwrap()
            .contains("progress-2020Q1-zh-gbk.csv")
    );
    assert!(!gbk.bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM in GBK");
    assert!(std::str::from_utf8(&gbk.bytes).is_err(), "really GBK");
    let (decoded, _, errors) = encoding_rs::GBK.decode(&gbk.bytes);
    assert!(!errors);
    assert_eq!(decoded, text, "the GBK file says what the UTF-8 one says");
    let history = analyst
        .get("/export/history.csv?from=2019Q1&to=2021Q4&encoding=gbk&lang=zh")
        .await;
    let (decoded, _, errors) = encoding_rs::GBK.decode(&history.bytes);
    assert!(!errors && decoded.lines().count() == 1 + 12 * (22 + common::DEMO_UNITS) * 7);
    assert_eq!(
        analyst
            .get("/export/progress.csv?period=2020Q1&encoding=latin1")
            .await
            .status,
        400
    );

    let en = analyst.get("/export/progress.csv?period=2020Q1").await;
    assert!(
        en.header("content-disposition")
            .unwrap()
            .contains("filename=\"progress-2020Q1.csv\"")
    );
}

#[tokio::test]
async fn the_history_export_is_reachable_from_the_export_page_as_csv_and_xlsx() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let home = leader.get("/").await;
    assert!(
        home.text.contains("href=\"/export\""),
        "the navigation links the export page"
    );
    let page = leader.get("/export").await;
    assert_eq!(page.status, 200);
    for needle in [
        "name=\"from\"",
        "name=\"to\"",
        "name=\"region\"",
        "name=\"indicator\"",
        "formaction=\"/export/history.xlsx\"",
        "formaction=\"/export/history.csv\"",
        "WPS",
        "LibreOffice",
        "GBK",
    ] {
        assert!(page.text.contains(needle), "{needle}");
    }
    let xlsx = leader
        .get("/export/history.xlsx?from=2020Q1&to=2020Q4&region=440100&indicator=shantytown_starts&lang=zh")
        .await;
    assert_eq!(xlsx.status, 200);
    assert!(
        xlsx.header("content-disposition")
            .unwrap()
            .contains("history-2020Q1-2020Q4-zh.xlsx")
    );
    let range = sheet(&xlsx.bytes, "完成进度");
    assert_eq!(range.height(), 1 + 4);
    let quarters: Vec<String> = range.rows().skip(1).map(|r| r[7].to_string()).collect();
    assert_eq!(quarters, ["1", "2", "3", "4"]);
    let sheet_xml = part(&xlsx.bytes, "xl/worksheets/sheet1.xml");
    assert!(sheet_xml.contains("2020年第一季度至2020年第四季度"), "{sheet_xml}");
}

/// A city's progress export, with its completeness and projection columns, reads back as a
/// reports file that changes nothing: every header is known in either language.
#[tokio::test]
async fn progress_exports_with_the_projection_columns_still_read_as_a_reports_file() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let before = app.snapshot();
    for path in [
        "/export/progress.csv?period=2020Q2&region=440300",
        "/export/progress.csv?period=2020Q2&region=440300&lang=zh",
        "/export/progress.csv?period=2020Q2&region=440300&lang=zh&encoding=gbk",
        "/export/progress.xlsx?period=2020Q2&region=440300&lang=zh",
        "/export/progress.xlsx?period=2020Q2&region=440300",
    ] {
        let file = admin.get(path).await;
        assert_eq!(file.status, 200, "{path}");
        let name = if path.contains(".xlsx") { "p.xlsx" } else { "p.csv" };
        let (status, page) = admin.preview_import("reports", name, &file.bytes).await;
        assert_eq!(status, 200, "{path}: {page}");
        assert!(!page.contains("无法识别"), "{path}: {page}");
        assert!(page.contains("0 处数值"), "{path}: {page}");
        admin.import_file("reports", name, &file.bytes).await;
    }
    assert_eq!(app.snapshot(), before, "export → import changed something");
}
