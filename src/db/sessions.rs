//! Server-side sessions and failed-login records. Only hashes of secrets are stored.

use rusqlite::{Connection, OptionalExtension, params};

use super::users::User;

/// Creates a session for `user_id` under the hash of its cookie token.
pub fn create(conn: &Connection, token_hash: &str, user_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id) VALUES (?1, ?2)",
        params![token_hash, user_id],
    )?;
    Ok(())
}

/// The user behind a live session — not idle longer than `idle_minutes`, not older than
/// `max_hours`, user not disabled — and whether its idle clock is due a refresh (it is written
/// at most once a minute, so most requests stay pure reads). Only reads.
pub fn session_user(
    conn: &Connection,
    token_hash: &str,
    idle_minutes: u32,
    max_hours: u32,
) -> rusqlite::Result<Option<(User, bool)>> {
    let found: Option<(i64, bool)> = conn
        .prepare_cached(
            "SELECT s.user_id, s.last_seen_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 minute')
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND u.disabled = 0
               AND s.last_seen_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?2)
               AND s.created_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?3)",
        )?
        .query_row(
            params![
                token_hash,
                format!("-{idle_minutes} minutes"),
                format!("-{max_hours} hours")
            ],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let Some((user_id, stale)) = found else {
        return Ok(None);
    };
    Ok(super::users::by_id(conn, user_id)?.map(|user| (user, stale)))
}

/// Restarts a session's idle clock.
pub fn touch(conn: &Connection, token_hash: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE token_hash = ?1",
    )?
    .execute(params![token_hash])?;
    Ok(())
}

/// [`session_user`], refreshing the idle clock when it is due.
pub fn user_for_session(
    conn: &Connection,
    token_hash: &str,
    idle_minutes: u32,
    max_hours: u32,
) -> rusqlite::Result<Option<User>> {
    let found = session_user(conn, token_hash, idle_minutes, max_hours)?;
    if let Some((_, true)) = &found {
        touch(conn, token_hash)?;
    }
    Ok(found.map(|(user, _)| user))
}

pub fn end(conn: &Connection, token_hash: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", params![token_hash])?;
    Ok(())
}

pub fn end_all_for_user(conn: &Connection, user_id: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM sessions WHERE user_id = ?1", params![user_id])?;
    Ok(())
}

/// Drops sessions past their lifetime; called now and then so the table stays small.
pub fn purge_expired(conn: &Connection, idle_minutes: u32) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM sessions WHERE last_seen_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)",
        params![format!("-{idle_minutes} minutes")],
    )
}

pub fn record_login_failure(conn: &Connection, username: &str, address: &str) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO login_failures (username, address) VALUES (?1, ?2)",
        params![username, address],
    )?;
    Ok(())
}

/// Failed logins for `username` from `address` within the last `minutes`.
pub fn recent_login_failures(conn: &Connection, username: &str, address: &str, minutes: u32) -> rusqlite::Result<u32> {
    conn.query_row(
        "SELECT count(*) FROM login_failures WHERE username = ?1 AND address = ?2
           AND at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?3)",
        params![username, address, format!("-{minutes} minutes")],
        |row| row.get(0),
    )
}

pub fn clear_login_failures(conn: &Connection, username: &str, address: &str) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM login_failures WHERE username = ?1 AND address = ?2",
        params![username, address],
    )?;
    Ok(())
}
