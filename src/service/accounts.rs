//! Account use cases: create a user, change role and region, disable or enable, reset a
//! password. Each checks the account rules of `domain::account` and the policy, hashes any
//! password before taking the write lock, and audits in the same transaction.

use rusqlite::Connection;

use super::tokens;
use crate::auth::hash_password;
use crate::db::{self, users::User};
use crate::domain::account::{self, AccountError};
use crate::domain::catalogue::Catalogue;
use crate::domain::{Actor, Role, Text};
use crate::error::{AppError, AppResult};

impl From<AccountError> for AppError {
    fn from(error: AccountError) -> Self {
        AppError::invalid(error.field(), error.text())
    }
}

/// What a new account is made of, as typed.
#[derive(Clone, Debug, Default)]
pub struct NewUser {
    pub username: String,
    pub role: String,
    pub region: Option<String>,
    pub password: String,
}

/// The checked parts of a new account: username, role, region.
pub fn check_new_user(catalogue: &Catalogue, new: &NewUser) -> AppResult<(Role, Option<String>)> {
    account::check_username(new.username.trim())?;
    let (role, region) = account::role_and_region(catalogue, &new.role, new.region.as_deref())?;
    account::check_new_password(new.username.trim(), &new.password)?;
    Ok((role, region))
}

fn require_manager(actor: &Actor) -> AppResult<()> {
    if actor.may_manage_users() {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

/// Refused: `account` (as it is, or as it would be) is not one `actor` manages.
fn require_account(catalogue: &Catalogue, actor: &Actor, account: &Actor) -> AppResult<()> {
    if actor.may_manage_user(catalogue, account) {
        Ok(())
    } else {
        Err(AppError::Forbidden(Text::new(
            "无权管理该账户：市级管理员只管理本市所属单位的填报员账户，不能创建或修改管理员、厅领导、政策分析员或外市的账户",
            "You may not manage this account: a city admin manages its city's officers only, never an admin, leader, analyst or another city's account.",
        )))
    }
}

/// The accounts `actor` sees on the users page: every one for a province-wide admin, those
/// bound within the city for a city admin.
pub fn visible(conn: &Connection, catalogue: &Catalogue, actor: &Actor) -> AppResult<Vec<User>> {
    require_manager(actor)?;
    Ok(db::users::list(conn)?
        .into_iter()
        .filter(|user| actor.sees_account(catalogue, &user.actor()))
        .collect())
}

/// Creates an account whose user must replace the password an admin gave (the web UI).
pub fn create_with_temporary_password(
    conn: &mut Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    new: &NewUser,
) -> AppResult<User> {
    create_account(conn, catalogue, actor, new, true)
}

/// Creates an account with the password the operator gave (the command line, first start).
pub fn create(conn: &mut Connection, catalogue: &Catalogue, actor: &Actor, new: &NewUser) -> AppResult<User> {
    create_account(conn, catalogue, actor, new, false)
}

fn create_account(
    conn: &mut Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    new: &NewUser,
    temporary: bool,
) -> AppResult<User> {
    require_manager(actor)?;
    let (role, region) = check_new_user(catalogue, new)?;
    let username = new.username.trim();
    let account = Actor {
        user_id: None,
        username: username.to_owned(),
        role,
        region: region.clone(),
    };
    require_account(catalogue, actor, &account)?;
    let hash = hash_password(&new.password)?;
    let tx = db::write(conn)?;
    if db::users::by_username(&tx, username)?.is_some() {
        return Err(AppError::Conflict(Text::new(
            format!("用户名“{username}”已存在"),
            format!("The username “{username}” is taken."),
        )));
    }
    let user = db::users::create(&tx, actor, username, role, region.as_deref(), &hash)?;
    if temporary {
        db::users::require_password_change(&tx, user.id, true)?;
    }
    tx.commit()?;
    Ok(User {
        must_change_password: temporary,
        ..user
    })
}

fn existing(conn: &Connection, id: i64) -> AppResult<User> {
    db::users::by_id(conn, id)?.ok_or_else(|| AppError::NotFound(Text::new("没有这个用户", "There is no such user.")))
}

/// Changes a user's role and region together; a change revokes the user's tokens.
pub fn change_role(
    conn: &mut Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    user_id: i64,
    role: &str,
    region: Option<&str>,
) -> AppResult<()> {
    require_manager(actor)?;
    let (role, region) = account::role_and_region(catalogue, role, region)?;
    let tx = db::write(conn)?;
    let user = existing(&tx, user_id)?;
    require_account(catalogue, actor, &user.actor())?;
    let changed = Actor {
        role,
        region: region.clone(),
        ..user.actor()
    };
    require_account(catalogue, actor, &changed)?;
    if actor.user_id == Some(user.id) && role != user.role {
        return Err(AppError::Conflict(Text::new(
            "不能修改自己的角色，以免失去管理权限",
            "You cannot change your own role: you could lose the right to manage accounts.",
        )));
    }
    if user.role != role || user.region_code != region {
        db::users::set_role(&tx, actor, &user, role, region.as_deref())?;
        tokens::revoke_all_in(&tx, actor, &user, "role or region changed")?;
    }
    tx.commit()?;
    Ok(())
}

/// Disables (ending the user's sessions and tokens) or enables an account.
pub fn set_disabled(
    conn: &mut Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    user_id: i64,
    disabled: bool,
) -> AppResult<()> {
    require_manager(actor)?;
    let tx = db::write(conn)?;
    let user = existing(&tx, user_id)?;
    require_account(catalogue, actor, &user.actor())?;
    if actor.user_id == Some(user.id) && disabled {
        return Err(AppError::Conflict(Text::new(
            "不能停用自己的账户",
            "You cannot disable your own account.",
        )));
    }
    db::users::set_disabled(&tx, actor, &user, disabled)?;
    if disabled {
        tokens::revoke_all_in(&tx, actor, &user, "account disabled")?;
    }
    tx.commit()?;
    Ok(())
}

/// Gives a user a new password, which they must change at their next sign-in; their sessions
/// end and their tokens are revoked.
pub fn reset_password(
    conn: &mut Connection,
    catalogue: &Catalogue,
    actor: &Actor,
    user_id: i64,
    password: &str,
) -> AppResult<()> {
    require_manager(actor)?;
    let user = existing(conn, user_id)?;
    require_account(catalogue, actor, &user.actor())?;
    account::check_new_password(&user.username, password)?;
    let hash = hash_password(password)?;
    let tx = db::write(conn)?;
    let user = existing(&tx, user_id)?;
    require_account(catalogue, actor, &user.actor())?;
    db::users::set_password(&tx, actor, &user, &hash)?;
    db::users::require_password_change(&tx, user.id, true)?;
    tokens::revoke_all_in(&tx, actor, &user, "password reset")?;
    tx.commit()?;
    Ok(())
}

/// Changes one's own password: the current one must match; the new one follows the account
/// rules. Every session of the user but `keep_session` (a session token's hash) ends, and every
/// token is revoked.
pub fn change_own_password(
    conn: &mut Connection,
    actor: &Actor,
    current: &str,
    password: &str,
    keep_session: Option<&str>,
) -> AppResult<()> {
    let user_id = actor.user_id.ok_or_else(AppError::forbidden)?;
    let user = existing(conn, user_id)?;
    if !crate::auth::verify_password(current, &user.password_hash) {
        return Err(AppError::invalid(
            "current",
            Text::new("当前密码不正确", "The current password is wrong."),
        ));
    }
    account::check_new_password(&user.username, password)?;
    let hash = hash_password(password)?;
    let tx = db::write(conn)?;
    let user = existing(&tx, user_id)?;
    db::users::set_password(&tx, actor, &user, &hash)?;
    db::users::require_password_change(&tx, user.id, false)?;
    if let Some(hash) = keep_session {
        db::sessions::create(&tx, hash, user.id)?;
    }
    tokens::revoke_all_in(&tx, actor, &user, "password changed")?;
    tx.commit()?;
    Ok(())
}
