//! Who may do what: the four roles of SPEC §1.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::Text;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A city's housing-security officer, bound to one region.
    Officer,
    /// Provincial department staff.
    Admin,
    /// Department leadership: reads only.
    Leader,
    /// Policy analysts: read, export, API.
    Analyst,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Officer, Role::Leader, Role::Analyst];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Officer => "officer",
            Role::Admin => "admin",
            Role::Leader => "leader",
            Role::Analyst => "analyst",
        }
    }

    /// Whether someone with this role, bound to `own_region`, may write `region`'s figures.
    /// Deny by default: only admins anywhere, officers in their own region.
    pub fn may_write_figures(self, own_region: Option<&str>, region: &str) -> bool {
        match self {
            Role::Admin => true,
            Role::Officer => own_region == Some(region),
            Role::Leader | Role::Analyst => false,
        }
    }

    pub fn may_administer(self) -> bool {
        self == Role::Admin
    }

    /// Officers are bound to a region; nobody else is.
    pub fn needs_region(self) -> bool {
        self == Role::Officer
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role code nobody has; holds what was given.
#[derive(Debug)]
pub struct UnknownRole(pub String);

impl UnknownRole {
    pub fn text(&self) -> Text {
        Text::new(
            format!(
                "未知角色“{}”，应为 admin（省厅管理员）、officer（市级填报员）、leader（厅领导）或 analyst（政策分析员）",
                self.0
            ),
            format!("Unknown role “{}”: use admin, officer, leader or analyst.", self.0),
        )
    }
}

impl fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text().fmt(f)
    }
}

impl std::error::Error for UnknownRole {}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == text)
            .ok_or_else(|| UnknownRole(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn officers_write_only_their_own_city() {
        assert!(Role::Officer.may_write_figures(Some("440100"), "440100"));
        assert!(!Role::Officer.may_write_figures(Some("440100"), "440300"));
        assert!(!Role::Officer.may_write_figures(None, "440100"));
        assert!(Role::Admin.may_write_figures(None, "440300"));
        assert!(!Role::Leader.may_write_figures(None, "440100"));
        assert!(!Role::Analyst.may_write_figures(None, "440100"));
    }

    #[test]
    fn parses_role_names() {
        assert_eq!("analyst".parse::<Role>().unwrap(), Role::Analyst);
        assert!("root".parse::<Role>().is_err());
    }
}

/// Whoever is making a change: a signed-in user, or the system itself (demo loader, CLI).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub user_id: Option<i64>,
    pub username: String,
    pub role: Role,
    pub region: Option<String>,
}

impl Actor {
    /// The command line and the demo loader act with administrator rights under their own name.
    pub fn system(name: &str) -> Self {
        Self {
            user_id: None,
            username: name.to_owned(),
            role: Role::Admin,
            region: None,
        }
    }
}
