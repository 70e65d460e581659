//! A database another writer holds: writes answer 503 with `Retry-After` and a readable message
//! (JSON for the API, a page for pages) within the write budget, store nothing, and reads go on.

mod common;

use std::time::{Duration, Instant};

use common::TestApp;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_get_503_with_retry_after_while_the_database_is_locked_and_reads_go_on() {
    let app = TestApp::demo().await;
    let officer = app.user("gz_officer").await;
    let leader = app.user("leader").await;
    // The leader's idle clock is due a refresh: reading the dashboard would like to write.
    app.conn()
        .execute(
            "UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-5 minutes')",
            [],
        )
        .unwrap();
    let before = app.snapshot();
    let lock = app.conn();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let started = Instant::now();
    let dashboard = leader.get("/?period=2021Q4").await;
    assert_eq!(dashboard.status, 200, "a read never fails for the idle clock");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "read took {:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let put = officer
        .put_json(
            "/api/v1/reports/440100/2022Q1",
            json!({"values": {"shantytown_starts": 5}, "submit": false}),
        )
        .await;
    assert_eq!(put.status, 503, "{}", put.text);
    assert!(put.header("retry-after").is_some());
    assert!(put.json()["error"].as_str().unwrap().contains("busy"), "{}", put.text);
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "took {:?}",
        started.elapsed()
    );

    let page = officer
        .post_form("/account/tokens", &[("name", "during the lock")])
        .await;
    assert_eq!(page.status, 503);
    assert!(page.header("retry-after").is_some());
    assert!(
        page.text.contains("<html") && page.text.contains("系统正忙"),
        "{}",
        page.text
    );

    lock.execute_batch("ROLLBACK").unwrap();
    assert_eq!(app.snapshot(), before, "nothing partial was stored");
    let retried = officer
        .put_json(
            "/api/v1/reports/440100/2022Q1",
            json!({"values": {"shantytown_starts": 5}, "submit": false}),
        )
        .await;
    assert_eq!(retried.status, 200, "{}", retried.text);
    app.stop().await;
}
