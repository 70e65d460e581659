//! The analyst exports: CSV (same rows as the API), the XLSX workbook and the history series.

mod common;

use std::io::Cursor;

use anju::domain::Region;
use calamine::{Data, Reader, Xlsx};
use common::{TestApp, User};
use serde_json::Value;

const HEADER: &str = "region_code,region_name,level,indicator,indicator_name,unit,year,quarter,cumulative,\
quarter_increment,target,completion_rate,time_progress,gap_pp,status,report_status,\
reported,expected,projected_year_end,projected_rate,required_per_quarter";

/// A JSON cell as the CSV writes it: empty for null, one decimal for rates.
fn as_cell(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(text) => text.clone(),
        Value::Number(n) if n.is_i64() => n.to_string(),
        Value::Number(n) => format!("{:.1}", n.as_f64().unwrap()),
        other => other.to_string(),
    }
}

fn parse_csv(body: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").expect("BOM");
    let mut reader = csv::Reader::from_reader(body);
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

async fn assert_csv_equals_api(user: &User, query: &str) -> usize {
    let csv = user.get(&format!("/export/progress.csv?{query}")).await;
    assert_eq!(csv.status, 200);
    let (header, csv_rows) = parse_csv(&csv.bytes);
    let api = user.get(&format!("/api/v1/progress?{query}")).await.json();
    let api_rows = api["rows"].as_array().unwrap();
    assert_eq!(csv_rows.len(), api_rows.len(), "{query}");
    for (csv_row, api_row) in csv_rows.iter().zip(api_rows) {
        let expected: Vec<String> = header.iter().map(|column| as_cell(&api_row[column])).collect();
        assert_eq!(csv_row, &expected, "{query}");
    }
    csv_rows.len()
}

#[tokio::test]
async fn csv_export_has_bom_exact_header_and_the_api_rows() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    let csv = analyst.get("/export/progress.csv?period=2020Q1").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
    let disposition = csv.header("content-disposition").unwrap();
    assert!(
        disposition.starts_with("attachment; filename=\"progress-2020Q1.csv\""),
        "{disposition:?}"
    );
    assert!(csv.bytes.starts_with(b"\xEF\xBB\xBF"));
    let text = std::str::from_utf8(&csv.bytes[3..]).unwrap();
    assert_eq!(text.lines().next().unwrap(), HEADER);
    // The published province figure: 7,899 of 10,918 = 72.3%.
    assert!(
        text.lines()
            .any(|l| l.starts_with("440000,广东省,province,shantytown_starts,")
                && l.contains(",7899,7899,10918,72.3,25.0,47.3,on_track,")),
        "{text}"
    );

    // The province, its 21 cities and the 20 units of the two that report through them.
    let all = (22 + common::DEMO_UNITS) * 7;
    assert_eq!(assert_csv_equals_api(&analyst, "period=2020Q1").await, all);
    assert_eq!(assert_csv_equals_api(&analyst, "period=2021Q4").await, all);
    assert_eq!(
        assert_csv_equals_api(
            &analyst,
            "period=2020Q3&region=440100&indicator=rent_subsidy_households"
        )
        .await,
        1
    );
    assert_eq!(
        assert_csv_equals_api(&analyst, "period=2020Q2&region=440000").await,
        all
    );
}

#[tokio::test]
async fn missing_figures_are_empty_cells_not_zero() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let csv = leader.get("/export/progress.csv?period=2021Q4&region=445300").await;
    let (header, rows) = parse_csv(&csv.bytes);
    let cumulative = header.iter().position(|c| c == "cumulative").unwrap();
    let status = header.iter().position(|c| c == "status").unwrap();
    assert_eq!(rows.len(), 7);
    for row in rows {
        assert_eq!(row[cumulative], "");
        assert_eq!(row[status], "not_reported");
    }
}

#[tokio::test]
async fn chinese_column_names_with_lang_zh() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    let csv = analyst.get("/export/progress.csv?period=2020Q1&lang=zh").await;
    assert_eq!(csv.status, 200);
    let (header, _) = parse_csv(&csv.bytes);
    let mut expected = anju::domain::progress::COLUMNS_ZH.to_vec();
    expected.extend(anju::domain::progress::EXTRA_COLUMNS_ZH);
    assert_eq!(header, expected);
    // An English page language does not change the default header.
    let csv = analyst.get("/export/progress.csv?period=2020Q1").await;
    assert_eq!(parse_csv(&csv.bytes).0.join(","), HEADER);
}

#[tokio::test]
async fn a_name_with_a_comma_and_a_quote_round_trips() {
    let app = TestApp::demo().await;
    let name = "测试区,含\"引号\"";
    let county = Region {
        code: "441999".into(),
        name_zh: name.into(),
        name_en: "Test, \"quoted\"".into(),
        level: "county".into(),
        parent_code: Some("441900".into()),
    };
    anju::db::catalogue::upsert_regions(&app.conn(), &[county]).unwrap();
    // A county takes part once its city reports through its units: 东莞市 has none of its own.
    anju::db::catalogue::set_reported_by(&app.conn(), "441900", anju::domain::catalogue::ReportedBy::Units).unwrap();
    app.state.reload_catalogue().await.unwrap();
    let analyst = app.user("analyst").await;
    let csv = analyst.get("/export/progress.csv?period=2020Q1&region=441900").await;
    let text = String::from_utf8(csv.bytes.clone()).unwrap();
    assert!(text.contains("\"测试区,含\"\"引号\"\"\""), "{text}");
    let (_, rows) = parse_csv(&csv.bytes);
    assert_eq!(rows.len(), 2 * 7);
    assert!(rows.iter().any(|r| r[0] == "441999" && r[1] == name));
    assert_csv_equals_api(&analyst, "period=2020Q1&region=441900").await;
}

#[tokio::test]
async fn anonymous_exports_get_401_json_and_bad_filters_a_clear_error() {
    let app = TestApp::demo().await;
    for path in [
        "/export/progress.csv?period=2020Q1",
        "/export/progress.xlsx?period=2020Q1",
        "/export/history.csv?from=2019Q1&to=2021Q4",
    ] {
        let answer = app.nobody().get(path).await;
        assert_eq!(answer.status, 401, "{path}");
        assert!(answer.json()["error"].is_string());
    }
    let analyst = app.user("analyst").await;
    assert_eq!(analyst.get("/export/progress.csv?period=2020Q5").await.status, 400);
    assert_eq!(
        analyst
            .get("/export/progress.csv?period=2020Q1&region=999999")
            .await
            .status,
        404
    );
    assert_eq!(
        analyst.get("/export/history.csv?from=2021Q1&to=2020Q1").await.status,
        400
    );
}

#[tokio::test]
async fn history_is_long_format_across_periods_with_the_same_rows() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    let csv = analyst
        .get("/export/history.csv?from=2019Q1&to=2021Q4&indicator=shantytown_starts")
        .await;
    assert_eq!(csv.status, 200);
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .contains("history-2019Q1-2021Q4.csv")
    );
    let (header, rows) = parse_csv(&csv.bytes);
    assert_eq!(header.join(","), HEADER);
    assert_eq!(rows.len(), 12 * (22 + common::DEMO_UNITS));
    let block = 22 + common::DEMO_UNITS;
    let periods: Vec<String> = rows
        .chunks(block)
        .map(|block| format!("{}Q{}", block[0][6], block[0][7]))
        .collect();
    assert_eq!(periods[0], "2019Q1");
    assert_eq!(periods[11], "2021Q4");
    // Each period's block is that period's progress export.
    let single = analyst
        .get("/export/progress.csv?period=2020Q3&indicator=shantytown_starts")
        .await;
    assert_eq!(parse_csv(&single.bytes).1, rows[6 * block..7 * block].to_vec());
}

#[tokio::test]
async fn xlsx_has_the_cells_and_number_formats() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    let xlsx = analyst.get("/export/progress.xlsx?period=2020Q1&lang=en").await;
    assert_eq!(xlsx.status, 200);
    assert_eq!(
        xlsx.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    assert!(
        xlsx.header("content-disposition")
            .unwrap()
            .contains("filename=\"progress-2020Q1.xlsx\"")
    );
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["Progress", "About"]);
    let range = workbook.worksheet_range("Progress").unwrap();
    assert_eq!(range.get_size(), (1 + (22 + common::DEMO_UNITS) * 7, 21));
    let header: Vec<String> = (0..21).map(|c| range.get((0, c)).unwrap().to_string()).collect();
    assert_eq!(header.join(","), HEADER);
    // Row 1: the province, shantytown starts: 7,899 of 10,918 = 72.3%.
    assert_eq!(range.get((1, 0)), Some(&Data::String("440000".into())));
    assert_eq!(range.get((1, 1)), Some(&Data::String("广东省".into())));
    assert_eq!(range.get((1, 8)), Some(&Data::Float(7899.0)));
    assert_eq!(range.get((1, 10)), Some(&Data::Float(10918.0)));
    let Some(Data::Float(rate)) = range.get((1, 11)) else {
        panic!("rate is a number: {:?}", range.get((1, 11)));
    };
    // The API's and the CSV's scale (issue 16): 72.3, not 0.723.
    assert!((rate - 72.3).abs() < 1e-9);
    assert_eq!(range.get((1, 14)), Some(&Data::String("on_track".into())));

    let styles = workbook.worksheet_style("Progress").unwrap();
    let format = |row: u32, column: u32| {
        styles
            .get((row, column))
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.clone())
    };
    assert_eq!(format(1, 8).as_deref(), Some("#,##0"));
    assert_eq!(format(1, 10).as_deref(), Some("#,##0"));
    assert_eq!(format(1, 11).as_deref(), Some("0.0"));
    assert_eq!(format(1, 12).as_deref(), Some("0.0"));
    let header_style = styles.get((0, 0)).unwrap();
    assert!(header_style.font.as_ref().unwrap().is_bold());

    let about = workbook.worksheet_range("About").unwrap();
    let facts: Vec<(String, String)> = about
        .rows()
        .map(|row| (row[0].to_string(), row[1].to_string()))
        .collect();
    assert!(facts.contains(&("Period".into(), "2020Q1".into())), "{facts:?}");
    assert!(
        facts.iter().any(|(k, v)| k.starts_with("Time benchmark") && v == "25"),
        "{facts:?}"
    );
    assert!(
        facts
            .iter()
            .any(|(k, v)| k.starts_with("Generated at") && v.len() >= 16)
    );
    assert!(
        facts
            .iter()
            .any(|(k, v)| k == "Data version" && v.parse::<f64>().is_ok())
    );
    assert!(
        facts
            .iter()
            .any(|(k, v)| k == "Demonstration data" && v.starts_with("yes"))
    );
}

#[tokio::test]
async fn xlsx_in_chinese_names_sheets_and_columns_in_chinese() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let xlsx = leader.get("/export/progress.xlsx?period=2020Q1&lang=zh").await;
    assert_eq!(xlsx.status, 200);
    let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.bytes)).unwrap();
    assert_eq!(workbook.sheet_names(), ["完成进度", "说明"]);
    let range = workbook.worksheet_range("完成进度").unwrap();
    assert_eq!(range.get((0, 0)), Some(&Data::String("行政区划代码".into())));
    assert_eq!(range.get((1, 14)), Some(&Data::String("达到序时进度".into())));
}

/// The completeness and projection columns follow the sixteen in the CSV and the workbook,
/// with the API's values (one implementation), in English and Chinese headers alike.
#[tokio::test]
async fn exports_carry_completeness_and_the_projection_as_the_api_does() {
    let app = TestApp::demo().await;
    let analyst = app.user("analyst").await;
    let api = analyst.get("/api/v1/progress?period=2020Q2").await.json();
    let api_rows = api["rows"].as_array().unwrap();
    let extra = anju::domain::progress::EXTRA_COLUMNS;
    let projected = api_rows
        .iter()
        .filter(|row| row["projected_year_end"].is_i64() && row["required_per_quarter"].is_i64())
        .count();
    assert!(projected > 50, "most targeted rows are projected at Q2: {projected}");

    for query in ["period=2020Q2", "period=2020Q2&lang=zh"] {
        let csv = analyst.get(&format!("/export/progress.csv?{query}")).await;
        let (header, rows) = parse_csv(&csv.bytes);
        assert_eq!(header.len(), 21, "{query}");
        for (row, api_row) in rows.iter().zip(api_rows) {
            let cells: Vec<String> = extra.iter().map(|c| as_cell(&api_row[*c])).collect();
            assert_eq!(row[16..].to_vec(), cells, "{query}");
        }
    }

    for lang in ["en", "zh"] {
        let xlsx = analyst
            .get(&format!("/export/progress.xlsx?period=2020Q2&lang={lang}"))
            .await;
        let mut workbook: Xlsx<_> = Xlsx::new(Cursor::new(xlsx.bytes)).unwrap();
        let sheet = workbook.sheet_names()[0].clone();
        let range = workbook.worksheet_range(&sheet).unwrap();
        if lang == "zh" {
            assert_eq!(range.get((0, 18)), Some(&Data::String("预计年底完成".into())));
            assert_eq!(range.get((0, 20)), Some(&Data::String("剩余季度每季度需完成".into())));
        }
        for (index, api_row) in api_rows.iter().enumerate() {
            for (offset, column) in extra.iter().enumerate() {
                let cell = range.get((index + 1, 16 + offset));
                let expected = api_row[*column].as_f64();
                let found = match cell {
                    Some(Data::Float(value)) => Some(*value),
                    Some(Data::Int(value)) => Some(*value as f64),
                    None | Some(Data::Empty) => None,
                    other => panic!("{lang} {column}: {other:?}"),
                };
                assert_eq!(found, expected, "{lang} row {index} {column}");
            }
        }
    }
}
