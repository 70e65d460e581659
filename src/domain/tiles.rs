//! The tile map's layout (`data/tiles.csv`: region_code,row,col): where each region's square
//! sits, checked against the catalogue so another province can supply its own.

use super::catalogue::Catalogue;

/// One region's square: its row and column on the grid, counted from 0 at the top left.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TilePosition {
    pub region_code: String,
    pub row: u32,
    pub col: u32,
}

/// The checked tile positions, in file order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TileLayout {
    positions: Vec<TilePosition>,
}

/// One line of a tiles file as read: its line number and its three cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TileLine {
    pub line: u64,
    pub region_code: String,
    pub row: String,
    pub col: String,
}

/// A bad line of a tiles file, with its line number.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("tiles.csv 第 {line} 行：{message}")]
pub struct TileError {
    pub line: u64,
    pub message: String,
}

/// A row or column: a whole number from 0 to 99.
fn grid_number(text: &str, name: &str) -> Result<u32, String> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|&n| n < 100)
        .ok_or_else(|| format!("{name}“{text}”应为 0 到 99 的整数({name} must be a whole number from 0 to 99)"))
}

impl TileLayout {
    /// Checks every line: a region the catalogue knows, once; a row and a column that are
    /// whole numbers; no two regions on one square. Every bad line is reported.
    pub fn check(lines: &[TileLine], catalogue: &Catalogue) -> Result<Self, Vec<TileError>> {
        let mut positions: Vec<TilePosition> = Vec::with_capacity(lines.len());
        let mut errors = Vec::new();
        for line in lines {
            let code = line.region_code.trim();
            let mut problems = Vec::new();
            if catalogue.region(code).is_none() {
                problems.push(format!("未知地区代码“{code}”(unknown region)"));
            } else if let Some(other) = positions.iter().find(|p| p.region_code == code) {
                problems.push(format!(
                    "{code} 已在第 {} 行第 {} 列(region listed twice)",
                    other.row, other.col
                ));
            }
            let row = grid_number(&line.row, "row").map_err(|e| problems.push(e)).ok();
            let col = grid_number(&line.col, "col").map_err(|e| problems.push(e)).ok();
            if let (Some(row), Some(col)) = (row, col)
                && let Some(other) = positions.iter().find(|p| p.row == row && p.col == col)
            {
                problems.push(format!(
                    "位置（{row}，{col}）已是 {} 的方块(duplicate position)",
                    other.region_code
                ));
            }
            match (problems.is_empty(), row, col) {
                (true, Some(row), Some(col)) => positions.push(TilePosition {
                    region_code: code.to_owned(),
                    row,
                    col,
                }),
                _ => errors.push(TileError {
                    line: line.line,
                    message: problems.join("；"),
                }),
            }
        }
        if errors.is_empty() {
            Ok(Self { positions })
        } else {
            Err(errors)
        }
    }

    pub fn positions(&self) -> &[TilePosition] {
        &self.positions
    }

    /// The square of `region`, when it has one.
    pub fn position(&self, region: &str) -> Option<&TilePosition> {
        self.positions.iter().find(|p| p.region_code == region)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Region;

    fn catalogue() -> Catalogue {
        let region = |code: &str, parent: Option<&str>| Region {
            code: code.into(),
            name_zh: code.into(),
            name_en: code.into(),
            level: if parent.is_some() { "city" } else { "province" }.into(),
            parent_code: parent.map(Into::into),
        };
        Catalogue::new(
            vec![
                region("440000", None),
                region("440100", Some("440000")),
                region("440200", Some("440000")),
            ],
            Vec::new(),
        )
    }

    fn line(line: u64, code: &str, row: &str, col: &str) -> TileLine {
        TileLine {
            line,
            region_code: code.into(),
            row: row.into(),
            col: col.into(),
        }
    }

    #[test]
    fn a_good_layout_keeps_every_square() {
        let layout = TileLayout::check(
            &[line(2, "440100", "0", "1"), line(3, " 440200", "1 ", "1")],
            &catalogue(),
        )
        .unwrap();
        assert_eq!(layout.positions().len(), 2);
        assert_eq!(layout.position("440200").map(|p| (p.row, p.col)), Some((1, 1)));
    }

    #[test]
    fn an_unknown_region_is_refused_with_its_line() {
        let errors = TileLayout::check(
            &[line(2, "440100", "0", "0"), line(3, "449999", "0", "1")],
            &catalogue(),
        )
        .unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].to_string().contains("未知地区代码“449999”"), "{}", errors[0]);
    }

    #[test]
    fn two_regions_on_one_square_or_one_region_twice_are_refused() {
        let errors = TileLayout::check(
            &[line(2, "440100", "0", "0"), line(3, "440200", "0", "0")],
            &catalogue(),
        )
        .unwrap_err();
        assert_eq!(errors[0].line, 3);
        assert!(errors[0].message.contains("duplicate position"), "{}", errors[0]);
        assert!(errors[0].message.contains("440100"), "names the other region");
        let errors = TileLayout::check(
            &[line(2, "440100", "0", "0"), line(3, "440100", "0", "1")],
            &catalogue(),
        )
        .unwrap_err();
        assert!(errors[0].message.contains("listed twice"), "{}", errors[0]);
    }

    #[test]
    fn a_bad_number_is_refused_and_every_bad_line_reported() {
        let errors = TileLayout::check(
            &[
                line(2, "440100", "x", "0"),
                line(3, "440200", "1", "-1"),
                line(4, "440000", "1", "100"),
            ],
            &catalogue(),
        )
        .unwrap_err();
        let lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4]);
        assert!(errors[0].message.contains("row“x”"), "{}", errors[0]);
        assert!(errors[1].message.contains("col“-1”"), "{}", errors[1]);
        assert!(errors[2].message.contains("0 到 99"), "{}", errors[2]);
    }
}
