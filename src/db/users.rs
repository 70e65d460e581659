//! Accounts: username, role, region, disabled flag and argon2 hash. Every change is audited.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;

use super::audit::{self, Change};
use crate::domain::{Actor, Role};

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub region_code: Option<String>,
    pub disabled: bool,
    #[serde(skip)]
    pub password_hash: String,
    pub created_at: String,
    /// An admin set the password in the web UI: the user must choose their own first.
    pub must_change_password: bool,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id),
            username: self.username.clone(),
            role: self.role,
            region: self.region_code.clone(),
        }
    }
}

/// An officer's region is `region_code`; anyone else's binding to a city is `scope_code`
/// (migration 07). Both read as [`User::region_code`].
const COLUMNS: &str =
    "id, username, role, COALESCE(region_code, scope_code), disabled, password_hash, created_at, must_change_password";

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = row.get(2)?;
    Ok(User {
        id: row.get(0)?,
        username: row.get(1)?,
        role: role
            .parse()
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, Box::new(e)))?,
        region_code: row.get(3)?,
        disabled: row.get(4)?,
        password_hash: row.get(5)?,
        created_at: row.get(6)?,
        must_change_password: row.get(7)?,
    })
}

pub fn by_username(conn: &Connection, username: &str) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE username = ?1"))?
        .query_row(params![username], from_row)
        .optional()
}

pub fn by_id(conn: &Connection, id: i64) -> rusqlite::Result<Option<User>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"))?
        .query_row(params![id], from_row)
        .optional()
}

pub fn list(conn: &Connection) -> rusqlite::Result<Vec<User>> {
    conn.prepare(&format!("SELECT {COLUMNS} FROM users ORDER BY role, username"))?
        .query_map([], from_row)?
        .collect()
}

pub fn count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM users", [], |row| row.get(0))
}

/// Creates an account; the caller has validated the name, role/region pairing and password.
pub fn create(
    conn: &Connection,
    actor: &Actor,
    username: &str,
    role: Role,
    region: Option<&str>,
    password_hash: &str,
) -> rusqlite::Result<User> {
    conn.execute(
        "INSERT INTO users (username, role, region_code, scope_code, password_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            username,
            role.as_str(),
            region.filter(|_| role == Role::Officer),
            region.filter(|_| role != Role::Officer),
            password_hash
        ],
    )?;
    let user = by_id(conn, conn.last_insert_rowid())?.ok_or(rusqlite::Error::QueryReturnedNoRows)?;
    audit::record(
        conn,
        actor,
        &Change {
            action: "user_create",
            region_code: region,
            new_value: Some(format!("{username} ({role})")),
            ..Default::default()
        },
    )?;
    Ok(user)
}

/// Changes role and region together (an officer needs a region; nobody else has one).
pub fn set_role(
    conn: &Connection,
    actor: &Actor,
    user: &User,
    role: Role,
    region: Option<&str>,
) -> rusqlite::Result<()> {
    if user.role == role && user.region_code.as_deref() == region {
        return Ok(());
    }
    conn.execute(
        "UPDATE users SET role = ?2, region_code = CASE WHEN ?2 = 'officer' THEN ?3 END,
             scope_code = CASE WHEN ?2 = 'officer' THEN NULL ELSE ?3 END WHERE id = ?1",
        params![user.id, role.as_str(), region],
    )?;
    audit::record(
        conn,
        actor,
        &Change {
            action: "user_role",
            region_code: region.or(user.region_code.as_deref()),
            old_value: Some(format!("{} {}", user.role, user.region_code.as_deref().unwrap_or("-"))),
            new_value: Some(format!("{role} {}", region.unwrap_or("-"))),
            detail: Some(user.username.clone()),
            ..Default::default()
        },
    )
}

/// Disables or enables an account; disabling ends its sessions and API tokens at once.
pub fn set_disabled(conn: &Connection, actor: &Actor, user: &User, disabled: bool) -> rusqlite::Result<()> {
    if user.disabled == disabled {
        return Ok(());
    }
    conn.execute(
        "UPDATE users SET disabled = ?2 WHERE id = ?1",
        params![user.id, disabled],
    )?;
    if disabled {
        super::sessions::end_all_for_user(conn, user.id)?;
    }
    audit::record(
        conn,
        actor,
        &Change {
            action: if disabled { "user_disable" } else { "user_enable" },
            old_value: Some(if user.disabled { "disabled" } else { "active" }.to_owned()),
            new_value: Some(if disabled { "disabled" } else { "active" }.to_owned()),
            detail: Some(user.username.clone()),
            ..Default::default()
        },
    )
}

/// Sets a new password hash; the user's sessions end so the old password's sessions cannot linger.
pub fn set_password(conn: &Connection, actor: &Actor, user: &User, password_hash: &str) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET password_hash = ?2 WHERE id = ?1",
        params![user.id, password_hash],
    )?;
    super::sessions::end_all_for_user(conn, user.id)?;
    audit::record(
        conn,
        actor,
        &Change {
            action: "user_password",
            detail: Some(user.username.clone()),
            ..Default::default()
        },
    )
}

/// Whether `user_id` must choose a new password at their next request.
pub fn require_password_change(conn: &Connection, user_id: i64, required: bool) -> rusqlite::Result<()> {
    conn.execute(
        "UPDATE users SET must_change_password = ?2 WHERE id = ?1",
        params![user_id, required],
    )?;
    Ok(())
}
