//! The plan of a report save and of a review, computed without touching storage: who may,
//! which status follows, whether the version is current, every hard error (values, cumulative
//! order, notes, the note a lagging figure needs to be submitted), the soft warnings against the
//! rolled-up target, and exactly which figures, notes and statuses change. The service carries a
//! plan out in one transaction; the entry form's live check asks for a plan and stores nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::catalogue::{Catalogue, unknown_indicator};
use super::validation::{self, FieldError, Warning};
use super::workflow::{self, Action, WorkflowError};
use super::{Actor, Period, ReportStatus, Text};

/// What someone sends to change a report. Indicators not named keep their figures.
#[derive(Clone, Debug, Default)]
pub struct ReportInput {
    pub values: BTreeMap<String, Option<i64>>,
    pub notes: BTreeMap<String, String>,
    pub submit: bool,
    pub version: Option<i64>,
}

/// A report as stored: the parts a plan needs.
#[derive(Clone, Copy, Debug)]
pub struct Stored<'a> {
    pub status: ReportStatus,
    pub version: i64,
    pub values: &'a BTreeMap<String, Option<i64>>,
    pub notes: &'a BTreeMap<String, String>,
}

/// Everything around the report that its checks depend on.
pub struct Context<'a> {
    pub catalogue: &'a Catalogue,
    pub actor: &'a Actor,
    pub region: &'a str,
    pub period: Period,
    pub today: NaiveDate,
    /// The region's other reported cumulatives of the same year: indicator → [(period, value)],
    /// in period order.
    pub same_year: &'a BTreeMap<String, Vec<(Period, i64)>>,
    /// The region's target per indicator for the year: its own, else its children's sum (the
    /// same rolled-up target the dashboard divides by).
    pub targets: &'a HashMap<String, i64>,
}

/// Why a save or review may not go ahead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    UnknownRegion(String),
    /// The region's figures are the sum of its subregions' (the province, a city whose
    /// counties report): it takes no report of its own. Holds the region's name.
    SummedRegion(String),
    /// The acting user may not write this region's figures.
    NotYourRegion(String),
    FuturePeriod(Period),
    Workflow(WorkflowError),
    StaleVersion {
        current: i64,
        sent: i64,
    },
    /// A version was sent for a report that does not exist.
    NoSuchVersion(i64),
    Invalid(Vec<FieldError>),
}

/// A soft warning about one figure, stored with the report and shown beside it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FigureWarning {
    pub indicator: String,
    #[serde(flatten)]
    pub warning: Warning,
    pub message: Text,
}

/// One indicator whose stored row changes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FigureChange {
    pub indicator: String,
    pub old_value: Option<i64>,
    pub new_value: Option<i64>,
    pub old_note: String,
    pub new_note: String,
}

/// What a save will do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SavePlan {
    /// The status before (`None`: a new report) and after.
    pub old_status: Option<ReportStatus>,
    pub new_status: ReportStatus,
    pub submit: bool,
    /// Rows to write, in catalogue order.
    pub changes: Vec<FigureChange>,
    pub warnings: Vec<FigureWarning>,
}

impl SavePlan {
    /// Whether the status change is worth an audit row: a new status, or a resubmission.
    pub fn records_status(&self) -> bool {
        self.old_status != Some(self.new_status) || self.submit
    }
}

/// Who may write `region`'s figures for `period` at all.
pub fn authorise_write(
    catalogue: &Catalogue,
    actor: &Actor,
    region: &str,
    period: Period,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let Some(found) = catalogue.region(region) else {
        return Err(Refusal::UnknownRegion(region.to_owned()));
    };
    if catalogue.children(region).next().is_some() {
        return Err(Refusal::SummedRegion(found.name_zh.clone()));
    }
    if !actor.may_write_figures(region) || !actor.covers(catalogue, region) {
        return Err(Refusal::NotYourRegion(region.to_owned()));
    }
    if period.is_future(today) {
        return Err(Refusal::FuturePeriod(period));
    }
    Ok(())
}

fn check_version(stored: Option<&Stored<'_>>, sent: Option<i64>) -> Result<(), Refusal> {
    match (stored, sent) {
        (Some(stored), Some(sent)) if stored.version != sent => Err(Refusal::StaleVersion {
            current: stored.version,
            sent,
        }),
        (None, Some(sent)) if sent != 0 => Err(Refusal::NoSuchVersion(sent)),
        _ => Ok(()),
    }
}

/// Plans saving (and, with `input.submit`, submitting) `input` over `stored`.
pub fn plan_save(context: &Context<'_>, stored: Option<Stored<'_>>, input: &ReportInput) -> Result<SavePlan, Refusal> {
    let Context {
        catalogue,
        actor,
        region,
        period,
        today,
        same_year,
        targets,
    } = *context;
    authorise_write(catalogue, actor, region, period, today)?;
    let mut errors: Vec<FieldError> = input
        .values
        .keys()
        .chain(input.notes.keys())
        .filter(|key| catalogue.indicator(key).is_none())
        .map(|key| FieldError::new(key.clone(), unknown_indicator(key)))
        .collect();
    if !errors.is_empty() {
        errors.dedup();
        return Err(Refusal::Invalid(errors));
    }
    let action = if input.submit {
        Action::Submit
    } else {
        Action::SaveDraft
    };
    // A report that may not be edited at all says so, whichever version the editor had.
    let new_status = workflow::transition(stored.map(|r| r.status), action, actor.role).map_err(Refusal::Workflow)?;
    check_version(stored.as_ref(), input.version)?;

    // The report as it will be: stored figures overlaid with the new.
    let mut values = stored.map(|r| r.values.clone()).unwrap_or_default();
    let mut notes = stored.map(|r| r.notes.clone()).unwrap_or_default();
    for (key, value) in &input.values {
        if let Some(value) = value {
            let checked = validation::check_value(*value).and_then(|value| {
                let figures = same_year.get(key).map(Vec::as_slice).unwrap_or_default();
                let earlier = figures.iter().rev().find(|(p, _)| *p < period).copied();
                let later = figures.iter().find(|(p, _)| *p > period).copied();
                validation::check_cumulative_order(value, earlier, later)
            });
            if let Err(error) = checked {
                errors.push(FieldError::new(key.clone(), error));
            }
        }
        values.insert(key.clone(), *value);
    }
    for (key, note) in &input.notes {
        match validation::clean_note(note) {
            Ok(note) if note.is_empty() => {
                notes.remove(key);
            }
            Ok(note) => {
                notes.insert(key.clone(), note);
            }
            Err(error) => errors.push(FieldError::new(key.clone(), error)),
        }
    }
    let mut warnings = Vec::new();
    for indicator in catalogue.indicators() {
        let value = values.get(&indicator.key).copied().flatten();
        let target = targets.get(&indicator.key).copied().filter(|_| indicator.has_target);
        let note = notes.get(&indicator.key).map(String::as_str).unwrap_or("");
        for warning in validation::warnings(value, target, period, note) {
            if input.submit && matches!(warning, Warning::BehindWithoutNote { .. }) {
                errors.push(FieldError::new(
                    indicator.key.clone(),
                    Text::new(
                        format!(
                            "{}：{}；未填写情况说明不能报送",
                            indicator.name_zh,
                            warning.message_zh()
                        ),
                        format!(
                            "{}: {}; a report cannot be submitted without it.",
                            indicator.name_en,
                            warning.message_en()
                        ),
                    ),
                ));
            }
            warnings.push(FigureWarning {
                indicator: indicator.key.clone(),
                message: Text::new(warning.message_zh(), warning.message_en()),
                warning,
            });
        }
    }
    if !errors.is_empty() {
        return Err(Refusal::Invalid(errors));
    }

    let mut changes = Vec::new();
    for indicator in catalogue.indicators() {
        let key = indicator.key.as_str();
        let old_value = stored.and_then(|r| r.values.get(key).copied().flatten());
        let new_value = values.get(key).copied().flatten();
        let old_note = stored.and_then(|r| r.notes.get(key)).cloned().unwrap_or_default();
        let new_note = notes.get(key).cloned().unwrap_or_default();
        let row_exists = stored.is_some_and(|r| r.values.contains_key(key));
        // A figure named for the first time gets its row even when it is empty: the report
        // then says the indicator was looked at and left blank.
        if old_value == new_value && old_note == new_note && (row_exists || !values.contains_key(key)) {
            continue;
        }
        changes.push(FigureChange {
            indicator: key.to_owned(),
            old_value,
            new_value,
            old_note,
            new_note,
        });
    }
    Ok(SavePlan {
        old_status: stored.map(|r| r.status),
        new_status,
        submit: input.submit,
        changes,
        warnings,
    })
}

/// Comments on a returned or reopened report are a paragraph at most.
pub const MAX_COMMENT_CHARS: usize = 500;

/// What a review will do: the status that follows and the comment kept with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewPlan {
    pub old_status: ReportStatus,
    pub new_status: ReportStatus,
    pub comment: Option<String>,
}

/// Plans approving, returning or reopening a report; returning and reopening need a reason.
pub fn plan_review(
    actor: &Actor,
    stored: Stored<'_>,
    action: Action,
    comment: Option<&str>,
    version: Option<i64>,
) -> Result<ReviewPlan, Refusal> {
    if !actor.may_review() {
        return Err(Refusal::Workflow(WorkflowError::Forbidden));
    }
    check_version(Some(&stored), version)?;
    let new_status = workflow::transition(Some(stored.status), action, actor.role).map_err(Refusal::Workflow)?;
    let comment = comment.map(str::trim).filter(|c| !c.is_empty());
    if action == Action::Return && comment.is_none() {
        return Err(Refusal::Invalid(vec![FieldError::new(
            "comment",
            Text::new(
                "退回报告须填写退回意见",
                "Returning a report needs a comment for the city.",
            ),
        )]));
    }
    if action == Action::Reopen && comment.is_none() {
        return Err(Refusal::Invalid(vec![FieldError::new(
            "comment",
            Text::new("重新打开报告须填写理由", "Reopening a report needs a reason."),
        )]));
    }
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(Refusal::Invalid(vec![FieldError::new(
            "comment",
            Text::new(
                format!("意见不能超过 {MAX_COMMENT_CHARS} 个字"),
                format!("A comment may be at most {MAX_COMMENT_CHARS} characters long."),
            ),
        )]));
    }
    Ok(ReviewPlan {
        old_status: stored.status,
        new_status,
        comment: comment.map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;
    use crate::domain::catalogue::tests::{indicator, region};

    fn catalogue() -> Catalogue {
        Catalogue::new(
            vec![
                region("440000", None),
                region("440100", Some("440000")),
                region("440300", Some("440000")),
            ],
            vec![indicator("starts", true, 1), indicator("relief", false, 2)],
        )
    }

    fn officer() -> Actor {
        Actor {
            user_id: Some(2),
            username: "gz_officer".into(),
            role: Role::Officer,
            region: Some("440100".into()),
        }
    }

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2021, 12, 1).unwrap()
    }

    struct Fixture {
        catalogue: Catalogue,
        actor: Actor,
        same_year: BTreeMap<String, Vec<(Period, i64)>>,
        targets: HashMap<String, i64>,
    }

    impl Fixture {
        fn new() -> Self {
            Self {
                catalogue: catalogue(),
                actor: officer(),
                same_year: BTreeMap::new(),
                targets: [("starts".to_owned(), 1000)].into(),
            }
        }

        fn context(&self, region: &'static str, period: &str) -> Context<'_> {
            Context {
                catalogue: &self.catalogue,
                actor: &self.actor,
                region,
                period: period.parse().unwrap(),
                today: today(),
                same_year: &self.same_year,
                targets: &self.targets,
            }
        }
    }

    fn input(values: &[(&str, Option<i64>)], submit: bool) -> ReportInput {
        ReportInput {
            values: values.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect(),
            submit,
            ..Default::default()
        }
    }

    #[test]
    fn a_new_draft_writes_each_named_figure_once() {
        let fixture = Fixture::new();
        let plan = plan_save(
            &fixture.context("440100", "2021Q3"),
            None,
            &input(&[("starts", Some(800))], false),
        )
        .unwrap();
        assert_eq!(plan.old_status, None);
        assert_eq!(plan.new_status, ReportStatus::Draft);
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].new_value, Some(800));
        assert!(plan.warnings.is_empty());
    }

    #[test]
    fn another_citys_figures_and_future_quarters_are_refused() {
        let fixture = Fixture::new();
        let refused = plan_save(&fixture.context("440300", "2021Q3"), None, &input(&[], false));
        assert_eq!(refused, Err(Refusal::NotYourRegion("440300".into())));
        let refused = plan_save(&fixture.context("440100", "2022Q1"), None, &input(&[], false));
        assert_eq!(refused, Err(Refusal::FuturePeriod("2022Q1".parse().unwrap())));
        let refused = plan_save(&fixture.context("449999", "2021Q3"), None, &input(&[], false));
        assert_eq!(refused, Err(Refusal::UnknownRegion("449999".into())));
    }

    #[test]
    fn the_province_takes_no_report_of_its_own_its_figures_are_its_cities_sum() {
        let mut fixture = Fixture::new();
        fixture.actor = Actor {
            user_id: Some(1),
            username: "admin".into(),
            role: Role::Admin,
            region: None,
        };
        let name = fixture.catalogue.region("440000").unwrap().name_zh.clone();
        let refused = plan_save(
            &fixture.context("440000", "2021Q3"),
            None,
            &input(&[("starts", Some(5))], true),
        );
        assert_eq!(refused, Err(Refusal::SummedRegion(name)));
        assert!(plan_save(&fixture.context("440100", "2021Q3"), None, &input(&[], false)).is_ok());
    }

    #[test]
    fn a_lagging_figure_needs_its_note_to_be_submitted_against_the_rolled_up_target() {
        let fixture = Fixture::new();
        // 100 of 1,000 at Q3 is 10.0% against a 75.0% benchmark: behind.
        let draft = plan_save(
            &fixture.context("440100", "2021Q3"),
            None,
            &input(&[("starts", Some(100))], false),
        )
        .unwrap();
        assert!(matches!(draft.warnings[0].warning, Warning::BehindWithoutNote { .. }));
        let Err(Refusal::Invalid(errors)) = plan_save(
            &fixture.context("440100", "2021Q3"),
            None,
            &input(&[("starts", Some(100))], true),
        ) else {
            panic!("submitting without the note must be refused");
        };
        assert_eq!(errors[0].field.as_deref(), Some("starts"));
        let mut with_note = input(&[("starts", Some(100))], true);
        with_note.notes.insert("starts".into(), "征收进度滞后".into());
        let plan = plan_save(&fixture.context("440100", "2021Q3"), None, &with_note).unwrap();
        assert_eq!(plan.new_status, ReportStatus::Submitted);
        assert_eq!(plan.changes[0].new_note, "征收进度滞后");
    }

    #[test]
    fn cumulative_figures_never_fall_within_a_year() {
        let mut fixture = Fixture::new();
        fixture
            .same_year
            .insert("starts".into(), vec![("2021Q2".parse().unwrap(), 500)]);
        let Err(Refusal::Invalid(errors)) = plan_save(
            &fixture.context("440100", "2021Q3"),
            None,
            &input(&[("starts", Some(400))], false),
        ) else {
            panic!("a falling cumulative must be refused");
        };
        assert_eq!(errors[0].field.as_deref(), Some("starts"));
    }

    #[test]
    fn a_stale_version_and_a_submitted_report_are_refused() {
        let fixture = Fixture::new();
        let values = BTreeMap::from([("starts".to_owned(), Some(800))]);
        let notes = BTreeMap::new();
        let stored = Stored {
            status: ReportStatus::Draft,
            version: 3,
            values: &values,
            notes: &notes,
        };
        let mut stale = input(&[("starts", Some(900))], false);
        stale.version = Some(2);
        assert_eq!(
            plan_save(&fixture.context("440100", "2021Q3"), Some(stored), &stale),
            Err(Refusal::StaleVersion { current: 3, sent: 2 })
        );
        let submitted = Stored {
            status: ReportStatus::Submitted,
            ..stored
        };
        assert!(matches!(
            plan_save(
                &fixture.context("440100", "2021Q3"),
                Some(submitted),
                &input(&[], false)
            ),
            Err(Refusal::Workflow(WorkflowError::WrongStatus { .. }))
        ));
        // Saving what is already stored changes no row.
        let same = plan_save(
            &fixture.context("440100", "2021Q3"),
            Some(stored),
            &input(&[("starts", Some(800))], false),
        )
        .unwrap();
        assert!(same.changes.is_empty());
        assert!(!same.records_status());
    }

    #[test]
    fn returning_needs_a_comment_and_an_admin() {
        let values = BTreeMap::new();
        let notes = BTreeMap::new();
        let stored = Stored {
            status: ReportStatus::Submitted,
            version: 1,
            values: &values,
            notes: &notes,
        };
        let admin = Actor::system("test");
        assert!(matches!(
            plan_review(&admin, stored, Action::Return, Some("  "), None),
            Err(Refusal::Invalid(_))
        ));
        let plan = plan_review(&admin, stored, Action::Return, Some("请核实"), Some(1)).unwrap();
        assert_eq!(plan.new_status, ReportStatus::Returned);
        assert_eq!(
            plan_review(&officer(), stored, Action::Approve, None, None),
            Err(Refusal::Workflow(WorkflowError::Forbidden))
        );
    }

    #[test]
    fn reopening_needs_a_reason_after_the_status_allows_it() {
        let values = BTreeMap::new();
        let notes = BTreeMap::new();
        let approved = Stored {
            status: ReportStatus::Approved,
            version: 4,
            values: &values,
            notes: &notes,
        };
        let admin = Actor::system("test");
        for blank in [None, Some(""), Some("  ")] {
            assert!(matches!(
                plan_review(&admin, approved, Action::Reopen, blank, None),
                Err(Refusal::Invalid(_))
            ));
        }
        let plan = plan_review(&admin, approved, Action::Reopen, Some("请补充租金减免户数"), Some(4)).unwrap();
        assert_eq!(plan.new_status, ReportStatus::Returned);
        assert_eq!(plan.comment.as_deref(), Some("请补充租金减免户数"));
        // A report that cannot be reopened says so first, reason or not.
        let submitted = Stored {
            status: ReportStatus::Submitted,
            ..approved
        };
        assert!(matches!(
            plan_review(&admin, submitted, Action::Reopen, None, None),
            Err(Refusal::Workflow(WorkflowError::WrongStatus { .. }))
        ));
    }
}
