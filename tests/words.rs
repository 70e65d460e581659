//! Words as an official reads them: every page of an officer's and the province's walk-through,
//! refusals included, reads in one language — no English glosses on Chinese pages, no Chinese on
//! English ones — with full-width punctuation in Chinese prose, and the audit log names roles and
//! regions instead of their codes.

mod common;

use common::{TestApp, User};

/// The text a person reads: no scripts, styles, tags or `<code>` (codes are shown as codes).
fn visible_text(html: &str) -> String {
    let mut text = html.to_owned();
    for element in ["script", "style", "code", "textarea"] {
        while let Some(start) = text.find(&format!("<{element}")) {
            let close = format!("</{element}>");
            let end = text[start..]
                .find(&close)
                .map_or(text.len(), |e| start + e + close.len());
            text.replace_range(start..end, " ");
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&").replace("&quot;", "\"").replace("&#39;", "'")
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c)
}

/// Words that stay in Latin letters on a Chinese page: names of formats, products and the tool.
const LATIN_ON_CHINESE_PAGES: [&str; 23] = [
    "anju",
    "English",
    "Excel",
    "CSV",
    "csv",
    "XLSX",
    "xlsx",
    "JSON",
    "API",
    "UTF",
    "GBK",
    "BOM",
    "WPS",
    "Word",
    "PDF",
    "PNG",
    "SVG",
    "LibreOffice",
    "pandas",
    "Unicode",
    "Microsoft",
    "Windows",
    "Calc",
];

/// Links to the other language name it in that language.
const LINKS_TO_ENGLISH: [&str; 1] = ["English version"];

/// What reads wrong on a Chinese page: ASCII brackets and punctuation against Chinese text, and
/// English words (two in a row, or one not on the list above that is not a username).
fn chinese_page_problems(text: &str, usernames: &[&str]) -> Vec<String> {
    let mut text = text.to_owned();
    for link in LINKS_TO_ENGLISH {
        text = text.replace(link, " ");
    }
    let chars: Vec<char> = text.chars().collect();
    let mut problems = Vec::new();
    for (i, &c) in chars.iter().enumerate() {
        if matches!(c, '(' | ')' | ',' | ';' | ':') {
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(i + 1).copied();
            if before.is_some_and(is_cjk) || after.is_some_and(is_cjk) {
                let from = i.saturating_sub(12);
                let to = (i + 12).min(chars.len());
                problems.push(format!(
                    "ASCII “{c}” in “{}”",
                    chars[from..to].iter().collect::<String>()
                ));
            }
        }
    }
    let mut word = String::new();
    for c in text.chars().chain([' ']) {
        if c.is_ascii_alphabetic() || (c == '_' && !word.is_empty()) {
            word.push(c);
            continue;
        }
        let allowed = usernames.contains(&word.as_str()) || LATIN_ON_CHINESE_PAGES.contains(&word.as_str());
        if word.len() >= 3 && !allowed {
            problems.push(format!("English word “{word}”"));
        }
        word.clear();
    }
    problems.sort();
    problems.dedup();
    problems
}

/// What reads wrong on an English page: Chinese characters outside names and what people wrote.
fn english_page_problems(text: &str, names: &[String]) -> Vec<String> {
    let mut cleaned = text.to_owned();
    for name in names {
        cleaned = cleaned.replace(name.as_str(), " ");
    }
    let mut problems: Vec<String> = cleaned
        .split(|c: char| !is_cjk(c) || ('\u{3000}'..='\u{303f}').contains(&c))
        .filter(|run| !run.is_empty())
        .map(|run| format!("Chinese “{run}”"))
        .collect();
    problems.sort();
    problems.dedup();
    problems
}

async fn version(user: &User, region: &str, period: &str) -> String {
    let body = user.get(&format!("/api/v1/reports/{region}/{period}")).await.json();
    body["version"].as_i64().map(|v| v.to_string()).unwrap_or_default()
}

/// The pages of a walk-through, refusals included, in `lang`: (what, page).
async fn walk(app: &TestApp, lang: &str) -> Vec<(String, String)> {
    let officer = app.user("gz_officer").await;
    let admin = app.user("admin").await;
    let anonymous = app.nobody();
    let q = |path: &str| {
        let join = if path.contains('?') { '&' } else { '?' };
        format!("{path}{join}lang={lang}")
    };
    let mut pages = Vec::new();
    pages.push(("login".to_owned(), anonymous.get(&q("/login")).await.text));
    for path in [
        "/",
        "/reports",
        "/reports/440100/2022Q1",
        "/regions/440100",
        "/indicators/shantytown_starts",
        "/audit",
        "/account",
        "/import",
        "/reports?period=2022年第五季度",
        "/regions/449999",
    ] {
        pages.push((format!("officer {path}"), officer.get(&q(path)).await.text));
    }
    // Refused saves: each kind of bad figure, a note too long, a stale version.
    let version_now = version(&officer, "440100", "2022Q1").await;
    for (what, key, value, note, version) in [
        (
            "a negative figure",
            "value.shantytown_starts",
            "-1",
            "",
            version_now.as_str(),
        ),
        (
            "not a number",
            "value.shantytown_starts",
            "一千",
            "",
            version_now.as_str(),
        ),
        (
            "too large",
            "value.shantytown_starts",
            "99999999999999",
            "",
            version_now.as_str(),
        ),
        (
            "a long note",
            "value.shantytown_starts",
            "5",
            &"字".repeat(501),
            version_now.as_str(),
        ),
        ("a stale version", "value.shantytown_starts", "5", "", "999"),
    ] {
        let mut form = vec![("action", "save"), (key, value), ("version", version)];
        if !note.is_empty() {
            form.push(("note.shantytown_starts", note));
        }
        let page = officer.post_form(&q("/reports/440100/2022Q1"), &form).await;
        assert!(page.status >= 400, "{what}: {}", page.status);
        pages.push((format!("officer refused: {what}"), page.text));
    }
    // Behind the benchmark without a note: the submit is refused with its reason.
    let version_now = version(&officer, "440100", "2022Q1").await;
    let refused = officer
        .post_form(
            &q("/reports/440100/2022Q1"),
            &[
                ("action", "submit"),
                ("version", version_now.as_str()),
                ("value.shantytown_starts", "1"),
            ],
        )
        .await;
    pages.push(("officer refused: no note".to_owned(), refused.text));
    for path in [
        "/admin/approvals",
        "/admin/approvals?period=2021Q4",
        "/admin/targets?year=2021",
        "/admin/users",
        "/audit",
        "/bulletin?period=2021Q4",
        "/completeness?period=2021Q4",
        "/completeness?period=2021Q4&region=440200",
    ] {
        pages.push((format!("admin {path}"), admin.get(&q(path)).await.text));
    }
    // A city's leader and admin: the city's dashboard, bulletin, indicator and completeness
    // pages, the approvals with the send-up form, and the refusal of another city.
    let city_leader = app.user("sg_leader").await;
    for path in [
        "/?period=2021Q4",
        "/bulletin?period=2021Q4",
        "/briefing?period=2021Q4",
        "/indicators/shantytown_starts?period=2021Q4",
        "/completeness?period=2021Q4",
        "/regions/440203",
        "/regions/440100",
        "/export",
    ] {
        pages.push((format!("city leader {path}"), city_leader.get(&q(path)).await.text));
    }
    let city_admin = app.user("sg_admin").await;
    for path in ["/admin/approvals", "/admin/approvals?period=2022Q1", "/completeness"] {
        pages.push((format!("city admin {path}"), city_admin.get(&q(path)).await.text));
    }
    let reopen = admin
        .post_form(
            &q("/admin/reports/440100/2021Q4/reopen"),
            &[
                ("comment", ""),
                ("version", version(&admin, "440100", "2021Q4").await.as_str()),
            ],
        )
        .await;
    pages.push(("admin refused: reopen without a reason".to_owned(), reopen.text));
    let targets = admin
        .post_form(
            &q("/admin/targets"),
            &[("year", "2021"), ("t.440100.shantytown_starts", "-3")],
        )
        .await;
    pages.push(("admin refused: a negative target".to_owned(), targets.text));
    let user = admin
        .post_form(
            &q("/admin/users"),
            &[
                ("username", "x"),
                ("role", "officer"),
                ("region", ""),
                ("password", "short"),
            ],
        )
        .await;
    pages.push(("admin refused: a bad new user".to_owned(), user.text));
    // 韶关市's admin: its units' targets (a breakdown flagged) and officers, and its refusals.
    let city = app.user("sg_admin").await;
    let saved = city
        .post_form(
            &q("/admin/targets"),
            &[("year", "2021"), ("t.440203.shantytown_starts", "60")],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.text);
    for path in [
        "/admin/targets?year=2021",
        "/admin/targets?year=2022&from=2021",
        "/admin/users",
        "/import?kind=targets",
        "/regions/440200?year=2021",
    ] {
        pages.push((format!("city admin {path}"), city.get(&q(path)).await.text));
    }
    let refused = city
        .post_form(
            &q("/admin/targets"),
            &[("year", "2021"), ("t.440802.shantytown_starts", "5")],
        )
        .await;
    assert_eq!(refused.status, 403);
    pages.push(("city admin refused: another city's target".to_owned(), refused.text));
    for (what, role, region, status) in [
        ("an officer of the city itself", "officer", "440200", 422),
        ("an admin", "admin", "440200", 403),
        ("another city's officer", "officer", "440802", 403),
    ] {
        let refused = city
            .post_form(
                &q("/admin/users"),
                &[
                    ("username", "sg_new"),
                    ("role", role),
                    ("region", region),
                    ("password", "a-long-new-password-1"),
                ],
            )
            .await;
        assert_eq!(refused.status, status, "{what}: {}", refused.text);
        pages.push((format!("city admin refused: {what}"), refused.text));
    }
    let file = "region_code,year,indicator,target\n440802,2021,shantytown_starts,5\n";
    let refused = city
        .post_multipart(
            &q("/import"),
            &[("kind", None, b"targets"), ("file", Some("t.csv"), file.as_bytes())],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    pages.push((
        "city admin refused: an import naming another city".to_owned(),
        refused.text,
    ));
    let refused = admin
        .post_form(
            &q("/admin/users"),
            &[
                ("username", "bad_admin"),
                ("role", "admin"),
                ("region", "440203"),
                ("password", "a-long-new-password-1"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    pages.push(("admin refused: an admin bound to a county".to_owned(), refused.text));
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chinese_pages_read_in_chinese_with_full_width_punctuation() {
    let app = TestApp::demo().await;
    let usernames = [
        "admin",
        "gz_officer",
        "leader",
        "analyst",
        "wj_officer",
        "sg_admin",
        "sg_leader",
        "ANJU_DEMO_PASSWORD",
    ];
    let mut found = Vec::new();
    for (what, page) in walk(&app, "zh").await {
        for problem in chinese_page_problems(&visible_text(&page), &usernames) {
            found.push(format!("{what}: {problem}"));
        }
    }
    assert!(found.is_empty(), "{} problems:\n{}", found.len(), found.join("\n"));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn english_pages_read_in_english() {
    let app = TestApp::demo().await;
    let catalogue = app.state.catalogue();
    // Chinese stays where it is a name (the language switch, the Chinese form of names) or what
    // a person wrote: notes, comments, and what they typed, echoed in a refusal.
    let mut names: Vec<String> = vec!["中文".into(), "2022年第五季度".into(), "一千".into()];
    names.extend(catalogue.regions().iter().map(|r| r.name_zh.clone()));
    names.extend(catalogue.indicators().iter().map(|i| i.name_zh.clone()));
    let conn = app.conn();
    let mut written = conn
        .prepare(
            "SELECT note FROM report_values WHERE note <> ''
             UNION SELECT admin_comment FROM reports WHERE admin_comment IS NOT NULL
             UNION SELECT detail FROM audit_log WHERE detail IS NOT NULL
             UNION SELECT old_value FROM audit_log WHERE action = 'note' AND old_value IS NOT NULL
             UNION SELECT new_value FROM audit_log WHERE action = 'note' AND new_value IS NOT NULL",
        )
        .expect("query");
    let written: Vec<String> = written
        .query_map([], |row| row.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("notes");
    // Longest first, so a note is taken out whole before a name inside it.
    names.extend(written);
    names.sort_by_key(|n| std::cmp::Reverse(n.chars().count()));
    let mut found = Vec::new();
    for (what, page) in walk(&app, "en").await {
        if what.contains("bulletin") {
            continue; // The bulletin page shows the Chinese text beside the English.
        }
        for problem in english_page_problems(&visible_text(&page), &names) {
            found.push(format!("{what}: {problem}"));
        }
    }
    assert!(found.is_empty(), "{} problems:\n{}", found.len(), found.join("\n"));
    app.stop().await;
}

#[test]
fn the_scanners_catch_what_they_look_for() {
    let none: [&str; 0] = [];
    assert_eq!(
        chinese_page_problems("数值不能为负数(must not be negative)", &none).len(),
        4,
        "a bracket against Chinese and three English words"
    );
    assert!(chinese_page_problems("完成率 72.3%，达到序时进度（2021年第四季度）", &none).is_empty());
    assert!(!chinese_page_problems("报告状态:草稿", &none).is_empty());
    assert!(chinese_page_problems("下载 Excel（.xlsx）", &none).is_empty());
    assert!(!chinese_page_problems("stale version", &none).is_empty());
    assert!(chinese_page_problems("gz_officer · 广州市", &["gz_officer"]).is_empty());
    assert!(english_page_problems("Guangzhou 广州市 on track", &["广州市".to_owned()]).is_empty());
    assert!(!english_page_problems("Target 年度目标尚未下达", &[]).is_empty());
    assert_eq!(
        visible_text("<p title=\"a,b\">说明<code>a(b)</code></p>").trim(),
        "说明"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_log_names_roles_and_regions() {
    let app = TestApp::demo().await;
    let admin = app.user("admin").await;
    let created = admin
        .post_form(
            "/admin/users",
            &[
                ("username", "sz_officer"),
                ("role", "officer"),
                ("region", "440300"),
                ("password", "a-long-new-password-1"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.text);
    let id: i64 = app
        .conn()
        .query_row("SELECT id FROM users WHERE username = 'sz_officer'", [], |r| r.get(0))
        .expect("the new user");
    let changed = admin
        .post_form(
            &format!("/admin/users/{id}/role"),
            &[("role", "analyst"), ("region", "")],
        )
        .await;
    assert_eq!(changed.status, 303, "{}", changed.text);
    let page = visible_text(&admin.get("/audit?lang=zh").await.text);
    assert!(page.contains("sz_officer（市级填报员）"), "{page}");
    assert!(page.contains("市级填报员 · 深圳市"), "{page}");
    assert!(page.contains("政策分析员"), "{page}");
    for code in ["officer 440300", "analyst -", "(officer)", "440300"] {
        assert!(!page.contains(code), "a code in the audit log: {code}");
    }
    let english = visible_text(&admin.get("/audit?lang=en").await.text);
    assert!(english.contains("City officer · Shenzhen"), "{english}");
    app.stop().await;
}
