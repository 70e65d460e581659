//! API token use cases: create one for an account (named, optionally expiring, shown once and
//! stored as a hash), list them, revoke one or all of an account's. Creating and revoking are
//! audited; a disabled account gets no token. Users manage their own, admins anyone's.

use chrono::{Duration, Utc};
use rusqlite::Connection;

use crate::auth::{new_token, token_hash};
use crate::db::{self, audit::Change, tokens::Token, users::User};
use crate::domain::account::{self, MAX_TOKEN_DAYS};
use crate::domain::{Actor, Text};
use crate::error::{AppError, AppResult};

fn may_manage(actor: &Actor, user: &User) -> AppResult<()> {
    if actor.may_manage_tokens_of(user.id) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

fn existing(conn: &Connection, username: &str) -> AppResult<User> {
    db::users::by_username(conn, username)?.ok_or_else(|| {
        AppError::NotFound(Text::new(
            format!("没有用户 {username}"),
            format!("There is no user {username}."),
        ))
    })
}

/// What a new token is called and how long it lives.
#[derive(Clone, Debug, Default)]
pub struct NewToken<'a> {
    pub name: &'a str,
    /// Days until it stops working; `None`: it works until revoked.
    pub expires_in_days: Option<u32>,
}

/// A token just created: the secret, to be shown once, and how it is listed.
#[derive(Clone, Debug)]
pub struct Created {
    pub secret: String,
    pub token: Token,
}

/// A new token for `username`.
pub fn create(conn: &mut Connection, actor: &Actor, username: &str, new: &NewToken<'_>) -> AppResult<Created> {
    let name = new.name.trim();
    account::check_token_name(name)?;
    let expires_at = match new.expires_in_days {
        None => None,
        Some(days) => {
            account::check_token_days(days)?;
            let at = Utc::now() + Duration::days(i64::from(days.min(MAX_TOKEN_DAYS)));
            Some(at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        }
    };
    let tx = db::write(conn)?;
    let user = existing(&tx, username)?;
    may_manage(actor, &user)?;
    if user.disabled {
        return Err(AppError::Conflict(Text::new(
            format!("账户 {username} 已停用，不能创建令牌"),
            format!("The account {username} is disabled and gets no token."),
        )));
    }
    let secret = new_token();
    let id = db::tokens::create(&tx, &token_hash(&secret), user.id, name, expires_at.as_deref())?;
    db::audit::record(
        &tx,
        actor,
        &Change {
            action: "token_create",
            new_value: Some(format!("#{id} {name}")),
            detail: Some(user.username.clone()),
            ..Default::default()
        },
    )?;
    let token = db::tokens::by_id(&tx, id)?.ok_or_else(|| anyhow::anyhow!("token vanished after saving"))?;
    tx.commit()?;
    Ok(Created { secret, token })
}

/// The tokens `actor` may see: their own, or everyone's for an admin (`username` narrows it).
pub fn list(conn: &Connection, actor: &Actor, username: Option<&str>) -> AppResult<Vec<Token>> {
    let user_id = match username {
        Some(username) => {
            let user = existing(conn, username)?;
            may_manage(actor, &user)?;
            Some(user.id)
        }
        None if actor.is_province_admin() => None,
        None => Some(actor.user_id.ok_or_else(AppError::forbidden)?),
    };
    Ok(db::tokens::list(conn, user_id)?)
}

/// Revokes token `id`; false when it was already revoked.
pub fn revoke(conn: &mut Connection, actor: &Actor, id: i64) -> AppResult<bool> {
    let tx = db::write(conn)?;
    let token = db::tokens::by_id(&tx, id)?.ok_or_else(no_such_token)?;
    if !actor.may_manage_tokens_of(token.user_id) {
        // Someone else's token is as good as missing: its id tells nothing.
        return Err(no_such_token());
    }
    let revoked = db::tokens::revoke(&tx, id)?;
    if revoked {
        db::audit::record(
            &tx,
            actor,
            &Change {
                action: "token_revoke",
                old_value: Some(format!("#{id} {}", token.name)),
                detail: Some(token.username.clone()),
                ..Default::default()
            },
        )?;
    }
    tx.commit()?;
    Ok(revoked)
}

/// Revokes every token of `username`; returns how many were live.
pub fn revoke_all(conn: &mut Connection, actor: &Actor, username: &str) -> AppResult<usize> {
    let tx = db::write(conn)?;
    let user = existing(&tx, username)?;
    may_manage(actor, &user)?;
    let revoked = revoke_all_in(&tx, actor, &user, "revoked")?;
    tx.commit()?;
    Ok(revoked)
}

/// Inside the caller's transaction: revokes every live token of `user`, audited with `why` when
/// there were any. Account changes (password, role, disabling) call this.
pub fn revoke_all_in(tx: &Connection, actor: &Actor, user: &User, why: &str) -> AppResult<usize> {
    let revoked = db::tokens::revoke_all_of(tx, user.id)?;
    if revoked > 0 {
        db::audit::record(
            tx,
            actor,
            &Change {
                action: "token_revoke",
                old_value: Some(format!("{revoked} live")),
                new_value: Some(why.to_owned()),
                detail: Some(user.username.clone()),
                ..Default::default()
            },
        )?;
    }
    Ok(revoked)
}

/// The token asked for does not exist, or is not the asker's.
pub fn no_such_token() -> AppError {
    AppError::NotFound(Text::new("没有这个令牌", "There is no such token."))
}
