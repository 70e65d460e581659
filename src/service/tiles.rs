//! The tile map's layout: `tiles.csv` from the data directory when there is one, else the
//! built-in Guangdong layout. A supplied file that is wrong stops the start with every bad line
//! named; the built-in one keeps the squares of the regions the catalogue has.

use std::path::Path;

use anyhow::Context;

use crate::domain::catalogue::Catalogue;
use crate::domain::tiles::{TileError, TileLayout, TileLine};

/// The built-in layout of Guangdong's 21 cities.
pub const BUILTIN: &str = include_str!("../../data/tiles.csv");

/// The columns a tiles file has, in any order.
const COLUMNS: [&str; 3] = ["region_code", "row", "col"];

/// Reads the lines of a tiles file: a header naming the three columns, then one square a line.
pub fn read_lines(text: &str) -> Result<Vec<TileLine>, Vec<TileError>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let refused = |line: u64, message: String| vec![TileError { line, message }];
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| refused(1, format!("无法读取表头(unreadable header): {e}")))?
        .iter()
        .map(|h| h.trim().to_ascii_lowercase())
        .collect();
    let mut at = [0usize; 3];
    for (slot, name) in at.iter_mut().zip(COLUMNS) {
        *slot = header.iter().position(|h| h == name).ok_or_else(|| {
            refused(
                1,
                format!("表头应为 region_code,row,col，缺少 {name}(header must be region_code,row,col)"),
            )
        })?;
    }
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    for record in reader.records() {
        match record {
            Ok(record) => {
                let line = record.position().map_or(0, |p| p.line());
                if record.iter().all(|cell| cell.trim().is_empty()) {
                    continue;
                }
                let cell = |i: usize| record.get(i).unwrap_or("").to_owned();
                lines.push(TileLine {
                    line,
                    region_code: cell(at[0]),
                    row: cell(at[1]),
                    col: cell(at[2]),
                });
            }
            Err(e) => errors.push(TileError {
                line: e.position().map_or(0, |p| p.line()),
                message: format!("无法读取(unreadable line): {e}"),
            }),
        }
    }
    if errors.is_empty() { Ok(lines) } else { Err(errors) }
}

/// Reads and checks a supplied tiles file against the catalogue.
pub fn parse(text: &str, catalogue: &Catalogue) -> Result<TileLayout, Vec<TileError>> {
    TileLayout::check(&read_lines(text)?, catalogue)
}

/// The built-in layout, keeping the squares of the regions `catalogue` has.
pub fn builtin(catalogue: &Catalogue) -> TileLayout {
    let lines: Vec<TileLine> = read_lines(BUILTIN)
        .unwrap_or_default()
        .into_iter()
        .filter(|line| catalogue.region(line.region_code.trim()).is_some())
        .collect();
    TileLayout::check(&lines, catalogue).unwrap_or_default()
}

/// `data_dir/tiles.csv` when it exists, checked; else the built-in layout.
pub fn load(data_dir: &Path, catalogue: &Catalogue) -> anyhow::Result<TileLayout> {
    let path = data_dir.join("tiles.csv");
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(builtin(catalogue)),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow::anyhow!("{}：应为 UTF-8 编码(tiles.csv must be UTF-8)", path.display()))?;
    parse(&text, catalogue).map_err(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        anyhow::anyhow!("{} 有误(bad tile layout)：\n{}", path.display(), lines.join("\n"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_the_three_columns_is_refused_on_line_one() {
        let errors = read_lines("code,row\n440100,0\n").unwrap_err();
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].message.contains("col"), "{}", errors[0]);
    }

    #[test]
    fn columns_may_come_in_any_order_and_blank_lines_are_skipped() {
        let lines = read_lines("\u{feff}col,row,region_code\n3,0,440200\n\n4,1,441600\n").unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (
                lines[1].region_code.as_str(),
                lines[1].row.as_str(),
                lines[1].col.as_str()
            ),
            ("441600", "1", "4")
        );
        assert!(lines[1].line > lines[0].line);
    }
}
