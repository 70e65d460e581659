//! Account rules: what a username may be, which roles are bound to a region, what a password
//! must be. The command line, the admin pages and start-up all ask these functions.

use super::catalogue::{Catalogue, unknown_region};
use super::role::UnknownRole;
use super::{Role, Text};

/// Usernames are this many characters at least and at most.
pub const USERNAME_CHARS: std::ops::RangeInclusive<usize> = 2..=32;

/// Shorter passwords are refused.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longer passwords are refused (Argon2 would take them, but nobody types more).
pub const MAX_PASSWORD_CHARS: usize = 256;

/// An API token's name is this many characters at most.
pub const MAX_TOKEN_NAME_CHARS: usize = 64;
/// An API token lives this many days at most when it expires at all.
pub const MAX_TOKEN_DAYS: u32 = 3650;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountError {
    BadUsername,
    /// Holds the role as given.
    UnknownRole(String),
    RegionRequired,
    UnknownRegion(String),
    /// An officer bound to a region that does not report: a city that reports through its
    /// units (`through_units`), or the province. Holds the region's names.
    OfficerNotAUnit {
        zh: String,
        en: String,
        through_units: bool,
    },
    /// An admin, leader or analyst bound to something other than a city. Holds its names.
    ScopeNotACity {
        zh: String,
        en: String,
    },
    PasswordTooShort,
    PasswordTooLong,
    PasswordIsUsername,
    PasswordRepeated,
    PasswordCommon,
    BadTokenName,
    BadTokenExpiry,
}

impl From<AccountError> for Text {
    fn from(error: AccountError) -> Self {
        error.text()
    }
}

impl std::fmt::Display for AccountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.text().fmt(f)
    }
}

impl std::error::Error for AccountError {}

impl AccountError {
    pub fn text(&self) -> Text {
        match self {
            AccountError::BadUsername => Text::new(
                "用户名须为 2 至 32 位字母、数字、下划线、连字符或点",
                "A username is 2 to 32 letters, digits, underscores, hyphens or dots.",
            ),
            AccountError::UnknownRole(given) => UnknownRole(given.clone()).text(),
            AccountError::RegionRequired => Text::new(
                "填报员必须指定所属地区（县区、市本级或自行报送的地级市）",
                "An officer needs the region they report for: a county, a city-level unit or a city that reports itself.",
            ),
            AccountError::UnknownRegion(code) => unknown_region(code),
            AccountError::OfficerNotAUnit {
                zh,
                en,
                through_units: true,
            } => Text::new(
                format!("{zh}由所属县区报送，填报员须绑定到其下的县区或市本级，不能绑定到{zh}本身"),
                format!(
                    "{en} reports through its county-level units: bind the officer to one of them, not to the city."
                ),
            ),
            AccountError::OfficerNotAUnit { zh, en, .. } => Text::new(
                format!("填报员须绑定到县区、市本级或自行报送的地级市，不能绑定到{zh}"),
                format!(
                    "An officer is bound to a county, a city-level unit or a city that reports itself, not to {en}."
                ),
            ),
            AccountError::ScopeNotACity { zh, en } => Text::new(
                format!("管理员、厅领导和政策分析员只能绑定到地级市（或不绑定，即全省），不能绑定到{zh}"),
                format!("An admin, leader or analyst is bound to a city (or to none: province-wide), not to {en}."),
            ),
            AccountError::PasswordTooShort => Text::new(
                format!("密码至少需要 {MIN_PASSWORD_CHARS} 个字符"),
                format!("A password needs at least {MIN_PASSWORD_CHARS} characters."),
            ),
            AccountError::PasswordTooLong => Text::new(
                format!("密码不能超过 {MAX_PASSWORD_CHARS} 个字符"),
                format!("A password may be at most {MAX_PASSWORD_CHARS} characters long."),
            ),
            AccountError::PasswordIsUsername => Text::new(
                "密码不能与用户名相同或包含用户名",
                "A password may not be or contain the username.",
            ),
            AccountError::PasswordRepeated => Text::new(
                "密码不能只由一个字符重复组成",
                "A password may not be one character repeated.",
            ),
            AccountError::PasswordCommon => Text::new(
                "这是最常见的密码之一，请另选一个",
                "This is one of the most common passwords; please choose another.",
            ),
            AccountError::BadTokenName => Text::new(
                format!("令牌名称须为 1 至 {MAX_TOKEN_NAME_CHARS} 个字符，不含控制字符"),
                format!("A token's name is 1 to {MAX_TOKEN_NAME_CHARS} characters, without control characters."),
            ),
            AccountError::BadTokenExpiry => Text::new(
                format!("有效期须为 1 至 {MAX_TOKEN_DAYS} 天"),
                format!("A token lives 1 to {MAX_TOKEN_DAYS} days."),
            ),
        }
    }

    /// The form field the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            AccountError::BadUsername => "username",
            AccountError::UnknownRole(_) => "role",
            AccountError::RegionRequired
            | AccountError::UnknownRegion(_)
            | AccountError::OfficerNotAUnit { .. }
            | AccountError::ScopeNotACity { .. } => "region",
            AccountError::PasswordTooShort
            | AccountError::PasswordTooLong
            | AccountError::PasswordIsUsername
            | AccountError::PasswordRepeated
            | AccountError::PasswordCommon => "password",
            AccountError::BadTokenName => "name",
            AccountError::BadTokenExpiry => "expires_in_days",
        }
    }
}

/// A username is 2–32 ASCII letters, digits, `_`, `-` or `.`: safe in URLs, logs and audit rows.
pub fn check_username(name: &str) -> Result<(), AccountError> {
    let allowed = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if USERNAME_CHARS.contains(&name.chars().count()) && allowed {
        Ok(())
    } else {
        Err(AccountError::BadUsername)
    }
}

/// Whether an officer may report for `code`: a region of the reporting catalogue with a parent
/// and no children (a county or 市本级 of a city that reports through its units, or a city that
/// reports itself).
pub fn is_reporting_unit(catalogue: &Catalogue, code: &str) -> bool {
    catalogue.region(code).is_some_and(|region| {
        region
            .parent_code
            .as_deref()
            .is_some_and(|p| catalogue.region(p).is_some())
            && !catalogue.has_children(code)
    })
}

/// The role named `role` with the region it is bound to. An officer reports for one unit of
/// the reporting catalogue: a county or 市本级 of a city that reports through its units, or a
/// city that reports itself (a region with a parent and no children). An admin, leader or
/// analyst is bound to a city (its subtree) or to nothing (province-wide; naming the province
/// is the same). A blank region is no region; an impossible binding is refused with the reason.
pub fn role_and_region(
    catalogue: &Catalogue,
    role: &str,
    region: Option<&str>,
) -> Result<(Role, Option<String>), AccountError> {
    let role: Role = role
        .trim()
        .parse()
        .map_err(|e: UnknownRole| AccountError::UnknownRole(e.0))?;
    let Some(code) = region.map(str::trim).filter(|r| !r.is_empty()) else {
        return if role == Role::Officer {
            Err(AccountError::RegionRequired)
        } else {
            Ok((role, None))
        };
    };
    let found = catalogue
        .region(code)
        .ok_or_else(|| AccountError::UnknownRegion(code.to_owned()))?;
    let names = || (found.name_zh.clone(), found.name_en.clone());
    let is_root = found
        .parent_code
        .as_deref()
        .is_none_or(|p| catalogue.region(p).is_none());
    match role {
        Role::Officer if !is_reporting_unit(catalogue, code) => {
            let (zh, en) = names();
            Err(AccountError::OfficerNotAUnit {
                zh,
                en,
                through_units: !is_root && found.level == "city",
            })
        }
        Role::Officer => Ok((role, Some(code.to_owned()))),
        _ if is_root => Ok((role, None)),
        _ if found.level == "city" => Ok((role, Some(code.to_owned()))),
        _ => {
            let (zh, en) = names();
            Err(AccountError::ScopeNotACity { zh, en })
        }
    }
}

/// A password is 10 to 256 characters.
pub fn check_password(password: &str) -> Result<(), AccountError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        Err(AccountError::PasswordTooShort)
    } else if chars > MAX_PASSWORD_CHARS {
        Err(AccountError::PasswordTooLong)
    } else {
        Ok(())
    }
}

/// A token's name says what it is for: 1–64 characters, none of them control characters.
pub fn check_token_name(name: &str) -> Result<(), AccountError> {
    let chars = name.chars().count();
    if (1..=MAX_TOKEN_NAME_CHARS).contains(&chars) && !name.chars().any(char::is_control) {
        Ok(())
    } else {
        Err(AccountError::BadTokenName)
    }
}

/// A token that expires does so after 1 to 3,650 days.
pub fn check_token_days(days: u32) -> Result<(), AccountError> {
    if (1..=MAX_TOKEN_DAYS).contains(&days) {
        Ok(())
    } else {
        Err(AccountError::BadTokenExpiry)
    }
}

/// The most common passwords, one a line (`#` starts a comment), shipped as data.
const COMMON_PASSWORDS: &str = include_str!("../../data/common-passwords.txt");

fn is_common(password: &str) -> bool {
    let password = password.trim().to_lowercase();
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .any(|common| common.to_lowercase() == password)
}

/// A password a user chooses for account `username`: [`check_password`]'s length, and not the
/// username (nor containing it), not one character repeated (ten spaces included), not one of
/// the most common passwords.
pub fn check_new_password(username: &str, password: &str) -> Result<(), AccountError> {
    check_password(password)?;
    let name = username.trim().to_lowercase();
    if !name.is_empty() && password.to_lowercase().contains(&name) {
        return Err(AccountError::PasswordIsUsername);
    }
    let mut chars = password.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(AccountError::PasswordRepeated);
    }
    if is_common(password) {
        return Err(AccountError::PasswordCommon);
    }
    Ok(())
}

/// Sign-in failures are counted over this many minutes.
pub const SIGN_IN_WINDOW_MINUTES: u32 = 15;
/// Failed sign-ins one name may have from one client (address or known browser) in the window
/// before each further try waits.
pub const FREE_SIGN_IN_FAILURES: u32 = 5;
/// Failed sign-ins one client may have across all names in the window before each further try
/// waits.
pub const FREE_CLIENT_FAILURES: u32 = 30;
/// The longest wait between tries, however many failures.
pub const MAX_SIGN_IN_WAIT_SECS: u64 = 300;
/// A browser that signed in to an account is known to it for this many days.
pub const KNOWN_DEVICE_DAYS: u32 = 365;

/// How many more seconds a sign-in must wait, after `failures` failures in the window (the
/// latest `since_last` seconds ago) where `free` are allowed without waiting: 1 s after the
/// `free`-th failure, doubling with each further one up to [`MAX_SIGN_IN_WAIT_SECS`]. A
/// growing wait rather than a lock: whoever fails on someone else's name delays, never locks,
/// the account.
pub fn sign_in_wait(failures: u32, free: u32, since_last: f64) -> Option<u64> {
    let excess = failures.checked_sub(free)?;
    let wait = 1u64.checked_shl(excess).unwrap_or(u64::MAX).min(MAX_SIGN_IN_WAIT_SECS);
    let left = wait as f64 - since_last.max(0.0);
    (left > 0.0).then(|| left.ceil() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_waits_grow_from_one_second_and_stop_at_five_minutes() {
        assert_eq!(sign_in_wait(4, 5, 0.0), None, "below the free failures");
        assert_eq!(sign_in_wait(5, 5, 0.0), Some(1));
        assert_eq!(sign_in_wait(5, 5, 0.4), Some(1));
        assert_eq!(sign_in_wait(5, 5, 1.0), None, "waited long enough");
        assert_eq!(sign_in_wait(7, 5, 1.5), Some(3), "4 s after the seventh");
        assert_eq!(sign_in_wait(40, 5, 0.0), Some(MAX_SIGN_IN_WAIT_SECS));
        assert_eq!(sign_in_wait(200, 30, 299.5), Some(1), "no overflow on many failures");
        assert_eq!(
            sign_in_wait(30, 30, -3.0),
            Some(1),
            "a clock step back waits the full second"
        );
    }
    use crate::domain::catalogue::tests as test_support;

    fn catalogue() -> Catalogue {
        let mut regions = vec![
            test_support::region("440000", None),
            test_support::region("440100", Some("440000")),
            test_support::region("440200", Some("440000")),
            test_support::region("440201", Some("440200")),
            test_support::region("440203", Some("440200")),
        ];
        regions[3].level = "county".into();
        regions[4].level = "county".into();
        Catalogue::new(regions, Vec::new())
    }

    #[test]
    fn officers_report_for_a_unit_and_the_others_are_bound_to_a_city_or_none() {
        let catalogue = catalogue();
        let bound = |role: &str, region: Option<&str>| role_and_region(&catalogue, role, region);
        assert_eq!(
            bound("officer", Some("440100")),
            Ok((Role::Officer, Some("440100".into()))),
            "a city that reports itself"
        );
        assert_eq!(
            bound("officer", Some("440203")),
            Ok((Role::Officer, Some("440203".into())))
        );
        assert_eq!(
            bound("officer", Some("440201")),
            Ok((Role::Officer, Some("440201".into())))
        );
        assert_eq!(bound("officer", Some(" ")), Err(AccountError::RegionRequired));
        assert_eq!(
            bound("officer", Some("449999")),
            Err(AccountError::UnknownRegion("449999".into()))
        );
        let through_units = bound("officer", Some("440200")).unwrap_err();
        assert!(matches!(
            through_units,
            AccountError::OfficerNotAUnit {
                through_units: true,
                ..
            }
        ));
        assert_eq!(
            through_units.text().zh(),
            "区440200由所属县区报送，填报员须绑定到其下的县区或市本级，不能绑定到区440200本身"
        );
        assert!(matches!(
            bound("officer", Some("440000")),
            Err(AccountError::OfficerNotAUnit {
                through_units: false,
                ..
            })
        ));
        for role in ["admin", "leader", "analyst"] {
            assert_eq!(
                bound(role, Some("440200")).map(|(_, r)| r),
                Ok(Some("440200".into())),
                "{role} of a city"
            );
            assert_eq!(bound(role, Some("")).map(|(_, r)| r), Ok(None), "{role} province-wide");
            assert_eq!(
                bound(role, Some("440000")).map(|(_, r)| r),
                Ok(None),
                "the province is no binding"
            );
            let county = bound(role, Some("440203")).unwrap_err();
            assert!(
                matches!(county, AccountError::ScopeNotACity { .. }),
                "{role} of a county"
            );
            assert_eq!(county.field(), "region");
        }
        assert_eq!(bound(" admin ", Some("")), Ok((Role::Admin, None)));
        assert!(matches!(bound("root", None), Err(AccountError::UnknownRole(_))));
    }

    #[test]
    fn token_names_are_short_printable_labels_and_expiries_bounded() {
        assert_eq!(check_token_name("季度导出脚本"), Ok(()));
        assert_eq!(check_token_name(""), Err(AccountError::BadTokenName));
        assert_eq!(check_token_name("a\nb"), Err(AccountError::BadTokenName));
        assert_eq!(check_token_name(&"x".repeat(65)), Err(AccountError::BadTokenName));
        assert_eq!(check_token_days(1), Ok(()));
        assert_eq!(check_token_days(0), Err(AccountError::BadTokenExpiry));
        assert_eq!(check_token_days(3651), Err(AccountError::BadTokenExpiry));
    }

    #[test]
    fn chosen_passwords_are_not_the_name_a_repeat_or_common() {
        assert_eq!(check_new_password("gz_officer", "tall-river-2020"), Ok(()));
        assert_eq!(
            check_new_password("gz_officer", "123"),
            Err(AccountError::PasswordTooShort)
        );
        assert_eq!(
            check_new_password("administrator", "Administrator"),
            Err(AccountError::PasswordIsUsername)
        );
        assert_eq!(
            check_new_password("gz_officer", "gz_officer2020"),
            Err(AccountError::PasswordIsUsername)
        );
        assert_eq!(
            check_new_password("wang", "aaaaaaaaaa"),
            Err(AccountError::PasswordRepeated)
        );
        assert_eq!(
            check_new_password("wang", "          "),
            Err(AccountError::PasswordRepeated)
        );
        assert_eq!(
            check_new_password("wang", "1234567890"),
            Err(AccountError::PasswordCommon)
        );
        assert_eq!(
            check_new_password("wang", "QwertyUIOP"),
            Err(AccountError::PasswordCommon)
        );
        assert!(!is_common("# the most common"), "comments are not passwords");
    }

    #[test]
    fn passwords_are_ten_to_256_characters() {
        assert_eq!(check_password("123456789"), Err(AccountError::PasswordTooShort));
        assert_eq!(check_password("1234567890"), Ok(()));
        assert_eq!(check_password("密码密码密码密码密码"), Ok(()));
        assert_eq!(check_password(&"x".repeat(257)), Err(AccountError::PasswordTooLong));
    }
}
