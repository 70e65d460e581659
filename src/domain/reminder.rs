//! The province's reminder (催报通知) to cities that have not yet submitted a quarter's report.

use chrono::NaiveDate;

use super::format;
use super::{Lang, Period};

/// A reminder ready to copy: a title, the cities addressed, and the request with its deadline.
pub fn notice(
    period: Period,
    cities: &[&str],
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
    match lang {
        Lang::Zh => {
            let late = if days_overdue > 0 {
                format!("，已逾期 {days_overdue} 天")
            } else {
                String::new()
            };
            format!(
                "关于报送{label}住房保障目标任务完成情况的催报通知\n\n{}住房城乡建设主管部门：\n\n截至{}，你市尚未报送{label}住房保障目标任务完成情况（报送截止日期为{}{late}）。请于收到本通知后3个工作日内登录住房保障目标任务跟踪系统，填报并提交本季度累计完成数；明显滞后于序时进度的指标，请一并填写情况说明。\n\n广东省住房和城乡建设厅\n{}",
                cities.join("、"),
                date(today),
                date(due_date),
                date(today)
            )
        }
        Lang::En => {
            let late = if days_overdue > 0 {
                format!(", {days_overdue} days overdue")
            } else {
                String::new()
            };
            format!(
                "Reminder: housing-security progress report for {label}\n\nTo the housing departments of {}:\n\nAs of {}, your city has not submitted its report for {label} (due {}{late}). Please sign in to the Housing Security Target Tracker within three working days, enter and submit the year-to-date figures, and explain any indicator clearly behind the time benchmark.\n\nDepartment of Housing and Urban-Rural Development of Guangdong Province\n{}",
                cities.join(", "),
                date(today),
                date(due_date),
                date(today)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_cities_the_period_and_how_late() {
        let period: Period = "2026Q3".parse().unwrap();
        let due = NaiveDate::from_ymd_opt(2026, 10, 15).unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let text = notice(period, &["广州市", "韶关市"], due, today, 47, Lang::Zh);
        assert!(
            text.starts_with("关于报送2026年第三季度住房保障目标任务完成情况的催报通知"),
            "{text}"
        );
        assert!(text.contains("广州市、韶关市住房城乡建设主管部门："), "{text}");
        assert!(text.contains("报送截止日期为2026年10月15日，已逾期 47 天"), "{text}");
        assert!(text.ends_with("广东省住房和城乡建设厅\n2026年12月1日"), "{text}");
        let english = notice(period, &["Guangzhou"], due, today, 0, Lang::En);
        assert!(english.contains("(due 15 October 2026)"), "{english}");
    }
}
