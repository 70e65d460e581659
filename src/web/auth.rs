//! Who is asking: session cookies and bearer tokens, sign-in with throttling, sign-out, and the
//! refusal of cross-origin writes.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Form;
use axum::extract::{ConnectInfo, FromRequestParts, OriginalUri, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use maud::Markup;
use serde::Deserialize;
use tokio::time::MissedTickBehavior;
use tower_http::csrf::ProtectionError;

use super::AppState;
use super::views::{Lang, login as login_view};
use crate::auth::{new_token, token_hash, verify_password};
use crate::db::{self, users::User};
use crate::domain::{Text, account};
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "anju_session";

/// Marks a browser that has signed in to an account before (see
/// [`crate::domain::account::KNOWN_DEVICE_DAYS`]).
pub const DEVICE_COOKIE: &str = "anju_device";

/// How often expired sessions and spent sign-in failures are deleted (and once at start).
pub const PURGE_EVERY: Duration = Duration::from_secs(10 * 60);

/// Deletes expired sessions and failed sign-ins too old to count towards a lockout, at once
/// and then every [`PURGE_EVERY`], for as long as the returned future runs.
pub async fn purge_periodically(state: AppState) {
    let mut ticks = tokio::time::interval(PURGE_EVERY);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let (idle, max) = (state.config.session_idle_minutes, state.config.session_max_hours);
        let purged = state
            .db
            .call(move |conn| {
                let sessions = db::sessions::purge_expired(conn, idle, max)?;
                let failures = db::sessions::purge_login_failures(conn, account::SIGN_IN_WINDOW_MINUTES)?;
                db::sessions::purge_devices(conn, account::KNOWN_DEVICE_DAYS)?;
                Ok((sessions, failures))
            })
            .await;
        match purged {
            Ok((sessions, failures)) => tracing::debug!(sessions, failures, "purged expired sign-in records"),
            Err(e) => tracing::warn!("purging expired sign-in records: {e}"),
        }
    }
}

/// The value of cookie `name`, if the request carries it (as sent: no percent-decoding).
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .and_then(|cookie| cookie.value_raw())
}

/// The session cookie carrying `token`: sent back on every path, never readable by scripts,
/// withheld from cross-site subrequests, and over HTTPS only when `secure`.
fn session_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// A lasting cookie naming this browser to the sign-in throttle (a random token; the
/// database keeps its hash and the account it signed in to).
fn device_cookie(token: String, secure: bool) -> Cookie<'static> {
    Cookie::build((DEVICE_COOKIE, token))
        .path("/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .permanent()
        .build()
}

/// The token of `Authorization: Bearer TOKEN`; the scheme in any case (RFC 9110 §11.1).
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim_start();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The signed-in user. Pages without one redirect to the sign-in page; the API answers 401.
pub struct CurrentUser(pub User);

pub enum AuthRejection {
    Api,
    Page {
        next: String,
    },
    /// Signed in with a password an admin set: to the account page to choose one's own.
    ChangePassword,
    Internal(AppError),
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        match self {
            AuthRejection::Api => AppError::Unauthorized.into_response(),
            AuthRejection::Page { next } => {
                let target = if next == "/" {
                    "/login".to_owned()
                } else {
                    format!("/login?next={}", encode(&next))
                };
                Redirect::to(&target).into_response()
            }
            AuthRejection::ChangePassword => Redirect::to("/account").into_response(),
            AuthRejection::Internal(error) => error.into_response(),
        }
    }
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The URI as the client sent it, before nested routers stripped their prefix.
fn original_uri(parts: &Parts) -> &axum::http::Uri {
    parts
        .extensions
        .get::<OriginalUri>()
        .map_or(&parts.uri, |original| &original.0)
}

/// Whether a request is for a machine (JSON, CSV, charts) rather than a page.
fn wants_machine_answer(parts: &Parts) -> bool {
    let path = original_uri(parts).path();
    path.starts_with("/api/") || path.starts_with("/charts/") || path.starts_with("/export/")
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AuthRejection;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(user) = parts.extensions.get::<User>() {
            return Ok(CurrentUser(user.clone()));
        }
        let (user, _) = identify(parts, state, false).await?;
        Ok(CurrentUser(user))
    }
}

/// The signed-in user and, when `with_facts`, the data version and demo flag read in the same
/// trip to the database (pages need both on every request).
pub async fn identify(
    parts: &mut Parts,
    state: &AppState,
    with_facts: bool,
) -> Result<(User, Option<(i64, bool)>), AuthRejection> {
    let credential = match (bearer(&parts.headers), cookie(&parts.headers, SESSION_COOKIE)) {
        (Some(token), _) => Some((true, token_hash(token))),
        (None, Some(token)) => Some((false, token_hash(token))),
        (None, None) => None,
    };
    let (idle, max) = (state.config.session_idle_minutes, state.config.session_max_hours);
    let found = match credential {
        None => None,
        Some((is_token, hash)) => {
            // The lookup is a read by key, done on this thread; only the rare idle-clock refresh
            // (a write) goes to the blocking pool.
            let found = state
                .db
                .read_now(|conn| {
                    Ok(db::read(conn, |conn| {
                        let found = if is_token {
                            db::tokens::user_for_token(conn, &hash)?
                        } else {
                            db::sessions::session_user_id(conn, &hash, idle, max)?
                        };
                        let user = match found {
                            Some((id, stale)) => db::users::by_id(conn, id)?.map(|user| (user, stale)),
                            None => None,
                        };
                        let facts = match (&user, with_facts) {
                            (Some(_), true) => Some(db::meta::version_and_demo(conn)?),
                            _ => None,
                        };
                        Ok(user.map(|(user, stale)| (user, stale, facts)))
                    })?)
                })
                .map_err(AuthRejection::Internal)?;
            if let Some((_, true, _)) = &found {
                // The idle clock is bookkeeping: a busy database skips it, the request goes on.
                state
                    .db
                    .bookkeeping(move |conn| {
                        if is_token {
                            db::tokens::touch(conn, &hash)
                        } else {
                            db::sessions::touch(conn, &hash)
                        }
                    })
                    .await;
            }
            found.map(|(user, _, facts)| (user, facts))
        }
    };
    match found {
        // A password an admin set must be replaced before anything else is done with it.
        Some((user, _)) if user.must_change_password && !original_uri(parts).path().starts_with("/account") => {
            if wants_machine_answer(parts) {
                Err(AuthRejection::Internal(AppError::Forbidden(Text::new(
                    "请先在“我的账户”页面修改管理员设置的密码",
                    "First change the password an administrator set, on /account.",
                ))))
            } else {
                Err(AuthRejection::ChangePassword)
            }
        }
        Some((user, facts)) => {
            parts.extensions.insert(user.clone());
            Ok((user, facts))
        }
        None if wants_machine_answer(parts) => Err(AuthRejection::Api),
        None => Err(AuthRejection::Page {
            next: original_uri(parts)
                .path_and_query()
                .map_or("/".into(), |p| p.as_str().to_owned()),
        }),
    }
}

/// Logs a failed sign-in. The name is whatever the client typed: it goes in as a structured
/// field written with `Debug`, quoted and escaped, so a newline or an escape sequence in it
/// cannot forge a log line or reach the terminal.
fn log_failed_sign_in(username: &str, address: &str) {
    tracing::warn!(user = ?username, address = ?address, "failed sign-in");
}

#[derive(Deserialize, Default)]
pub struct LoginQuery {
    next: Option<String>,
}

/// Only same-site relative paths are followed after sign-in.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        // Control characters would make an invalid Location header (a 500), or split it.
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path
        }
        _ => "/",
    }
}

async fn is_demo(state: &AppState) -> bool {
    state
        .db
        .call(|conn| Ok(db::meta::is_demo(conn)?))
        .await
        .unwrap_or(false)
}

pub async fn login_page(State(state): State<AppState>, lang: Lang, query: axum::extract::Query<LoginQuery>) -> Markup {
    login_view::login(lang, is_demo(&state).await, "", None, safe_next(query.next.as_deref()))
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

enum LoginResult {
    /// Signed in: the session cookie's token, and a new device cookie's if the browser had none.
    Ok(String, Option<String>),
    Wrong,
    /// Too many recent failures: try again after this many seconds.
    Wait(u64),
    /// Too many password checks queued.
    Busy,
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    lang: Lang,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let username = form.username.trim().to_owned();
    let address = super::throttle::client_address(peer, &headers, state.config.trusted_proxy).to_string();
    let device = cookie(&headers, DEVICE_COOKIE).map(token_hash);
    let password = form.password;
    let next = safe_next(form.next.as_deref()).to_owned();
    // Failures are counted per client: a browser that has signed in to this name before is a
    // client of its own, so that failures by others from a shared address do not delay it.
    let checked = {
        let (username, address, device) = (username.clone(), address.clone(), device.clone());
        state
            .db
            .call(move |conn| {
                let known = match &device {
                    Some(hash) => db::sessions::known_device(conn, hash, &username, account::KNOWN_DEVICE_DAYS)?,
                    None => None,
                };
                let client = known.map_or(address, |id| format!("device:{id}"));
                let window = account::SIGN_IN_WINDOW_MINUTES;
                let named = db::sessions::recent_login_failures(conn, &username, &client, window)?;
                let since_named = db::sessions::seconds_since_login_failure(conn, &username, &client)?;
                let (all, since_any) = db::sessions::recent_failures_from(conn, &client, window)?;
                let wait = account::sign_in_wait(named, account::FREE_SIGN_IN_FAILURES, since_named)
                    .max(account::sign_in_wait(all, account::FREE_CLIENT_FAILURES, since_any));
                if let Some(seconds) = wait {
                    return Ok(Err(LoginResult::Wait(seconds)));
                }
                let user = db::users::by_username(conn, &username)?.filter(|u| !u.disabled);
                Ok(Ok((client, known.is_some(), user)))
            })
            .await?
    };
    let outcome = match checked {
        Err(refused) => refused,
        Ok((client, known, user)) => match state.sign_in.enter(&client) {
            Err(super::throttle::Full) => LoginResult::Busy,
            Ok(pass) => {
                // The check takes a moment on the password thread; no database connection
                // waits for it. An unknown or disabled name is checked against a stand-in hash,
                // so that the time taken does not tell which names exist.
                let hash = user.as_ref().map(|u| u.password_hash.clone());
                let turn = pass.turn().await;
                let verified = tokio::task::spawn_blocking(move || {
                    verify_password(&password, hash.as_deref().unwrap_or(&crate::auth::STAND_IN_HASH))
                })
                .await
                .unwrap_or(false);
                drop(turn);
                drop(pass);
                let user = user.filter(|_| verified);
                let username = username.clone();
                state
                    .db
                    .call(move |conn| match user {
                        Some(user) => {
                            let token = new_token();
                            let new_device = (!known).then(new_token);
                            let tx = db::write(conn)?;
                            db::sessions::clear_login_failures(&tx, &username, &client)?;
                            db::sessions::create(&tx, &token_hash(&token), user.id)?;
                            if let Some(device) = &new_device {
                                db::sessions::remember_device(&tx, &token_hash(device), user.id)?;
                            }
                            tx.commit()?;
                            tracing::info!(user = %user.username, "signed in");
                            Ok(LoginResult::Ok(token, new_device))
                        }
                        None => {
                            db::sessions::record_login_failure(conn, &username, &client)?;
                            log_failed_sign_in(&username, &address);
                            Ok(LoginResult::Wrong)
                        }
                    })
                    .await?
            }
        },
    };
    let demo = is_demo(&state).await;
    let refused = |status: StatusCode, retry_after: u64, message: String| {
        let page = login_view::login(lang, demo, &username, Some(&message), &next);
        (status, [(header::RETRY_AFTER, retry_after.to_string())], page).into_response()
    };
    match outcome {
        LoginResult::Ok(token, device) => {
            let mut jar = CookieJar::new().add(session_cookie(token, state.config.secure_cookie));
            if let Some(device) = device {
                jar = jar.add(device_cookie(device, state.config.secure_cookie));
            }
            Ok((jar, Redirect::to(&next)).into_response())
        }
        LoginResult::Wrong => {
            let message = lang.t("用户名或密码不正确。", "Wrong username or password.");
            Ok((
                StatusCode::UNAUTHORIZED,
                login_view::login(lang, demo, &username, Some(message), &next),
            )
                .into_response())
        }
        LoginResult::Wait(seconds) => Ok(refused(
            StatusCode::TOO_MANY_REQUESTS,
            seconds,
            if lang == Lang::En {
                format!("Too many failed sign-ins: try again in {seconds} s.")
            } else {
                format!("登录失败次数过多，请 {seconds} 秒后再试。")
            },
        )),
        LoginResult::Busy => Ok(refused(
            StatusCode::TOO_MANY_REQUESTS,
            1,
            lang.t(
                "登录请求过多，请稍后再试。",
                "Too many sign-ins at once: try again shortly.",
            )
            .to_owned(),
        )),
    }
}

pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        let hash = token_hash(token);
        state.db.call(move |conn| Ok(db::sessions::end(conn, &hash)?)).await?;
    }
    // Cleared whether or not the request carried one (the jar only clears cookies it was given).
    let mut cleared = session_cookie(String::new(), state.config.secure_cookie);
    cleared.make_removal();
    Ok((CookieJar::new().add(cleared), Redirect::to("/login")).into_response())
}

/// The answer to a cross-origin state-changing request.
pub fn cross_origin_refused(_: ProtectionError) -> Response<axum::body::Body> {
    cross_origin_answer()
}

/// Why a state-changing request from another site was refused.
pub fn cross_origin_refusal() -> Text {
    Text::new(
        "拒绝跨站请求：此操作只能从本系统的页面发起",
        "Refused: this request came from another site, and changes are only made from this system's own pages.",
    )
}

fn cross_origin_answer() -> Response<axum::body::Body> {
    // Plain text, which `forms::explain_plain_errors` turns into a page or JSON by the path.
    (StatusCode::FORBIDDEN, cross_origin_refusal().to_string()).into_response()
}

/// The scheme clients reach this server by: `X-Forwarded-Proto` from the trusted proxy, else
/// https when the session cookie is marked `Secure`, else http.
fn our_scheme(state: &AppState, peer: Option<SocketAddr>, headers: &HeaderMap) -> String {
    let forwarded = peer
        .filter(|peer| state.config.trusted_proxy == Some(peer.ip()))
        .and_then(|_| headers.get("x-forwarded-proto")?.to_str().ok())
        .map(|proto| proto.trim().to_ascii_lowercase());
    forwarded.unwrap_or_else(|| if state.config.secure_cookie { "https" } else { "http" }.to_owned())
}

/// Completes the origin check for clients that send `Origin` without `Sec-Fetch-Site` (the
/// CSRF layer then compares host and port only): a write whose origin has another scheme is
/// refused. Browsers that send `Sec-Fetch-Site` are judged by it, which covers the scheme.
pub async fn refuse_other_scheme(
    State(state): State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let headers = request.headers();
    let unsafe_method = !matches!(request.method().as_str(), "GET" | "HEAD" | "OPTIONS" | "TRACE");
    if unsafe_method && !headers.contains_key("sec-fetch-site") {
        let scheme = headers
            .get(header::ORIGIN)
            .and_then(|origin| origin.to_str().ok())
            .and_then(|origin| origin.split_once("://"))
            .map(|(scheme, _)| scheme.to_ascii_lowercase());
        let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
        if scheme.is_some_and(|scheme| scheme != our_scheme(&state, peer, headers)) {
            return cross_origin_answer();
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_named_cookie_is_found_among_others_and_across_headers() {
        let mut headers = HeaderMap::new();
        headers.append(header::COOKIE, "anju_lang=en; theme=dark".parse().unwrap());
        headers.append(header::COOKIE, "other=1;anju_session=abc123 ".parse().unwrap());
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc123"));
        assert_eq!(cookie(&headers, "anju_lang"), Some("en"));
        assert_eq!(cookie(&headers, "anju"), None);
        assert_eq!(cookie(&HeaderMap::new(), SESSION_COOKIE), None);
    }

    #[test]
    fn a_typed_username_reaches_the_log_escaped_on_one_line() {
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Captured(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Captured {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let captured = Captured::default();
        let sink = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            log_failed_sign_in(
                "admin\n2026-01-01 INFO signed in user=admin\u{1b}]0;pwned\u{7}",
                "10.0.0.1",
            );
        });
        let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert_eq!(log.lines().count(), 1, "{log}");
        assert!(!log.chars().any(|c| c == '\u{1b}' || c == '\u{7}'), "{log:?}");
        assert!(log.contains(r#"user="admin\n2026"#), "{log}");
    }

    #[test]
    fn the_session_cookie_is_http_only_lax_and_secure_only_when_asked() {
        let plain = session_cookie("abc".into(), false).to_string();
        for part in ["anju_session=abc", "HttpOnly", "SameSite=Lax", "Path=/"] {
            assert!(plain.contains(part), "{plain}");
        }
        assert!(!plain.contains("Secure"), "{plain}");
        assert!(session_cookie("abc".into(), true).to_string().contains("; Secure"));
        let mut cleared = session_cookie(String::new(), false);
        cleared.make_removal();
        let cleared = cleared.to_string();
        assert!(
            cleared.starts_with("anju_session=;") && cleared.contains("Max-Age=0"),
            "{cleared}"
        );
    }
}
