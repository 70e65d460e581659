//! The 催报通知: the reminder a reviewing office sends to the units that have not yet submitted a
//! quarter's report — the province's to its cities, a city bureau's to its counties (县（市、区）).

use chrono::NaiveDate;

use super::format;
use super::{Lang, Period};

/// Who sends the reminder, and to what kind of unit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sender {
    /// The issuing body, from the same source as the bulletin's 落款
    /// ([`super::bulletin::issuer_of`]): the configured department, or the city's bureau.
    pub issuer: String,
    /// A city bureau writing to its counties (你单位), rather than the province to its cities (你市).
    pub city: bool,
    /// The data is demonstration data: the notice says so above its text.
    pub demo: bool,
}

/// One addressee: its name and, for a city that reports through its units, the units it still
/// waits for (the province asks the city to chase them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Addressee<'a> {
    pub name: &'a str,
    pub missing_units: Vec<&'a str>,
}

impl<'a> Addressee<'a> {
    pub fn plain(name: &'a str) -> Self {
        Self {
            name,
            missing_units: Vec::new(),
        }
    }
}

/// The line above a notice written from demonstration data.
pub fn demo_label(lang: Lang) -> &'static str {
    lang.t(
        "演示数据：本通知由演示数据生成，仅供演示。",
        "Demonstration data: this notice was generated from demonstration data.",
    )
}

/// A reminder ready to copy: a title, the units addressed, the request with its deadline, and
/// the sender's 落款.
pub fn notice(
    period: Period,
    from: &Sender,
    to: &[Addressee<'_>],
    due_date: NaiveDate,
    today: NaiveDate,
    days_overdue: i64,
    lang: Lang,
) -> String {
    let label = format::period(period, lang);
    let date = |d: NaiveDate| match lang {
        Lang::Zh => d.format("%Y年%-m月%-d日").to_string(),
        Lang::En => d.format("%-d %B %Y").to_string(),
    };
    let names: Vec<&str> = to.iter().map(|a| a.name).collect();
    let demo = if from.demo {
        format!("{}\n\n", demo_label(lang))
    } else {
        String::new()
    };
    match lang {
        Lang::Zh => {
            let late = if days_overdue > 0 {
                format!("，已逾期 {days_overdue} 天")
            } else {
                String::new()
            };
            let you = if from.city { "你单位" } else { "你市" };
            let chase: String = to
                .iter()
                .filter(|a| !a.missing_units.is_empty())
                .map(|a| {
                    format!(
                        "{}尚有{}未报送，请督促其尽快报送，审核后汇总报省。",
                        a.name,
                        a.missing_units.join("、")
                    )
                })
                .collect();
            format!(
                "关于报送{label}住房保障目标任务完成情况的催报通知\n\n{demo}{}住房城乡建设主管部门：\n\n截至{}，{you}尚未报送{label}住房保障目标任务完成情况（报送截止日期为{}{late}）。请于收到本通知后3个工作日内登录住房保障目标任务跟踪系统，填报并提交本季度累计完成数；明显滞后于序时进度的指标，请一并填写情况说明。{chase}\n\n{}\n{}",
                names.join("、"),
                date(today),
                date(due_date),
                from.issuer,
                date(today)
            )
        }
        Lang::En => {
            let late = if days_overdue > 0 {
                format!(", {days_overdue} days overdue")
            } else {
                String::new()
            };
            let you = if from.city { "your unit has" } else { "your city has" };
            let chase: String = to
                .iter()
                .filter(|a| !a.missing_units.is_empty())
                .map(|a| {
                    format!(
                        " {} still waits for {}: please have them report, review their figures and send the city's report up.",
                        a.name,
                        a.missing_units.join(", ")
                    )
                })
                .collect();
            format!(
                "Reminder: housing-security progress report for {label}\n\n{demo}To the housing departments of {}:\n\nAs of {}, {you} not submitted its report for {label} (due {}{late}). Please sign in to the Housing Security Target Tracker within three working days, enter and submit the year-to-date figures, and explain any indicator clearly behind the time benchmark.{chase}\n\n{}\n{}",
                names.join(", "),
                date(today),
                date(due_date),
                from.issuer,
                date(today)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn province() -> Sender {
        Sender {
            issuer: "广东省住房和城乡建设厅".into(),
            city: false,
            demo: false,
        }
    }

    #[test]
    fn names_the_cities_the_period_and_how_late() {
        let period: Period = "2026Q3".parse().unwrap();
        let due = NaiveDate::from_ymd_opt(2026, 10, 15).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let to = [Addressee::plain("广州市"), Addressee::plain("韶关市")];
        let text = notice(period, &province(), &to, due, today, 47, Lang::Zh);
        assert!(
            text.starts_with("关于报送2026年第三季度住房保障目标任务完成情况的催报通知"),
            "{text}"
        );
        assert!(text.contains("广州市、韶关市住房城乡建设主管部门："), "{text}");
        assert!(text.contains("你市尚未报送"), "{text}");
        assert!(text.contains("报送截止日期为2026年10月15日，已逾期 47 天"), "{text}");
        assert!(text.ends_with("广东省住房和城乡建设厅\n2026年12月1日"), "{text}");
        assert!(!text.contains("演示数据"), "{text}");
        let sender = Sender {
            issuer: "Department of Housing and Urban-Rural Development of Guangdong Province".into(),
            ..province()
        };
        let english = notice(
            period,
            &sender,
            &[Addressee::plain("Guangzhou")],
            due,
            today,
            0,
            Lang::En,
        );
        assert!(english.contains("(due 15 October 2026)"), "{english}");
        assert!(english.contains("your city has not submitted"), "{english}");
    }

    #[test]
    fn a_city_bureau_writes_to_its_units_and_the_province_asks_a_city_to_chase_its_units() {
        let period: Period = "2026Q3".parse().unwrap();
        let due = NaiveDate::from_ymd_opt(2026, 10, 15).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let city = Sender {
            issuer: "韶关市住房和城乡建设局".into(),
            city: true,
            demo: true,
        };
        let to = [Addressee::plain("武江区"), Addressee::plain("乐昌市")];
        let text = notice(period, &city, &to, due, today, 47, Lang::Zh);
        assert!(text.contains("\n\n武江区、乐昌市住房城乡建设主管部门："), "{text}");
        assert!(text.contains("你单位尚未报送"), "{text}");
        assert!(!text.contains("你市"), "{text}");
        assert!(text.contains(demo_label(Lang::Zh)), "{text}");
        assert!(text.ends_with("韶关市住房和城乡建设局\n2026年12月1日"), "{text}");
        assert!(!text.contains("广东省"), "{text}");
        let to = [
            Addressee::plain("广州市"),
            Addressee {
                name: "韶关市",
                missing_units: vec!["武江区", "乐昌市"],
            },
        ];
        let text = notice(period, &province(), &to, due, today, 47, Lang::Zh);
        assert!(text.contains("广州市、韶关市住房城乡建设主管部门："), "{text}");
        assert!(text.contains("韶关市尚有武江区、乐昌市未报送"), "{text}");
        let english = notice(period, &city, &[Addressee::plain("Wujiang")], due, today, 0, Lang::En);
        assert!(english.contains("your unit has not submitted"), "{english}");
        assert!(english.starts_with("Reminder"), "{english}");
        assert!(english.contains(demo_label(Lang::En)), "{english}");
    }
}
