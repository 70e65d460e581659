//! The HTTP/1.1 accept loop: a cap on concurrent connections (overall and per client address)
//! that refuses the excess with a short 503, a header-read timeout, an idle keep-alive timeout,
//! and graceful shutdown. `axum::serve` has none of these knobs, so connections are served
//! with hyper directly.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt;

/// How connections are admitted and how long they may sit idle.
#[derive(Clone, Debug)]
pub struct Limits {
    /// A request's head must arrive in full within this time of the server starting to wait
    /// for it (on a new connection and between keep-alive requests alike).
    pub header_timeout: Duration,
    /// A connection with no request in flight and no bytes moving is closed after this time.
    pub keep_alive: Duration,
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
    /// Connections served at once from one client address (the trusted proxy is exempt).
    pub max_per_address: usize,
    /// The reverse proxy whose connections carry many clients.
    pub trusted_proxy: Option<IpAddr>,
}

impl Limits {
    /// The configured limits, the connection cap fitted to `open_files`.
    pub fn from_config(config: &crate::config::ServeConfig, open_files: Option<u64>) -> Self {
        let wanted = usize::try_from(config.max_connections).unwrap_or(usize::MAX);
        Self {
            header_timeout: Duration::from_secs(config.header_timeout_secs),
            keep_alive: Duration::from_secs(config.keep_alive_secs),
            max_connections: fitting_connections(wanted, open_files),
            max_per_address: usize::try_from(config.max_connections_per_address).unwrap_or(usize::MAX),
            trusted_proxy: config.trusted_proxy,
        }
    }
}

/// The soft limit on open files raised to the hard limit; returns the limit now in force.
pub fn raise_open_file_limit() -> Option<u64> {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => {
            tracing::info!(open_files = limit, "open-file limit raised to the hard limit");
            Some(limit)
        }
        Err(e) => {
            tracing::warn!("open-file limit unchanged: {e}");
            None
        }
    }
}

/// A listening socket at `addr` whose queue of not-yet-accepted connections holds a burst of
/// thousands (the kernel caps it at `net.core.somaxconn`), where tokio's `bind` keeps 1,024.
pub fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(8192)
}

/// `wanted` connections, fewer if the open-file limit would run out first (a reserve is kept
/// for the database, logs and static files).
pub fn fitting_connections(wanted: usize, open_files: Option<u64>) -> usize {
    const RESERVE: u64 = 64;
    match open_files {
        Some(limit) => {
            let room = usize::try_from(limit.saturating_sub(RESERVE).max(1)).unwrap_or(usize::MAX);
            if room < wanted {
                tracing::warn!(wanted, room, "connection cap lowered to fit the open-file limit");
            }
            wanted.min(room)
        }
        None => wanted,
    }
}

/// Connections currently held, overall and per address.
#[derive(Default)]
struct Admission {
    total: AtomicUsize,
    per_address: Mutex<HashMap<IpAddr, usize>>,
    refused: AtomicU64,
}

/// One admitted connection; leaving releases its place.
struct Seat {
    admission: Arc<Admission>,
    address: Option<IpAddr>,
}

impl Admission {
    fn admit(self: &Arc<Self>, peer: IpAddr, limits: &Limits) -> Option<Seat> {
        if self.total.fetch_add(1, Ordering::AcqRel) >= limits.max_connections {
            self.total.fetch_sub(1, Ordering::AcqRel);
            return None;
        }
        let counted = (limits.trusted_proxy != Some(peer)).then_some(peer);
        if let Some(address) = counted {
            let mut held = self.per_address.lock().unwrap_or_else(|p| p.into_inner());
            let count = held.entry(address).or_insert(0);
            if *count >= limits.max_per_address {
                drop(held);
                self.total.fetch_sub(1, Ordering::AcqRel);
                return None;
            }
            *count += 1;
        }
        Some(Seat {
            admission: self.clone(),
            address: counted,
        })
    }
}

impl Drop for Seat {
    fn drop(&mut self) {
        if let Some(address) = self.address {
            let mut held = self.admission.per_address.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(count) = held.get_mut(&address) {
                *count -= 1;
                if *count == 0 {
                    held.remove(&address);
                }
            }
        }
        self.admission.total.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What a connection is doing: requests being answered and when bytes last moved.
struct Activity {
    started: Instant,
    in_flight: AtomicUsize,
    last_millis: AtomicU64,
}

impl Activity {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            in_flight: AtomicUsize::new(0),
            last_millis: AtomicU64::new(0),
        }
    }

    fn touch(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_millis.store(now, Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        let last = Duration::from_millis(self.last_millis.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }
}

/// A request in flight on a connection.
struct Busy(Arc<Activity>);

impl Busy {
    fn new(activity: &Arc<Activity>) -> Self {
        activity.in_flight.fetch_add(1, Ordering::AcqRel);
        Self(activity.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The socket, noting each read and write in the connection's activity.
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.touch();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bytes: &[u8]) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write(cx, bytes);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The answer to a connection over the cap, written without reading its request.
static REFUSAL: std::sync::LazyLock<Vec<u8>> = std::sync::LazyLock::new(|| {
    let body = "服务器连接数已满，请稍后重试。(Too many connections; try again shortly.)\n";
    format!(
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nConnection: close\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
});

/// Serves `router` on `listener` within `limits` until `shutdown` resolves; requests in flight
/// then finish (for at most 10 s).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let admission = Arc::new(Admission::default());
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    let reporter = tokio::spawn(report_refusals(admission.clone()));
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before it was accepted:
                    // wait a moment rather than spin.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Some(seat) = admission.admit(peer.ip(), &limits) else {
            admission.refused.fetch_add(1, Ordering::Relaxed);
            tokio::spawn(refuse(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::new());
        let io = TokioIo::new(Watched {
            stream,
            activity: activity.clone(),
        });
        let router = router.clone();
        let per_request = activity.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo::<SocketAddr>(peer));
            let busy = Busy::new(&per_request);
            let router = router.clone();
            async move {
                let response = router.oneshot(request).await;
                drop(busy);
                response
            }
        });
        let connection = graceful.watch(http.serve_connection(io, service));
        let keep_alive = limits.keep_alive;
        tokio::spawn(async move {
            tokio::select! {
                served = connection => {
                    if let Err(e) = served {
                        tracing::debug!("connection from {peer}: {e}");
                    }
                }
                () = idle(&activity, keep_alive) => tracing::debug!("idle connection from {peer} closed"),
            }
            drop(seat);
        });
    }
    drop(listener);
    reporter.abort();
    if tokio::time::timeout(Duration::from_secs(10), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after 10 s at shutdown were cut off");
    }
    Ok(())
}

/// Resolves once the connection has had no request in flight and no bytes moving for `limit`.
async fn idle(activity: &Activity, limit: Duration) {
    let step = (limit / 4).clamp(Duration::from_millis(50), Duration::from_secs(1));
    loop {
        tokio::time::sleep(step).await;
        if activity.in_flight.load(Ordering::Acquire) == 0 && activity.idle_for() >= limit {
            return;
        }
    }
}

/// Tells a connection over the cap to come back later, giving it two seconds at most: the
/// request head is read first (clients take an answer before their request for a broken
/// connection), and what follows is drained so that closing does not reset the connection
/// before the client has read the 503.
async fn refuse(mut stream: TcpStream) {
    let mut head = Vec::with_capacity(1024);
    let mut chunk = [0u8; 4096];
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        while head.len() < 16_384 && !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut chunk).await? {
                0 => break,
                n => head.extend_from_slice(&chunk[..n]),
            }
        }
        std::io::Result::Ok(())
    })
    .await;
    let _ = tokio::time::timeout(Duration::from_secs(1), async {
        stream.write_all(&REFUSAL).await?;
        stream.shutdown().await?;
        let mut drained = 0;
        while drained < 65_536 {
            match stream.read(&mut chunk).await? {
                0 => break,
                n => drained += n,
            }
        }
        std::io::Result::Ok(())
    })
    .await;
}

/// Logs how many connections were refused, at most every 10 s, rather than a line for each.
async fn report_refusals(admission: Arc<Admission>) {
    let mut reported = 0;
    loop {
        tokio::time::sleep(Duration::from_secs(10)).await;
        let refused = admission.refused.load(Ordering::Relaxed);
        if refused > reported {
            tracing::warn!(
                refused = refused - reported,
                held = admission.total.load(Ordering::Relaxed),
                "connections refused over the cap in the last 10 s"
            );
            reported = refused;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(total: usize, per_address: usize, proxy: Option<IpAddr>) -> Limits {
        Limits {
            header_timeout: Duration::from_secs(1),
            keep_alive: Duration::from_secs(1),
            max_connections: total,
            max_per_address: per_address,
            trusted_proxy: proxy,
        }
    }

    #[test]
    fn seats_are_capped_overall_and_per_address_and_freed_on_leaving() {
        let admission = Arc::new(Admission::default());
        let (a, b, proxy): (IpAddr, IpAddr, IpAddr) = (
            "10.0.0.1".parse().unwrap(),
            "10.0.0.2".parse().unwrap(),
            "10.0.0.9".parse().unwrap(),
        );
        let limits = limits(4, 2, Some(proxy));
        let first = admission.admit(a, &limits).unwrap();
        let _second = admission.admit(a, &limits).unwrap();
        assert!(admission.admit(a, &limits).is_none(), "a third from one address");
        let _other = admission.admit(b, &limits).unwrap();
        let _proxied = admission.admit(proxy, &limits).unwrap();
        assert!(admission.admit(b, &limits).is_none(), "over the total");
        drop(first);
        let again = admission.admit(a, &limits);
        assert!(again.is_some(), "a freed seat is taken again");
        assert_eq!(admission.total.load(Ordering::Relaxed), 4);
    }

    #[test]
    fn the_proxy_is_not_held_to_the_per_address_cap() {
        let admission = Arc::new(Admission::default());
        let proxy: IpAddr = "10.0.0.9".parse().unwrap();
        let limits = limits(10, 1, Some(proxy));
        let seats: Vec<_> = (0..5).filter_map(|_| admission.admit(proxy, &limits)).collect();
        assert_eq!(seats.len(), 5);
    }

    #[test]
    fn the_cap_fits_the_open_file_limit() {
        assert_eq!(fitting_connections(8192, Some(1024)), 960);
        assert_eq!(fitting_connections(8192, Some(1_048_576)), 8192);
        assert_eq!(fitting_connections(8192, None), 8192);
        assert_eq!(fitting_connections(8192, Some(10)), 1);
    }
}
