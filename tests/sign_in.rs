//! Sign-in that cannot be jammed: a flood of bogus sign-ins does not hold up a real one from
//! another client, fresh names per try are throttled per address, failures from a shared
//! address do not keep out a browser that has signed in before, and behind a trusted proxy
//! each forwarded client is counted on its own. (The full-size flood is `benches/hostile.sh`.)

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{PASSWORD, TestApp, User};

fn local(last: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
}

async fn sign_in(visitor: &User, username: &str, password: &str) -> u16 {
    visitor
        .post_form("/login", &[("username", username), ("password", password)])
        .await
        .status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_sign_in_completes_while_200_bogus_sign_ins_flood_from_another_address() {
    let app = TestApp::demo().await;
    let flooder = Arc::new(app.nobody_from(local(3)));
    let flood: Vec<_> = (0..200)
        .map(|i| {
            let flooder = flooder.clone();
            tokio::spawn(async move { sign_in(&flooder, &format!("bogus{i}"), "not-the-password").await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let started = Instant::now();
    let real = sign_in(&app.nobody_from(local(4)), "gz_officer", PASSWORD).await;
    let took = started.elapsed();
    assert_eq!(real, 303, "the real sign-in");
    let mut answers = Vec::new();
    for task in flood {
        answers.push(task.await.unwrap());
    }
    println!("real sign-in during the flood: {took:?}");
    // Before the fair queue the real sign-in waited behind every bogus check: 9–21 s for 400.
    assert!(took < Duration::from_secs(5), "the real sign-in took {took:?}");
    assert!(answers.iter().all(|s| *s == 401 || *s == 429), "{answers:?}");
    assert!(
        answers.contains(&429),
        "the queue is bounded: some bogus sign-ins are turned away"
    );
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fresh_names_from_one_address_are_throttled_across_names() {
    let app = TestApp::demo().await;
    let sprayer = app.nobody_from(local(5));
    for i in 0..30 {
        assert_eq!(
            sign_in(&sprayer, &format!("guess{i}"), "not-the-password").await,
            401,
            "try {i}"
        );
    }
    let answer = sprayer
        .post_form("/login", &[("username", "yet-another"), ("password", "x")])
        .await;
    assert_eq!(answer.status, 429);
    assert!(answer.header("retry-after").is_some());
    // The real name from that address waits too; from another address it does not.
    assert_eq!(sign_in(&sprayer, "gz_officer", PASSWORD).await, 429);
    assert_eq!(sign_in(&app.nobody_from(local(6)), "gz_officer", PASSWORD).await, 303);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failures_from_a_shared_address_do_not_keep_out_a_browser_that_signed_in_before() {
    let app = TestApp::demo().await;
    // The officer's own browser has signed in once (and so holds a device cookie).
    let officer = app.nobody();
    assert_eq!(sign_in(&officer, "gz_officer", PASSWORD).await, 303);
    assert_eq!(officer.post("/logout").await.status, 303);
    // Someone else at the same address tries the officer's name until made to wait.
    let other = app.nobody();
    for _ in 0..5 {
        assert_eq!(sign_in(&other, "gz_officer", "wrong-password").await, 401);
    }
    assert_eq!(sign_in(&other, "gz_officer", PASSWORD).await, 429);
    // The officer's browser is its own client to the throttle.
    assert_eq!(sign_in(&officer, "gz_officer", PASSWORD).await, 303);
    // The device cookie is the officer's name only: another name from it is counted by address.
    assert_eq!(sign_in(&officer, "leader", "wrong-password").await, 401);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_the_trusted_proxy_each_forwarded_client_is_counted_on_its_own() {
    let app = TestApp::demo_with(|config| config.trusted_proxy = Some(local(1))).await;
    let first = app.nobody().with_header("x-forwarded-for", "198.51.100.1");
    for _ in 0..5 {
        assert_eq!(sign_in(&first, "gz_officer", "wrong-password").await, 401);
    }
    assert_eq!(sign_in(&first, "gz_officer", PASSWORD).await, 429);
    let second = app.nobody().with_header("x-forwarded-for", "198.51.100.2");
    assert_eq!(sign_in(&second, "gz_officer", PASSWORD).await, 303);
    // A forwarded address from a connection that is not the proxy's is not believed.
    let direct = TestApp::demo().await;
    let forged = direct.nobody().with_header("x-forwarded-for", "198.51.100.3");
    for _ in 0..5 {
        assert_eq!(sign_in(&forged, "gz_officer", "wrong-password").await, 401);
    }
    let again = direct.nobody().with_header("x-forwarded-for", "198.51.100.4");
    assert_eq!(sign_in(&again, "gz_officer", PASSWORD).await, 429, "both are 127.0.0.1");
    direct.stop().await;
    app.stop().await;
}
