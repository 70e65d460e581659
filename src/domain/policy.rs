//! Access policy: who may see and do what, as methods on the acting user. Deny by default. The
//! handlers refuse with these answers and the navigation offers exactly what they allow.

use super::catalogue::{Catalogue, code_within};
use super::{Actor, Role};

/// The pages the navigation can offer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Page {
    Dashboard,
    Bulletin,
    Reports,
    Approvals,
    Completeness,
    Targets,
    Users,
    Audit,
    Import,
    Export,
}

impl Page {
    pub const ALL: [Page; 10] = [
        Page::Dashboard,
        Page::Bulletin,
        Page::Reports,
        Page::Approvals,
        Page::Completeness,
        Page::Targets,
        Page::Users,
        Page::Audit,
        Page::Import,
        Page::Export,
    ];

    pub fn path(self) -> &'static str {
        match self {
            Page::Dashboard => "/",
            Page::Bulletin => "/bulletin",
            Page::Reports => "/reports",
            Page::Approvals => "/admin/approvals",
            Page::Completeness => "/completeness",
            Page::Targets => "/admin/targets",
            Page::Users => "/admin/users",
            Page::Audit => "/audit",
            Page::Import => "/import",
            Page::Export => "/export",
        }
    }
}

/// Whose changes someone may read in the audit log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditScope {
    /// Every region's.
    All,
    /// One region's only.
    Region(String),
}

/// What an import file sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImportKind {
    Targets,
    Reports,
}

impl Actor {
    /// Whether the navigation offers `page`, and whether its handler lets this user in. The
    /// completeness page is offered to the reviewers (admins); every reader reaches it from the
    /// dashboard's completeness line, within what they read.
    pub fn may_open(&self, page: Page) -> bool {
        match page {
            Page::Dashboard | Page::Bulletin | Page::Export => true,
            Page::Reports => self.may_enter_figures(),
            Page::Approvals => self.may_review(),
            Page::Completeness => self.role == Role::Admin,
            Page::Targets => self.may_set_targets(),
            Page::Users => self.may_manage_users(),
            Page::Audit => self.audit_scope().is_some(),
            Page::Import => self.may_import(ImportKind::Reports) || self.may_import(ImportKind::Targets),
        }
    }

    /// Enters some region's figures: an officer their own, an admin any.
    pub fn may_enter_figures(&self) -> bool {
        match self.role {
            Role::Admin => true,
            Role::Officer => self.region.is_some(),
            Role::Leader | Role::Analyst => false,
        }
    }

    /// Writes `region`'s figures: admins anywhere, officers in their own region.
    pub fn may_write_figures(&self, region: &str) -> bool {
        self.role.may_write_figures(self.region.as_deref(), region)
    }

    /// Sees `region`'s drafts and returned reports, which do not count yet: the region's own
    /// officers, its city's admins and the province.
    pub fn may_read_drafts(&self, region: &str) -> bool {
        match self.role {
            Role::Admin => self.region.as_deref().is_none_or(|scope| code_within(region, scope)),
            Role::Officer => self.region.as_deref() == Some(region),
            Role::Leader | Role::Analyst => false,
        }
    }

    /// Reads the drafts of every region in `scope`: what the audit log shows this user of
    /// changes to reports that were not counted yet, and of the province's comments.
    pub fn may_read_drafts_in(&self, scope: &AuditScope) -> bool {
        match scope {
            AuditScope::All => self.role == Role::Admin && self.region.is_none(),
            AuditScope::Region(region) => self.may_read_drafts(region),
        }
    }

    /// Approves, returns and reopens reports (some: [`Actor::may_review_report`]).
    pub fn may_review(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether `region` is within this user's reach: everything for an unbound user; for a
    /// bound one (an officer's unit, a city admin's city), that region and everything under it.
    pub fn covers(&self, catalogue: &Catalogue, region: &str) -> bool {
        match &self.region {
            None => true,
            Some(scope) => catalogue.is_within(region, scope),
        }
    }

    /// The region whose figures this user's leadership pages, charts, bulletin, exports and API
    /// reads show: a city-bound leader's, analyst's or admin's city (with its units); `None` for
    /// everyone else, who reads the whole catalogue. Officers read the province's published
    /// figures, as before: their binding decides what they write, not what they read.
    pub fn read_scope(&self) -> Option<&str> {
        match self.role {
            Role::Leader | Role::Analyst | Role::Admin => self.region.as_deref(),
            Role::Officer => None,
        }
    }

    /// Reads `region`'s figures: within [`Actor::read_scope`], or anywhere when unscoped.
    pub fn may_read_region(&self, catalogue: &Catalogue, region: &str) -> bool {
        self.read_scope().is_none_or(|scope| catalogue.is_within(region, scope))
    }

    /// Approves, returns or reopens `region`'s report: an admin whose reach takes in the level
    /// above it. A city admin reviews the city's units; a province admin reviews the cities and,
    /// above the city admins, their units too.
    pub fn may_review_report(&self, catalogue: &Catalogue, region: &str) -> bool {
        self.role == Role::Admin
            && match catalogue.region(region).and_then(|r| r.parent_code.as_deref()) {
                Some(parent) => self.covers(catalogue, parent),
                None => self.region.is_none(),
            }
    }

    /// Sends a city's consolidated report up (after its units are approved): its admins.
    pub fn may_consolidate(&self, catalogue: &Catalogue, city: &str) -> bool {
        self.role == Role::Admin && self.covers(catalogue, city)
    }

    /// Decides whether a city reports itself or through its units: province-wide admins only.
    pub fn may_set_reporting(&self) -> bool {
        self.role == Role::Admin && self.region.is_none()
    }

    /// Opens the targets page and imports targets: every admin. Which targets they set is
    /// [`Actor::may_set_target_of`].
    pub fn may_set_targets(&self) -> bool {
        self.role == Role::Admin
    }

    /// Sets `region`'s annual targets: a province-wide admin any region's; a city admin those
    /// of the city's units (its counties and 市本级), never the city's own, which is the
    /// province's to set, nor anything outside the city.
    pub fn may_set_target_of(&self, catalogue: &Catalogue, region: &str) -> bool {
        match (self.role, self.region.as_deref()) {
            (Role::Admin, None) => true,
            (Role::Admin, Some(scope)) => region != scope && catalogue.is_within(region, scope),
            _ => false,
        }
    }

    /// Opens the users page: every admin. Whose accounts they manage is
    /// [`Actor::may_manage_user`].
    pub fn may_manage_users(&self) -> bool {
        self.role == Role::Admin
    }

    /// The roles this user gives accounts on the users page: a city admin officers only.
    pub fn roles_to_give(&self) -> &'static [Role] {
        match (self.role, self.region.as_deref()) {
            (Role::Admin, None) => &Role::ALL,
            (Role::Admin, Some(_)) => &[Role::Officer],
            _ => &[],
        }
    }

    /// An admin bound to no city: manages every account, token and region.
    pub fn is_province_admin(&self) -> bool {
        self.role == Role::Admin && self.region.is_none()
    }

    /// Sees `account` (its role and binding) on the users page: a province-wide admin every
    /// account, a city admin the accounts bound within the city.
    pub fn sees_account(&self, catalogue: &Catalogue, account: &Actor) -> bool {
        match (self.role, self.region.as_deref()) {
            (Role::Admin, None) => true,
            (Role::Admin, Some(_)) => account.region.as_deref().is_some_and(|r| self.covers(catalogue, r)),
            _ => false,
        }
    }

    /// Creates, changes, resets, disables or enables `account` (as it is, and as it would be
    /// after a change): a province-wide admin any account; a city admin the officers bound
    /// within the city (its units, or the city itself when it reports itself), never an admin,
    /// leader or analyst, never itself.
    pub fn may_manage_user(&self, catalogue: &Catalogue, account: &Actor) -> bool {
        match (self.role, self.region.as_deref()) {
            (Role::Admin, None) => true,
            (Role::Admin, Some(_)) => {
                account.role == Role::Officer
                    && account.user_id.is_none_or(|id| self.user_id != Some(id))
                    && account.region.as_deref().is_some_and(|r| self.covers(catalogue, r))
            }
            _ => false,
        }
    }

    /// Lists and revokes the API tokens of user `user_id` (and creates one for them): everyone
    /// their own, province-wide admins anyone's.
    pub fn may_manage_tokens_of(&self, user_id: i64) -> bool {
        self.is_province_admin() || self.user_id == Some(user_id)
    }

    /// Imports a file of `kind`: targets an admin's (each row as [`Actor::may_set_target_of`]),
    /// reports also an officer's own.
    pub fn may_import(&self, kind: ImportKind) -> bool {
        match (self.role, kind) {
            (Role::Admin, ImportKind::Targets) => self.may_set_targets(),
            (Role::Admin, ImportKind::Reports) => true,
            (Role::Officer, ImportKind::Reports) => self.region.is_some(),
            _ => false,
        }
    }

    /// Whose changes the audit log shows this user; `None`: the log is closed to them.
    pub fn audit_scope(&self) -> Option<AuditScope> {
        match (self.role, &self.region) {
            (Role::Admin | Role::Analyst, None) => Some(AuditScope::All),
            (Role::Admin | Role::Analyst, Some(scope)) => Some(AuditScope::Region(scope.clone())),
            (Role::Officer, Some(region)) => Some(AuditScope::Region(region.clone())),
            (Role::Officer, None) | (Role::Leader, _) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, region: Option<&str>) -> Actor {
        Actor {
            user_id: Some(1),
            username: "someone".into(),
            role,
            region: region.map(str::to_owned),
        }
    }

    #[test]
    fn drafts_are_the_region_and_the_province_only() {
        assert!(actor(Role::Admin, None).may_read_drafts("440300"));
        assert!(actor(Role::Officer, Some("440100")).may_read_drafts("440100"));
        assert!(!actor(Role::Officer, Some("440100")).may_read_drafts("440300"));
        assert!(!actor(Role::Analyst, None).may_read_drafts("440100"));
        assert!(!actor(Role::Leader, None).may_read_drafts("440100"));
    }

    #[test]
    fn the_audit_log_shows_drafts_to_the_region_and_the_province_only() {
        let admin = actor(Role::Admin, None);
        assert!(admin.may_read_drafts_in(&admin.audit_scope().unwrap()));
        let officer = actor(Role::Officer, Some("440100"));
        assert!(officer.may_read_drafts_in(&officer.audit_scope().unwrap()));
        assert!(!officer.may_read_drafts_in(&AuditScope::Region("440300".into())));
        assert!(!officer.may_read_drafts_in(&AuditScope::All));
        let analyst = actor(Role::Analyst, None);
        assert!(!analyst.may_read_drafts_in(&analyst.audit_scope().unwrap()));
        assert!(!analyst.may_read_drafts_in(&AuditScope::Region("440100".into())));
        assert!(!actor(Role::Leader, None).may_read_drafts_in(&AuditScope::All));
    }

    #[test]
    fn tokens_are_their_owners_and_the_admins() {
        let officer = actor(Role::Officer, Some("440100"));
        assert!(officer.may_manage_tokens_of(1));
        assert!(!officer.may_manage_tokens_of(2));
        assert!(!actor(Role::Analyst, None).may_manage_tokens_of(2));
        assert!(actor(Role::Admin, None).may_manage_tokens_of(2));
        assert!(Actor::system("cli").may_manage_tokens_of(2));
    }

    #[test]
    fn the_audit_log_is_scoped_by_role() {
        assert_eq!(actor(Role::Admin, None).audit_scope(), Some(AuditScope::All));
        assert_eq!(actor(Role::Analyst, None).audit_scope(), Some(AuditScope::All));
        assert_eq!(
            actor(Role::Officer, Some("440100")).audit_scope(),
            Some(AuditScope::Region("440100".into()))
        );
        assert_eq!(actor(Role::Leader, None).audit_scope(), None);
    }

    #[test]
    fn a_city_admin_reviews_its_units_and_the_province_the_rest() {
        use crate::domain::catalogue::tests::region;
        let mut regions = vec![
            region("440000", None),
            region("440100", Some("440000")),
            region("440200", Some("440000")),
            region("440203", Some("440200")),
            region("440204", Some("440200")),
        ];
        regions[3].level = "county".into();
        let catalogue = Catalogue::new(regions, vec![]);
        let city = actor(Role::Admin, Some("440200"));
        assert!(city.may_review_report(&catalogue, "440203"));
        assert!(!city.may_review_report(&catalogue, "440200"), "not its own city");
        assert!(!city.may_review_report(&catalogue, "440100"), "not another city");
        assert!(!city.may_review_report(&catalogue, "440000"));
        assert!(city.may_consolidate(&catalogue, "440200"));
        assert!(!city.may_consolidate(&catalogue, "440100"));
        assert!(!city.may_set_reporting());
        let province = actor(Role::Admin, None);
        for code in ["440100", "440200", "440203"] {
            assert!(province.may_review_report(&catalogue, code), "{code}");
        }
        assert!(province.may_set_reporting());
        let officer = actor(Role::Officer, Some("440203"));
        assert!(!officer.may_review_report(&catalogue, "440203"));
        assert!(officer.covers(&catalogue, "440203"));
        assert!(!officer.covers(&catalogue, "440204"));
        assert!(city.covers(&catalogue, "440204"));
        assert!(!city.covers(&catalogue, "440100"));
        // Drafts, targets, accounts and the audit log stay within the city, or with the province.
        assert!(city.may_read_drafts("440204") && city.may_read_drafts("440200"));
        assert!(!city.may_read_drafts("440100") && !city.may_read_drafts("440802"));
        assert!(city.may_import(ImportKind::Reports) && city.may_import(ImportKind::Targets));
        assert_eq!(city.audit_scope(), Some(AuditScope::Region("440200".into())));
        assert!(!city.may_read_drafts_in(&AuditScope::All));
    }

    #[test]
    fn a_city_bound_reader_reads_its_city_only() {
        use crate::domain::catalogue::tests::region;
        let catalogue = Catalogue::new(
            vec![
                region("440000", None),
                region("440100", Some("440000")),
                region("440200", Some("440000")),
                region("440203", Some("440200")),
            ],
            vec![],
        );
        for role in [Role::Leader, Role::Analyst, Role::Admin] {
            let city = actor(role, Some("440200"));
            assert_eq!(city.read_scope(), Some("440200"));
            assert!(city.may_read_region(&catalogue, "440200"));
            assert!(city.may_read_region(&catalogue, "440203"));
            assert!(!city.may_read_region(&catalogue, "440100"), "{role:?}");
            assert!(!city.may_read_region(&catalogue, "440000"), "{role:?}");
            let province = actor(role, None);
            assert_eq!(province.read_scope(), None);
            assert!(province.may_read_region(&catalogue, "440100"));
        }
        let officer = actor(Role::Officer, Some("440203"));
        assert_eq!(
            officer.read_scope(),
            None,
            "officers read the province's published figures"
        );
        assert!(officer.may_read_region(&catalogue, "440100"));
    }

    #[test]
    fn pages_follow_the_rules_they_open() {
        let officer = actor(Role::Officer, Some("440100"));
        let open: Vec<Page> = Page::ALL.into_iter().filter(|p| officer.may_open(*p)).collect();
        assert_eq!(
            open,
            [
                Page::Dashboard,
                Page::Bulletin,
                Page::Reports,
                Page::Audit,
                Page::Import,
                Page::Export
            ]
        );
        let leader = actor(Role::Leader, None);
        let open: Vec<Page> = Page::ALL.into_iter().filter(|p| leader.may_open(*p)).collect();
        assert_eq!(open, [Page::Dashboard, Page::Bulletin, Page::Export]);
        let admin = actor(Role::Admin, None);
        assert!(Page::ALL.into_iter().all(|p| admin.may_open(p)));
    }

    fn shaoguan() -> Catalogue {
        use crate::domain::catalogue::tests::region;
        let mut regions = vec![
            region("440000", None),
            region("440100", Some("440000")),
            region("440200", Some("440000")),
            region("440201", Some("440200")),
            region("440203", Some("440200")),
            region("440800", Some("440000")),
            region("440802", Some("440800")),
        ];
        for unit in regions
            .iter_mut()
            .filter(|r| ["440201", "440203", "440802"].contains(&r.code.as_str()))
        {
            unit.level = "county".into();
        }
        Catalogue::new(regions, vec![])
    }

    #[test]
    fn a_city_admin_sets_its_units_targets_and_the_province_everything() {
        let catalogue = shaoguan();
        let city = actor(Role::Admin, Some("440200"));
        assert!(city.may_set_targets() && city.may_open(Page::Targets));
        assert!(city.may_set_target_of(&catalogue, "440203"));
        assert!(city.may_set_target_of(&catalogue, "440201"), "市本级");
        assert!(
            !city.may_set_target_of(&catalogue, "440200"),
            "the city's own is the province's"
        );
        assert!(!city.may_set_target_of(&catalogue, "440000"));
        assert!(!city.may_set_target_of(&catalogue, "440100"), "another city");
        assert!(!city.may_set_target_of(&catalogue, "440802"), "another city's county");
        assert!(
            !city.may_set_target_of(&catalogue, "440103"),
            "a county the catalogue leaves out"
        );
        let province = actor(Role::Admin, None);
        for code in ["440000", "440200", "440203", "440802"] {
            assert!(province.may_set_target_of(&catalogue, code), "{code}");
        }
        for other in [
            actor(Role::Officer, Some("440203")),
            actor(Role::Leader, Some("440200")),
            actor(Role::Analyst, None),
        ] {
            assert!(!other.may_set_targets() && !other.may_set_target_of(&catalogue, "440203"));
            assert!(!other.may_open(Page::Targets));
        }
    }

    #[test]
    fn a_city_bound_reader_reads_its_citys_targets_only() {
        let catalogue = shaoguan();
        for role in [Role::Admin, Role::Leader, Role::Analyst] {
            let city = actor(role, Some("440200"));
            for code in ["440200", "440201", "440203"] {
                assert!(city.may_read_region(&catalogue, code), "{role:?} {code}");
            }
            for code in ["440000", "440100", "440800", "440802"] {
                assert!(!city.may_read_region(&catalogue, code), "{role:?} {code}");
            }
            let province = actor(role, None);
            for code in ["440000", "440100", "440203", "440802"] {
                assert!(province.may_read_region(&catalogue, code), "{role:?} {code}");
            }
        }
        let officer = actor(Role::Officer, Some("440203"));
        assert!(
            officer.may_read_region(&catalogue, "440802"),
            "officers read the province's figures"
        );
    }

    #[test]
    fn a_city_admin_manages_its_units_officers_only() {
        let catalogue = shaoguan();
        let city = Actor {
            user_id: Some(7),
            ..actor(Role::Admin, Some("440200"))
        };
        let account = |id: i64, role: Role, region: Option<&str>| Actor {
            user_id: Some(id),
            ..actor(role, region)
        };
        assert!(city.may_manage_users() && city.may_open(Page::Users));
        assert_eq!(city.roles_to_give(), [Role::Officer]);
        assert_eq!(actor(Role::Admin, None).roles_to_give(), Role::ALL);
        assert!(actor(Role::Leader, None).roles_to_give().is_empty());
        assert!(city.may_manage_user(&catalogue, &account(2, Role::Officer, Some("440203"))));
        assert!(city.may_manage_user(&catalogue, &account(2, Role::Officer, Some("440201"))));
        let new = Actor {
            user_id: None,
            ..actor(Role::Officer, Some("440203"))
        };
        assert!(city.may_manage_user(&catalogue, &new), "a new officer of a county");
        for (role, region, why) in [
            (Role::Officer, Some("440802"), "another city's officer"),
            (Role::Officer, Some("440100"), "another city's officer"),
            (Role::Admin, Some("440200"), "an admin of its own city"),
            (Role::Leader, Some("440200"), "a leader"),
            (Role::Analyst, Some("440200"), "an analyst"),
            (Role::Admin, None, "a province admin"),
            (Role::Officer, None, "an unbound officer"),
        ] {
            assert!(!city.may_manage_user(&catalogue, &account(2, role, region)), "{why}");
        }
        assert!(!city.may_manage_user(&catalogue, &city), "not itself");
        // It sees the accounts bound within the city, itself included, and no others.
        assert!(city.sees_account(&catalogue, &account(2, Role::Leader, Some("440200"))));
        assert!(city.sees_account(&catalogue, &city));
        assert!(!city.sees_account(&catalogue, &account(2, Role::Officer, Some("440802"))));
        assert!(!city.sees_account(&catalogue, &account(2, Role::Admin, None)));
        let province = actor(Role::Admin, None);
        assert!(province.is_province_admin() && !city.is_province_admin());
        assert!(province.may_manage_user(&catalogue, &account(2, Role::Admin, Some("440200"))));
        assert!(province.sees_account(&catalogue, &account(2, Role::Admin, None)));
        // Tokens stay the owner's and the province's.
        assert!(!city.may_manage_tokens_of(2) && city.may_manage_tokens_of(7));
        let officer = actor(Role::Officer, Some("440203"));
        assert!(!officer.may_manage_users());
        assert!(!officer.may_manage_user(&catalogue, &account(2, Role::Officer, Some("440203"))));
    }
}
