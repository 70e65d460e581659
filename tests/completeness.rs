//! A quarter in progress: two cities submit a new period, and the dashboard, the API and the
//! bulletin say how partial it is instead of stating the province's figures as fact.

mod common;

use std::collections::BTreeMap;

use anju::domain::rate::completion_rate;
use common::{TestApp, User};
use serde_json::{Value, json};

/// The demo's 2021 target of each city for `indicator`.
fn targets_2021(indicator: &str) -> BTreeMap<String, i64> {
    let csv = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/demo/targets.csv")).unwrap();
    csv.lines()
        .skip(1)
        .filter_map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[1] == "2021" && cells[2] == indicator).then(|| (cells[0].to_owned(), cells[3].parse().unwrap()))
        })
        .collect()
}

/// Sets every city's 2022 target of `indicator` to its 2021 one, through the admin grid.
async fn set_2022_targets(admin: &User, targets: &BTreeMap<String, i64>, indicator: &str) {
    let mut form = vec![("year".to_owned(), "2022".to_owned())];
    for (region, target) in targets {
        form.push((format!("t.{region}.{indicator}"), target.to_string()));
    }
    let saved = admin.post_form("/admin/targets", &form).await;
    assert_eq!(saved.status, 303, "{}", saved.text);
}

async fn submit(admin: &User, region: &str, starts: i64) {
    let answer = admin
        .put_json(
            &format!("/api/v1/reports/{region}/2022Q1"),
            json!({"values": {"shantytown_starts": starts}, "submit": true}),
        )
        .await;
    assert!(answer.status < 300, "{region}: {} {}", answer.status, answer.text);
}

fn province_row<'a>(rows: &'a Value, indicator: &str) -> &'a Value {
    rows["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region_code"] == "440000" && r["indicator"] == indicator)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_cities_in_a_new_period_leave_the_default_on_the_last_complete_one() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let leader = app.user("leader").await;
    let targets = targets_2021("shantytown_starts");
    set_2022_targets(&admin, &targets, "shantytown_starts").await;
    // 深圳 and 珠海 submit 2022Q1; nobody else has.
    submit(&admin, "440300", 200).await;
    submit(&admin, "440400", 80).await;

    // The dashboard stays on 2021Q4 (18 of 21 in) and announces the newer, partial quarter.
    let page = leader.get("/").await.text;
    assert!(
        page.contains("2021年第四季度 住房保障目标任务完成情况"),
        "the default period"
    );
    assert!(
        page.contains("2022年第一季度数据尚不完整（已报送2/21个市），本页默认显示2021年第四季度。"),
        "the notice of the newer period"
    );
    assert!(page.contains("href=\"/?period=2022Q1\""), "a link to the newer period");
    // Every page and the API open on the same default.
    let api = leader.get("/api/v1/progress").await.json();
    assert_eq!(api["period"], "2021Q4");

    // The partial quarter itself: 报送不全 2/21 and the reporting cities' own rate.
    let partial = leader.get("/?period=2022Q1").await.text;
    assert!(
        partial.contains("本期报送不全：已报送2/21个市。"),
        "the partial-period note"
    );
    assert!(partial.contains("报送不全"), "the incomplete badge");
    assert!(partial.contains("已报送 2/21"), "the card's completeness");
    let reporting_target = targets["440300"] + targets["440400"];
    let reporting_rate = completion_rate(280, Some(reporting_target)).unwrap();
    let whole_rate = completion_rate(280, Some(targets.values().sum())).unwrap();
    assert!(
        partial.contains(&format!(
            "data-key=\"440000/shantytown_starts\" data-basis=\"reporting\" data-rate=\"{reporting_rate}\""
        )),
        "the card shows the reporting cities' rate {reporting_rate}"
    );
    assert!(partial.contains("完成率（已报送城市口径）"));
    assert!(
        !partial.contains("明显滞后</span><span class=\"reported\">"),
        "no judgement on the province"
    );
    let rows = leader.get("/api/v1/progress?period=2022Q1").await.json();
    let row = province_row(&rows, "shantytown_starts");
    assert_eq!(row["status"], "incomplete");
    assert_eq!(
        (row["reported"].as_u64(), row["expected"].as_u64()),
        (Some(2), Some(21))
    );
    assert_eq!(row["cumulative"], 280);
    assert_eq!(row["gap_pp"], Value::Null);
    assert_eq!(
        row["projected_year_end"],
        Value::Null,
        "no projection from partial data"
    );
    // Each reporting city is judged on its own figures.
    let shenzhen = rows["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region_code"] == "440300" && r["indicator"] == "shantytown_starts")
        .unwrap();
    assert_ne!(shenzhen["status"], "incomplete");
    assert!(shenzhen["projected_year_end"].as_i64().is_some());

    // The bulletin names the coverage and states no province rate as fact.
    let bulletin = leader.get("/bulletin?period=2022Q1&lang=zh").await.text;
    assert!(
        bulletin.contains(
            "截至目前，21个地级以上市中已有2个市报送2022年第一季度数据（已审核0个），报送不全，暂不通报全省完成率。"
        ),
        "the coverage sentence"
    );
    assert!(
        bulletin.contains(&format!(
            "已报送城市合计新开工棚户区改造安置住房280套，占其年度目标任务的{reporting_rate}%"
        )),
        "the reporting cities' figure"
    );
    assert!(!bulletin.contains("全省新开工"), "no province figure as fact");
    assert!(
        !bulletin.contains(&format!("{whole_rate}%")),
        "no {whole_rate}% over the province's target"
    );
    assert!(
        bulletin.contains("本通报按已报送数据（含2个市尚未审核的数据）统计"),
        "the counting basis"
    );
    assert!(bulletin.contains("广东省住房和城乡建设厅"), "the issuing office");
    assert!(bulletin.contains("演示数据"), "the demo label");
    let english = leader.get("/bulletin?period=2022Q1&lang=en").await.text;
    assert!(
        english.contains("only 2 of 21 cities have submitted so far"),
        "{english}"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_bulletin_is_signed_and_punctuated_as_an_official_reads_it() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let page = leader.get("/bulletin?period=2020Q1&lang=zh").await.text;
    let start = page.find("id=\"bulletin-text\"").unwrap();
    let article = &page[start..start + page[start..].find("</article>").unwrap()];
    let today = anju::domain::bulletin::date_text(anju::clock::today(), false);
    assert!(
        article.contains(&format!("<span class=\"issued-on\">{today}</span>")),
        "dated"
    );
    assert!(article.contains("<span class=\"issuer\">广东省住房和城乡建设厅</span>"));
    assert!(article.contains("本通报数据均为已审核数据。"), "the counting basis");
    // Prose in Chinese uses full-width punctuation only.
    let text: String = article
        .split('<')
        .filter_map(|part| part.split_once('>').map(|(_, text)| text))
        .collect();
    for half_width in [",", ";", "(", ")", ":"] {
        assert!(!text.contains(half_width), "half-width {half_width:?} in {text}");
    }
    app.stop().await;
}

/// A year whose targets have not been issued yet: a targeted indicator's badge, rate cell and
/// the bulletin's annex say 年度目标尚未下达, and 不设目标任务 stays for the indicators that never
/// carry a target.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_not_yet_issued_says_so_on_the_badges_and_in_the_bulletin_annex() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let leader = app.user("leader").await;
    for region in ["440300", "440400"] {
        submit(&admin, region, 100).await;
    }
    // The province is 报送不全 (2 of 21); its cities' badges say why they have no rate.
    let dashboard = leader.get("/?period=2022Q1").await.text;
    assert!(dashboard.contains("status-incomplete"), "the province card");
    let city = leader.get("/regions/440300?year=2022").await.text;
    assert!(city.contains(">年度目标尚未下达</span>"), "the city page's badges");
    let indicator = leader.get("/indicators/shantytown_starts?period=2022Q1").await.text;
    assert!(
        indicator.contains(">年度目标尚未下达</span>"),
        "the indicator page's badges"
    );
    assert!(
        !indicator.contains("<td><span class=\"badge status-no_target\">不设目标任务"),
        "a targeted indicator's rows never read 不设目标任务"
    );
    let bulletin = leader.get("/bulletin?period=2022Q1&lang=zh").await.text;
    assert!(
        bulletin.contains("<td>年度目标尚未下达</td>") || bulletin.contains(">年度目标尚未下达<"),
        "annex: {bulletin}"
    );
    assert!(
        !bulletin.contains("不设目标任务"),
        "the annex lists targeted indicators only"
    );
    let english = leader.get("/bulletin?period=2022Q1&lang=en").await.text;
    assert!(english.contains("Target not yet issued"), "{english}");
    app.stop().await;
}
