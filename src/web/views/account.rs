//! The account page: one's own password and API tokens (an admin sees everyone's tokens).

use maud::{Markup, html};

use super::Lang;
use super::region::beijing_time;
use crate::db::tokens::Token;
use crate::db::users::User;

/// What the account page shows.
pub struct AccountPage<'a> {
    pub lang: Lang,
    pub me: &'a User,
    /// Every token this user may see: their own, or everyone's for an admin.
    pub tokens: &'a [Token],
    /// The secret of a token created by this very request: shown once, never again.
    pub created: Option<&'a str>,
    pub errors: &'a [String],
    pub notice: Option<&'a str>,
    /// The user must choose a new password before anything else (an admin set theirs).
    pub must_change_password: bool,
}

fn token_state(token: &Token, lang: Lang) -> Markup {
    html! {
        @if token.revoked {
            span.badge.report-returned { (lang.t("已撤销", "Revoked")) }
        } @else if token.expired {
            span.badge.report-draft { (lang.t("已过期", "Expired")) }
        } @else {
            span.badge.report-approved { (lang.t("有效", "Live")) }
        }
    }
}

pub fn account(page: &AccountPage<'_>) -> Markup {
    let lang = page.lang;
    let everyone = page.tokens.iter().any(|t| t.user_id != page.me.id);
    html! {
        h1 { (lang.t("我的账户", "My account")) " · " (page.me.username) }
        @if let Some(notice) = page.notice { p.notice role="status" { (notice) } }
        @for error in page.errors { p.form-error role="alert" { (error) } }
        @if page.must_change_password {
            p.form-error role="alert" {
                (lang.t(
                    "管理员为您设置了密码，请先设置一个只有您知道的新密码。",
                    "An administrator set your password: choose a new one only you know before going on."
                ))
            }
        }
        section.password {
            h2 { (lang.t("修改密码", "Change password")) }
            p.hint { (lang.t(
                "修改后，您在其他地方的登录和全部 API 令牌立即失效。",
                "Your other sessions and all your API tokens stop working at once."
            )) }
            form.new-user method="post" action="/account/password" {
                label for="current-password" { (lang.t("当前密码", "Current password")) }
                input #current-password name="current" type="password" required autocomplete="current-password";
                label for="new-password" { (lang.t("新密码（至少 10 位）", "New password (10+ characters)")) }
                input #new-password name="password" type="password" required minlength="10" autocomplete="new-password";
                label for="repeat-password" { (lang.t("再次输入新密码", "New password again")) }
                input #repeat-password name="repeat" type="password" required minlength="10" autocomplete="new-password";
                div.form-actions { button.primary type="submit" { (lang.t("修改密码", "Change password")) } }
            }
        }
        @if !page.must_change_password {
            section.tokens {
                h2 { (lang.t("API 令牌", "API tokens")) }
                @if let Some(secret) = page.created {
                    div.notice role="status" {
                        p { (lang.t(
                            "新令牌如下，只显示这一次，请立即妥善保存：",
                            "Your new token, shown only this once; store it safely now:"
                        )) }
                        p { code.token { (secret) } }
                    }
                }
                @if page.tokens.is_empty() {
                    p.muted { (lang.t("暂无令牌。", "No tokens.")) }
                } @else {
                    div.table-scroll {
                        table.data {
                            thead { tr {
                                @if everyone { th scope="col" { (lang.t("用户", "User")) } }
                                th scope="col" { (lang.t("名称", "Name")) }
                                th scope="col" { (lang.t("创建时间", "Created")) }
                                th scope="col" { (lang.t("最近使用", "Last used")) }
                                th scope="col" { (lang.t("有效期至", "Expires")) }
                                th scope="col" { (lang.t("状态", "State")) }
                                th scope="col" { (lang.t("操作", "Action")) }
                            } }
                            tbody {
                                @for token in page.tokens {
                                    tr {
                                        @if everyone { td { (token.username) } }
                                        td { (token.name) }
                                        td { (beijing_time(&token.created_at)) }
                                        td { (token.last_used_at.as_deref().map(beijing_time).unwrap_or_else(|| lang.t("从未", "never").to_owned())) }
                                        td { (token.expires_at.as_deref().map(beijing_time).unwrap_or_else(|| lang.t("长期", "no expiry").to_owned())) }
                                        td { (token_state(token, lang)) }
                                        td {
                                            @if !token.revoked {
                                                form.inline method="post" action={ "/account/tokens/" (token.id) "/revoke" } {
                                                    button type="submit" { (lang.t("撤销", "Revoke")) }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                h3 { (lang.t("新建令牌", "New token")) }
                form.new-user method="post" action="/account/tokens" {
                    label for="token-name" { (lang.t("名称（用途）", "Name (what it is for)")) }
                    input #token-name name="name" type="text" required maxlength="64" autocomplete="off";
                    label for="token-days" { (lang.t("有效天数（留空为长期）", "Days valid (blank: no expiry)")) }
                    input #token-days name="expires_in_days" type="number" min="1" max="3650" inputmode="numeric";
                    div.form-actions { button.primary type="submit" { (lang.t("创建令牌", "Create token")) } }
                }
            }
        }
    }
}
