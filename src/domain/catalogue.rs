//! Regions and indicators: the catalogue every figure hangs on.

use std::collections::HashMap;

use serde::Serialize;

use super::Text;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Region {
    /// 6-digit administrative division code (行政区划代码).
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// `country`, `province`, `city` or `county`.
    pub level: String,
    pub parent_code: Option<String>,
}

impl Region {
    pub fn name(&self, english: bool) -> &str {
        if english { &self.name_en } else { &self.name_zh }
    }
}

/// Who reports a city's figures (regions.reported_by).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportedBy {
    /// The city reports one figure of its own; its counties take no part.
    City,
    /// Its county-level units report and the city's figure is their sum. A city may add its
    /// directly managed figures (市本级) as one more unit: [`city_level_code`].
    Units,
}

/// The code of a city's 市本级 unit: the city's four-digit prefix and `01`, the code the
/// statistical scheme once gave 市辖区 and no longer assigns.
pub fn city_level_code(city: &str) -> Option<String> {
    (city.len() == 6 && city.ends_with("00") && !city.ends_with("0000")).then(|| format!("{}01", &city[..4]))
}

/// Whether `code` is `ancestor` or lies under it by the code scheme alone (440203 under 440200,
/// 440200 under 440000): for rules that have no catalogue at hand. Not for the national root.
pub fn code_within(code: &str, ancestor: &str) -> bool {
    let mut prefix = ancestor;
    while prefix.len() > 2 && prefix.ends_with("00") {
        prefix = &prefix[..prefix.len() - 2];
    }
    code.len() == ancestor.len() && code.starts_with(prefix)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Indicator {
    pub key: String,
    pub name_zh: String,
    pub name_en: String,
    /// 套, 户 or 元.
    pub unit: String,
    pub has_target: bool,
    pub sort: i64,
}

impl Indicator {
    pub fn name(&self, english: bool) -> &str {
        if english { &self.name_en } else { &self.name_zh }
    }

    /// Money is kept in 元 and shown in 万元 or 亿元.
    pub fn is_money(&self) -> bool {
        self.unit == "元"
    }
}

/// The region tree and the indicator list, in display order.
#[derive(Clone, Debug, Default)]
pub struct Catalogue {
    /// Depth-first: each region before its children, siblings by code.
    regions: Vec<Region>,
    indicators: Vec<Indicator>,
    index: HashMap<String, usize>,
    /// Positions of each region's children, by the region's position.
    children: Vec<Vec<usize>>,
    /// Position of each region's parent, by the region's position.
    parents: Vec<Option<usize>>,
}

/// A region code the catalogue does not know.
pub fn unknown_region(code: &str) -> Text {
    Text::new(
        format!("未知地区代码“{code}”"),
        format!("Unknown region code “{code}”."),
    )
}

/// An indicator that carries no target was given one.
pub fn takes_no_target(indicator: &Indicator) -> Text {
    Text::new(
        format!("指标“{}”不设目标任务", indicator.name_zh),
        format!("“{}” has no target.", indicator.name_en),
    )
}

/// An indicator key the catalogue does not know.
pub fn unknown_indicator(key: &str) -> Text {
    Text::new(format!("未知指标“{key}”"), format!("Unknown indicator “{key}”."))
}

impl Catalogue {
    pub fn new(mut regions: Vec<Region>, mut indicators: Vec<Indicator>) -> Self {
        regions.sort_by(|a, b| a.code.cmp(&b.code));
        indicators.sort_by(|a, b| a.sort.cmp(&b.sort).then_with(|| a.key.cmp(&b.key)));
        let mut children: HashMap<String, Vec<usize>> = HashMap::new();
        let mut roots = Vec::new();
        let known: HashMap<&str, usize> = regions.iter().enumerate().map(|(i, r)| (r.code.as_str(), i)).collect();
        for (i, region) in regions.iter().enumerate() {
            match region.parent_code.as_deref().filter(|p| known.contains_key(p)) {
                Some(parent) => children.entry(parent.to_owned()).or_default().push(i),
                None => roots.push(i),
            }
        }
        let mut ordered = Vec::with_capacity(regions.len());
        let mut stack: Vec<usize> = roots.into_iter().rev().collect();
        while let Some(i) = stack.pop() {
            ordered.push(i);
            if let Some(kids) = children.get(&regions[i].code) {
                stack.extend(kids.iter().rev());
            }
        }
        let regions: Vec<Region> = ordered.into_iter().map(|i| regions[i].clone()).collect();
        let index: HashMap<String, usize> = regions.iter().enumerate().map(|(i, r)| (r.code.clone(), i)).collect();
        let mut children = vec![Vec::new(); regions.len()];
        let mut parents = vec![None; regions.len()];
        for (i, region) in regions.iter().enumerate() {
            if let Some(&parent) = region.parent_code.as_deref().and_then(|p| index.get(p)) {
                children[parent].push(i);
                parents[i] = Some(parent);
            }
        }
        Self {
            regions,
            indicators,
            index,
            children,
            parents,
        }
    }

    /// Every region, each before its children.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    pub fn region(&self, code: &str) -> Option<&Region> {
        self.index.get(code).map(|&i| &self.regions[i])
    }

    pub fn indicator(&self, key: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.key == key)
    }

    /// An indicator as a person names it: its key in any case, or its Chinese or English name.
    pub fn indicator_named(&self, text: &str) -> Option<&Indicator> {
        let text = text.trim();
        self.indicator(text).or_else(|| {
            self.indicators
                .iter()
                .find(|i| i.key.eq_ignore_ascii_case(text) || i.name_zh == text || i.name_en.eq_ignore_ascii_case(text))
        })
    }

    /// A region's place in [`Catalogue::regions`].
    pub fn position(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }

    pub fn children(&self, code: &str) -> impl Iterator<Item = &Region> {
        self.position(code)
            .into_iter()
            .flat_map(|i| self.children[i].iter())
            .map(|&i| &self.regions[i])
    }

    /// Positions of the children of the region at `position`.
    pub fn child_positions(&self, position: usize) -> &[usize] {
        &self.children[position]
    }

    /// Position of the parent of the region at `position`; `None` for a root.
    pub fn parent_position(&self, position: usize) -> Option<usize> {
        self.parents[position]
    }

    pub fn has_children(&self, code: &str) -> bool {
        self.position(code).is_some_and(|i| !self.children[i].is_empty())
    }

    /// The regions without a parent: the province (or provinces, nationally).
    pub fn roots(&self) -> impl Iterator<Item = &Region> {
        // By the parent positions found once, not a look-up per region: this runs several
        // times per page render, and 3,224 look-ups were 2% of a national page's making.
        self.regions
            .iter()
            .zip(&self.parents)
            .filter(|(_, parent)| parent.is_none())
            .map(|(region, _)| region)
    }

    /// The region the dashboard opens on: the single root, if there is exactly one.
    pub fn home_region(&self) -> Option<&Region> {
        let mut roots = self.roots();
        let first = roots.next()?;
        roots.next().is_none().then_some(first)
    }

    /// Positions of the regions a leadership page lists: the home region and its children (the
    /// province and its cities; nationally, the country and its provinces), or every root when
    /// there is no single home.
    pub fn overview_positions(&self) -> Vec<usize> {
        match self.home_region() {
            Some(home) => self.listed_positions(&home.code),
            None => self.roots().filter_map(|r| self.position(&r.code)).collect(),
        }
    }

    /// Positions of `code` and its children: what a leadership page of `code` lists (the
    /// province and its cities, a city and its units); empty for an unknown code.
    pub fn listed_positions(&self, code: &str) -> Vec<usize> {
        match self.position(code) {
            Some(at) => std::iter::once(at).chain(self.children[at].iter().copied()).collect(),
            None => Vec::new(),
        }
    }

    /// `code` and everything under it, in display order.
    pub fn subtree(&self, code: &str) -> Vec<&Region> {
        let Some(&start) = self.index.get(code) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            out.push(&self.regions[i]);
            stack.extend(self.children[i].iter().rev());
        }
        out
    }

    /// Whether `code` is `ancestor` or lies under it.
    pub fn is_within(&self, code: &str, ancestor: &str) -> bool {
        let mut current = self.region(code);
        while let Some(region) = current {
            if region.code == ancestor {
                return true;
            }
            current = region.parent_code.as_deref().and_then(|p| self.region(p));
        }
        false
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn region(code: &str, parent: Option<&str>) -> Region {
        Region {
            code: code.into(),
            name_zh: format!("区{code}"),
            name_en: format!("R{code}"),
            level: if parent.is_none() { "province" } else { "city" }.into(),
            parent_code: parent.map(Into::into),
        }
    }

    pub fn indicator(key: &str, has_target: bool, sort: i64) -> Indicator {
        Indicator {
            key: key.into(),
            name_zh: key.into(),
            name_en: key.into(),
            unit: "套".into(),
            has_target,
            sort,
        }
    }

    #[test]
    fn orders_each_region_before_its_children() {
        let catalogue = Catalogue::new(
            vec![
                region("440300", Some("440000")),
                region("440103", Some("440100")),
                region("440000", None),
                region("440100", Some("440000")),
            ],
            vec![],
        );
        let codes: Vec<&str> = catalogue.regions().iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["440000", "440100", "440103", "440300"]);
        assert_eq!(catalogue.home_region().unwrap().code, "440000");
        let subtree: Vec<&str> = catalogue.subtree("440100").iter().map(|r| r.code.as_str()).collect();
        assert_eq!(subtree, ["440100", "440103"]);
        assert!(catalogue.is_within("440103", "440000"));
        let listed: Vec<&str> = catalogue
            .overview_positions()
            .into_iter()
            .map(|p| catalogue.regions()[p].code.as_str())
            .collect();
        assert_eq!(listed, ["440000", "440100", "440300"]);
        assert!(!catalogue.is_within("440300", "440100"));
    }
}
