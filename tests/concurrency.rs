//! Many writers at once against a real server: every acknowledged write is stored exactly once
//! with its audit rows, nothing else is stored, and no client ever sees a 500 or a locked database.

mod common;
mod reliability;

use std::sync::Arc;

use common::{TestApp, User};
use reliability::{Write, assert_audit_explains_data, assert_stored, audit_count, cities, fresh_writes};
use tokio::sync::Barrier;
use tokio::task::JoinSet;

/// Sends every write at the same moment, each from its own task; returns (write, status, body).
async fn send_all(users: &[User], writes: Vec<Write>) -> Vec<(Write, u16, String)> {
    let barrier = Arc::new(Barrier::new(writes.len()));
    let mut tasks = JoinSet::new();
    for (i, write) in writes.into_iter().enumerate() {
        let user = users[i % users.len()].clone();
        let barrier = Arc::clone(&barrier);
        tasks.spawn(async move {
            barrier.wait().await;
            let answer = user.put_json(&write.path(), write.body()).await;
            (write, answer.status, answer.text)
        });
    }
    let mut results = Vec::new();
    while let Some(result) = tasks.join_next().await {
        results.push(result.expect("task"));
    }
    results
}

fn assert_no_server_error(results: &[(Write, u16, String)]) {
    for (write, status, body) in results {
        assert!(*status < 500, "{} {}: {status} {body}", write.region, write.period);
        assert!(
            !body.to_lowercase().contains("locked") && !body.to_lowercase().contains("busy"),
            "{} {}: database contention reached the client: {body}",
            write.region,
            write.period
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_concurrent_submissions_are_each_stored_once_with_their_audit_rows() {
    let app = TestApp::demo().await;
    let mut admins = Vec::new();
    for _ in 0..4 {
        admins.push(app.user("admin").await);
    }
    let conn = app.conn();
    let writes = fresh_writes(&cities(&conn), 200, 1);
    let audit_before = audit_count(&conn);

    let results = send_all(&admins, writes).await;

    assert_no_server_error(&results);
    let acknowledged: Vec<&Write> = results
        .iter()
        .filter(|(_, status, _)| (200..300).contains(status))
        .map(|(write, _, _)| write)
        .collect();
    let refused: Vec<String> = results
        .iter()
        .filter(|(_, status, _)| !(200..300).contains(status))
        .map(|(w, status, body)| format!("{} {}: {status} {body}", w.region, w.period))
        .collect();
    assert!(refused.is_empty(), "valid writes were refused: {refused:#?}");
    assert_eq!(acknowledged.len(), 200);
    for write in &acknowledged {
        assert_stored(&conn, write);
    }
    let fresh_reports = anju::db::reports::summaries(&conn, None, None)
        .unwrap()
        .iter()
        .filter(|report| report.period.year() >= 2022)
        .count();
    assert_eq!(
        fresh_reports, 200,
        "every acknowledged report exactly once, nothing else"
    );
    let expected_audit: i64 = acknowledged.iter().map(|w| w.audit_rows()).sum();
    assert_eq!(audit_count(&conn) - audit_before, expected_audit);
    assert_audit_explains_data(&conn);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_of_one_report_version_exactly_one_wins() {
    let app = TestApp::demo().await;
    let admins = vec![app.user("admin").await, app.user("admin").await];
    let conn = app.conn();
    let cities = cities(&conn);
    // Fifty different figures for the same new report, all claiming to have seen version 0.
    let writes: Vec<Write> = (0..50)
        .map(|i| {
            let mut write = fresh_writes(&cities, 1, i).remove(0);
            write.submit = i % 2 == 0;
            write
        })
        .collect();
    let audit_before = audit_count(&conn);

    let results = send_all(&admins, writes).await;

    assert_no_server_error(&results);
    let winners: Vec<&Write> = results
        .iter()
        .filter(|(_, status, _)| (200..300).contains(status))
        .map(|(write, _, _)| write)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one writer of version 0 may win");
    for (write, status, body) in &results {
        if !(200..300).contains(status) {
            assert_eq!(*status, 409, "{} {}: {body}", write.region, write.period);
        }
    }
    assert_stored(&conn, winners[0]);
    assert_eq!(audit_count(&conn) - audit_before, winners[0].audit_rows());
    assert_audit_explains_data(&conn);
    app.stop().await;
}
