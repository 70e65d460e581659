//! API token use cases: create one for an account (shown once, stored as a hash) and revoke an
//! account's tokens. Both are audited; a disabled account gets no token.

use rusqlite::Connection;

use crate::auth::{new_token, token_hash};
use crate::db::{self, audit::Change};
use crate::domain::Actor;
use crate::error::{AppError, AppResult};

fn may_manage(actor: &Actor, username: &str) -> AppResult<()> {
    if actor.may_manage_users() || actor.username == username {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// A new token for `username`: the token itself, to be shown once.
pub fn create(conn: &mut Connection, actor: &Actor, username: &str) -> AppResult<String> {
    may_manage(actor, username)?;
    let tx = db::write(conn)?;
    let user = db::users::by_username(&tx, username)?
        .ok_or_else(|| AppError::NotFound(format!("没有用户 {username}(no such user)")))?;
    if user.disabled {
        return Err(AppError::Conflict(format!(
            "账户 {username} 已停用,不能创建令牌(account disabled)"
        )));
    }
    let token = new_token();
    db::sessions::create_token(&tx, &token_hash(&token), user.id)?;
    db::audit::record(
        &tx,
        actor,
        &Change {
            action: "token_create",
            detail: Some(username.to_owned()),
            ..Default::default()
        },
    )?;
    tx.commit()?;
    Ok(token)
}

/// Revokes every token of `username`; returns how many were live.
pub fn revoke_all(conn: &mut Connection, actor: &Actor, username: &str) -> AppResult<usize> {
    may_manage(actor, username)?;
    let tx = db::write(conn)?;
    let user = db::users::by_username(&tx, username)?
        .ok_or_else(|| AppError::NotFound(format!("没有用户 {username}(no such user)")))?;
    let revoked = db::sessions::revoke_tokens_of(&tx, user.id)?;
    if revoked > 0 {
        db::audit::record(
            &tx,
            actor,
            &Change {
                action: "token_revoke",
                detail: Some(username.to_owned()),
                new_value: Some(revoked.to_string()),
                ..Default::default()
            },
        )?;
    }
    tx.commit()?;
    Ok(revoked)
}
