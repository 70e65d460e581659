//! Who a client is for throttling (its address, through a trusted proxy if configured) and the
//! bounded, fair queue of password checks: each client has at most one check waiting for the
//! password thread at a time, so a flood from one client delays anyone else by one check at
//! most, and a full queue answers at once instead of growing.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Checks one client may have queued (beyond that: 429 at once).
pub const QUEUE_PER_CLIENT: usize = 8;
/// Checks queued from all clients together (beyond that: 429 at once).
pub const QUEUE_TOTAL: usize = 256;

/// The client's address: the connection's peer, or, for a connection from `trusted_proxy`, the
/// last address in `X-Forwarded-For` (the one the proxy itself appended).
pub fn client_address(peer: SocketAddr, headers: &HeaderMap, trusted_proxy: Option<IpAddr>) -> IpAddr {
    if trusted_proxy != Some(peer.ip()) {
        return peer.ip();
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|part| part.trim().parse::<IpAddr>().ok())
        .next_back()
        .unwrap_or(peer.ip())
}

/// The queue of sign-in password checks.
pub struct SignInGate {
    /// One check at a time goes to the password thread; waiters are served in arrival order.
    thread: Arc<Semaphore>,
    queued: Mutex<Queued>,
}

#[derive(Default)]
struct Queued {
    total: usize,
    /// Per client: its own turn (one permit) and how many of its checks are queued.
    clients: HashMap<String, (Arc<Semaphore>, usize)>,
}

/// The queue is full, for this client or for everyone.
#[derive(Debug, PartialEq, Eq)]
pub struct Full;

/// A place in the queue; [`Pass::turn`] waits for the password thread.
pub struct Pass {
    gate: Arc<SignInGate>,
    client: String,
    own: Arc<Semaphore>,
}

/// The password thread is this check's until dropped.
pub struct Turn {
    _own: OwnedSemaphorePermit,
    _thread: OwnedSemaphorePermit,
}

impl Default for SignInGate {
    fn default() -> Self {
        Self {
            thread: Arc::new(Semaphore::new(1)),
            queued: Mutex::new(Queued::default()),
        }
    }
}

impl SignInGate {
    /// A place in the queue for `client`, or [`Full`] at once.
    pub fn enter(self: &Arc<Self>, client: &str) -> Result<Pass, Full> {
        let mut queued = self.queued.lock().unwrap_or_else(|p| p.into_inner());
        if queued.total >= QUEUE_TOTAL {
            return Err(Full);
        }
        let entry = queued
            .clients
            .entry(client.to_owned())
            .or_insert_with(|| (Arc::new(Semaphore::new(1)), 0));
        if entry.1 >= QUEUE_PER_CLIENT {
            return Err(Full);
        }
        entry.1 += 1;
        let own = entry.0.clone();
        queued.total += 1;
        Ok(Pass {
            gate: self.clone(),
            client: client.to_owned(),
            own,
        })
    }
}

impl Pass {
    /// Waits for this client's turn, then for the password thread.
    pub async fn turn(&self) -> Option<Turn> {
        let own = self.own.clone().acquire_owned().await.ok()?;
        let thread = self.gate.thread.clone().acquire_owned().await.ok()?;
        Some(Turn {
            _own: own,
            _thread: thread,
        })
    }
}

impl Drop for Pass {
    fn drop(&mut self) {
        let mut queued = self.gate.queued.lock().unwrap_or_else(|p| p.into_inner());
        queued.total -= 1;
        if let Some(entry) = queued.clients.get_mut(&self.client) {
            entry.1 -= 1;
            if entry.1 == 0 {
                queued.clients.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(forwarded: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in forwarded {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn the_forwarded_address_is_believed_only_from_the_trusted_proxy() {
        let proxy: SocketAddr = "10.0.0.9:40000".parse().unwrap();
        let stranger: SocketAddr = "203.0.113.5:40000".parse().unwrap();
        let trusted = Some("10.0.0.9".parse().unwrap());
        let forged = headers(&["1.2.3.4, 198.51.100.7"]);
        assert_eq!(client_address(proxy, &forged, trusted).to_string(), "198.51.100.7");
        assert_eq!(client_address(stranger, &forged, trusted).to_string(), "203.0.113.5");
        assert_eq!(client_address(proxy, &forged, None).to_string(), "10.0.0.9");
        let two = headers(&["1.2.3.4", "198.51.100.8"]);
        assert_eq!(client_address(proxy, &two, trusted).to_string(), "198.51.100.8");
        assert_eq!(
            client_address(proxy, &headers(&["garbage"]), trusted).to_string(),
            "10.0.0.9"
        );
    }

    #[test]
    fn the_queue_is_bounded_per_client_and_frees_places() {
        let gate = Arc::new(SignInGate::default());
        let held: Vec<_> = (0..QUEUE_PER_CLIENT).map(|_| gate.enter("a").unwrap()).collect();
        assert_eq!(gate.enter("a").err(), Some(Full));
        let other = gate.enter("b").unwrap();
        drop(held);
        assert!(gate.enter("a").is_ok());
        drop(other);
        assert!(gate.queued.lock().unwrap().clients.is_empty());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_flooding_client_delays_another_by_one_check_at_most() {
        let gate = Arc::new(SignInGate::default());
        let order = Arc::new(Mutex::new(Vec::new()));
        let check = |client: &'static str| {
            let (gate, order) = (gate.clone(), order.clone());
            let pass = gate.enter(client).unwrap();
            tokio::spawn(async move {
                let _turn = pass.turn().await;
                order.lock().unwrap().push(client);
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            })
        };
        let mut checks: Vec<_> = (0..QUEUE_PER_CLIENT).map(|_| check("flood")).collect();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        checks.push(check("real"));
        for task in checks {
            task.await.unwrap();
        }
        let order = order.lock().unwrap();
        let real = order.iter().position(|c| *c == "real").unwrap();
        assert!(real <= 1, "the real check came {real}th: {order:?}");
    }
}
