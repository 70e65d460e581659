//! The bulletin as a Word document laid out as GB/T 9704-2012 (党政机关公文格式) asks: A4, margins
//! 37 / 35 / 28 / 26 mm, a grid of 22 lines of 28 characters, the title in 2号 小标宋, the body in
//! 3号 仿宋, headings in 黑体 and 楷体 by level, page numbers in 4号 as "— 1 —" (odd pages right,
//! even pages left), the issuing office and date, and the attached table (附件) of every city's
//! figures. The fonts are named on every run, East Asian included, never bundled.
//!
//! WordprocessingML is written directly into a package with the `zip` crate already in the tree
//! (through rust_xlsxwriter and calamine): GB/T 9704 needs the document grid, even-and-odd
//! footers and `w:eastAsia` on every run, which a few lines of XML say exactly, with no new
//! dependency to keep up with.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;

use crate::domain::bulletin::Bulletin;
use crate::domain::progress::ProgressRow;
use crate::domain::{Lang, format};

/// 方正小标宋简体: the title face; Word substitutes a Song face where it is not installed.
pub const TITLE_FONT: &str = "方正小标宋简体";
pub const BODY_FONT: &str = "仿宋_GB2312";
pub const HEADING_1_FONT: &str = "黑体";
pub const HEADING_2_FONT: &str = "楷体_GB2312";
pub const PAGE_NUMBER_FONT: &str = "宋体";

/// Half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt, 五号 10.5 pt.
const TITLE_SIZE: u32 = 44;
const BODY_SIZE: u32 = 32;
const PAGE_NUMBER_SIZE: u32 = 28;
const TABLE_SIZE: u32 = 21;

/// Millimetres in twentieths of a point, rounded.
const fn twips(mm_tenths: u32) -> u32 {
    (mm_tenths * 1440 + 127) / 254
}

pub const PAGE_WIDTH: u32 = 11906;
pub const PAGE_HEIGHT: u32 = 16838;
pub const MARGIN_TOP: u32 = twips(370);
pub const MARGIN_BOTTOM: u32 = twips(350);
pub const MARGIN_LEFT: u32 = twips(280);
pub const MARGIN_RIGHT: u32 = twips(260);
/// 225 mm of text height over 22 lines, rounded down so the 22nd line fits.
pub const LINE_PITCH: u32 = twips(2250) / 22;
/// 156 mm over 28 characters, as the difference from the 16 pt body size in 1/4096 pt.
pub const CHAR_SPACE: i64 = ((156.0 / 25.4 * 72.0 / 28.0 - 16.0) * 4096.0) as i64;

/// What goes under the text: who issues it and when.
#[derive(Clone, Debug)]
pub struct Signature {
    /// 广东省住房和城乡建设厅
    pub office: String,
    /// 2020年4月27日
    pub date: String,
}

/// The bulletin, its signature and the attached table, as a .docx.
pub struct BulletinDocument<'a> {
    pub bulletin: &'a Bulletin,
    pub signature: &'a Signature,
    /// Every region's figures for the attached table, province first.
    pub rows: &'a [ProgressRow<'a>],
    /// `2020年第一季度`
    pub period_label: String,
    /// The figures are demonstration data: said at the top of the text.
    pub demo: bool,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

/// Run properties naming `font` for every script, East Asian included.
fn run_props(font: &str, size: u32, bold: bool) -> String {
    format!(
        "<w:rPr><w:rFonts w:ascii=\"{font}\" w:hAnsi=\"{font}\" w:eastAsia=\"{font}\" w:cs=\"{font}\" w:hint=\"eastAsia\"/>{}<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/></w:rPr>",
        if bold { "<w:b/>" } else { "" }
    )
}

fn run(text: &str, font: &str, size: u32) -> String {
    format!(
        "<w:r>{}<w:t xml:space=\"preserve\">{}</w:t></w:r>",
        run_props(font, size, false),
        escape(text)
    )
}

#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
    Both,
}

impl Align {
    fn as_str(self) -> &'static str {
        match self {
            Align::Left => "left",
            Align::Center => "center",
            Align::Right => "right",
            Align::Both => "both",
        }
    }
}

/// A paragraph of `runs`; `indent` is extra paragraph properties (indentation).
fn paragraph(align: Align, indent: &str, runs: &str) -> String {
    format!(
        "<w:p><w:pPr><w:snapToGrid w:val=\"1\"/>{indent}<w:jc w:val=\"{}\"/></w:pPr>{runs}</w:p>",
        align.as_str()
    )
}

/// Body text: 3号 仿宋, the first line indented two characters.
fn body(text: &str) -> String {
    paragraph(
        Align::Both,
        "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>",
        &run(text, BODY_FONT, BODY_SIZE),
    )
}

/// The heading level a paragraph's numbering gives it: `一、` is level 1 (黑体), `(一)` level 2
/// (楷体). Only short paragraphs are headings.
fn heading_level(text: &str) -> Option<u8> {
    const NUMERALS: &str = "一二三四五六七八九十";
    if text.chars().count() > 30 {
        return None;
    }
    let numbered = |rest: &str| {
        let digits: String = rest.chars().take_while(|c| NUMERALS.contains(*c)).collect();
        (!digits.is_empty()).then(|| rest[digits.len()..].to_owned())
    };
    if let Some(rest) = numbered(text)
        && rest.starts_with('、')
    {
        return Some(1);
    }
    for open in ['（', '('] {
        if let Some(rest) = text.strip_prefix(open).and_then(numbered)
            && rest.starts_with(['）', ')'])
        {
            return Some(2);
        }
    }
    None
}

fn text_paragraph(text: &str) -> String {
    match heading_level(text) {
        Some(1) => paragraph(
            Align::Left,
            "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>",
            &run(text, HEADING_1_FONT, BODY_SIZE),
        ),
        Some(_) => paragraph(
            Align::Left,
            "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>",
            &run(text, HEADING_2_FONT, BODY_SIZE),
        ),
        None => body(text),
    }
}

fn empty_line() -> String {
    paragraph(Align::Left, "", &run("", BODY_FONT, BODY_SIZE))
}

fn cell(text: &str, width: u32, align: Align, header: bool) -> String {
    format!(
        "<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr><w:p><w:pPr><w:snapToGrid w:val=\"0\"/><w:spacing w:line=\"300\" w:lineRule=\"exact\"/><w:jc w:val=\"{}\"/></w:pPr><w:r>{}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
        align.as_str(),
        run_props(if header { HEADING_1_FONT } else { BODY_FONT }, TABLE_SIZE, false),
        escape(text)
    )
}

/// The attached table: every region's figure, target, rate and status per indicator, its
/// header row repeated on each page.
fn attachment_table(rows: &[ProgressRow<'_>]) -> String {
    const WIDTHS: [u32; 6] = [1300, 2700, 1500, 1400, 1000, 1600];
    let headers = ["地区", "指标", "累计完成", "年度目标", "完成率", "进度状态"];
    let mut xml = String::from(
        "<w:tbl><w:tblPr><w:tblW w:w=\"9500\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblBorders>\
         <w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         <w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
         </w:tblBorders><w:tblLayout w:type=\"fixed\"/></w:tblPr><w:tblGrid>",
    );
    for width in WIDTHS {
        xml.push_str(&format!("<w:gridCol w:w=\"{width}\"/>"));
    }
    xml.push_str("</w:tblGrid><w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
    for (header, width) in headers.iter().zip(WIDTHS) {
        xml.push_str(&cell(header, width, Align::Center, true));
    }
    xml.push_str("</w:tr>");
    for row in rows {
        let amount = |value: Option<i64>| {
            value.map_or_else(
                || format::not_reported(Lang::Zh).to_owned(),
                |v| format::amount(v, row.unit, Lang::Zh),
            )
        };
        let target = row
            .target
            .map_or_else(|| "—".to_owned(), |v| format::amount(v, row.unit, Lang::Zh));
        let cells = [
            (row.region_name.to_owned(), Align::Left),
            (row.indicator_name.to_owned(), Align::Left),
            (amount(row.cumulative), Align::Right),
            (target, Align::Right),
            (format::rate(row.completion_rate), Align::Right),
            (format::status(row.status, Lang::Zh).to_owned(), Align::Center),
        ];
        xml.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for ((text, align), width) in cells.iter().zip(WIDTHS) {
            xml.push_str(&cell(text, width, *align, false));
        }
        xml.push_str("</w:tr>");
    }
    xml.push_str("</w:tbl>");
    xml
}

const NAMESPACES: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
     xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"";

fn document_xml(doc: &BulletinDocument<'_>) -> String {
    let mut body_xml = String::new();
    body_xml.push_str(&paragraph(
        Align::Center,
        "<w:spacing w:after=\"0\"/>",
        &run(&doc.bulletin.title, TITLE_FONT, TITLE_SIZE),
    ));
    body_xml.push_str(&empty_line());
    if doc.demo {
        body_xml.push_str(&paragraph(
            Align::Both,
            "<w:ind w:firstLineChars=\"200\" w:firstLine=\"640\"/>",
            &run(
                "（本通报各市数据为系统演示数据，仅供演示，不作为工作依据。）",
                HEADING_2_FONT,
                BODY_SIZE,
            ),
        ));
    }
    for text in &doc.bulletin.paragraphs {
        for line in text.split('\n').filter(|l| !l.trim().is_empty()) {
            body_xml.push_str(&text_paragraph(line.trim()));
        }
    }
    body_xml.push_str(&empty_line());
    body_xml.push_str(&paragraph(
        Align::Left,
        "<w:ind w:leftChars=\"300\" w:left=\"960\" w:hangingChars=\"300\" w:hanging=\"960\"/>",
        &run("附件：各地区住房保障目标任务完成情况表", BODY_FONT, BODY_SIZE),
    ));
    body_xml.push_str(&empty_line());
    body_xml.push_str(&empty_line());
    let signature_indent = "<w:ind w:rightChars=\"400\" w:right=\"1280\"/>";
    body_xml.push_str(&paragraph(
        Align::Right,
        signature_indent,
        &run(&doc.signature.office, BODY_FONT, BODY_SIZE),
    ));
    body_xml.push_str(&paragraph(
        Align::Right,
        signature_indent,
        &run(&doc.signature.date, BODY_FONT, BODY_SIZE),
    ));
    // The attachment starts on a page of its own.
    body_xml.push_str(&format!(
        "<w:p><w:r>{}<w:br w:type=\"page\"/></w:r></w:p>",
        run_props(BODY_FONT, BODY_SIZE, false)
    ));
    body_xml.push_str(&paragraph(Align::Left, "", &run("附件", HEADING_1_FONT, BODY_SIZE)));
    body_xml.push_str(&empty_line());
    body_xml.push_str(&paragraph(
        Align::Center,
        "",
        &run(
            &format!("各地区住房保障目标任务完成情况表（{}）", doc.period_label),
            TITLE_FONT,
            TITLE_SIZE,
        ),
    ));
    body_xml.push_str(&paragraph(
        Align::Right,
        "",
        &run("单位：套、户、元", BODY_FONT, TABLE_SIZE),
    ));
    body_xml.push_str(&attachment_table(doc.rows));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:document {NAMESPACES}><w:body>{body_xml}\
         <w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/><w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/>\
         <w:pgSz w:w=\"{PAGE_WIDTH}\" w:h=\"{PAGE_HEIGHT}\"/>\
         <w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" w:header=\"851\" w:footer=\"992\" w:gutter=\"0\"/>\
         <w:pgNumType w:fmt=\"decimal\" w:start=\"1\"/>\
         <w:docGrid w:type=\"linesAndChars\" w:linePitch=\"{LINE_PITCH}\" w:charSpace=\"{CHAR_SPACE}\"/>\
         </w:sectPr></w:body></w:document>"
    )
}

/// A footer with "— n —" in 4号 宋体: right-aligned one character in from the edge on odd
/// pages, left-aligned on even ones.
fn footer_xml(align: Align) -> String {
    let props = run_props(PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE, false);
    let indent = match align {
        Align::Right => "<w:ind w:rightChars=\"100\" w:right=\"280\"/>",
        _ => "<w:ind w:leftChars=\"100\" w:left=\"280\"/>",
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:ftr {NAMESPACES}><w:p><w:pPr>{indent}<w:jc w:val=\"{}\"/></w:pPr>\
         <w:r>{props}<w:t xml:space=\"preserve\">— </w:t></w:r>\
         <w:r>{props}<w:fldChar w:fldCharType=\"begin\"/></w:r>\
         <w:r>{props}<w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
         <w:r>{props}<w:fldChar w:fldCharType=\"separate\"/></w:r>\
         <w:r>{props}<w:t>1</w:t></w:r>\
         <w:r>{props}<w:fldChar w:fldCharType=\"end\"/></w:r>\
         <w:r>{props}<w:t xml:space=\"preserve\"> —</w:t></w:r></w:p></w:ftr>",
        align.as_str()
    )
}

fn styles_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:docDefaults><w:rPrDefault>{}</w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:spacing w:before=\"0\" w:after=\"0\"/></w:pPr></w:pPrDefault></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
         </w:styles>",
        run_props(BODY_FONT, BODY_SIZE, false)
    )
}

const SETTINGS_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
     <w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
     <w:evenAndOddHeaders/><w:defaultTabStop w:val=\"640\"/><w:characterSpacingControl w:val=\"compressPunctuation\"/>\
     <w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
     </w:settings>";

const CONTENT_TYPES_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
     <Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
     <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
     <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
     <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
     <Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
     <Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
     <Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
     <Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
     <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
     </Types>";

const ROOT_RELS_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
     <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
     <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
     <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
     </Relationships>";

const DOCUMENT_RELS_XML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
     <Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
     <Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
     <Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
     <Relationship Id=\"rIdFooterOdd\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
     <Relationship Id=\"rIdFooterEven\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/>\
     </Relationships>";

fn core_xml(title: &str, office: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>{}</dc:creator><dc:language>zh-CN</dc:language></cp:coreProperties>",
        escape(title),
        escape(office)
    )
}

/// The .docx package of `doc`.
pub fn bulletin_docx(doc: &BulletinDocument<'_>) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut package = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, String); 8] = [
        ("[Content_Types].xml", CONTENT_TYPES_XML.to_owned()),
        ("_rels/.rels", ROOT_RELS_XML.to_owned()),
        (
            "docProps/core.xml",
            core_xml(&doc.bulletin.title, &doc.signature.office),
        ),
        ("word/document.xml", document_xml(doc)),
        ("word/_rels/document.xml.rels", DOCUMENT_RELS_XML.to_owned()),
        ("word/styles.xml", styles_xml()),
        ("word/settings.xml", SETTINGS_XML.to_owned()),
        ("word/footer1.xml", footer_xml(Align::Right)),
    ];
    for (name, xml) in parts
        .iter()
        .chain([("word/footer2.xml", footer_xml(Align::Left))].iter())
    {
        package.start_file(*name, options)?;
        package.write_all(xml.as_bytes())?;
    }
    Ok(package.finish()?.into_inner())
}

/// Reads `period`'s progress in one snapshot and writes its bulletin as a .docx signed by
/// `imprint` (its demo flag is the database's): the same bulletin text and 落款 as the page
/// and the command line, with the home region and its children in the attached table.
pub fn bulletin_for_period(
    conn: &mut rusqlite::Connection,
    catalogue: &crate::domain::catalogue::Catalogue,
    period: crate::domain::Period,
    imprint: &crate::domain::bulletin::Imprint,
) -> crate::error::AppResult<Vec<u8>> {
    let home = catalogue.home_region().cloned();
    bulletin_for_region(conn, catalogue, home.as_ref(), period, imprint)
}

/// [`bulletin_for_period`] of `root` (the home region when `None` or the home region itself; a
/// city: its units in the table, its own title and 落款).
pub fn bulletin_for_region(
    conn: &mut rusqlite::Connection,
    catalogue: &crate::domain::catalogue::Catalogue,
    root: Option<&crate::domain::catalogue::Region>,
    period: crate::domain::Period,
    imprint: &crate::domain::bulletin::Imprint,
) -> crate::error::AppResult<Vec<u8>> {
    let snapshot = conn.transaction()?;
    let table = crate::db::progress::table(&snapshot, catalogue, period)?;
    let demo = crate::db::meta::is_demo(&snapshot)?;
    snapshot.commit()?;
    let imprint = crate::domain::bulletin::Imprint {
        demo,
        ..imprint.clone()
    };
    let bulletin = match root {
        Some(root) => crate::domain::bulletin::generate_for(&table, catalogue, root, false, &imprint),
        None => crate::domain::bulletin::generate_with(&table, catalogue, false, &imprint),
    };
    let home = root.map(|r| r.code.clone());
    let rows: Vec<ProgressRow<'_>> = table
        .rows(catalogue, home.as_deref(), None)
        .into_iter()
        .filter(|row| {
            Some(row.region_code) == home.as_deref()
                || catalogue.region(row.region_code).and_then(|r| r.parent_code.as_deref()) == home.as_deref()
        })
        .collect();
    let signature = Signature {
        office: bulletin.issuer.clone(),
        date: bulletin.date.clone(),
    };
    let doc = BulletinDocument {
        bulletin: &bulletin,
        signature: &signature,
        rows: &rows,
        period_label: format::period(period, Lang::Zh),
        demo,
    };
    bulletin_docx(&doc).map_err(|e| crate::error::AppError::Internal(e.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_is_a4_with_the_standard_margins_and_grid() {
        assert_eq!(
            (MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT),
            (2098, 1984, 1587, 1474)
        );
        // 225 mm over 22 lines: 28.9 pt a line.
        assert_eq!(LINE_PITCH, 579);
        assert!((-900..=-800).contains(&CHAR_SPACE), "{CHAR_SPACE}");
    }

    #[test]
    fn numbered_short_paragraphs_are_headings() {
        assert_eq!(heading_level("一、总体进展"), Some(1));
        assert_eq!(heading_level("（二）存在问题"), Some(2));
        assert_eq!(heading_level("第一季度全省新开工棚户区改造安置住房7899套"), None);
        assert_eq!(heading_level(&format!("一、{}", "很长".repeat(20))), None);
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a<b&\"c\u{1}"), "a&lt;b&amp;&quot;c");
    }
}
