//! `anju backup` while a server on the same database takes writes: the copy opens, passes
//! `integrity_check`, holds every write acknowledged before the backup began, and holds each
//! write in flight entirely or not at all.

mod common;
mod reliability;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::TestApp;
use reliability::{
    Write, assert_absent, assert_audit_explains_data, assert_stored, cities, fresh_writes, integrity_check, stored,
};

/// Runs `anju backup out` on the test server's database; panics if it fails or hangs.
fn run_backup(app_db: &Path, data_dir: &Path, out: &Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_anju"))
        .arg("--db")
        .arg(app_db)
        .arg("--data-dir")
        .arg(data_dir)
        .arg("backup")
        .arg(out)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn anju backup");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("backup status").is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("anju backup did not finish within a minute under load");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let output = child.wait_with_output().expect("backup output");
    assert!(
        output.status.success(),
        "anju backup failed: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_during_writes_holds_every_write_acknowledged_before_it_began() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let conn = app.conn();
    grow_history(&conn);
    let fresh_audit_before = fresh_audit_rows(&conn);
    let writes = fresh_writes(&cities(&conn), 400, 9);

    let queue = Arc::new(Mutex::new(writes.clone().into_iter()));
    let acknowledged = Arc::new(Mutex::new(Vec::<Write>::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let churn = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (admin, queue, acknowledged, count, stop) = (
            admin.clone(),
            Arc::clone(&queue),
            Arc::clone(&acknowledged),
            Arc::clone(&count),
            Arc::clone(&stop),
        );
        let churn = Arc::clone(&churn);
        tasks.spawn(async move {
            while !stop.load(Ordering::SeqCst) {
                let next = queue.lock().unwrap().next();
                let Some(write) = next else {
                    // The fresh reports are used up: keep the server busy rewriting a note of the
                    // draft 441800 2021Q4 (outside the checked periods) until the backup is done.
                    let n = churn.fetch_add(1, Ordering::SeqCst);
                    let body = serde_json::json!({ "notes": { "shantytown_starts": format!("说明 {n}") } });
                    let churned = admin.put_json("/api/v1/reports/441800/2021Q4", body).await;
                    assert_eq!(churned.status, 200, "{}", churned.text);
                    count.fetch_add(1, Ordering::SeqCst);
                    continue;
                };
                let answer = admin.put_json(&write.path(), write.body()).await;
                assert_eq!(answer.status, 200, "{} {}: {}", write.region, write.period, answer.text);
                acknowledged.lock().unwrap().push(write);
                count.fetch_add(1, Ordering::SeqCst);
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while count.load(Ordering::SeqCst) < 50 {
        assert!(Instant::now() < deadline, "writes too slow");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }

    let before_backup: Vec<Write> = acknowledged.lock().unwrap().clone();
    let out = app.dir.path().join("backups").join("copy.db");
    let (db, data_dir, target) = (app.db_path.clone(), app.dir.path().join("no-data-dir"), out.clone());
    tokio::task::spawn_blocking(move || run_backup(&db, &data_dir, &target))
        .await
        .expect("backup task");
    let during_backup = count.load(Ordering::SeqCst) - before_backup.len();
    stop.store(true, Ordering::SeqCst);
    while let Some(result) = tasks.join_next().await {
        result.expect("writer");
    }
    assert!(during_backup > 0, "the backup should run while writes are acknowledged");

    let copy = rusqlite::Connection::open(&out).expect("the backup opens");
    assert_eq!(integrity_check(&copy), "ok");
    for write in &before_backup {
        assert_stored(&copy, write);
    }
    // Whatever else the copy holds is whole: a write is in it entirely or not at all.
    let mut expected_audit = 0;
    for write in &writes {
        if stored(&copy, &write.region, &write.period).is_some() {
            assert_stored(&copy, write);
            expected_audit += write.audit_rows();
        } else {
            assert_absent(&copy, write);
        }
    }
    assert_eq!(fresh_audit_rows(&copy) - fresh_audit_before, expected_audit);
    assert_audit_explains_data(&copy);
    app.stop().await;
}

/// Audit rows of the periods from 2022 on, where only the test's writes land.
fn fresh_audit_rows(conn: &rusqlite::Connection) -> i64 {
    let everything = anju::db::audit::AuditFilter {
        limit: u32::MAX,
        drafts: true,
        ..Default::default()
    };
    let rows = anju::db::audit::list(conn, &everything).expect("audit rows");
    rows.iter()
        .filter(|row| row.period.as_deref().is_some_and(|period| period >= "2022"))
        .count() as i64
}

/// Years of audit history, so the file is far larger than one backup step. (Raw SQL: twenty
/// thousand rows in one statement, and the file's page count, are storage matters.)
fn grow_history(conn: &rusqlite::Connection) {
    let detail = "历史记录".repeat(100);
    conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
         INSERT INTO audit_log (username, action, detail) SELECT 'history', 'login', ?1 FROM n",
        [&detail],
    )
    .expect("history");
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |row| row.get(0))
        .expect("page count");
    assert!(pages > 2000, "{pages} pages");
}

#[test]
fn backup_refuses_to_overwrite_an_existing_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("anju.db");
    let status = Command::new(env!("CARGO_BIN_EXE_anju"))
        .arg("--db")
        .arg(&db)
        .args(["--data-dir", "/nonexistent", "migrate"])
        .output()
        .expect("migrate");
    assert!(status.status.success());
    let existing = dir.path().join("existing.db");
    std::fs::write(&existing, b"precious").expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_anju"))
        .arg("--db")
        .arg(&db)
        .args(["--data-dir", "/nonexistent", "backup"])
        .arg(&existing)
        .output()
        .expect("backup");
    assert!(!output.status.success());
    assert_eq!(std::fs::read(&existing).expect("read"), b"precious");
}
