//! The dashboard through a submission storm, and memory after asking for every period: the
//! release server as a child process (so its RSS is its own), `wrk -t2 -c64` on the dashboard
//! while one client saves new reports at a fixed rate, on the demo and the national data.
//!
//! Prints, per dataset: the quiet dashboard (req/s, p99), the same under 5 and 20 writes/s
//! (req/s, p99, writes achieved, write p99), the first dashboard request after a write (to the
//! period shown and to another one), the static-file ceiling, the server's RSS; and for the
//! national data the RSS after requesting the dashboard and the API for all 404 valid periods.
//!
//! `cargo bench --bench storm` (needs `wrk`; `ANJU_BENCH_SECONDS`, default 10 per run;
//! `ANJU_BENCH_DATA=demo|national` for one dataset; `ANJU_BENCH_BIN` for another server binary).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

const PASSWORD: &str = "bench-password-1";
/// The server binary: this build's, or another (`ANJU_BENCH_BIN`, e.g. a base commit's) to compare.
fn bin() -> String {
    std::env::var("ANJU_BENCH_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_anju").to_owned())
}
const VIEWED: &str = "2021Q4";

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::var("ANJU_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let only: Option<String> = std::env::var("ANJU_BENCH_DATA").ok();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let dir = tempfile::tempdir()?;
    println!("# machine: {} cores; load average {}", cores(), load());
    for data in ["demo", "national"] {
        if only.as_deref().is_some_and(|o| o != data) {
            continue;
        }
        let db = dir.path().join(format!("{data}.db"));
        if data == "national" {
            let began = Instant::now();
            let status = Command::new(bin())
                .arg("--db")
                .arg(&db)
                .arg("gen")
                .stdout(Stdio::null())
                .status()?;
            anyhow::ensure!(status.success(), "anju gen failed");
            println!("# national data generated in {:.1} s", began.elapsed().as_secs_f64());
        }
        runtime.block_on(dataset(data, &db, Duration::from_secs(seconds)))?;
    }
    Ok(())
}

struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(db: &std::path::Path, demo: bool) -> anyhow::Result<Self> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut command = Command::new(bin());
        command
            .arg("--db")
            .arg(db)
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .env("ANJU_DEMO_PASSWORD", PASSWORD)
            .env("ANJU_ADMIN_PASSWORD", PASSWORD)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if demo {
            command.arg("--demo");
        }
        let child = command.spawn().context("starting the server")?;
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            anyhow::ensure!(Instant::now() < deadline, "server did not start");
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(server)
    }

    /// The server's threads now.
    fn threads(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/task", self.child.id())).map_or(0, |d| d.count())
    }

    /// The server's open files (connections and the database's among them) now.
    fn open_files(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id())).map_or(0, |d| d.count())
    }

    /// (current, peak) resident memory in MiB.
    fn rss(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map_or(0.0, |kb| kb / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Requests/s and p99 (ms) from `wrk --latency` on `path`.
fn wrk(base: &str, path: &str, cookie: &str, seconds: u64) -> anyhow::Result<(f64, f64)> {
    let output = Command::new("wrk")
        .args(["-t2", "-c64", &format!("-d{seconds}s"), "--latency"])
        .args(["-H", "Accept-Encoding: gzip, deflate, br, zstd"])
        .args(["-H", &format!("Cookie: anju_session={cookie}")])
        .arg(format!("{base}{path}"))
        .output()
        .context("running wrk (apt-get install wrk)")?;
    let text = String::from_utf8_lossy(&output.stdout);
    let rate = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    let p99 = text
        .lines()
        .find(|l| l.trim_start().starts_with("99%"))
        .and_then(|l| l.split_whitespace().nth(1))
        .map_or(0.0, millis);
    if text.contains("Non-2xx") {
        println!(
            "  (wrk saw non-2xx answers: {})",
            text.lines().find(|l| l.contains("Non-2xx")).unwrap_or("")
        );
    }
    Ok((rate, p99))
}

fn millis(value: &str) -> f64 {
    let (number, factor) = if let Some(v) = value.strip_suffix("us") {
        (v, 0.001)
    } else if let Some(v) = value.strip_suffix("ms") {
        (v, 1.0)
    } else if let Some(v) = value.strip_suffix('s') {
        (v, 1000.0)
    } else {
        (value, 1.0)
    };
    number.parse::<f64>().map_or(0.0, |n| n * factor)
}

fn percentile(mut times: Vec<Duration>, p: f64) -> f64 {
    if times.is_empty() {
        return 0.0;
    }
    times.sort();
    times[((times.len() as f64 * p) as usize).min(times.len() - 1)].as_secs_f64() * 1000.0
}

/// Where the writer puts its new reports: every leaf region × 2022Q1 up to the current quarter
/// (later ones are refused as not begun).
struct Slots {
    leaves: Vec<String>,
    next: usize,
    quarters: usize,
}

impl Slots {
    fn new(leaves: Vec<String>) -> Self {
        let now = anju::domain::Period::containing(anju::clock::today()).expect("today is a valid period");
        let quarters = usize::try_from((now.year() - 2022) * 4 + i32::from(now.quarter())).unwrap_or(0);
        Self {
            leaves,
            next: 0,
            quarters,
        }
    }

    /// A new (region, period) slot; its number, which only grows, is the figure written, so no
    /// cumulative figure is ever lower than an earlier quarter's.
    fn take(&mut self) -> anyhow::Result<(String, String, i64)> {
        let n = self.next;
        let quarter = n / self.leaves.len().max(1);
        anyhow::ensure!(
            quarter < self.quarters,
            "all {} new report slots are used: lower ANJU_BENCH_SECONDS",
            self.leaves.len() * self.quarters
        );
        self.next += 1;
        let region = self.leaves[n % self.leaves.len()].clone();
        let period = format!("{}Q{}", 2022 + quarter / 4, quarter % 4 + 1);
        Ok((region, period, n as i64 + 1))
    }
}

async fn put(client: &reqwest::Client, base: &str, region: &str, period: &str, value: i64) -> anyhow::Result<()> {
    let body = serde_json::json!({
        "values": { "shantytown_starts": value },
        "notes": { "shantytown_starts": "压力测试" },
        "submit": true,
    });
    let response = client
        .put(format!("{base}/api/v1/reports/{region}/{period}"))
        .json(&body)
        .send()
        .await?;
    anyhow::ensure!(response.status().is_success(), "write answered {}", response.status());
    Ok(())
}

async fn dataset(data: &str, db: &std::path::Path, seconds: Duration) -> anyhow::Result<()> {
    println!("## {data} data");
    let server = Server::start(db, data == "demo")?;
    let base = server.base.clone();
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let login = client
        .post(format!("{base}/login"))
        .form(&[("username", "admin"), ("password", PASSWORD)])
        .send()
        .await?;
    anyhow::ensure!(login.status() == 303, "login failed: {}", login.status());
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix("anju_session="))
        .and_then(|v| v.split(';').next())
        .context("no session cookie")?
        .to_owned();
    let regions: serde_json::Value = client
        .get(format!("{base}/api/v1/regions"))
        .send()
        .await?
        .json()
        .await?;
    let regions = regions["regions"].as_array().cloned().unwrap_or_default();
    let parents: std::collections::HashSet<&str> = regions.iter().filter_map(|r| r["parent_code"].as_str()).collect();
    let leaves: Vec<String> = regions
        .iter()
        .filter_map(|r| r["code"].as_str())
        .filter(|code| !parents.contains(code))
        .map(str::to_owned)
        .collect();
    let slots = Arc::new(std::sync::Mutex::new(Slots::new(leaves)));
    let dashboard = format!("/?period={VIEWED}");
    let secs = seconds.as_secs();
    // Warm: the figures are of a server in use.
    client.get(format!("{base}{dashboard}")).send().await?;

    let (ceiling, ceiling_p99) = wrk(&base, "/static/app.css", &cookie, secs)?;
    println!(
        "static file ceiling: {ceiling:.0} req/s, p99 {ceiling_p99:.1} ms (load {})",
        load()
    );
    let (quiet, quiet_p99) = wrk(&base, &dashboard, &cookie, secs)?;
    println!(
        "dashboard, no writes: {quiet:.0} req/s, p99 {quiet_p99:.1} ms = {:.2} of the ceiling (load {})",
        quiet / ceiling.max(1.0),
        load()
    );

    for rate in [5u32, 20] {
        let running = Arc::new(AtomicBool::new(true));
        let mut writes = Vec::new();
        let writer = {
            let (client, base, running, slots) =
                (client.clone(), base.clone(), Arc::clone(&running), Arc::clone(&slots));
            tokio::spawn(async move {
                let mut times = Vec::new();
                let mut failed = 0u32;
                let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
                let started = Instant::now();
                loop {
                    tick.tick().await;
                    if !running.load(Ordering::Relaxed) {
                        break;
                    }
                    let slot = slots.lock().unwrap_or_else(|e| e.into_inner()).take();
                    let (region, period, value) = slot?;
                    let sent = Instant::now();
                    match put(&client, &base, &region, &period, value).await {
                        Ok(()) => times.push(sent.elapsed()),
                        Err(_) => failed += 1,
                    }
                }
                anyhow::Ok((times, failed, started.elapsed()))
            })
        };
        let (loaded, loaded_p99) = {
            let (base, cookie, dashboard) = (base.clone(), cookie.clone(), dashboard.clone());
            tokio::task::spawn_blocking(move || wrk(&base, &dashboard, &cookie, secs)).await??
        };
        running.store(false, Ordering::Relaxed);
        let (times, failed, took) = writer.await??;
        writes.extend(times);
        let achieved = writes.len() as f64 / took.as_secs_f64();
        println!(
            "dashboard at {rate} writes/s asked: {loaded:.0} req/s ({:.2} of quiet), p99 {loaded_p99:.1} ms; \
             writes achieved {achieved:.1}/s, write p99 {:.1} ms, {failed} failed (load {})",
            loaded / quiet.max(1.0),
            percentile(writes, 0.99),
            load()
        );
    }

    // The first dashboard request after a write: to the period shown, and to another period.
    for shown_is_written in [true, false] {
        let mut times = Vec::new();
        let mut written = String::new();
        for _ in 0..30 {
            let (region, period, value) = slots.lock().unwrap_or_else(|e| e.into_inner()).take()?;
            let shown = format!(
                "{base}/?period={}",
                if shown_is_written { period.as_str() } else { VIEWED }
            );
            client
                .get(&shown)
                .header("Accept-Encoding", "gzip")
                .send()
                .await?
                .bytes()
                .await?;
            put(&client, &base, &region, &period, value).await?;
            let sent = Instant::now();
            let page = client
                .get(&shown)
                .header("Accept-Encoding", "gzip")
                .send()
                .await?
                .bytes()
                .await?;
            times.push(sent.elapsed());
            anyhow::ensure!(!page.is_empty(), "empty dashboard");
            written = period;
        }
        let label = if shown_is_written {
            format!("to the period shown ({written})")
        } else {
            format!("to another period (writes to {written}, page {VIEWED})")
        };
        println!(
            "first dashboard request after a write {label}: median {:.1} ms, p90 {:.1} ms, max {:.1} ms",
            percentile(times.clone(), 0.5),
            percentile(times.clone(), 0.9),
            percentile(times, 1.0)
        );
    }
    let (rss, peak) = server.rss();
    let threads = server.threads();
    std::thread::sleep(Duration::from_secs(2));
    let (settled, _) = server.rss();
    println!(
        "server RSS now {rss:.1} MiB ({threads} threads, {} open files), 2 s later {settled:.1} MiB ({} threads), peak {peak:.1} MiB",
        server.open_files(),
        server.threads()
    );

    if data == "national" {
        let began = Instant::now();
        for year in 2000..=2100 {
            for quarter in 1..=4 {
                for path in [
                    format!("/?period={year}Q{quarter}"),
                    format!("/api/v1/progress?period={year}Q{quarter}"),
                ] {
                    let response = client
                        .get(format!("{base}{path}"))
                        .header("Accept-Encoding", "gzip")
                        .send()
                        .await?;
                    let _ = response.bytes().await?;
                }
            }
        }
        let (rss, peak) = server.rss();
        let elapsed = began.elapsed().as_secs_f64();
        // jemalloc hands freed pages back within half a second (.cargo/config.toml).
        std::thread::sleep(Duration::from_secs(2));
        let (settled, _) = server.rss();
        println!(
            "all 404 periods (dashboard and API each) in {elapsed:.1} s: server RSS now {rss:.1} MiB, \
             2 s later {settled:.1} MiB, peak {peak:.1} MiB"
        );
    }
    Ok(())
}
