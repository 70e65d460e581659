//! The language a page, an export or a bulletin is written in: Chinese first, English on request.

/// Chinese (the default) or English.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `zh` or `en`, as in `?lang=` and the language cookie.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    /// The `lang` attribute of the page.
    pub fn html_code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn is_en(self) -> bool {
        self == Lang::En
    }

    /// English when `english`, else Chinese: for callers that carry a flag.
    pub fn english(english: bool) -> Lang {
        if english { Lang::En } else { Lang::Zh }
    }

    /// Picks the text for this language.
    pub fn t(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// `zh`, `zh-CN` or `en`; anything else is no language.
    pub fn parse(text: &str) -> Option<Lang> {
        match text {
            "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// A message for a person in both languages: a page shows the one of its language; the JSON
/// API's `error`, the log and the command line carry both, the Chinese first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    zh: String,
    en: String,
}

impl Text {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The text in `lang`.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    pub fn zh(&self) -> &str {
        &self.zh
    }

    pub fn en(&self) -> &str {
        &self.en
    }

    /// The same text after a lead-in in each language: a batch says which item was refused.
    pub fn after(self, zh: &str, en: &str) -> Self {
        Self {
            zh: format!("{zh}{}", self.zh),
            en: format!("{en}{}", self.en),
        }
    }
}

/// A text that reads the same in both languages: a code, a name, a number.
impl From<&str> for Text {
    fn from(same: &str) -> Self {
        Text::new(same, same)
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.zh == *other && self.en == *other
    }
}

/// Both languages, “中文 (English)”; one when they are the same.
impl std::fmt::Display for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.zh == self.en {
            f.write_str(&self.zh)
        } else {
            write!(f, "{} ({})", self.zh, self.en)
        }
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_codes_it_writes() {
        for lang in [Lang::Zh, Lang::En] {
            assert_eq!(Lang::parse(lang.code()), Some(lang));
            assert_eq!(Lang::parse(lang.html_code()), Some(lang));
        }
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::parse("EN"), None);
        assert_eq!(Lang::default(), Lang::Zh);
    }

    #[test]
    fn picks_the_text_of_its_language() {
        assert_eq!(Lang::Zh.t("总览", "Dashboard"), "总览");
        assert_eq!(Lang::En.t("总览", "Dashboard"), "Dashboard");
        assert_eq!(Lang::english(true), Lang::En);
        assert!(!Lang::english(false).is_en());
    }

    #[test]
    fn a_text_is_read_in_the_page_language_and_carries_both_elsewhere() {
        let text = Text::new("数值不能为负数", "A figure may not be negative.");
        assert_eq!(text.get(Lang::Zh), "数值不能为负数");
        assert_eq!(text.get(Lang::En), "A figure may not be negative.");
        assert_eq!(text.to_string(), "数值不能为负数 (A figure may not be negative.)");
        assert_eq!(Text::from("440100").to_string(), "440100");
        let batch = text.after("广州市：", "Guangzhou: ");
        assert_eq!(batch.get(Lang::En), "Guangzhou: A figure may not be negative.");
        assert_eq!(batch.zh(), "广州市：数值不能为负数");
    }
}
