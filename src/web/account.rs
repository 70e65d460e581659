//! `/account`: every signed-in user's own password and API tokens; an admin also sees and
//! revokes everyone's tokens.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::AppState;
use super::auth::{SESSION_COOKIE, cookie};
use super::extract::Query;
use super::forms::FormFields;
use super::pages::{PageContext, PageResult};
use super::views::account::{self as view, AccountPage};
use crate::auth::token_hash;
use crate::domain::{Lang, Text};
use crate::error::{AppError, AppResult};
use crate::service::accounts;
use crate::service::tokens::{self, NewToken};

#[derive(Deserialize, Default)]
pub struct AccountQuery {
    done: Option<String>,
}

/// The account page with `errors`, `notice` and a just-created token's `secret`.
async fn account_page(
    state: &AppState,
    ctx: &PageContext,
    status: axum::http::StatusCode,
    errors: Vec<String>,
    notice: Option<&str>,
    secret: Option<&str>,
) -> AppResult<Response> {
    let actor = ctx.user.actor();
    let listed = state.db.call(move |conn| tokens::list(conn, &actor, None)).await?;
    let body = view::account(&AccountPage {
        lang: ctx.lang,
        me: &ctx.user,
        tokens: &listed,
        created: secret,
        errors: &errors,
        notice,
        must_change_password: ctx.user.must_change_password,
    });
    // The page may hold a secret shown once: the router marks it `no-store`.
    Ok((status, ctx.render(ctx.lang.t("我的账户", "My account"), body)).into_response())
}

fn messages_of(error: &AppError, lang: Lang) -> Vec<String> {
    match error {
        AppError::Invalid(fields) => fields.iter().map(|f| f.message.get(lang).to_owned()).collect(),
        other => vec![other.message().get(lang).to_owned()],
    }
}

pub async fn page(State(state): State<AppState>, ctx: PageContext, Query(query): Query<AccountQuery>) -> PageResult {
    let lang = ctx.lang;
    let notice = match query.done.as_deref() {
        Some("revoked") => Some(lang.t("令牌已撤销。", "Token revoked.")),
        Some("password") => Some(lang.t(
            "密码已修改，其他登录和全部令牌已失效。",
            "Password changed; your other sessions and all your tokens have ended.",
        )),
        _ => None,
    };
    account_page(&state, &ctx, axum::http::StatusCode::OK, Vec::new(), notice, None)
        .await
        .map_err(|e| ctx.error(e))
}

/// `POST /account/tokens` (`name`, optional `expires_in_days`): a new token of one's own, shown
/// on the answer and never again.
pub async fn create_token(
    State(state): State<AppState>,
    ctx: PageContext,
    fields: Result<FormFields, AppError>,
) -> PageResult {
    let result: AppResult<Response> = async {
        if ctx.user.must_change_password {
            return Err(AppError::forbidden());
        }
        let fields = fields?;
        let name = fields.get("name").unwrap_or("").to_owned();
        let days = match fields.get("expires_in_days").map(str::trim).filter(|d| !d.is_empty()) {
            None => None,
            Some(text) => Some(text.parse::<u32>().map_err(|_| {
                AppError::invalid(
                    "expires_in_days",
                    Text::new("有效天数须为整数", "The number of days must be a whole number."),
                )
            })?),
        };
        let (actor, username) = (ctx.user.actor(), ctx.user.username.clone());
        let created = state
            .db
            .call(move |conn| {
                let new = NewToken {
                    name: &name,
                    expires_in_days: days,
                };
                tokens::create(conn, &actor, &username, &new)
            })
            .await;
        match created {
            Ok(created) => {
                let notice = ctx.lang.t("令牌已创建。", "Token created.");
                account_page(
                    &state,
                    &ctx,
                    axum::http::StatusCode::OK,
                    Vec::new(),
                    Some(notice),
                    Some(&created.secret),
                )
                .await
            }
            Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
                account_page(&state, &ctx, error.status(), messages_of(&error, ctx.lang), None, None).await
            }
            Err(error) => Err(error),
        }
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// `POST /account/tokens/{id}/revoke`: one's own token, or anyone's for an admin.
pub async fn revoke_token(State(state): State<AppState>, ctx: PageContext, Path(id): Path<String>) -> PageResult {
    let result: AppResult<Response> = async {
        let id: i64 = id.parse().map_err(|_| tokens::no_such_token())?;
        let actor = ctx.user.actor();
        state.db.call(move |conn| tokens::revoke(conn, &actor, id)).await?;
        Ok(Redirect::to("/account?done=revoked").into_response())
    }
    .await;
    result.map_err(|e| ctx.error(e))
}

/// `POST /account/password` (`current`, `password`, `repeat`): a new password of one's own.
/// This session stays; every other one ends and every token is revoked.
pub async fn change_password(
    State(state): State<AppState>,
    ctx: PageContext,
    headers: HeaderMap,
    fields: Result<FormFields, AppError>,
) -> PageResult {
    let result: AppResult<Response> = async {
        let fields = fields?;
        let current = fields.get("current").unwrap_or("").to_owned();
        let password = fields.get("password").unwrap_or("").to_owned();
        if fields.get("repeat").unwrap_or("") != password {
            let error = AppError::invalid(
                "repeat",
                Text::new("两次输入的新密码不一致", "The two new passwords differ."),
            );
            return account_page(&state, &ctx, error.status(), messages_of(&error, ctx.lang), None, None).await;
        }
        let keep = cookie(&headers, SESSION_COOKIE).map(token_hash);
        let actor = ctx.user.actor();
        let changed = state
            .db
            .call(move |conn| accounts::change_own_password(conn, &actor, &current, &password, keep.as_deref()))
            .await;
        match changed {
            Ok(()) => Ok(Redirect::to("/account?done=password").into_response()),
            Err(error @ AppError::Invalid(_)) => {
                account_page(&state, &ctx, error.status(), messages_of(&error, ctx.lang), None, None).await
            }
            Err(error) => Err(error),
        }
    }
    .await;
    result.map_err(|e| ctx.error(e))
}
