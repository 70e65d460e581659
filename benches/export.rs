//! The history export at national scale: ≈1,000,000 progress rows from synthetic data (31
//! provinces × 11 cities × 9 counties plus Guangdong, seven indicators, enough quarters), served
//! by a real anju server through `/export/history.csv` and read by an HTTP client in the same
//! process, which prints rows per second and the process's peak resident memory (`VmHWM`). The
//! same rows through the `sqlite3` shell (`benches/sqlite3-yardstick.sh`, `-csv`) are the
//! yardstick. Goals: peak memory under 64 MB whatever the row count; at least half the
//! shell's throughput.
//!
//! `cargo bench --bench export` (env `ANJU_BENCH_ROWS`, default 1,000,000). Each measurement runs
//! in a fresh child process so the data generation does not count towards the peak.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anju::domain::Period;
use anju::domain::catalogue::Region;
use anyhow::Context;
use rusqlite::params;

const FIRST_PERIOD: &str = "2011Q1";
const PASSWORD: &str = "bench-password-2020";

fn main() -> anyhow::Result<()> {
    if let Ok(db) = std::env::var("ANJU_BENCH_CHILD") {
        let to: Period = std::env::var("ANJU_BENCH_TO")?.parse()?;
        return serve_and_export(Path::new(&db), to);
    }
    let wanted: u64 = std::env::var("ANJU_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir()?;
    // ANJU_BENCH_KEEP=PATH keeps the generated database there for a closer look.
    let db = match std::env::var("ANJU_BENCH_KEEP") {
        Ok(path) => PathBuf::from(path),
        Err(_) => dir.path().join("bench.db"),
    };
    let started = Instant::now();
    let (rows_per_period, last) = generate(&db, wanted)?;
    let periods = anju::service::export::periods_between(FIRST_PERIOD.parse()?, last).len() as u64;
    println!(
        "synthetic data: {rows_per_period} progress rows a period × {periods} periods = {} rows ({:.1} s to generate)",
        rows_per_period * periods,
        started.elapsed().as_secs_f64()
    );

    // A short export first: the peak must not grow with the row count.
    let short_to = anju::service::export::periods_between(FIRST_PERIOD.parse()?, last)
        .get(3)
        .copied()
        .unwrap_or(last);
    for to in [short_to, last] {
        let cpu = children_cpu_seconds();
        let output = Command::new(std::env::current_exe()?)
            .env("ANJU_BENCH_CHILD", &db)
            .env("ANJU_BENCH_TO", to.to_string())
            .output()?;
        anyhow::ensure!(
            output.status.success(),
            "export child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        print!("{}", String::from_utf8_lossy(&output.stdout));
        println!(
            "  CPU time of the whole child (server start, sign-in, export, HTTP client): {:.2} s",
            children_cpu_seconds() - cpu
        );
    }

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/sqlite3-yardstick.sh");
    let started = Instant::now();
    let cpu = children_cpu_seconds();
    let mut child = Command::new("sh")
        .arg(&script)
        .arg(&db)
        .stdout(Stdio::piped())
        .spawn()
        .context("running sqlite3 (apt-get install sqlite3)")?;
    let (rows, bytes) = count_lines(child.stdout.take().context("sqlite3 stdout")?)?;
    anyhow::ensure!(child.wait()?.success(), "sqlite3 failed");
    let seconds = started.elapsed().as_secs_f64();
    let cpu = children_cpu_seconds() - cpu;
    println!(
        "sqlite3 -csv: {rows} rows, {:.1} MB in {seconds:.2} s = {:.0} rows/s; CPU time {cpu:.2} s = {:.0} rows per CPU second",
        bytes as f64 / 1e6,
        rows as f64 / seconds,
        rows as f64 / cpu
    );
    Ok(())
}

/// User and system CPU time of the children this process has waited for (`/proc/self/stat`
/// cutime + cstime, at the usual 100 ticks a second): a fair measure on a busy machine.
fn children_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
            Some((ticks(13)? + ticks(14)?) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// Lines (minus the header) and bytes read from `input`.
fn count_lines(mut input: impl Read) -> anyhow::Result<(u64, u64)> {
    let mut buffer = vec![0; 64 * 1024];
    let (mut lines, mut bytes) = (0u64, 0u64);
    loop {
        let read = input.read(&mut buffer)?;
        if read == 0 {
            break;
        }
        bytes += read as u64;
        lines += buffer[..read].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    Ok((lines.saturating_sub(1), bytes))
}

/// The national-size region tree, reports for every county and quarter, county targets.
/// Returns the progress rows per period and the last period generated.
fn generate(db: &Path, wanted: u64) -> anyhow::Result<(u64, Period)> {
    let store = anju::StoreConfig {
        db: db.to_owned(),
        data_dir: PathBuf::from("/nonexistent"),
    };
    anju::prepare(
        &store,
        anju::ServeConfig {
            admin_password: Some(PASSWORD.into()),
            ..anju::ServeConfig::default()
        },
    )?;
    let mut conn = anju::db::connect(db)?;
    let mut regions = Vec::new();
    let mut counties = Vec::new();
    let region = |code: String, level: &str, parent: Option<String>| Region {
        name_zh: format!("地区{code}"),
        name_en: format!("Region {code}"),
        code,
        level: level.to_owned(),
        parent_code: parent,
    };
    for province in 11..=41 {
        let province_code = format!("{province:02}0000");
        regions.push(region(province_code.clone(), "province", None));
        for city in 1..=11 {
            let city_code = format!("{province:02}{city:02}00");
            regions.push(region(city_code.clone(), "city", Some(province_code.clone())));
            for county in 1..=9 {
                let code = format!("{province:02}{city:02}{county:02}");
                counties.push(code.clone());
                regions.push(region(code, "county", Some(city_code.clone())));
            }
        }
    }
    let tx = anju::db::write(&mut conn)?;
    anju::db::catalogue::upsert_regions(&tx, &regions)?;
    let catalogue = anju::db::catalogue::load(&tx)?;
    let indicators: Vec<String> = catalogue.indicators().iter().map(|i| i.key.clone()).collect();
    let rows_per_period = (catalogue.regions().len() * indicators.len()) as u64;
    let periods = wanted.div_ceil(rows_per_period).max(1);
    let mut last: Period = FIRST_PERIOD.parse()?;
    for _ in 1..periods {
        last = last.next().context("periods run out")?;
    }
    {
        let mut target =
            tx.prepare("INSERT INTO targets (region_code, indicator, year, target) VALUES (?1, ?2, ?3, ?4)")?;
        let mut report =
            tx.prepare("INSERT INTO reports (region_code, year, quarter, status) VALUES (?1, ?2, ?3, 'approved')")?;
        let mut value =
            tx.prepare("INSERT INTO report_values (report_id, indicator, cumulative) VALUES (?1, ?2, ?3)")?;
        for year in 2011..=last.year() {
            for (n, county) in counties.iter().enumerate() {
                for (i, indicator) in indicators.iter().enumerate() {
                    target.execute(params![county, indicator, year, 400 + ((n * 7 + i) % 300) as i64])?;
                }
            }
        }
        for period in anju::service::export::periods_between(FIRST_PERIOD.parse()?, last) {
            for (n, county) in counties.iter().enumerate() {
                report.execute(params![county, period.year(), period.quarter()])?;
                let id = tx.last_insert_rowid();
                for (i, indicator) in indicators.iter().enumerate() {
                    let per_quarter = 60 + ((n * 13 + i * 5) % 90) as i64;
                    value.execute(params![id, indicator, per_quarter * i64::from(period.quarter())])?;
                }
            }
        }
    }
    tx.commit()?;
    Ok((rows_per_period, last))
}

/// The peak resident set size of this process, in MB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// The child: a real server on the bench database, one signed-in client downloading the
/// history export to nowhere.
fn serve_and_export(db: &Path, to: Period) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        let store = anju::StoreConfig {
            db: db.to_owned(),
            data_dir: PathBuf::from("/nonexistent"),
        };
        let state = anju::prepare(&store, anju::ServeConfig::default())?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(anju::launch(state, listener, std::future::pending()));
        let client = reqwest::Client::builder().cookie_store(true).build()?;
        client
            .post(format!("http://{addr}/login"))
            .form(&[("username", "admin"), ("password", PASSWORD)])
            .send()
            .await?
            .error_for_status()?;
        let before = peak_rss_mb();
        let started = Instant::now();
        let mut response = client
            .get(format!("http://{addr}/export/history.csv?from={FIRST_PERIOD}&to={to}"))
            .send()
            .await?
            .error_for_status()?;
        let (mut lines, mut bytes) = (0u64, 0u64);
        while let Some(chunk) = response.chunk().await? {
            bytes += chunk.len() as u64;
            lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        }
        let seconds = started.elapsed().as_secs_f64();
        let rows = lines.saturating_sub(1);
        println!(
            "anju /export/history.csv {FIRST_PERIOD}..{to}: {rows} rows, {:.1} MB in {seconds:.2} s = {:.0} rows/s; \
             peak RSS {:.1} MB (before the export {before:.1} MB)",
            bytes as f64 / 1e6,
            rows as f64 / seconds,
            peak_rss_mb()
        );
        Ok(())
    })
}
