//! Acknowledged submissions per second through the real HTTP API, each with its audit rows, and
//! proof that none was lost: a release server in-process on a loopback port, 64 concurrent
//! clients, then every acknowledged figure is checked in the SQLite file.
//!
//! `cargo bench --bench submit` (set `ANJU_BENCH_SECONDS`, default 10).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anju::{ServeConfig, StoreConfig};
use tokio::sync::oneshot;

const PASSWORD: &str = "bench-password-1";
const CLIENTS: usize = 64;

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::var("ANJU_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(Duration::from_secs(seconds)))
}

async fn run(duration: Duration) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db_path = dir.path().join("bench.db");
    let store = StoreConfig {
        db: db_path.clone(),
        data_dir: dir.path().join("none"),
    };
    let config = ServeConfig {
        demo: true,
        demo_password: Some(PASSWORD.into()),
        ..ServeConfig::default()
    };
    let state = tokio::task::spawn_blocking(move || anju::prepare(&store, config)).await??;
    let catalogue = state.catalogue();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(anju::launch(state, listener, async move {
        let _ = stopped.await;
    }));

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let login = client
        .post(format!("http://{addr}/login"))
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await?;
    anyhow::ensure!(login.status() == 303, "login failed: {}", login.status());

    // Slots no demo report uses: every city that reports itself (韶关市 and 湛江市 report
    // through their counties, and their own reports are refused) × Q1 of 2022–2026. One client
    // owns each slot and raises its figure with every write, so every write is a real change
    // with an audit row.
    let cities: Vec<String> = catalogue
        .children("440000")
        .filter(|r| !catalogue.has_children(&r.code))
        .map(|r| r.code.clone())
        .collect();
    let slots: Vec<(String, String)> = (2022..=2026)
        .flat_map(|year| cities.iter().map(move |city| (city.clone(), format!("{year}Q1"))))
        .collect();
    let running = Arc::new(AtomicBool::new(true));
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..CLIENTS {
        let mine: Vec<(String, String)> = slots.iter().skip(worker).step_by(CLIENTS).cloned().collect();
        let (client, running) = (client.clone(), running.clone());
        workers.push(tokio::spawn(async move {
            let mut acked: HashMap<(String, String), i64> = HashMap::new();
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut value = 0i64;
            while running.load(Ordering::Relaxed) {
                for (region, period) in &mine {
                    value += 1;
                    let body = serde_json::json!({ "values": { "shantytown_starts": value }, "submit": false });
                    let sent = Instant::now();
                    let response = client
                        .put(format!("http://{addr}/api/v1/reports/{region}/{period}"))
                        .json(&body)
                        .send()
                        .await;
                    latencies.push(sent.elapsed());
                    match response {
                        Ok(r) if r.status().is_success() => {
                            acked.insert((region.clone(), period.clone()), value);
                        }
                        _ => errors += 1,
                    }
                }
            }
            (acked, latencies, errors, value)
        }));
    }
    tokio::time::sleep(duration).await;
    running.store(false, Ordering::Relaxed);
    let mut acked = HashMap::new();
    let mut latencies = Vec::new();
    let mut errors = 0;
    let mut writes = 0;
    for worker in workers {
        let (mine, times, failed, _) = worker.await?;
        writes += times.len() as u64 - failed;
        acked.extend(mine);
        latencies.extend(times);
        errors += failed;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let _ = stop.send(());
    server.await??;

    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let conn = rusqlite::Connection::open(&db_path)?;
    let mut lost = 0;
    for ((region, period), value) in &acked {
        let (year, quarter) = period.split_once('Q').unwrap_or_default();
        let stored: Option<i64> = conn.query_row(
            "SELECT v.cumulative FROM reports r JOIN report_values v ON v.report_id = r.id
             WHERE r.region_code = ?1 AND r.year = ?2 AND r.quarter = ?3 AND v.indicator = 'shantytown_starts'",
            rusqlite::params![region, year, quarter],
            |row| row.get(0),
        )?;
        if stored != Some(*value) {
            lost += 1;
        }
    }
    let audited: i64 = conn.query_row(
        "SELECT count(*) FROM audit_log WHERE action = 'value' AND period LIKE '20__Q1' AND period >= '2022'",
        [],
        |row| row.get(0),
    )?;
    println!(
        "submissions: {writes} acknowledged in {elapsed:.1} s = {:.0} per second ({CLIENTS} clients)",
        writes as f64 / elapsed
    );
    println!("latency p50 {:?}, p99 {:?}; errors {errors}", pct(0.50), pct(0.99));
    println!("audit rows for those writes: {audited} (expected {writes}); acknowledged figures lost: {lost}");
    anyhow::ensure!(audited as u64 == writes && lost == 0, "lost writes or audit rows");
    Ok(())
}
