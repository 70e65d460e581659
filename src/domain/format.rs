//! How a figure is written, in Chinese and English: thousands separators, money in 万元/亿元
//! with one half-up rounding, units, period, status and report-status labels, rates and
//! percentage points. Pages, charts, the bulletin and the exports write through here, so a
//! figure reads the same wherever it appears.

use std::fmt;

use super::workflow::{Action, WorkflowError};
use super::{Lang, Period, ReportStatus, Role, Status, Tenths, Text};

/// What a cell shows when there is no value (no target, no rate, no change).
pub const NO_VALUE: &str = "—";

/// 元 in one 万.
const WAN: u128 = 10_000;
/// 元 in one 亿.
const YI: u128 = 100_000_000;
/// 元 in one million.
const MILLION: u128 = 1_000_000;

/// Digits grouped by three with commas: "1234567" → "1,234,567".
fn group(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// An integer with thousands separators: 10918 → 10,918.
pub fn thousands(value: i64) -> String {
    let grouped = group(&value.unsigned_abs().to_string());
    if value < 0 { format!("-{grouped}") } else { grouped }
}

/// `|value| / divisor` in hundredths, rounded half up. The one rounding of money: exact integer
/// arithmetic, never a float.
fn hundredths(value: i64, divisor: u128) -> u128 {
    (u128::from(value.unsigned_abs()) * 200 + divisor) / (divisor * 2)
}

/// Hundredths as a decimal with two places, the sign of `value` (none when it rounds to zero),
/// and separators in the whole part when asked.
fn two_places(value: i64, hundredths: u128, separators: bool) -> String {
    let whole = (hundredths / 100).to_string();
    let whole = if separators { group(&whole) } else { whole };
    let sign = if value < 0 && hundredths > 0 { "-" } else { "" };
    format!("{sign}{whole}.{:02}", hundredths % 100)
}

/// Money held in 元, as a reader wants it: 3.26亿元 from 一亿 up, 1234.57万元 below (no
/// separators, as Chinese text writes 万 and 亿), and in English 326.00 million yuan. Two
/// decimals, rounded half up (half away from zero below zero). A sum that rounds to 10000.00万
/// is written in 亿 (1.00亿元), so the same amount is never shown both ways.
pub fn money(yuan: i64, lang: Lang) -> String {
    match lang {
        Lang::En => format!("{} million yuan", two_places(yuan, hundredths(yuan, MILLION), true)),
        Lang::Zh => {
            let wan = hundredths(yuan, WAN);
            if wan >= 10_000 * 100 {
                format!("{}亿元", two_places(yuan, hundredths(yuan, YI), false))
            } else {
                format!("{}万元", two_places(yuan, wan, false))
            }
        }
    }
}

/// A count the way the bulletin's Chinese prose writes it: 140000 → 14万, 178926 → 17.89万,
/// 7899 → 7899.
pub fn count_in_wan(value: i64) -> String {
    if value.unsigned_abs() < 100_000 {
        return value.to_string();
    }
    let text = two_places(value, hundredths(value, WAN), false);
    format!("{}万", text.trim_end_matches('0').trim_end_matches('.'))
}

/// The catalogue's unit (套, 户, 元) in the page language: units, households, yuan.
pub fn unit(unit: &str, lang: Lang) -> &str {
    match (unit, lang) {
        (_, Lang::Zh) => unit,
        ("套", Lang::En) => "units",
        ("户", Lang::En) => "households",
        ("元", Lang::En) => "yuan",
        (other, Lang::En) => other,
    }
}

/// An aside after a title, in the brackets of the language: 待审核的报告（5） / Submitted (5).
pub fn bracketed(aside: impl fmt::Display, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("（{aside}）"),
        Lang::En => format!(" ({aside})"),
    }
}

/// A unit after a name, in the brackets of the language: （套） / (units).
pub fn bracketed_unit(unit_name: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("（{unit_name}）"),
        Lang::En => format!("({})", unit(unit_name, lang)),
    }
}

/// A figure in its unit: money by [`money`], counts with separators and their unit (7,899 套,
/// 7,899 units).
pub fn amount(value: i64, unit_name: &str, lang: Lang) -> String {
    if unit_name == "元" {
        money(value, lang)
    } else {
        format!("{} {}", thousands(value), unit(unit_name, lang))
    }
}

/// A figure as Chinese running text writes it: 7899套 (no separators, no space); money by
/// [`money`].
pub fn in_text_zh(value: i64, unit_name: &str) -> String {
    if unit_name == "元" {
        money(value, Lang::Zh)
    } else {
        format!("{value}{unit_name}")
    }
}

/// A change between two figures with its sign: +1,000 套, -4.50万元, 0 套.
pub fn amount_change(delta: i64, unit_name: &str, lang: Lang) -> String {
    let sign = if delta > 0 { "+" } else { "" };
    format!("{sign}{}", amount(delta, unit_name, lang))
}

/// What a missing figure reads as: 未报送 / not reported.
pub fn not_reported(lang: Lang) -> &'static str {
    lang.t("未报送", "not reported")
}

/// A quarter on its own: 一季度 / Q1.
pub fn quarter(quarter: u8, lang: Lang) -> &'static str {
    const ZH: [&str; 4] = ["一季度", "二季度", "三季度", "四季度"];
    const EN: [&str; 4] = ["Q1", "Q2", "Q3", "Q4"];
    let index = usize::from(quarter.clamp(1, 4) - 1);
    match lang {
        Lang::Zh => ZH[index],
        Lang::En => EN[index],
    }
}

/// A period as a title says it: 2021年第四季度 / Q4 2021.
pub fn period(period: Period, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("{}年第{}", period.year(), quarter(period.quarter(), Lang::Zh)),
        Lang::En => format!("{} {}", quarter(period.quarter(), Lang::En), period.year()),
    }
}

/// The words for a figure's status against the time benchmark.
pub fn status(status: Status, lang: Lang) -> &'static str {
    match (status, lang) {
        (Status::OnTrack, Lang::Zh) => "达到序时进度",
        (Status::OnTrack, Lang::En) => "On track",
        (Status::Lagging, Lang::Zh) => "略低于序时进度",
        (Status::Lagging, Lang::En) => "Lagging",
        (Status::Behind, Lang::Zh) => "明显滞后",
        (Status::Behind, Lang::En) => "Behind",
        (Status::NoTarget, Lang::Zh) => "不设目标任务",
        (Status::NoTarget, Lang::En) => "No target",
        (Status::NotReported, Lang::Zh) => "未报送",
        (Status::NotReported, Lang::En) => "Not reported",
        (Status::Incomplete, Lang::Zh) => "报送不全",
        (Status::Incomplete, Lang::En) => "Incomplete",
    }
}

/// What an incomplete figure's rate stands on: "已报送2/21，按已报送城市口径".
pub fn reporting_basis(figure: &super::progress::Figure, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("已报送{}/{}，按已报送城市口径", figure.reported, figure.expected),
        Lang::En => format!(
            "{} of {} reported; rate of the reporting ones against their own targets",
            figure.reported, figure.expected
        ),
    }
}

/// Why a figure has no rate: the indicator carries no target at all (不设目标任务, the one
/// wording everywhere), or the year's targets have not been issued yet (年度目标尚未下达).
pub fn no_target(indicator_has_target: bool, lang: Lang) -> &'static str {
    if indicator_has_target {
        lang.t("年度目标尚未下达", "Target not yet issued")
    } else {
        status(Status::NoTarget, lang)
    }
}

/// A figure's status in words, knowing whether its indicator carries a target: a targeted
/// indicator without this year's target reads 年度目标尚未下达, not 不设目标任务.
pub fn status_for(figure_status: Status, indicator_has_target: bool, lang: Lang) -> &'static str {
    match figure_status {
        Status::NoTarget => no_target(indicator_has_target, lang),
        other => status(other, lang),
    }
}

/// A region's level as a table names it: 省 / 地级市 / 县(市、区).
pub fn level(level: &str, lang: Lang) -> &str {
    match (level, lang) {
        ("country", Lang::Zh) => "全国",
        ("province", Lang::Zh) => "省",
        ("city", Lang::Zh) => "地级市",
        ("county", Lang::Zh) => "县（市、区）",
        ("country", Lang::En) => "Country",
        ("province", Lang::En) => "Province",
        ("city", Lang::En) => "City",
        ("county", Lang::En) => "County",
        (other, _) => other,
    }
}

/// The words for where a report is in its workflow.
pub fn report_status(status: ReportStatus, lang: Lang) -> &'static str {
    match (status, lang) {
        (ReportStatus::Draft, Lang::Zh) => "草稿",
        (ReportStatus::Draft, Lang::En) => "Draft",
        (ReportStatus::Submitted, Lang::Zh) => "已报送",
        (ReportStatus::Submitted, Lang::En) => "Submitted",
        (ReportStatus::Approved, Lang::Zh) => "已审核",
        (ReportStatus::Approved, Lang::En) => "Approved",
        (ReportStatus::Returned, Lang::Zh) => "已退回",
        (ReportStatus::Returned, Lang::En) => "Returned",
    }
}

/// Who made a change, as the audit trail names them: an account's username, or a loader of
/// data (the demo loader writes as 演示数据导入) in the page language.
pub fn actor_name(username: &str, lang: Lang) -> &str {
    match (username, lang) {
        ("演示数据导入", Lang::En) => "demo data loader",
        ("anju gen", Lang::Zh) => "全国合成数据生成",
        (name, _) => name,
    }
}

/// A role as the page names it: 市级填报员 / City officer.
pub fn role(role: Role, lang: Lang) -> &'static str {
    match (role, lang) {
        (Role::Officer, Lang::Zh) => "市级填报员",
        (Role::Officer, Lang::En) => "City officer",
        (Role::Admin, Lang::Zh) => "省厅管理员",
        (Role::Admin, Lang::En) => "Administrator",
        (Role::Leader, Lang::Zh) => "厅领导",
        (Role::Leader, Lang::En) => "Leadership",
        (Role::Analyst, Lang::Zh) => "政策分析员",
        (Role::Analyst, Lang::En) => "Analyst",
    }
}

/// A role as the users page names an account: an admin or leader bound to a city is the
/// city's (市级管理员), not the province's; everyone else as [`role`].
pub fn bound_role(role: Role, bound: bool, lang: Lang) -> &'static str {
    match (role, bound, lang) {
        (Role::Admin, true, Lang::Zh) => "市级管理员",
        (Role::Admin, true, Lang::En) => "City administrator",
        (Role::Leader, true, Lang::Zh) => "市级领导",
        (Role::Leader, true, Lang::En) => "City leadership",
        _ => self::role(role, lang),
    }
}

/// Figures for `period` cannot be entered or asked for yet: the quarter has not started.
pub fn future_period(period: Period) -> Text {
    Text::new(
        format!("报告期{}尚未开始", self::period(period, Lang::Zh)),
        format!("{} has not started yet.", self::period(period, Lang::En)),
    )
}

/// What doing `action` to a report is called: 报送, 审核通过, 退回.
fn action_name(action: Action, lang: Lang) -> &'static str {
    match action {
        Action::SaveDraft => lang.t("修改", "changed"),
        Action::Submit => lang.t("报送", "submitted"),
        Action::Approve => lang.t("审核通过", "approved"),
        Action::Return => lang.t("退回", "returned"),
        Action::Reopen => lang.t("重新打开", "reopened"),
    }
}

impl WorkflowError {
    /// A refused workflow step: worded here because it names a report status.
    pub fn text(&self) -> Text {
        match self {
            WorkflowError::Forbidden => Text::new("您的角色无权执行此操作", "Your role may not do this."),
            WorkflowError::WrongStatus { status, action } => Text::new(
                format!(
                    "报告当前状态为“{}”，不能{}",
                    report_status(*status, Lang::Zh),
                    action_name(*action, Lang::Zh)
                ),
                format!(
                    "The report is {} and cannot be {}.",
                    report_status(*status, Lang::En).to_lowercase(),
                    action_name(*action, Lang::En)
                ),
            ),
            WorkflowError::NoReport => Text::new("报告尚未创建", "There is no such report yet."),
        }
    }
}

impl fmt::Display for WorkflowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text().fmt(f)
    }
}

/// A percentage with one decimal and its sign: 72.3%.
pub fn percent(value: Tenths) -> String {
    format!("{value}%")
}

/// A completion rate, or — when there is none (no target, not reported).
pub fn rate(value: Option<Tenths>) -> String {
    value.map_or_else(|| NO_VALUE.to_owned(), percent)
}

/// A gap in percentage points with its sign: +3.2 个百分点 / −12.0 pp, or — when there is none.
pub fn gap_pp(value: Option<Tenths>, lang: Lang) -> String {
    match value {
        None => NO_VALUE.to_owned(),
        Some(gap) => {
            let sign = if gap.0 > 0 { "+" } else { "" };
            format!("{sign}{gap} {}", lang.t("个百分点", "pp"))
        }
    }
}

/// The time benchmark as a chart or a page labels it: 序时进度 25.0% / Time benchmark 25.0%.
pub fn benchmark(value: Tenths, lang: Lang) -> String {
    format!("{} {}", lang.t("序时进度", "Time benchmark"), percent(value))
}

/// What a projection made at `quarter` is worth saying beside it: 仅供参考 from a Q1
/// position ([`projection::is_indicative`](super::projection::is_indicative)), nothing later.
pub fn projection_caveat(quarter: u8, lang: Lang) -> Option<&'static str> {
    super::projection::is_indicative(quarter)
        .then(|| lang.t("一季度测算，仅供参考", "from the first quarter only: indicative"))
}

/// How a money axis is scaled: the divisor of 元 and the unit it is labelled in (万元, or
/// million yuan in English).
pub fn money_axis(lang: Lang) -> (i64, &'static str) {
    match lang {
        Lang::Zh => (10_000, "万元"),
        Lang::En => (1_000_000, "million yuan"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn period_of(text: &str) -> Period {
        text.parse().expect("a valid period")
    }

    #[test]
    fn separates_thousands() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(10918), "10,918");
        assert_eq!(thousands(-1234567), "-1,234,567");
        assert_eq!(thousands(i64::MIN), "-9,223,372,036,854,775,808");
    }

    #[test]
    fn shows_money_in_wan_or_yi() {
        assert_eq!(money(326_000_000, Lang::Zh), "3.26亿元");
        assert_eq!(money(12_345_678, Lang::Zh), "1234.57万元");
        assert_eq!(money(45_000, Lang::Zh), "4.50万元");
        assert_eq!(money(0, Lang::Zh), "0.00万元");
        assert_eq!(money(326_000_000, Lang::En), "326.00 million yuan");
        assert_eq!(money(1_234_567_890, Lang::En), "1,234.57 million yuan");
        assert_eq!(money(123_456_789_012, Lang::Zh), "1234.57亿元");
    }

    #[test]
    fn money_rounds_half_up_at_the_boundary() {
        // 1234.565万 is exactly half a hundredth: up. 1234.5649999万 stays down.
        assert_eq!(money(12_345_650, Lang::Zh), "1234.57万元");
        assert_eq!(money(12_345_649, Lang::Zh), "1234.56万元");
        assert_eq!(money(50, Lang::Zh), "0.01万元");
        assert_eq!(money(49, Lang::Zh), "0.00万元");
        assert_eq!(money(5_000, Lang::En), "0.01 million yuan");
        assert_eq!(money(4_999, Lang::En), "0.00 million yuan");
        assert_eq!(money(326_500_000, Lang::Zh), "3.27亿元");
        assert_eq!(money(326_499_999, Lang::Zh), "3.26亿元");
    }

    #[test]
    fn a_sum_that_rounds_to_ten_thousand_wan_is_written_in_yi() {
        assert_eq!(money(99_999_949, Lang::Zh), "9999.99万元");
        assert_eq!(money(99_999_950, Lang::Zh), "1.00亿元");
        assert_eq!(money(100_000_000, Lang::Zh), "1.00亿元");
    }

    #[test]
    fn negative_money_rounds_away_from_zero_and_keeps_its_sign() {
        assert_eq!(money(-45_000, Lang::Zh), "-4.50万元");
        assert_eq!(money(-12_345_650, Lang::Zh), "-1234.57万元");
        assert_eq!(money(-4_500, Lang::Zh), "-0.45万元");
        assert_eq!(money(-49, Lang::Zh), "0.00万元");
        assert_eq!(money(-326_000_000, Lang::Zh), "-3.26亿元");
        assert_eq!(money(i64::MIN, Lang::En), "-9,223,372,036,854.78 million yuan");
    }

    #[test]
    fn counts_carry_separators_and_their_unit() {
        assert_eq!(amount(7899, "套", Lang::Zh), "7,899 套");
        assert_eq!(amount(7899, "套", Lang::En), "7,899 units");
        assert_eq!(amount(140_000, "户", Lang::En), "140,000 households");
        assert_eq!(amount(0, "户", Lang::Zh), "0 户");
        assert_eq!(amount(326_000_000, "元", Lang::Zh), money(326_000_000, Lang::Zh));
        assert_eq!(unit("元", Lang::En), "yuan");
        assert_eq!(unit("个", Lang::En), "个");
        assert_eq!(bracketed_unit("套", Lang::Zh), "（套）");
        assert_eq!(bracketed(5, Lang::Zh), "（5）");
        assert_eq!(bracketed(5, Lang::En), " (5)");
        assert_eq!(bracketed_unit("户", Lang::En), "(households)");
    }

    #[test]
    fn running_text_writes_figures_without_separators() {
        assert_eq!(in_text_zh(7899, "套"), "7899套");
        assert_eq!(in_text_zh(19911, "户"), "19911户");
        assert_eq!(in_text_zh(326_000_000, "元"), "3.26亿元");
    }

    #[test]
    fn changes_carry_their_sign() {
        assert_eq!(amount_change(1000, "套", Lang::Zh), "+1,000 套");
        assert_eq!(amount_change(-45_000, "元", Lang::Zh), "-4.50万元");
        assert_eq!(amount_change(0, "套", Lang::En), "0 units");
    }

    #[test]
    fn bulletin_counts_in_wan() {
        assert_eq!(count_in_wan(140_000), "14万");
        assert_eq!(count_in_wan(178_926), "17.89万");
        assert_eq!(count_in_wan(100_000), "10万");
        assert_eq!(count_in_wan(99_999), "99999");
        assert_eq!(count_in_wan(7899), "7899");
        assert_eq!(count_in_wan(0), "0");
    }

    #[test]
    fn labels_periods_and_quarters() {
        assert_eq!(period(period_of("2021Q4"), Lang::Zh), "2021年第四季度");
        assert_eq!(period(period_of("2020Q1"), Lang::Zh), "2020年第一季度");
        assert_eq!(period(period_of("2021Q4"), Lang::En), "Q4 2021");
        assert_eq!(quarter(2, Lang::Zh), "二季度");
        assert_eq!(quarter(3, Lang::En), "Q3");
    }

    #[test]
    fn labels_every_status_in_both_languages() {
        let statuses = [
            Status::OnTrack,
            Status::Lagging,
            Status::Behind,
            Status::NoTarget,
            Status::NotReported,
            Status::Incomplete,
        ];
        for lang in [Lang::Zh, Lang::En] {
            let labels: Vec<&str> = statuses.iter().map(|s| status(*s, lang)).collect();
            let mut distinct = labels.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), statuses.len(), "{labels:?}");
            let reports: Vec<&str> = ReportStatus::ALL.iter().map(|s| report_status(*s, lang)).collect();
            let mut distinct = reports.clone();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), ReportStatus::ALL.len(), "{reports:?}");
        }
        assert_eq!(status(Status::OnTrack, Lang::Zh), "达到序时进度");
        assert_eq!(status(Status::NoTarget, Lang::Zh), "不设目标任务");
        assert_eq!(no_target(false, Lang::Zh), status(Status::NoTarget, Lang::Zh));
        assert_eq!(status_for(Status::NoTarget, true, Lang::Zh), "年度目标尚未下达");
        assert_eq!(status_for(Status::Behind, true, Lang::Zh), "明显滞后");
        assert_eq!(status(Status::NotReported, Lang::Zh), not_reported(Lang::Zh));
        assert_eq!(status(Status::Behind, Lang::En), "Behind");
        assert_eq!(report_status(ReportStatus::Submitted, Lang::Zh), "已报送");
        assert_eq!(report_status(ReportStatus::Returned, Lang::En), "Returned");
        assert_eq!(not_reported(Lang::En), "not reported");
        assert_eq!(role(Role::Officer, Lang::Zh), "市级填报员");
        assert_eq!(role(Role::Admin, Lang::En), "Administrator");
    }

    #[test]
    fn a_wrong_status_names_the_status_in_chinese() {
        let error = WorkflowError::WrongStatus {
            status: ReportStatus::Approved,
            action: Action::Submit,
        };
        assert_eq!(error.text().zh(), "报告当前状态为“已审核”，不能报送");
        assert_eq!(error.text().en(), "The report is approved and cannot be submitted.");
        assert!(WorkflowError::Forbidden.to_string().contains("无权"));
    }

    #[test]
    fn rates_and_points() {
        assert_eq!(percent(Tenths(723)), "72.3%");
        assert_eq!(rate(Some(Tenths(1000))), "100.0%");
        assert_eq!(rate(Some(Tenths(0))), "0.0%");
        assert_eq!(rate(None), "—");
        assert_eq!(gap_pp(Some(Tenths(32)), Lang::Zh), "+3.2 个百分点");
        assert_eq!(gap_pp(Some(Tenths(-120)), Lang::En), "-12.0 pp");
        assert_eq!(gap_pp(Some(Tenths(0)), Lang::En), "0.0 pp");
        assert_eq!(gap_pp(None, Lang::Zh), "—");
        assert_eq!(benchmark(Tenths(250), Lang::Zh), "序时进度 25.0%");
        assert_eq!(benchmark(Tenths(1000), Lang::En), "Time benchmark 100.0%");
    }
}
