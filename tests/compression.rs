//! Gzip for browsers that ask for it (pages, API bodies, SVG charts, bundled files): the same
//! content as uncompressed, each user's own page (the header names who is signed in), fresh
//! after a write, and nothing compressed for a client that does not ask.

mod common;

use std::io::Read;

use common::{TestApp, User};
use reqwest::header::{ACCEPT_ENCODING, IF_NONE_MATCH};

const BROWSER: &str = "gzip, deflate, br, zstd";

struct Answer {
    content_type: Option<String>,
    encoding: Option<String>,
    vary: Option<String>,
    tag: Option<String>,
    /// How many bytes came over the wire.
    sent: usize,
    /// The body, decompressed when it was gzip.
    body: Vec<u8>,
    /// The body as text.
    text: String,
}

/// `user`, sending `Accept-Encoding: accept` when given.
fn accepting(user: &User, accept: Option<&str>) -> User {
    match accept {
        Some(accept) => user.with_header(ACCEPT_ENCODING, accept),
        None => user.clone(),
    }
}

async fn fetch(user: &User, path: &str, accept: Option<&str>) -> Answer {
    let reply = accepting(user, accept).get(path).await;
    assert_eq!(reply.status, 200, "{path}");
    let header = |name| reply.header(name).map(str::to_owned);
    let (content_type, encoding) = (header("content-type"), header("content-encoding"));
    let (vary, tag) = (header("vary"), header("etag"));
    let bytes = reply.bytes;
    let body = if encoding.as_deref() == Some("gzip") {
        let mut body = Vec::new();
        flate2::read::GzDecoder::new(&bytes[..])
            .read_to_end(&mut body)
            .expect("valid gzip");
        assert!(
            bytes.len() < body.len(),
            "{path}: compressed {} of {}",
            bytes.len(),
            body.len()
        );
        body
    } else {
        bytes.clone()
    };
    Answer {
        content_type,
        encoding,
        vary,
        tag,
        sent: bytes.len(),
        text: String::from_utf8_lossy(&body).into_owned(),
        body,
    }
}

#[tokio::test]
async fn pages_api_and_static_files_are_gzip_for_a_browser_and_plain_otherwise() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    for path in [
        "/?period=2021Q4",
        "/regions/440100?year=2021",
        "/indicators/shantytown_starts?period=2021Q4",
        "/bulletin?period=2021Q4",
        "/api/v1/progress?period=2021Q4",
        "/charts/ranking.svg?period=2021Q4",
        "/charts/trend.svg?region=440100&year=2021",
        "/static/app.css",
        "/static/app.js",
    ] {
        let plain = fetch(&leader, path, None).await;
        assert_eq!(plain.encoding, None, "{path}: not asked for gzip");
        let refused = fetch(&leader, path, Some("gzip;q=0, br")).await;
        assert_eq!(refused.encoding, None, "{path}: gzip refused with q=0");
        // Twice: the first renders and keeps the compressed page, the second is served from it,
        // under the same tag.
        let mut tags = Vec::new();
        for round in ["first", "repeated"] {
            let gzip = fetch(&leader, path, Some(BROWSER)).await;
            assert_eq!(gzip.encoding.as_deref(), Some("gzip"), "{path} ({round})");
            assert_eq!(gzip.vary.as_deref(), Some("accept-encoding"), "{path}");
            assert_eq!(gzip.text, plain.text, "{path} ({round}): the same content");
            tags.push(gzip.tag);
        }
        assert_eq!(tags[0], tags[1], "{path}: the kept answer has its tag");
        assert_eq!(plain.vary.as_deref(), Some("accept-encoding"), "{path}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_png_chart_is_sent_as_it_is() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let mut bodies = Vec::new();
    for accept in [None, Some(BROWSER), Some(BROWSER)] {
        let answer = fetch(&leader, "/charts/overview.png?period=2021Q4", accept).await;
        assert_eq!(answer.encoding, None, "PNG is compressed already");
        assert_eq!(answer.content_type.as_deref(), Some("image/png"));
        bodies.push(answer.body);
    }
    assert!(bodies[0].starts_with(b"\x89PNG"));
    assert!(bodies.iter().all(|b| *b == bodies[0]), "the same drawing each time");
    app.stop().await;
}

#[tokio::test]
async fn each_user_gets_their_own_compressed_page() {
    let app = TestApp::demo().await;
    let leader = app.user("leader").await;
    let analyst = app.user("analyst").await;
    let page = "/?period=2021Q4";
    for _ in 0..2 {
        let leader_page = fetch(&leader, page, Some(BROWSER)).await;
        let analyst_page = fetch(&analyst, page, Some(BROWSER)).await;
        assert!(leader_page.text.contains(">leader<"), "the leader's name in the header");
        assert!(!leader_page.text.contains(">analyst<"));
        assert!(analyst_page.text.contains(">analyst<"));
        assert!(!analyst_page.text.contains(">leader<"));
        assert_ne!(leader_page.tag, analyst_page.tag);
    }
    app.stop().await;
}

#[tokio::test]
async fn a_write_replaces_the_compressed_page_and_api_body() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let dashboard = "/?period=2021Q4";
    let progress = "/api/v1/progress?period=2021Q4&region=440100&indicator=shantytown_starts";
    let before = fetch(&admin, dashboard, Some(BROWSER)).await;
    assert!(before.text.contains("18/21"), "18 of 21 cities counted");
    assert!(fetch(&admin, dashboard, None).await.text.contains("18/21"));
    let api_before = fetch(&admin, progress, Some(BROWSER)).await;
    assert!(api_before.text.contains("\"report_status\":\"approved\""));

    // Reopening 广州's approved report takes it out of the counted figures.
    let reopened = admin
        .post_json(
            "/api/v1/reports/440100/2021Q4/reopen",
            serde_json::json!({"comment": "请核实"}),
        )
        .await;
    assert_eq!(reopened.status, 200);

    let after = fetch(&admin, dashboard, Some(BROWSER)).await;
    assert_eq!(after.encoding.as_deref(), Some("gzip"));
    assert_ne!(after.tag, before.tag);
    assert!(after.text.contains("17/21"), "the compressed page shows the write");
    let plain_after = fetch(&admin, dashboard, None).await;
    assert_eq!(plain_after.text, after.text, "so does the uncompressed one");
    let api_after = fetch(&admin, progress, Some(BROWSER)).await;
    assert!(!api_after.text.contains("\"report_status\":\"approved\""));
    assert_eq!(api_after.text, fetch(&admin, progress, None).await.text);

    // The old tag no longer matches; the new one does.
    for (tag, status) in [(before.tag, 200), (after.tag, 304)] {
        let answer = accepting(&admin, Some(BROWSER))
            .with_header(IF_NONE_MATCH, &tag.unwrap())
            .get(dashboard)
            .await;
        assert_eq!(answer.status, status);
    }
    app.stop().await;
}

#[tokio::test]
async fn a_static_file_has_one_tag_per_encoding() {
    let app = TestApp::demo().await;
    let nobody = app.nobody();
    let css = "/static/app.css";
    let plain = fetch(&nobody, css, None).await;
    let gzip = fetch(&nobody, css, Some(BROWSER)).await;
    assert_ne!(plain.tag, gzip.tag);
    for (accept, tag) in [(None, &plain.tag), (Some(BROWSER), &gzip.tag)] {
        let holding_tag = accepting(&nobody, accept).with_header(IF_NONE_MATCH, tag.as_deref().unwrap());
        assert_eq!(holding_tag.get(css).await.status, 304);
    }
    // A tag given to the gzip body does not revalidate the plain one.
    let answer = accepting(&nobody, None)
        .with_header(IF_NONE_MATCH, gzip.tag.as_deref().unwrap())
        .get(css)
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("etag"), plain.tag.as_deref());
    app.stop().await;
}

/// The `url("…")` of the stylesheet's `@font-face`.
fn font_url(css: &str) -> &str {
    let face = &css[css.find("@font-face").expect("a @font-face")..];
    let start = face.find("url(\"").expect("a font url") + "url(\"".len();
    &face[start..start + face[start..].find('"').expect("a closed url")]
}

#[tokio::test]
async fn browsers_get_the_chinese_font_as_a_small_woff2_and_never_the_ttf() {
    let app = TestApp::demo().await;
    let nobody = app.nobody();
    let css = fetch(&nobody, "/static/app.css", Some(BROWSER)).await;
    let url = font_url(&css.text);
    assert!(url.ends_with(".woff2"), "{url}");
    // WOFF2 is compressed already: sent as it is, and a tenth of the 4 MB TTF.
    let font = fetch(&nobody, url, Some(BROWSER)).await;
    assert_eq!(font.content_type.as_deref(), Some("font/woff2"));
    assert_eq!(font.encoding, None);
    assert!(font.body.starts_with(b"wOF2"), "a WOFF2 file");
    assert!(font.sent < 500_000, "{} bytes", font.sent);
    assert!(font.tag.is_some());
    // The TTF is in the binary for PNG charts only.
    for path in [
        "/static/fonts/DroidSansFallbackFull.ttf",
        "/static/fonts/DejaVuSans.ttf",
    ] {
        let answer = accepting(&nobody, Some(BROWSER)).get(path).await;
        assert_eq!(answer.status, 404, "{path}");
    }
    // Its licence is served beside it.
    let licence = fetch(&nobody, "/static/fonts/LICENSE-DroidSansFallback.txt", None).await;
    assert!(licence.text.contains("Apache"));
    app.stop().await;
}
