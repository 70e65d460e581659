//! The bulletin page: the generated text, ready to copy.

use maud::{Markup, html};

use super::Lang;
use super::components::period_selector;
use super::layout::with_lang;
use crate::domain::bulletin::Bulletin;
use crate::domain::{Period, format};

pub fn bulletin_page(lang: Lang, period: Period, periods: &[Period], bulletin: &Bulletin, here: &str) -> Markup {
    html! {
        div.page-head {
            div {
                p.breadcrumb { a href={ "/?period=" (period) } { (lang.t("总览", "Dashboard")) } " › " }
                h1 { (lang.t("进展通报", "Progress bulletin")) }
                p.subtitle { (format::period(period, lang)) " · " (lang.t("根据已报送、已审核数据自动生成", "generated from submitted and approved figures")) }
            }
            div.page-tools {
                (period_selector("/bulletin", period, periods, lang, &[]))
                div.tool-links {
                    button.button.copy-button type="button" data-copy="bulletin-text" hidden {
                        (lang.t("复制全文", "Copy text"))
                    }
                    a.button.secondary href={ "/bulletin.docx?period=" (period) } {
                        (lang.t("下载 Word 文档（公文格式）", "Download as Word (official layout)"))
                    }
                    @if lang.is_en() {
                        a.button.secondary href=(with_lang(here, Lang::Zh)) lang="zh-CN" { "中文版" }
                    } @else {
                        a.button.secondary href=(with_lang(here, Lang::En)) lang="en" { "English version" }
                    }
                }
            }
        }
        article.bulletin #bulletin-text {
            h2 { (bulletin.title) }
            @if let Some(label) = &bulletin.demo_label {
                p.bulletin-demo { (label) }
            }
            @for paragraph in &bulletin.paragraphs {
                p { (paragraph) }
            }
            @if let Some((header, rows)) = bulletin.table.split_first() {
                div.table-scroll tabindex="0" {
                    table.data.bulletin-table {
                        caption { (bulletin.table_caption) }
                        thead { tr { @for cell in header { th scope="col" { (cell) } } } }
                        tbody {
                            @for row in rows {
                                tr {
                                    @for (i, cell) in row.iter().enumerate() {
                                        @if i == 0 { th scope="row" { (cell) } } @else { td.num { (cell) } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !bulletin.issuer.is_empty() || !bulletin.date.is_empty() {
                p.bulletin-imprint {
                    span.issuer { (bulletin.issuer) }
                    br;
                    span.issued-on { (bulletin.date) }
                }
            }
        }
        p.copy-status role="status" aria-live="polite" {}
    }
}
