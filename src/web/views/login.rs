//! The sign-in page.

use maud::{Markup, html};

use super::Lang;
use super::layout::{Page, layout, product_name};

pub fn login(lang: Lang, demo: bool, username: &str, error: Option<&str>, next: &str) -> Markup {
    let page = Page {
        title: lang.t("登录", "Sign in").into(),
        lang,
        user: None,
        demo,
        here: "/login",
        region_name: None,
        returned: 0,
    };
    layout(
        &page,
        html! {
            section.login-card {
                h1 { (product_name(lang)) }
                p.lead { (lang.t("广东省住房和城乡建设厅 · 住房保障工作季度进度", "Department of Housing and Urban-Rural Development of Guangdong Province · quarterly housing-security progress")) }
                @if let Some(error) = error {
                    p.form-error role="alert" { (error) }
                }
                form method="post" action="/login" {
                    input type="hidden" name="next" value=(next);
                    label for="username" { (lang.t("用户名", "Username")) }
                    input #username name="username" type="text" autocomplete="username" required value=(username) autofocus[error.is_none()];
                    label for="password" { (lang.t("密码", "Password")) }
                    input #password name="password" type="password" autocomplete="current-password" required;
                    button.primary type="submit" { (lang.t("登录", "Sign in")) }
                }
                @if demo {
                    p.hint {
                        (lang.t(
                            "演示账户：admin（省厅管理员）、gz_officer（广州市填报员）、leader（厅领导）、analyst（分析员）、wj_officer（武江区填报员）、sg_admin（韶关市管理员）、sg_leader（韶关市领导），密码见启动时的输出或 ANJU_DEMO_PASSWORD。",
                            "Demo accounts: admin, gz_officer (Guangzhou officer), leader, analyst, wj_officer (Wujiang District officer), sg_admin (Shaoguan admin), sg_leader (Shaoguan leader); the password is printed at start or set by ANJU_DEMO_PASSWORD."
                        ))
                    }
                }
            }
        },
    )
}
