//! The frame around every page: header, navigation for the signed-in role, language switch,
//! the demonstration-data banner.

use maud::{DOCTYPE, Markup, html};

use super::Lang;
use crate::db::users::User;
use crate::domain::Role;
use crate::domain::policy::Page as NavPage;

/// What the layout needs to know about the request.
pub struct Page<'a> {
    pub title: String,
    pub lang: Lang,
    pub user: Option<&'a User>,
    /// The database holds demonstration data: say so on every page.
    pub demo: bool,
    /// Path and query of this page, for the language switch.
    pub here: &'a str,
    /// The name of the signed-in user's region, shown in the header instead of its code.
    pub region_name: Option<&'a str>,
    /// An officer's reports returned by the province and not yet resubmitted: a badge on the
    /// reports link.
    pub returned: i64,
}

/// The product name, in the page language.
pub fn product_name(lang: Lang) -> &'static str {
    lang.t("住房保障目标任务跟踪", "Housing Security Target Tracker")
}

/// The navigation's label of `page` for a user of `role`.
fn nav_label(page: NavPage, role: Role, lang: Lang) -> &'static str {
    match page {
        NavPage::Dashboard => lang.t("总览", "Dashboard"),
        NavPage::Bulletin => lang.t("通报", "Bulletin"),
        NavPage::Reports if role == Role::Officer => lang.t("本市填报", "My reports"),
        NavPage::Reports => lang.t("各市填报", "City reports"),
        NavPage::Approvals => lang.t("审核", "Approvals"),
        NavPage::Completeness => lang.t("报送情况", "Reporting"),
        NavPage::Targets => lang.t("目标任务", "Targets"),
        NavPage::Users => lang.t("用户", "Users"),
        NavPage::Audit => lang.t("审计", "Audit"),
        NavPage::Import => lang.t("数据导入", "Import"),
        NavPage::Export => lang.t("数据导出", "Export"),
    }
}

/// `here` with `lang=` set to `lang`, keeping the rest of the query.
pub fn with_lang(here: &str, lang: Lang) -> String {
    let (path, query) = here.split_once('?').unwrap_or((here, ""));
    let mut pairs: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect();
    let wanted = format!("lang={}", lang.code());
    pairs.push(&wanted);
    format!("{path}?{}", pairs.join("&"))
}

/// The `period=` of `here`'s query, if any.
fn period_of(here: &str) -> Option<&str> {
    let query = here.split_once('?')?.1;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("period="))
        .filter(|p| !p.is_empty())
}

/// Where a navigation entry leads: the dashboard and the bulletin keep the period being viewed.
fn nav_href(page: NavPage, here: &str) -> String {
    match (page, period_of(here)) {
        (NavPage::Dashboard | NavPage::Bulletin, Some(period)) => format!("{}?period={period}", page.path()),
        _ => page.path().to_owned(),
    }
}

/// Whether `here` is the page of the navigation entry `path` (or one under it).
fn is_current(here: &str, path: &str) -> bool {
    let here = here.split('?').next().unwrap_or(here);
    if path == "/" {
        here == "/"
    } else {
        here == path || here.starts_with(&format!("{path}/"))
    }
}

pub fn layout(page: &Page<'_>, body: Markup) -> Markup {
    let lang = page.lang;
    html! {
        (DOCTYPE)
        html lang=(lang.html_code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (page.title) " · " (product_name(lang)) }
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/static/app.css";
                link rel="stylesheet" href="/static/forms.css";
                script src="/static/app.js" defer {}
            }
            body {
                header.site-header {
                    a.brand href="/" { (product_name(lang)) }
                    @if let Some(user) = page.user {
                        nav.site-nav aria-label=(lang.t("主导航", "Main navigation")) {
                            // Exactly the pages the access policy lets this user open.
                            @for item in NavPage::ALL.into_iter().filter(|p| user.actor().may_open(*p)) {
                                a href=(nav_href(item, page.here)) aria-current=[is_current(page.here, item.path()).then_some("page")] {
                                    (nav_label(item, user.role, lang))
                                    @if item == NavPage::Reports && page.returned > 0 {
                                        " " span.nav-badge title=(lang.t("被退回待修改的报告", "Reports returned for correction")) { (page.returned) }
                                    }
                                }
                            }
                        }
                    }
                    div.header-tools {
                        @if lang.is_en() {
                            a.lang-switch href=(with_lang(page.here, Lang::Zh)) lang="zh-CN" { "中文" }
                        } @else {
                            a.lang-switch href=(with_lang(page.here, Lang::En)) lang="en" { "English" }
                        }
                        @if let Some(user) = page.user {
                            a.user-name href="/account" title=(crate::domain::format::role(user.role, lang)) {
                                (user.username)
                                @if let Some(region) = page.region_name.or(user.region_code.as_deref()) { " · " (region) }
                            }
                            form.logout method="post" action="/logout" {
                                button type="submit" { (lang.t("退出", "Sign out")) }
                            }
                        }
                    }
                }
                @if page.demo {
                    aside.demo-banner aria-label=(lang.t("演示数据说明", "About the demonstration data")) {
                        p { (crate::domain::bulletin::demo_label(lang.is_en())) }
                    }
                }
                main.content { (body) }
                footer.site-footer {
                    (product_name(lang)) " · anju"
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_links_keep_the_query() {
        assert_eq!(with_lang("/?period=2020Q1", Lang::En), "/?period=2020Q1&lang=en");
        assert_eq!(
            with_lang("/?lang=en&period=2020Q1", Lang::Zh),
            "/?period=2020Q1&lang=zh"
        );
        assert_eq!(with_lang("/login", Lang::En), "/login?lang=en");
    }

    #[test]
    fn the_dashboard_and_bulletin_links_keep_the_period() {
        assert_eq!(
            nav_href(NavPage::Bulletin, "/?period=2020Q1&lang=en"),
            "/bulletin?period=2020Q1"
        );
        assert_eq!(
            nav_href(NavPage::Dashboard, "/bulletin?period=2021Q4"),
            "/?period=2021Q4"
        );
        assert_eq!(nav_href(NavPage::Bulletin, "/"), "/bulletin");
        assert_eq!(nav_href(NavPage::Approvals, "/?period=2020Q1"), "/admin/approvals");
    }
}
