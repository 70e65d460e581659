//! API tokens: stored as hashes, with a name, an optional expiry, the last time they were used,
//! and a revocation that is never undone.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

/// One token as its owner and the admins see it (never the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Token {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub name: String,
    pub created_at: String,
    pub last_used_at: Option<String>,
    /// The token stops working at this instant (UTC, ISO 8601); `None`: never.
    pub expires_at: Option<String>,
    pub revoked: bool,
    /// Past its expiry.
    pub expired: bool,
}

/// Stores a new token under `token_hash`; returns its id.
pub fn create(
    conn: &Connection,
    token_hash: &str,
    user_id: i64,
    name: &str,
    expires_at: Option<&str>,
) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO api_tokens (token_hash, user_id, name, expires_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, user_id, name, expires_at],
    )?;
    Ok(conn.last_insert_rowid())
}

const COLUMNS: &str = "t.id, t.user_id, u.username, t.name, t.created_at, t.last_used_at, t.expires_at, t.revoked,
     coalesce(t.expires_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 0)";

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Token> {
    Ok(Token {
        id: row.get(0)?,
        user_id: row.get(1)?,
        username: row.get(2)?,
        name: row.get(3)?,
        created_at: row.get(4)?,
        last_used_at: row.get(5)?,
        expires_at: row.get(6)?,
        revoked: row.get(7)?,
        expired: row.get(8)?,
    })
}

/// The tokens of `user_id`, or of everyone when `None`; live ones first, newest first.
pub fn list(conn: &Connection, user_id: Option<i64>) -> rusqlite::Result<Vec<Token>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE ?1 IS NULL OR t.user_id = ?1
         ORDER BY t.revoked, t.id DESC"
    ))?
    .query_map(params![user_id], from_row)?
    .collect()
}

pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<Token>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?1"
    ))?
    .query_row(params![id], from_row)
    .optional()
}

/// The user id behind a live token — not revoked, not expired, its user not disabled — and
/// whether its last-used time is due a refresh (written at most once a minute). Only reads.
pub fn user_for_token(conn: &Connection, token_hash: &str) -> rusqlite::Result<Option<(i64, bool)>> {
    conn.prepare_cached(
        "SELECT t.user_id,
                coalesce(t.last_used_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 minute'), 1)
         FROM api_tokens t JOIN users u ON u.id = t.user_id
         WHERE t.token_hash = ?1 AND t.revoked = 0 AND u.disabled = 0
           AND (t.expires_at IS NULL OR t.expires_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
    )?
    .query_row(params![token_hash], |row| Ok((row.get(0)?, row.get(1)?)))
    .optional()
}

/// Notes that the token was just used.
pub fn touch(conn: &Connection, token_hash: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE api_tokens SET last_used_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE token_hash = ?1",
    )?
    .execute(params![token_hash])?;
    Ok(())
}

/// Revokes token `id` if it is live; whether it was.
pub fn revoke(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    Ok(conn.execute(
        "UPDATE api_tokens SET revoked = 1, revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE id = ?1 AND revoked = 0",
        params![id],
    )? > 0)
}

/// Revokes every live token of `user_id`; returns how many.
pub fn revoke_all_of(conn: &Connection, user_id: i64) -> rusqlite::Result<usize> {
    conn.execute(
        "UPDATE api_tokens SET revoked = 1, revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
         WHERE user_id = ?1 AND revoked = 0",
        params![user_id],
    )
}
