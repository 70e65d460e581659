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
}
