//! Per-period caches and the incremental roll-up: a write leaves other periods' pages, charts
//! and API bodies (and their ETags) as they were, and after random sequences of saves, returns,
//! reopens, approvals and target changes the cached tables equal a full recompute.

mod common;

use std::collections::BTreeMap;

use anju::domain::plan::ReportInput;
use anju::domain::workflow::Action;
use anju::domain::{Actor, Period};
use anju::service::reports::{self, Review};
use anju::service::targets::{self, TargetCell};
use common::TestApp;
use rand::{Rng, SeedableRng};
use serde_json::json;

fn period(text: &str) -> Period {
    text.parse().unwrap()
}

/// The ETag `path` answers with now.
async fn etag(user: &common::User, path: &str) -> String {
    let reply = user.get(path).await;
    assert_eq!(reply.status, 200, "{path}: {}", reply.text);
    reply.header("etag").expect("an ETag").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_changes_only_the_pages_of_the_periods_it_can_change() {
    let app = TestApp::demo().await;
    let officer = app.user("gz_officer").await;
    let leader = app.user("leader").await;
    let pages = [
        "/?period=2021Q2",
        "/?period=2021Q3",
        "/?period=2021Q4",
        "/charts/overview.svg?period=2021Q4",
        "/charts/trend.svg?region=440100&indicator=shantytown_starts&year=2021",
        "/bulletin?period=2021Q4",
    ];
    let mut before = Vec::new();
    for page in pages {
        before.push(etag(&leader, page).await);
    }
    // A new report for 2022Q1 (a period with nothing counted yet, but it appears in the
    // selector only once submitted): 2021's pages stay as they were.
    let put = officer
        .put_json(
            "/api/v1/reports/440100/2022Q1",
            json!({"values": {"shantytown_starts": 5}, "submit": false}),
        )
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    for (page, tag) in pages.iter().zip(&before) {
        assert_eq!(&etag(&leader, page).await, tag, "{page} changed by a draft for 2022Q1");
        let cached = leader.with_header("if-none-match", tag).get(page).await;
        assert_eq!(cached.status, 304, "{page}");
    }

    // A target of 2020 changes no page of 2021 that shows 2021 alone.
    let admin = app.user("admin").await;
    let year_2020 = etag(&leader, "/?period=2020Q4").await;
    let set = admin
        .post_form(
            "/admin/targets?year=2020",
            &[("year", "2020"), ("t.440100.shantytown_starts", "5001")],
        )
        .await;
    assert!(set.status == 303 || set.status == 200, "{}: {}", set.status, set.text);
    assert_ne!(
        etag(&leader, "/?period=2020Q4").await,
        year_2020,
        "the target's own year changes"
    );
    for (page, tag) in pages.iter().zip(&before) {
        if page.starts_with("/charts/trend") || page.starts_with("/?") {
            // The trend of 2021 draws 2020 beside it; the dashboard shows 2020's same quarter
            // (同比) and its quarters in the trend.
            assert_ne!(&etag(&leader, page).await, tag, "{page} shows 2020 too");
        } else {
            assert_eq!(&etag(&leader, page).await, tag, "{page} changed by a 2020 target");
        }
    }

    // Reopening Guangzhou's 2021Q3 report changes 2021Q3 and 2021Q4 (its increment), not Q2.
    let mut before = Vec::new();
    for page in &pages[..3] {
        before.push(etag(&leader, page).await);
    }
    let reopen = admin
        .post_json(
            "/api/v1/reports/440100/2021Q3/reopen",
            json!({"comment": "请核实第三季度数据"}),
        )
        .await;
    assert_eq!(reopen.status, 200, "{}", reopen.text);
    assert_eq!(etag(&leader, pages[0]).await, before[0], "2021Q2 is untouched");
    assert_ne!(etag(&leader, pages[1]).await, before[1], "2021Q3 changed");
    assert_ne!(etag(&leader, pages[2]).await, before[2], "2021Q4's increments changed");
    let table = leader.get("/api/v1/progress?period=2021Q3&region=440100").await.json();
    assert!(
        table["rows"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["cumulative"].is_null()),
        "a reopened report no longer counts: {table}"
    );
}

fn random_input(rng: &mut rand::rngs::StdRng, indicators: &[String], floor: i64) -> ReportInput {
    let mut values = BTreeMap::new();
    let mut notes = BTreeMap::new();
    for key in indicators {
        let value = if rng.random_bool(0.2) {
            None
        } else {
            Some(floor + rng.random_range(0..5000))
        };
        values.insert(key.clone(), value);
        notes.insert(key.clone(), "进度说明".to_owned());
    }
    ReportInput {
        values,
        notes,
        submit: rng.random_bool(0.7),
        version: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cached_tables_after_random_writes_equal_a_full_recompute() {
    let app = TestApp::demo().await;
    let state = app.state.clone();
    let catalogue = state.catalogue();
    let indicators: Vec<String> = catalogue.indicators().iter().map(|i| i.key.clone()).collect();
    let regions: Vec<String> = catalogue.regions().iter().map(|r| r.code.clone()).collect();
    let cities: Vec<String> = catalogue.children("440000").map(|r| r.code.clone()).collect();
    let periods = ["2021Q1", "2021Q2", "2021Q3", "2021Q4", "2022Q1", "2022Q2"].map(period);
    let admin = Actor::system("property test");
    let today = anju::clock::today();
    let mut rng = rand::rngs::StdRng::seed_from_u64(13);
    let (mut applied, mut refused) = (0, 0);
    for step in 0..300 {
        let city = cities[rng.random_range(0..cities.len())].clone();
        let at = periods[rng.random_range(0..periods.len())];
        let (writing, actor) = (state.catalogue(), admin.clone());
        let outcome = match rng.random_range(0..6) {
            0 | 1 => {
                let input = random_input(&mut rng, &indicators, 0);
                state
                    .db
                    .write(move |conn| reports::save_in(conn, &writing, &actor, &city, at, &input, today).map(|_| ()))
                    .await
            }
            choice @ 2..=4 => {
                let (action, comment) = match choice {
                    2 => (Action::Approve, None),
                    3 => (Action::Return, Some("请补充说明".to_owned())),
                    _ => (Action::Reopen, Some("重新核实".to_owned())),
                };
                state
                    .db
                    .write(move |conn| {
                        let review = Review {
                            action,
                            comment: comment.as_deref(),
                            version: None,
                        };
                        reports::review_in(conn, &writing, &actor, &city, at, review).map(|_| ())
                    })
                    .await
            }
            _ => {
                let cell = TargetCell {
                    region: regions[rng.random_range(0..regions.len())].clone(),
                    indicator: "shantytown_starts".into(),
                    value: if rng.random_bool(0.2) {
                        None
                    } else {
                        Some(rng.random_range(1..20_000))
                    },
                };
                let year = at.year();
                state
                    .db
                    .write(move |conn| targets::set_in(conn, &writing, &actor, year, &[cell]).map(|_| ()))
                    .await
            }
        };
        match outcome {
            Ok(()) => applied += 1,
            Err(_) => refused += 1,
        }
        // Every few steps, every period's cached table is brought up to date and compared.
        if step % 3 == 0 {
            for period in periods {
                let (cached, _) = state.progress(period).await.unwrap();
                let conn = app.conn();
                let full = anju::db::progress::table(&conn, &catalogue, period).unwrap();
                assert_eq!(*cached, full, "step {step}, {period}");
            }
        }
    }
    assert!(applied > 100 && refused > 0, "applied {applied}, refused {refused}");
    let (full, incremental) = state.table_computations();
    assert!(incremental > full, "{incremental} updates, {full} full computations");
}
