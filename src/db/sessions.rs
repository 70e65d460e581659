//! Server-side sessions and failed-login records (API tokens: `tokens`). Only hashes of secrets are stored.
//! Lookups answer with a user id, which `users::by_id` turns into an account: accounts
//! end sessions (`users` calls this module), so this module does not call back.

use rusqlite::{Connection, OptionalExtension, params};

/// Creates a session for `user_id` under the hash of its cookie token.
pub fn create(conn: &Connection, token_hash: &str, user_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO sessions (token_hash, user_id) VALUES (?1, ?2)",
        params![token_hash, user_id],
    )?;
    Ok(())
}

/// The id of the user behind a live session — not idle longer than `idle_minutes`, not older
/// than `max_hours`, user not disabled — and whether its idle clock is due a refresh (it is
/// written at most once a minute, so most requests stay pure reads). Only reads.
pub fn session_user_id(
    conn: &Connection,
    token_hash: &str,
    idle_minutes: u32,
    max_hours: u32,
) -> rusqlite::Result<Option<(i64, bool)>> {
    conn.prepare_cached(
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
    .optional()
}

/// Restarts a session's idle clock.
pub fn touch(conn: &Connection, token_hash: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE sessions SET last_seen_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE token_hash = ?1",
    )?
    .execute(params![token_hash])?;
    Ok(())
}

pub fn end(conn: &Connection, token_hash: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM sessions WHERE token_hash = ?1", params![token_hash])?;
    Ok(())
}

pub fn end_all_for_user(conn: &Connection, user_id: i64) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM sessions WHERE user_id = ?1", params![user_id])?;
    Ok(())
}

/// Deletes the sessions [`session_user_id`] no longer accepts (idle longer than `idle_minutes` or
/// older than `max_hours`); returns how many.
pub fn purge_expired(conn: &Connection, idle_minutes: u32, max_hours: u32) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM sessions
         WHERE last_seen_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)
            OR created_at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?2)",
        params![format!("-{idle_minutes} minutes"), format!("-{max_hours} hours")],
    )
}

/// Deletes failed sign-ins older than `minutes`, which [`recent_login_failures`] no longer
/// counts; returns how many.
pub fn purge_login_failures(conn: &Connection, minutes: u32) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM login_failures WHERE at <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)",
        params![format!("-{minutes} minutes")],
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

/// Failed logins from `address` for any username within the last `minutes`, and how many
/// seconds ago the latest was.
pub fn recent_failures_from(conn: &Connection, address: &str, minutes: u32) -> rusqlite::Result<(u32, f64)> {
    conn.query_row(
        "SELECT count(*), coalesce((julianday('now') - julianday(max(at))) * 86400.0, 0.0)
           FROM login_failures
          WHERE address = ?1 AND at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?2)",
        params![address, format!("-{minutes} minutes")],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// Seconds since the latest failed login for `username` from `address` (0 when none).
pub fn seconds_since_login_failure(conn: &Connection, username: &str, address: &str) -> rusqlite::Result<f64> {
    conn.query_row(
        "SELECT coalesce((julianday('now') - julianday(max(at))) * 86400.0, 0.0)
           FROM login_failures WHERE username = ?1 AND address = ?2",
        params![username, address],
        |row| row.get(0),
    )
}

/// Remembers that the browser holding the device cookie hashed to `token_hash` signed in as
/// `user_id`.
pub fn remember_device(conn: &Connection, token_hash: &str, user_id: i64) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO sign_in_devices (token_hash, user_id) VALUES (?1, ?2)",
        params![token_hash, user_id],
    )?;
    Ok(())
}

/// Whether the device cookie hashed to `token_hash` has signed in as `username` within the
/// last `days`; the device's number if so.
pub fn known_device(conn: &Connection, token_hash: &str, username: &str, days: u32) -> rusqlite::Result<Option<i64>> {
    conn.query_row(
        "SELECT d.rowid FROM sign_in_devices d JOIN users u ON u.id = d.user_id
          WHERE d.token_hash = ?1 AND u.username = ?2
            AND d.created > strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?3)",
        params![token_hash, username, format!("-{days} days")],
        |row| row.get(0),
    )
    .optional()
}

/// Forgets the device cookie hashed to `token_hash` (it failed too often).
pub fn forget_device(conn: &Connection, token_hash: &str) -> rusqlite::Result<()> {
    conn.execute("DELETE FROM sign_in_devices WHERE token_hash = ?1", params![token_hash])?;
    Ok(())
}

/// Deletes device cookies older than `days`; returns how many.
pub fn purge_devices(conn: &Connection, days: u32) -> rusqlite::Result<usize> {
    conn.execute(
        "DELETE FROM sign_in_devices WHERE created <= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1)",
        params![format!("-{days} days")],
    )
}

pub fn clear_login_failures(conn: &Connection, username: &str, address: &str) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM login_failures WHERE username = ?1 AND address = ?2",
        params![username, address],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database with one account (id 1) and no sessions.
    fn database() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::db::migrations().unwrap().to_latest(&mut conn).unwrap();
        conn.execute(
            "INSERT INTO users (id, username, role, password_hash) VALUES (1, 'leader', 'leader', 'x')",
            [],
        )
        .unwrap();
        conn
    }

    /// Moves `column` of every row of `table` matching `filter` back by `modifier`.
    fn age(conn: &Connection, table: &str, column: &str, filter: &str, modifier: &str) {
        conn.execute(
            &format!("UPDATE {table} SET {column} = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ?1) WHERE {filter}"),
            params![modifier],
        )
        .unwrap();
    }

    fn sessions(conn: &Connection) -> Vec<String> {
        conn.prepare("SELECT token_hash FROM sessions ORDER BY 1")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn purge_deletes_idle_and_old_sessions_and_keeps_live_ones() {
        let conn = database();
        for token in ["idle", "old", "live"] {
            create(&conn, token, 1).unwrap();
        }
        age(&conn, "sessions", "last_seen_at", "token_hash = 'idle'", "-121 minutes");
        age(&conn, "sessions", "created_at", "token_hash = 'old'", "-13 hours");
        assert_eq!(purge_expired(&conn, 120, 12).unwrap(), 2);
        assert_eq!(sessions(&conn), ["live"]);
        assert_eq!(session_user_id(&conn, "live", 120, 12).unwrap(), Some((1, false)));
    }

    #[test]
    fn purge_deletes_failures_that_no_longer_count_and_keeps_recent_ones() {
        let conn = database();
        record_login_failure(&conn, "leader", "10.0.0.1").unwrap();
        record_login_failure(&conn, "leader", "10.0.0.1").unwrap();
        age(&conn, "login_failures", "at", "rowid = 1", "-16 minutes");
        assert_eq!(purge_login_failures(&conn, 15).unwrap(), 1);
        let left: u32 = conn
            .query_row("SELECT count(*) FROM login_failures", [], |row| row.get(0))
            .unwrap();
        assert_eq!(left, 1);
        assert_eq!(recent_login_failures(&conn, "leader", "10.0.0.1", 15).unwrap(), 1);
    }
}
