//! Crash safety: the real `anju` binary is killed with SIGKILL while writes stream in, then
//! started again on the same file. Nothing acknowledged is lost, nothing is half-written, the
//! database passes `integrity_check` and the audit trail still explains every figure.

mod common;
mod reliability;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reliability::{
    Write, assert_absent, assert_audit_explains_data, assert_stored, audit_count, cities, fresh_writes,
    integrity_check, stored,
};

/// The `anju serve` child process; killed with SIGKILL when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// Starts `anju serve --demo` on `db` at a port the operating system picks, and waits until
    /// it answers.
    async fn start(db: &Path) -> Self {
        let data_dir = db.with_file_name("no-data-dir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_anju"))
            .arg("--db")
            .arg(db)
            .arg("--data-dir")
            .arg(&data_dir)
            .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
            .env("ANJU_DEMO_PASSWORD", common::PASSWORD)
            .env("NO_COLOR", "1")
            .env("RUST_LOG", "anju=info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn anju serve");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        // Reads the log for the address, then keeps draining it so the server never blocks.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let addr: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_digit() || ".:".contains(*c))
                        .collect();
                    if let (Some(tx), Ok(addr)) = (tx.take(), addr.parse::<SocketAddr>()) {
                        let _ = tx.send(addr);
                    }
                }
            }
        });
        let addr = tokio::task::spawn_blocking(move || rx.recv_timeout(Duration::from_secs(60)))
            .await
            .expect("log reader")
            .expect("server did not report its address within a minute");
        let server = Self { child, addr };
        let health = reqwest::get(server.url("/healthz")).await.expect("healthz");
        assert_eq!(health.status(), 200);
        server
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    async fn login(&self, username: &str) -> reqwest::Client {
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let response = client
            .post(self.url("/login"))
            .form(&[("username", username), ("password", common::PASSWORD)])
            .send()
            .await
            .expect("login");
        assert_eq!(response.status(), 303, "login as {username}");
        client
    }

    /// SIGKILL: no shutdown handler, no flushing, no goodbye.
    fn kill(&mut self) {
        self.child.kill().expect("kill -9");
        self.child.wait().expect("reap");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What happened to the writes of one stream.
#[derive(Default)]
struct Outcome {
    acknowledged: Vec<Write>,
    /// Sent, but the answer never came (or was not a 2xx): stored entirely or not at all.
    unanswered: Vec<Write>,
}

/// Streams `writes` from `workers` concurrent clients and kills the server as soon as
/// `kill_after` of them have been acknowledged.
async fn stream_and_kill(server: &mut Server, writes: Vec<Write>, workers: usize, kill_after: usize) -> Outcome {
    let client = server.login("admin").await;
    let queue = Arc::new(Mutex::new(writes.into_iter()));
    let outcome = Arc::new(Mutex::new(Outcome::default()));
    let acknowledged = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers {
        let (client, queue, outcome, acknowledged) = (
            client.clone(),
            Arc::clone(&queue),
            Arc::clone(&outcome),
            Arc::clone(&acknowledged),
        );
        let base = server.url("");
        tasks.spawn(async move {
            loop {
                let Some(write) = queue.lock().unwrap().next() else {
                    return;
                };
                let sent = client
                    .put(format!("{base}{}", write.path()))
                    .json(&write.body())
                    .send()
                    .await;
                let status = match sent {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        // Acknowledged means the whole answer arrived.
                        match response.text().await {
                            Ok(body) => Some((status, body)),
                            Err(_) => None,
                        }
                    }
                    Err(_) => None,
                };
                match status {
                    Some((200, _)) => {
                        outcome.lock().unwrap().acknowledged.push(write);
                        acknowledged.fetch_add(1, Ordering::SeqCst);
                    }
                    Some((status, body)) => panic!("{} {}: {status} {body}", write.region, write.period),
                    None => {
                        outcome.lock().unwrap().unanswered.push(write);
                        return;
                    }
                }
            }
        });
    }
    let deadline = Instant::now() + Duration::from_secs(120);
    while acknowledged.load(Ordering::SeqCst) < kill_after {
        assert!(Instant::now() < deadline, "writes too slow to reach the kill point");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.kill();
    while let Some(result) = tasks.join_next().await {
        result.expect("writer");
    }
    let mut outcome = outcome.lock().unwrap();
    std::mem::take(&mut *outcome)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_acknowledged_before_kill_9_survive_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("anju.db");
    let mut server = Server::start(&db).await;
    let conn = open_db(&db);
    let cities = cities(&conn);
    let audit_before = audit_count(&conn);
    let writes = fresh_writes(&cities, 400, 3);
    let (first, second) = writes.split_at(200);

    // Two crashes in a row, each in the middle of a stream from eight writers.
    let mut outcomes = vec![stream_and_kill(&mut server, first.to_vec(), 8, 60).await];
    let mut server = Server::start(&db).await;
    outcomes.push(stream_and_kill(&mut server, second.to_vec(), 8, 60).await);
    let server = Server::start(&db).await;

    let check = open_db(&db);
    assert_eq!(integrity_check(&check), "ok");
    let mut expected_audit = 0;
    let mut sent = 0;
    for outcome in &outcomes {
        assert!(outcome.acknowledged.len() >= 60);
        assert!(
            !outcome.unanswered.is_empty(),
            "the kill should interrupt writes in flight"
        );
        for write in &outcome.acknowledged {
            assert_stored(&check, write);
            expected_audit += write.audit_rows();
        }
        for write in &outcome.unanswered {
            // Interrupted: all of it or none of it.
            if stored(&check, &write.region, &write.period).is_some() {
                assert_stored(&check, write);
                expected_audit += write.audit_rows();
            } else {
                assert_absent(&check, write);
            }
        }
        sent += outcome.acknowledged.len() + outcome.unanswered.len();
    }
    let untouched: Vec<&Write> = first.iter().chain(second).filter(|w| !was_sent(&outcomes, w)).collect();
    assert_eq!(untouched.len(), 400 - sent);
    for write in untouched {
        assert_absent(&check, write);
    }
    assert_eq!(
        audit_count(&check) - audit_before,
        expected_audit,
        "audit rows match the data"
    );
    assert_audit_explains_data(&check);

    // The restarted server serves the acknowledged figures and takes new writes.
    let client = server.login("admin").await;
    let write = &outcomes[1].acknowledged[0];
    let report: serde_json::Value = client
        .get(server.url(&write.path()))
        .send()
        .await
        .expect("get report")
        .json()
        .await
        .expect("report json");
    for (key, value) in &write.values {
        assert_eq!(report["values"][key], *value);
    }
    let next = fresh_writes(&cities, 401, 5).pop().expect("one more write");
    let response = client
        .put(server.url(&next.path()))
        .json(&next.body())
        .send()
        .await
        .expect("write after restart");
    assert_eq!(response.status(), 200);
    assert_stored(&check, &next);
}

fn was_sent(outcomes: &[Outcome], write: &Write) -> bool {
    outcomes.iter().any(|o| {
        o.acknowledged
            .iter()
            .chain(&o.unanswered)
            .any(|w| w.region == write.region && w.period == write.period)
    })
}

fn open_db(db: &Path) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(db).expect("open db");
    conn.busy_timeout(Duration::from_secs(10)).expect("busy timeout");
    conn
}
