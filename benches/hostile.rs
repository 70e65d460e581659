//! The red team's floods at full size against the release binary in its own process:
//! 20,000 slow connections from one client (a header line every 5 s) while `/healthz` is asked
//! from another address every 50 ms, then 400 concurrent bogus sign-ins with fresh names while a
//! real sign-in from another address is timed. Prints the figures beside their goals and the
//! server's RSS. (The all-periods memory sweep is in `benches/storm.rs`.)
//!
//! `cargo bench --bench hostile` (`ANJU_BENCH_SECONDS`, default 20, is each flood's length).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

const PASSWORD: &str = "bench-password-1";
const SLOW_CONNECTIONS: usize = 20_000;
const BOGUS_SIGN_INS: usize = 400;

fn local(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

fn main() -> anyhow::Result<()> {
    let seconds: u64 = std::env::var("ANJU_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let open_files = rlimit::increase_nofile_limit(u64::MAX)?;
    println!("client open-file limit: {open_files}");
    let dir = tempfile::tempdir()?;
    let port = free_port()?;
    let mut server = Server::start(&dir.path().join("hostile.db"), port)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let result = runtime.block_on(async {
        server.wait_ready(addr).await?;
        println!("server RSS at start: {:.1} MB", server.rss_mb());
        connection_flood(addr, Duration::from_secs(seconds), &server).await?;
        sign_in_flood(addr, Duration::from_secs(seconds), &server).await
    });
    println!(
        "server peak RSS (VmHWM): {:.1} MB, now {:.1} MB",
        server.peak_rss_mb(),
        server.rss_mb()
    );
    server.stop();
    result
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

struct Server(Child);

impl Server {
    fn start(db: &std::path::Path, port: u16) -> anyhow::Result<Self> {
        let child = Command::new(env!("CARGO_BIN_EXE_anju"))
            .args(["serve", "--demo", "--demo-password", PASSWORD, "--db"])
            .arg(db)
            .args(["--addr", &format!("127.0.0.1:{port}")])
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()?;
        Ok(Self(child))
    }

    async fn wait_ready(&self, addr: SocketAddr) -> anyhow::Result<()> {
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(format!("http://{addr}/healthz")).send().await.is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        anyhow::bail!("the server did not start")
    }

    fn status_kb(&self, field: &str) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.0.id())).unwrap_or_default();
        status
            .lines()
            .find_map(|line| line.strip_prefix(field))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0.0)
    }

    fn rss_mb(&self) -> f64 {
        self.status_kb("VmRSS:") / 1024.0
    }

    fn peak_rss_mb(&self) -> f64 {
        self.status_kb("VmHWM:") / 1024.0
    }

    fn open_files(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.0.id())).map_or(0, |d| d.count())
    }

    fn stop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

/// `/healthz` from 127.0.0.2 every 50 ms until `stop`, on a thread and runtime of its own (so
/// that the flood's tasks in this process do not delay it); the latencies (a failure or a
/// timeout counts as 1 s) and the failures.
fn probe_healthz(addr: SocketAddr, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<(Vec<Duration>, Vec<String>)> {
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let client = reqwest::Client::builder()
                .local_address(local(2))
                .timeout(Duration::from_secs(1))
                .build()
                .expect("client");
            let (mut times, mut failures) = (Vec::new(), Vec::new());
            let started = Instant::now();
            while !stop.load(Ordering::Relaxed) {
                let asked = Instant::now();
                let answered = client.get(format!("http://{addr}/healthz")).send().await;
                times.push(match answered {
                    Ok(r) if r.status().is_success() => asked.elapsed(),
                    Ok(r) => {
                        failures.push(format!("{:?}: {}", started.elapsed(), r.status()));
                        Duration::from_secs(1)
                    }
                    Err(e) => {
                        failures.push(format!("{:?}: {e}", started.elapsed()));
                        Duration::from_secs(1)
                    }
                });
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            (times, failures)
        })
    })
}

async fn connection_flood(addr: SocketAddr, duration: Duration, server: &Server) -> anyhow::Result<()> {
    println!("\n== {SLOW_CONNECTIONS} slow connections from 127.0.0.1, a header line every 5 s, for {duration:?}");
    let stop = Arc::new(AtomicBool::new(false));
    let probe = probe_healthz(addr, stop.clone());
    let (opened, refused, closed_by_server, failed) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(SLOW_CONNECTIONS);
    for _ in 0..SLOW_CONNECTIONS {
        let (opened, refused, closed, failed) = (
            opened.clone(),
            refused.clone(),
            closed_by_server.clone(),
            failed.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let Ok(socket) = TcpSocket::new_v4() else {
                failed.fetch_add(1, Ordering::Relaxed);
                return;
            };
            let Ok(mut stream) = socket.connect(addr).await else {
                failed.fetch_add(1, Ordering::Relaxed);
                return;
            };
            opened.fetch_add(1, Ordering::Relaxed);
            let deadline = started + duration;
            let mut line = 0;
            let mut buf = [0u8; 512];
            let _ = stream.write_all(b"GET / HTTP/1.1\r\nHost: anju\r\n").await;
            while Instant::now() < deadline {
                tokio::select! {
                    read = stream.read(&mut buf) => {
                        match read {
                            Ok(n) if n > 0 && buf[..n].starts_with(b"HTTP/1.1 503") => refused.fetch_add(1, Ordering::Relaxed),
                            _ => closed.fetch_add(1, Ordering::Relaxed),
                        };
                        return;
                    }
                    () = tokio::time::sleep(Duration::from_secs(5)) => {
                        line += 1;
                        if stream.write_all(format!("X-Slow-{line}: 1\r\n").as_bytes()).await.is_err() {
                            closed.fetch_add(1, Ordering::Relaxed);
                            return;
                        }
                    }
                }
            }
        }));
    }
    let mut most_open_files = 0;
    while started.elapsed() < duration {
        most_open_files = most_open_files.max(server.open_files());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let (mut times, failures) = probe.join().map_err(|_| anyhow::anyhow!("probe thread panicked"))?;
    for task in tasks {
        let _ = task.await;
    }
    times.sort();
    let (opened, refused, closed, failed) = (
        opened.load(Ordering::Relaxed),
        refused.load(Ordering::Relaxed),
        closed_by_server.load(Ordering::Relaxed),
        failed.load(Ordering::Relaxed),
    );
    println!(
        "connections: {opened} opened, {refused} answered 503 over the cap, {closed} closed by the server \
         (header timeout), {} still open at the end, {failed} not opened (client side)",
        opened.saturating_sub(refused + closed)
    );
    println!(
        "server open files at most: {most_open_files}; RSS now {:.1} MB",
        server.rss_mb()
    );
    println!(
        "/healthz from another address: {} probes, p50 {:?}, p99 {:?}, max {:?} (goal: p99 ≤ 100 ms)",
        times.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or_default()
    );
    for failure in failures {
        println!("  /healthz failed at {failure}");
    }
    Ok(())
}

async fn sign_in_flood(addr: SocketAddr, duration: Duration, server: &Server) -> anyhow::Result<()> {
    println!("\n== {BOGUS_SIGN_INS} concurrent bogus sign-ins from 127.0.0.3 (a fresh name each try) for {duration:?}");
    let stop = Arc::new(AtomicBool::new(false));
    let flooder = reqwest::Client::builder()
        .local_address(local(3))
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let statuses = Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::<u16, usize>::new()));
    let mut flood = Vec::new();
    for worker in 0..BOGUS_SIGN_INS {
        let (flooder, stop, statuses) = (flooder.clone(), stop.clone(), statuses.clone());
        flood.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let name = format!("bogus-{worker}-{n}");
                let sent = flooder
                    .post(format!("http://{addr}/login"))
                    .form(&[("username", name.as_str()), ("password", "not-the-password")])
                    .send()
                    .await;
                let status = sent.map_or(0, |r| r.status().as_u16());
                *statuses.lock().unwrap().entry(status).or_default() += 1;
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut real = Vec::new();
    let started = Instant::now();
    while started.elapsed() < duration {
        // A fresh browser each time: no device cookie, counted by its address only.
        let browser = reqwest::Client::builder()
            .local_address(local(4))
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        let asked = Instant::now();
        let answer = browser
            .post(format!("http://{addr}/login"))
            .form(&[("username", "gz_officer"), ("password", PASSWORD)])
            .send()
            .await?;
        anyhow::ensure!(answer.status() == 303, "real sign-in answered {}", answer.status());
        real.push(asked.elapsed());
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for task in flood {
        let _ = task.await;
    }
    real.sort();
    println!("bogus sign-in answers by status: {:?}", statuses.lock().unwrap());
    println!(
        "real sign-in from another address: {} tries, all 303, p50 {:?}, max {:?} (goal: ≤ 1 s)",
        real.len(),
        percentile(&real, 0.5),
        real.last().copied().unwrap_or_default()
    );
    println!("server RSS now {:.1} MB", server.rss_mb());
    Ok(())
}
