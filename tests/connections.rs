//! Connections that hold the server without asking anything: slow headers, idle keep-alive and
//! more connections than the cap. The server keeps answering others and lets go of these.
//! (The full-size flood is `benches/hostile.sh`.)

mod common;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use common::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Another client on this machine: connections from 127.0.0.2 count as a different address.
fn other_address() -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2))
}

async fn connect_from(local: IpAddr, server: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(local, 0))?;
    socket.connect(server).await
}

/// Whether the server has closed `stream` (a read sees the end, or the connection was reset).
async fn closed_within(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => continue,
        }
    }
}

/// `/healthz` from another address answers within a second, `times` times in a row.
async fn healthz_keeps_answering(app: &TestApp, times: usize) -> Duration {
    let client = reqwest::Client::builder()
        .local_address(other_address())
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let mut slowest = Duration::ZERO;
    for attempt in 0..times {
        let started = Instant::now();
        let answer = client.get(app.url("/healthz")).send().await;
        let answer = answer.unwrap_or_else(|e| panic!("/healthz attempt {attempt} got no answer within 1 s: {e}"));
        assert_eq!(answer.status(), 200);
        slowest = slowest.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    slowest
}

/// As many slow connections as this process's open-file limit allows, up to 2,000 (each is
/// two descriptors here: the client's and the server's).
fn slow_connection_count() -> usize {
    let (soft, _) = rlimit::getrlimit(rlimit::Resource::NOFILE).unwrap_or((1024, 1024));
    usize::try_from(soft.saturating_sub(400) / 2).unwrap_or(2000).min(2000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_headers_are_cut_off_after_the_timeout_while_others_are_served() {
    let app = TestApp::demo_with(|config| {
        config.header_timeout_secs = 2;
        config.keep_alive_secs = 30;
        config.max_connections_per_address = 10_000;
    })
    .await;
    // Started by the server; a test process begins with the system's soft limit.
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let count = slow_connection_count();
    let mut slow = Vec::with_capacity(count);
    for _ in 0..count {
        let mut stream = TcpStream::connect(app.addr).await.expect("connect");
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: anju\r\n")
            .await
            .expect("first line");
        slow.push(stream);
    }
    // A header line every half second would keep a connection open for ever without the
    // header-read timeout.
    let dribble = async {
        for round in 0..3 {
            for stream in &mut slow {
                let _ = stream.write_all(format!("X-Slow-{round}: 1\r\n").as_bytes()).await;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    };
    let (_, slowest) = tokio::join!(dribble, healthz_keeps_answering(&app, 15));
    assert!(slowest < Duration::from_secs(1), "/healthz took {slowest:?}");
    let mut still_open = 0;
    for stream in &mut slow {
        if !closed_within(stream, Duration::from_secs(3)).await {
            still_open += 1;
        }
    }
    assert_eq!(
        still_open, 0,
        "of {count} slow connections, {still_open} are still open"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let app = TestApp::demo_with(|config| {
        config.header_timeout_secs = 30;
        config.keep_alive_secs = 1;
    })
    .await;
    let mut stream = TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: anju\r\n\r\n")
        .await
        .unwrap();
    let mut answer = vec![0u8; 512];
    let n = stream.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"));
    // Still usable at once (keep-alive), then closed once idle for a second.
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: anju\r\n\r\n")
        .await
        .unwrap();
    let n = stream.read(&mut answer).await.unwrap();
    assert!(String::from_utf8_lossy(&answer[..n]).starts_with("HTTP/1.1 200"));
    let started = Instant::now();
    assert!(
        closed_within(&mut stream, Duration::from_secs(5)).await,
        "idle connection left open"
    );
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "closed too early, after {waited:?}"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_caps_get_a_503_and_the_rest_are_served() {
    let app = TestApp::demo_with(|config| {
        config.max_connections = 12;
        config.max_connections_per_address = 8;
        config.header_timeout_secs = 30;
        config.keep_alive_secs = 30;
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..8 {
        held.push(TcpStream::connect(app.addr).await.unwrap());
    }
    // The ninth from the same address is refused at once.
    let mut ninth = TcpStream::connect(app.addr).await.unwrap();
    ninth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: anju\r\n\r\n")
        .await
        .unwrap();
    let mut answer = String::new();
    tokio::time::timeout(Duration::from_secs(2), ninth.read_to_string(&mut answer))
        .await
        .expect("refusal within 2 s")
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("Retry-After: 1"));
    assert!(answer.contains("连接数已满"));
    // Another address is still served, up to the overall cap of 12.
    let client = reqwest::Client::builder()
        .local_address(other_address())
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let healthz = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(healthz.status(), 200);
    // That connection's place is given back once the server sees it closed.
    tokio::time::sleep(Duration::from_millis(300)).await;
    for _ in 0..4 {
        held.push(connect_from(other_address(), app.addr).await.unwrap());
    }
    let refused = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(refused.status(), 503, "the thirteenth connection overall");
    // Places are given back when connections close.
    held.truncate(6);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let again = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(again.status(), 200);
    drop(held);
    app.stop().await;
}
