//! The report workflow: draft → submitted → approved, or submitted → returned → submitted;
//! an admin may reopen an approved report.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use super::{Role, Text};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Draft,
    Submitted,
    Approved,
    Returned,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 4] = [
        ReportStatus::Draft,
        ReportStatus::Submitted,
        ReportStatus::Approved,
        ReportStatus::Returned,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Approved => "approved",
            ReportStatus::Returned => "returned",
        }
    }

    /// Only submitted and approved figures reach the dashboard, charts, exports and API.
    pub fn counts(self) -> bool {
        matches!(self, ReportStatus::Submitted | ReportStatus::Approved)
    }
}

impl fmt::Display for ReportStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A report status code nobody uses; holds what was given.
#[derive(Debug)]
pub struct UnknownStatus(String);

impl UnknownStatus {
    pub fn text(&self) -> Text {
        Text::new(
            format!(
                "未知报告状态“{}”，应为 draft（草稿）、submitted（已报送）、approved（已审核）或 returned（已退回）",
                self.0
            ),
            format!(
                "Unknown report status “{}”: use draft, submitted, approved or returned.",
                self.0
            ),
        )
    }
}

impl fmt::Display for UnknownStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.text().fmt(f)
    }
}

impl std::error::Error for UnknownStatus {}

impl FromStr for ReportStatus {
    type Err = UnknownStatus;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ReportStatus::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| UnknownStatus(text.to_owned()))
    }
}

/// What someone does to a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    SaveDraft,
    Submit,
    Approve,
    Return,
    Reopen,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SaveDraft => "save",
            Action::Submit => "submit",
            Action::Approve => "approve",
            Action::Return => "return",
            Action::Reopen => "reopen",
        }
    }
}

/// Why a workflow step is refused. Its words (they name a report status) are in
/// `domain::format`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    Forbidden,
    WrongStatus { status: ReportStatus, action: Action },
    NoReport,
}

/// The status a report moves to when `role` does `action` to it; `current` is `None` when the
/// report does not exist yet. Figures are edited only by saving or submitting.
pub fn transition(current: Option<ReportStatus>, action: Action, role: Role) -> Result<ReportStatus, WorkflowError> {
    use ReportStatus::*;
    let wrong = |status| WorkflowError::WrongStatus { status, action };
    match action {
        Action::SaveDraft | Action::Submit => {
            if !matches!(role, Role::Officer | Role::Admin) {
                return Err(WorkflowError::Forbidden);
            }
            let editable = matches!(
                (current, role),
                (None | Some(Draft | Returned), _) | (Some(Submitted), Role::Admin)
            );
            if !editable {
                return Err(wrong(current.expect("a missing report is editable")));
            }
            Ok(match (action, current) {
                (Action::Submit, _) => Submitted,
                (_, None) => Draft,
                (_, Some(status)) => status,
            })
        }
        Action::Approve | Action::Return | Action::Reopen => {
            if role != Role::Admin {
                return Err(WorkflowError::Forbidden);
            }
            let current = current.ok_or(WorkflowError::NoReport)?;
            match (action, current) {
                (Action::Approve, Submitted) => Ok(Approved),
                (Action::Return, Submitted) => Ok(Returned),
                (Action::Reopen, Approved) => Ok(Returned),
                _ => Err(wrong(current)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action::*;
    use ReportStatus::*;

    #[test]
    fn officer_path_through_the_workflow() {
        assert_eq!(transition(None, SaveDraft, Role::Officer), Ok(Draft));
        assert_eq!(transition(Some(Draft), Submit, Role::Officer), Ok(Submitted));
        assert_eq!(transition(Some(Submitted), Return, Role::Admin), Ok(Returned));
        assert_eq!(transition(Some(Returned), SaveDraft, Role::Officer), Ok(Returned));
        assert_eq!(transition(Some(Returned), Submit, Role::Officer), Ok(Submitted));
        assert_eq!(transition(Some(Submitted), Approve, Role::Admin), Ok(Approved));
        assert_eq!(transition(Some(Approved), Reopen, Role::Admin), Ok(Returned));
    }

    #[test]
    fn officers_cannot_touch_submitted_or_approved_reports() {
        assert!(matches!(
            transition(Some(Submitted), SaveDraft, Role::Officer),
            Err(WorkflowError::WrongStatus { .. })
        ));
        assert!(matches!(
            transition(Some(Approved), Submit, Role::Officer),
            Err(WorkflowError::WrongStatus { .. })
        ));
        assert!(matches!(
            transition(Some(Approved), Submit, Role::Admin),
            Err(WorkflowError::WrongStatus { .. })
        ));
        assert_eq!(transition(Some(Submitted), Submit, Role::Admin), Ok(Submitted));
    }

    #[test]
    fn only_admins_review() {
        for role in [Role::Officer, Role::Leader, Role::Analyst] {
            assert_eq!(
                transition(Some(Submitted), Approve, role),
                Err(WorkflowError::Forbidden)
            );
        }
        assert_eq!(
            transition(Some(Draft), SaveDraft, Role::Leader),
            Err(WorkflowError::Forbidden)
        );
        assert!(matches!(
            transition(Some(Draft), Approve, Role::Admin),
            Err(WorkflowError::WrongStatus { .. })
        ));
        assert_eq!(transition(None, Approve, Role::Admin), Err(WorkflowError::NoReport));
    }
}
