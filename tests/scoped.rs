//! City-scoped reading, end to end against a real server: 韶关市's leader (`sg_leader`) sees
//! 韶关市 with its units — dashboard, indicator page, bulletin, charts, exports, API — and no
//! other city's figures or names; another city's page is 403; a province page and a city page
//! never share an ETag or a cached body. The completeness page shows what
//! `/api/v1/completeness` answers, and 韶关市's admin reviews and sends up its own units only.

mod common;

use calamine::{Reader, Xlsx};
use common::{TestApp, User};
use serde_json::{Value, json};

const PERIOD: &str = "2021Q4";

/// The names of the regions `pick` selects, from the API's catalogue.
async fn names(user: &User, pick: impl Fn(&Value) -> bool) -> Vec<String> {
    let regions = user.get("/api/v1/regions").await.json();
    regions["regions"]
        .as_array()
        .expect("regions")
        .iter()
        .filter(|r| pick(r))
        .map(|r| r["name_zh"].as_str().expect("name").to_owned())
        .collect()
}

/// Every city but 韶关市, and 湛江市's units.
async fn other_cities_and_their_units(user: &User) -> Vec<String> {
    names(user, |r| {
        (r["level"] == "city" && r["code"] != "440200") || r["parent_code"] == "440800"
    })
    .await
}

async fn shaoguan_units(user: &User) -> Vec<String> {
    names(user, |r| r["parent_code"] == "440200").await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_leader_reads_its_city_and_its_units_only() {
    let app = TestApp::demo().await;
    let leader = app.user("sg_leader").await;
    let others = other_cities_and_their_units(&leader).await;
    let units = shaoguan_units(&leader).await;
    assert_eq!(units.len(), 11, "韶关市本级 and its ten counties: {units:?}");
    assert!(others.len() > 20, "{others:?}");

    // The dashboard: the city's cards, its units' table, ranking and completeness.
    for path in [
        format!("/?period={PERIOD}"),
        format!("/indicators/shantytown_starts?period={PERIOD}"),
        format!("/briefing?period={PERIOD}"),
    ] {
        let page = leader.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.text.contains("韶关市"), "{path}");
        for unit in &units {
            assert!(page.text.contains(unit.as_str()), "{path} lacks {unit}");
        }
        for other in &others {
            assert!(!page.text.contains(other.as_str()), "{path} names {other}");
        }
    }
    let dashboard = leader.get(&format!("/?period={PERIOD}")).await.text;
    assert!(dashboard.contains("各县（市、区）完成率"), "the units' table");
    assert!(!dashboard.contains("map-chart"), "the province's tile map is left out");
    assert!(
        dashboard.contains("/completeness?period=2021Q4"),
        "the completeness line links the page"
    );

    // Another city's page, figures, chart or report: 403 with a readable page.
    let refused = leader.get("/regions/440100").await;
    assert_eq!(refused.status, 403);
    assert!(refused.text.contains("无权访问"), "{}", refused.text);
    assert!(refused.text.contains("只能查看韶关市"), "{}", refused.text);
    assert!(!refused.text.contains("440100"), "names, not codes");
    assert_eq!(leader.get("/regions/440203").await.status, 200, "its own unit");
    assert_eq!(leader.get("/regions/440200").await.status, 200, "its own city");
    assert_eq!(leader.get("/regions/440000").await.status, 403, "not the province");
    for path in [
        format!("/api/v1/progress?period={PERIOD}&region=440100"),
        format!("/api/v1/progress?period={PERIOD}&region=440000"),
        format!("/api/v1/reports/440100/{PERIOD}"),
        format!("/api/v1/completeness?period={PERIOD}&region=440800"),
        format!("/export/progress.csv?period={PERIOD}&region=440100"),
        format!("/export/history.csv?from=2021Q1&to={PERIOD}&region=440300"),
        format!("/charts/trend.svg?period={PERIOD}&region=440100"),
        format!("/charts/map.svg?period={PERIOD}"),
    ] {
        assert_eq!(leader.get(&path).await.status, 403, "{path}");
    }

    // The API without a region: the city's subtree only.
    let progress = leader.get(&format!("/api/v1/progress?period={PERIOD}")).await.json();
    let rows = progress["rows"].as_array().expect("rows");
    assert!(!rows.is_empty());
    for row in rows {
        let code = row["region_code"].as_str().expect("code");
        assert!(code.starts_with("4402"), "{code}");
    }
    let province = app.user("leader").await;
    let all = province.get(&format!("/api/v1/progress?period={PERIOD}")).await.json();
    let city_row = |rows: &Value| {
        rows["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["region_code"] == "440200" && r["indicator"] == "shantytown_starts")
            .cloned()
            .expect("韶关市's row")
    };
    assert_eq!(
        city_row(&progress),
        city_row(&all),
        "the same figures as the province's view"
    );

    // The CSV export: 韶关 rows only.
    let csv = leader.get(&format!("/export/progress.csv?period={PERIOD}")).await;
    assert_eq!(csv.status, 200);
    let mut reader = csv::Reader::from_reader(csv.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&csv.bytes));
    let mut count = 0;
    for record in reader.records() {
        let record = record.expect("a CSV row");
        assert!(record[0].starts_with("4402"), "{:?}", record);
        count += 1;
    }
    let indicators = app.state.catalogue().indicators().len();
    assert_eq!(count, 12 * indicators, "韶关市 and its 11 units, each indicator");
    for path in [
        format!("/export/progress.xlsx?period={PERIOD}"),
        format!("/export/history.xlsx?from=2021Q1&to={PERIOD}"),
    ] {
        let xlsx = leader.get(&path).await;
        assert_eq!(xlsx.status, 200, "{path}");
        let mut workbook: Xlsx<_> = Xlsx::new(std::io::Cursor::new(xlsx.bytes.to_vec())).expect("a workbook");
        let sheet = workbook.sheet_names()[0].clone();
        let range = workbook.worksheet_range(&sheet).expect("the sheet");
        let codes: Vec<String> = range.rows().skip(1).map(|row| row[0].to_string()).collect();
        assert!(!codes.is_empty(), "{path}");
        assert!(codes.iter().all(|c| c.starts_with("4402")), "{path}: {codes:?}");
    }
    let targets = leader.get("/export/targets.csv?year=2021").await.text;
    for line in targets.lines().skip(1) {
        assert!(line.starts_with("4402") || line.trim().is_empty(), "{line}");
    }

    // Charts: the city's units.
    let ranking = leader.get(&format!("/charts/ranking.svg?period={PERIOD}")).await;
    assert_eq!(ranking.status, 200);
    assert!(ranking.text.contains("武江区"));
    for other in &others {
        assert!(!ranking.text.contains(other.as_str()), "the ranking names {other}");
    }
    let trend = leader.get(&format!("/charts/trend.svg?period={PERIOD}")).await;
    assert_eq!(trend.status, 200);
    assert!(trend.text.contains("韶关市"), "the city's trend");

    // The bulletin: 韶关市's, with its units and its bureau.
    let bulletin = leader.get(&format!("/bulletin?period={PERIOD}")).await;
    assert_eq!(bulletin.status, 200);
    assert!(bulletin.text.contains("2021年第四季度韶关市住房保障工作进展情况通报"));
    assert!(bulletin.text.contains("韶关市住房和城乡建设局"));
    let demo_label = anju::domain::bulletin::demo_label(false);
    assert!(
        !bulletin.text.replace(demo_label, "").contains("全省"),
        "no province figures"
    );
    assert!(bulletin.text.contains("武江区"), "the units' table");
    for other in &others {
        assert!(!bulletin.text.contains(other.as_str()), "the bulletin names {other}");
    }
    let english = leader.get(&format!("/bulletin?period={PERIOD}&lang=en")).await.text;
    assert!(
        english.contains("Housing security progress of Shaoguan"),
        "the English title"
    );
    assert!(english.contains("Shaoguan Housing and Urban-Rural Development Bureau"));
    assert!(english.contains("Annex: completion rate by unit"));
    assert!(!english.contains("province-wide") && !english.contains("Guangzhou"));
    let docx = leader.get(&format!("/bulletin.docx?period={PERIOD}")).await;
    assert_eq!(docx.status, 200);
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(docx.bytes.to_vec())).expect("a .docx");
    let mut document = String::new();
    std::io::Read::read_to_string(
        &mut archive.by_name("word/document.xml").expect("document"),
        &mut document,
    )
    .expect("text");
    assert!(document.contains("韶关市住房和城乡建设局"));
    assert!(document.contains("武江区"));
    assert!(!document.contains("广州市"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn province_and_city_views_never_share_a_tag_or_a_body() {
    let app = TestApp::demo().await;
    let province = app.user("leader").await;
    let city = app.user("sg_leader").await;
    for path in [
        format!("/?period={PERIOD}"),
        format!("/bulletin?period={PERIOD}"),
        format!("/charts/ranking.svg?period={PERIOD}"),
        format!("/charts/overview.svg?period={PERIOD}"),
    ] {
        // The province first, so that a cache keyed without the scope would hand its body on.
        let wide = province.get(&path).await;
        let narrow = city.get(&path).await;
        assert_eq!((wide.status, narrow.status), (200, 200), "{path}");
        let (wide_tag, narrow_tag) = (wide.header("etag"), narrow.header("etag"));
        assert!(wide_tag.is_some() && narrow_tag.is_some(), "{path}");
        assert_ne!(wide_tag, narrow_tag, "{path}");
        assert_ne!(wide.text, narrow.text, "{path}");
        // The city viewer holding the province's tag is not told it is current.
        let revalidated = city
            .with_header(reqwest::header::IF_NONE_MATCH, wide_tag.expect("tag"))
            .get(&path)
            .await;
        assert_eq!(revalidated.status, 200, "{path}");
        assert_eq!(revalidated.text, narrow.text, "{path}");
    }
    let api = format!("/api/v1/progress?period={PERIOD}");
    let (wide, narrow) = (province.get(&api).await, city.get(&api).await);
    assert_ne!(wide.header("etag"), narrow.header("etag"), "the API's tags differ too");
    let revalidated = city
        .with_header(reqwest::header::IF_NONE_MATCH, wide.header("etag").expect("tag"))
        .get(&api)
        .await;
    assert_eq!(revalidated.status, 200);
    let wide = province.get(&format!("/?period={PERIOD}")).await.text;
    assert!(wide.contains("广州市") && wide.contains("各市完成率"));
    let narrow = city.get(&format!("/?period={PERIOD}")).await.text;
    assert!(!narrow.contains("广州市"));
    app.stop().await;
}

/// The `data-*` figures of the completeness page's row for `region`.
fn row_figures(page: &str, region: &str) -> Option<[u64; 4]> {
    let start = page.find(&format!("data-region=\"{region}\""))?;
    let tag = &page[start..start + page[start..].find('>')?];
    let value = |name: &str| -> Option<u64> {
        let at = tag.find(&format!("{name}=\""))? + name.len() + 2;
        tag[at..at + tag[at..].find('"')?].parse().ok()
    };
    Some([
        value("data-expected")?,
        value("data-submitted")?,
        value("data-on-time")?,
        value("data-approved")?,
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_completeness_page_shows_what_the_api_answers() {
    let app = TestApp::demo().await;
    let officer = app.user("wj_officer").await;
    // A 2022Q1 with one unit in, so that the figures are not all full.
    let saved = officer
        .put_json(
            "/api/v1/reports/440203/2022Q1",
            json!({"values": {"shantytown_starts": 12}, "submit": true}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    for (who, query, root) in [
        ("admin", format!("period={PERIOD}"), "440000"),
        ("admin", "period=2022Q1".to_owned(), "440000"),
        ("sg_leader", "period=2022Q1".to_owned(), "440200"),
        ("sg_admin", format!("period={PERIOD}"), "440200"),
        ("admin", "period=2022Q1&region=440200".to_owned(), "440200"),
    ] {
        let user = app.user(who).await;
        let api = user.get(&format!("/api/v1/completeness?{query}")).await.json();
        assert_eq!(api["region"], root, "{who} {query}");
        let page = user.get(&format!("/completeness?{query}")).await;
        assert_eq!(page.status, 200, "{who} {query}");
        let levels = api["levels"].as_array().expect("levels");
        assert!(!levels.is_empty(), "{who} {query}");
        for level in levels {
            let code = level["region_code"].as_str().expect("code");
            let expected = ["expected", "submitted", "on_time", "approved"].map(|k| level[k].as_u64().expect(k));
            assert_eq!(row_figures(&page.text, code), Some(expected), "{who} {query} {code}");
            // Names, not codes, for the missing units.
            for missing in level["missing"].as_array().expect("missing") {
                let missing = missing.as_str().expect("code");
                let name = app.state.catalogue().region(missing).expect("region").name_zh.clone();
                assert!(page.text.contains(&name), "{who} {query}: {name}");
            }
        }
        assert!(page.text.contains(if query.contains("2022Q1") {
            "2022年第一季度"
        } else {
            "2021年第四季度"
        }));
    }
    let city = app.user("sg_leader").await;
    let page = city.get("/completeness?period=2022Q1").await.text;
    assert!(page.contains("data-unit=\"440203\""), "the units one by one");
    assert!(
        page.contains("武江区") && page.contains("已报送"),
        "武江区 has submitted"
    );
    assert!(!page.contains("广州市") && !page.contains("湛江市"));
    assert_eq!(city.get("/completeness?region=440100").await.status, 403);
    let admin = app.user("admin").await;
    let nav = admin.get("/").await.text;
    assert!(nav.contains("href=\"/completeness\""), "the admins' navigation");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_city_admin_reviews_and_sends_up_its_own_units_only() {
    let app = TestApp::demo().await;
    let city = app.user("sg_admin").await;
    let province = app.user("admin").await;
    let zhanjiang = names(&city, |r| r["parent_code"] == "440800" || r["code"] == "440800").await;
    let officer = app.user("wj_officer").await;
    let saved = officer
        .put_json(
            "/api/v1/reports/440203/2022Q1",
            json!({"values": {"shantytown_starts": 12}, "submit": true}),
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    // 湛江市's 赤坎区 submits too: the province's queue, never 韶关市's.
    let zj = province
        .put_json(
            "/api/v1/reports/440802/2022Q1",
            json!({"values": {"shantytown_starts": 3}, "submit": true}),
        )
        .await;
    assert_eq!(zj.status, 200, "{}", zj.text);
    for path in [
        "/admin/approvals",
        "/admin/approvals?period=2022Q1",
        "/admin/approvals?status=approved&period=2021Q4",
        "/admin/approvals?status=approved",
    ] {
        let page = city.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        for name in &zhanjiang {
            assert!(!page.text.contains(name.as_str()), "{path} lists {name}");
        }
        assert!(!page.text.contains("广州市"), "{path}");
    }
    let page = city.get("/admin/approvals?period=2022Q1").await.text;
    assert!(
        page.contains("name=\"batch.440203.2022Q1\""),
        "batch approve of its unit"
    );
    assert!(
        page.contains("action=\"/admin/cities/440200/2022Q1/consolidate\""),
        "the send-up form"
    );
    assert!(page.contains("name=\"reason.440204\""), "a reason for a unit not in");
    assert!(!page.contains("batch.440802"), "not 湛江's unit");

    // The province sees 湛江's unit under 湛江市, and 武江区 under 韶关市.
    let wide = province.get("/admin/approvals?period=2022Q1").await.text;
    assert!(wide.contains("韶关市所辖县（市、区）的报告"), "grouped under the city");
    assert!(wide.contains("湛江市所辖县（市、区）的报告"));

    // Sending up before 武江区 is approved is refused, naming it, and nothing changes.
    let mut reasons: Vec<(String, String)> = shaoguan_codes(&app)
        .into_iter()
        .filter(|c| c != "440203")
        .map(|c| (format!("reason.{c}"), "本季度无项目".to_owned()))
        .collect();
    let before = app.snapshot();
    let refused = city
        .post_form("/admin/cities/440200/2022Q1/consolidate", &reasons)
        .await;
    assert_eq!(refused.status, 409, "{}", refused.text);
    assert!(refused.text.contains("武江区"), "names the unit in the way");
    assert_eq!(app.snapshot(), before, "nothing recorded");
    // A unit of another city is refused, naming it, and nothing is recorded.
    let mut foreign = reasons.clone();
    foreign.push(("reason.440802".into(), "本季度无项目".into()));
    let wrong = city
        .post_form("/admin/cities/440200/2022Q1/consolidate", &foreign)
        .await;
    assert_eq!(wrong.status, 422, "{}", wrong.text);
    assert!(wrong.text.contains("不是韶关市的县区"), "{}", wrong.text);
    assert_eq!(app.snapshot(), before);
    // Another city is not its to send up.
    let other = city
        .post_form("/admin/cities/440800/2022Q1/consolidate", &[("x", "y")])
        .await;
    assert_eq!(other.status, 403);
    // A blank reason for a missing unit stays missing: refused naming the unit.
    reasons[0].1 = " ".into();
    let blank = city
        .post_form("/admin/cities/440200/2022Q1/consolidate", &reasons)
        .await;
    assert!(blank.status == 409 || blank.status == 422, "{}", blank.status);
    assert_eq!(app.snapshot(), before);
    reasons[0].1 = "本季度无项目".into();

    // Batch approve its unit, then send up: the city's report is submitted to the province.
    let version = city.get("/api/v1/reports/440203/2022Q1").await.json()["version"].clone();
    let batch = city
        .post_form(
            "/admin/approvals/batch",
            &[("batch.440203.2022Q1", version.to_string())],
        )
        .await;
    assert_eq!(batch.status, 303, "{}", batch.text);
    let sent = city
        .post_form("/admin/cities/440200/2022Q1/consolidate", &reasons)
        .await;
    assert_eq!(sent.status, 303, "{}", sent.text);
    let report = province.get("/api/v1/reports/440200/2022Q1").await.json();
    assert_eq!(report["status"], "submitted");
    let wide = province.get("/admin/approvals?period=2022Q1").await.text;
    assert!(
        wide.contains("name=\"batch.440200.2022Q1\""),
        "the province approves the city"
    );
    // The city's report shows its units' sum: 武江区's 12.
    let item = &wide[wide.find("id=\"r-440200-2022Q1\"").expect("the city's report")..];
    let item = &item[..item.find("</section>").expect("its end")];
    let starts = &item[item.find("棚户区改造新开工").expect("the indicator")..];
    let starts = &starts[..starts.find("</tr>").expect("the row")];
    assert!(starts.contains(">12<") || starts.contains(">12 "), "{starts}");
    let page = city.get("/admin/approvals?period=2022Q1").await.text;
    assert!(
        !page.contains("action=\"/admin/cities/440200/2022Q1/consolidate\""),
        "sent"
    );
    app.stop().await;
}

fn shaoguan_codes(app: &TestApp) -> Vec<String> {
    app.state
        .catalogue()
        .children("440200")
        .map(|r| r.code.clone())
        .collect()
}
