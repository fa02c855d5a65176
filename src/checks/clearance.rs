//! Whether a volunteer is cleared to facilitate at an establishment on a date, and if not,
//! why — pure: plain data in, plain data out, so the matcher can call it without I/O.
//!
//! Dates are read as "last valid day", the same as `checks_valid_until` in docs/API.md:
//! - a DBS renewal due date is the day a renewed check must be in place, so the old check
//!   is valid up to and including the day *before* it (renewal due on the conference date
//!   → not cleared);
//! - a prison vetting expiry date is the last day it is valid (expiring on the conference
//!   date → still cleared; expiring the day before → not cleared).

use std::fmt;

use chrono::{Months, NaiveDate};
use entity::dbs_check::{DbsLevel, DbsStatus};
use entity::prison_vetting::VettingStatus;
use entity::{dbs_check, establishment, prison_vetting};

use crate::domain::time::short_date;

/// The parts of a DBS check that decide clearance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbsCheck {
    pub level: DbsLevel,
    pub status: DbsStatus,
    pub issued_on: Option<NaiveDate>,
    pub update_service: bool,
}

/// The parts of a prison vetting that decide clearance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vetting {
    pub establishment_id: i64,
    pub status: VettingStatus,
    pub cleared_on: Option<NaiveDate>,
    /// Last valid day, inclusive.
    pub expires_on: Option<NaiveDate>,
}

/// The parts of an establishment that decide clearance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Establishment {
    pub id: i64,
    pub name: String,
    pub requires_vetting: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clearance {
    Cleared,
    /// At least one reason, DBS first.
    NotCleared(Vec<Reason>),
}

impl Clearance {
    pub fn is_cleared(&self) -> bool {
        matches!(self, Clearance::Cleared)
    }
}

/// Why a volunteer is not cleared; `Display` gives the coordinator's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reason {
    NoDbs,
    /// The latest DBS check is requested, in progress, with concerns or withdrawn.
    DbsNotClear(DbsStatus),
    /// The latest clear DBS check is below enhanced.
    DbsLevelTooLow(DbsLevel),
    /// Marked clear without an issue date, so there is no certificate to rely on.
    DbsNoIssueDate,
    /// The certificate is dated after the date asked about.
    DbsIssuedAfter {
        issued_on: NaiveDate,
        on: NaiveDate,
    },
    DbsRenewalDue {
        due: NaiveDate,
        on: NaiveDate,
    },
    NotVetted {
        establishment: String,
    },
    VettingNotCleared {
        establishment: String,
        status: VettingStatus,
    },
    VettingClearedAfter {
        establishment: String,
        cleared_on: NaiveDate,
        on: NaiveDate,
    },
    VettingExpired {
        establishment: String,
        expires_on: NaiveDate,
        on: NaiveDate,
    },
    /// Marked cleared without an expiry date, which is not relied on.
    VettingNoExpiry {
        establishment: String,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::NoDbs => write!(f, "no DBS check recorded"),
            Reason::DbsNotClear(DbsStatus::Requested) => write!(f, "DBS check has been requested, not yet returned"),
            Reason::DbsNotClear(DbsStatus::InProgress) => write!(f, "DBS check is in progress"),
            Reason::DbsNotClear(DbsStatus::Concerns) => write!(f, "DBS check raised concerns"),
            Reason::DbsNotClear(DbsStatus::Withdrawn) => write!(f, "DBS check was withdrawn"),
            Reason::DbsNotClear(DbsStatus::Clear) => write!(f, "DBS check is not clear"),
            Reason::DbsLevelTooLow(level) => write!(f, "DBS is {}; an enhanced check is required", level.label()),
            Reason::DbsNoIssueDate => write!(f, "DBS check is marked clear but has no issue date"),
            Reason::DbsIssuedAfter { issued_on, on } => {
                write!(f, "DBS certificate issued {}, after {}", short_date(*issued_on), short_date(*on))
            }
            Reason::DbsRenewalDue { due, on } if due == on => {
                write!(f, "DBS renewal due {}, on the day itself", short_date(*due))
            }
            Reason::DbsRenewalDue { due, on } => {
                write!(f, "DBS renewal due {}, before {}", short_date(*due), short_date(*on))
            }
            Reason::NotVetted { establishment } => write!(f, "not vetted at {establishment}"),
            Reason::VettingNotCleared { establishment, status } => match status {
                VettingStatus::Requested => {
                    write!(f, "prison vetting at {establishment} is requested, not yet cleared")
                }
                VettingStatus::Refused => write!(f, "prison vetting at {establishment} was refused"),
                VettingStatus::Withdrawn => write!(f, "prison vetting at {establishment} was withdrawn"),
                VettingStatus::Cleared => write!(f, "prison vetting at {establishment} is not cleared"),
            },
            Reason::VettingClearedAfter { establishment, cleared_on, on } => {
                write!(
                    f,
                    "prison vetting at {establishment} is cleared only from {}, after {}",
                    short_date(*cleared_on),
                    short_date(*on)
                )
            }
            Reason::VettingExpired { establishment, expires_on, on } => {
                write!(
                    f,
                    "prison vetting at {establishment} expires {}, before {}",
                    short_date(*expires_on),
                    short_date(*on)
                )
            }
            Reason::VettingNoExpiry { establishment } => {
                write!(f, "prison vetting at {establishment} is marked cleared but has no expiry date")
            }
        }
    }
}

/// The renewal due date of a DBS check: `years` after issue, or none on the Update Service
/// (or before a certificate is issued). 29 February renews on 28 February.
pub fn renewal_due(issued_on: Option<NaiveDate>, update_service: bool, years: i64) -> Option<NaiveDate> {
    if update_service {
        return None;
    }
    let months = u32::try_from(years.clamp(0, 100) * 12).unwrap_or(0);
    issued_on.and_then(|issued| issued.checked_add_months(Months::new(months)))
}

impl DbsCheck {
    pub fn renewal_due(&self, renewal_years: i64) -> Option<NaiveDate> {
        renewal_due(self.issued_on, self.update_service, renewal_years)
    }

    /// Why this check does not clear the volunteer on `on`, or `None` when it does.
    fn fails_on(&self, on: NaiveDate, renewal_years: i64) -> Option<Reason> {
        if self.status != DbsStatus::Clear {
            return Some(Reason::DbsNotClear(self.status));
        }
        if !self.level.is_enhanced() {
            return Some(Reason::DbsLevelTooLow(self.level));
        }
        match self.issued_on {
            // The forms require an issue date for a clear check; data from elsewhere may lack one.
            None => Some(Reason::DbsNoIssueDate),
            Some(issued_on) if issued_on > on => Some(Reason::DbsIssuedAfter { issued_on, on }),
            Some(_) => match self.renewal_due(renewal_years) {
                Some(due) if due <= on => Some(Reason::DbsRenewalDue { due, on }),
                _ => None,
            },
        }
    }
}

impl Vetting {
    fn fails_on(&self, establishment: &str, on: NaiveDate) -> Option<Reason> {
        let establishment = establishment.to_owned();
        if self.status != VettingStatus::Cleared {
            return Some(Reason::VettingNotCleared { establishment, status: self.status });
        }
        match (self.cleared_on, self.expires_on) {
            (Some(cleared_on), _) if cleared_on > on => {
                Some(Reason::VettingClearedAfter { establishment, cleared_on, on })
            }
            (_, Some(expires_on)) if expires_on < on => Some(Reason::VettingExpired { establishment, expires_on, on }),
            // The forms require an expiry for cleared vetting; data from elsewhere may lack one.
            (_, None) => Some(Reason::VettingNoExpiry { establishment }),
            _ => None,
        }
    }
}

fn dbs_reason(checks: &[DbsCheck], on: NaiveDate, renewal_years: i64) -> Option<Reason> {
    let mut first_failure = None;
    // Checks come oldest first; the newest tells the coordinator what is happening now
    // (e.g. a renewal in progress), so its reason is the one reported. A newer adverse
    // result (concerns, withdrawn) outweighs any older clear check.
    for check in checks.iter().rev() {
        match check.fails_on(on, renewal_years) {
            None => return None,
            Some(reason) => {
                let adverse = matches!(check.status, DbsStatus::Concerns | DbsStatus::Withdrawn);
                let reason = first_failure.get_or_insert(reason).clone();
                if adverse {
                    return Some(reason);
                }
            }
        }
    }
    Some(first_failure.unwrap_or(Reason::NoDbs))
}

fn vetting_reason(vetting: &[Vetting], establishment: &Establishment, on: NaiveDate) -> Option<Reason> {
    // Newest first, as for DBS checks.
    let mut first_failure = None;
    for v in vetting.iter().rev().filter(|v| v.establishment_id == establishment.id) {
        match v.fails_on(&establishment.name, on) {
            None => return None,
            Some(reason) => {
                let adverse = matches!(v.status, VettingStatus::Refused | VettingStatus::Withdrawn);
                let reason = first_failure.get_or_insert(reason).clone();
                if adverse {
                    return Some(reason);
                }
            }
        }
    }
    Some(first_failure.unwrap_or_else(|| Reason::NotVetted { establishment: establishment.name.clone() }))
}

/// The DBS part alone: what `active` status needs (vetting is per establishment).
pub fn dbs_clearance(checks: &[DbsCheck], on: NaiveDate, renewal_years: i64) -> Clearance {
    match dbs_reason(checks, on, renewal_years) {
        None => Clearance::Cleared,
        Some(reason) => Clearance::NotCleared(vec![reason]),
    }
}

/// Is the volunteer with these `checks` and `vetting` (each oldest first) cleared to
/// facilitate at `establishment` on `on`? Cleared needs an enhanced (or enhanced with barred
/// lists) DBS check that is clear, issued on or before `on` and not due for renewal on or
/// before `on`; and, where the establishment requires vetting, a cleared vetting there whose
/// expiry is on or after `on`.
pub fn evaluate(
    checks: &[DbsCheck],
    vetting: &[Vetting],
    establishment: &Establishment,
    on: NaiveDate,
    renewal_years: i64,
) -> Clearance {
    let mut reasons = Vec::new();
    reasons.extend(dbs_reason(checks, on, renewal_years));
    if establishment.requires_vetting {
        reasons.extend(vetting_reason(vetting, establishment, on));
    }
    if reasons.is_empty() { Clearance::Cleared } else { Clearance::NotCleared(reasons) }
}

impl From<&dbs_check::Model> for DbsCheck {
    fn from(m: &dbs_check::Model) -> Self {
        Self { level: m.level, status: m.status, issued_on: m.issued_on, update_service: m.update_service }
    }
}

impl From<&prison_vetting::Model> for Vetting {
    fn from(m: &prison_vetting::Model) -> Self {
        Self {
            establishment_id: m.establishment_id,
            status: m.status,
            cleared_on: m.cleared_on,
            expires_on: m.expires_on,
        }
    }
}

impl From<&establishment::Model> for Establishment {
    fn from(m: &establishment::Model) -> Self {
        Self { id: m.id, name: m.name.clone(), requires_vetting: m.requires_vetting }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn enhanced(issued: &str) -> DbsCheck {
        DbsCheck {
            level: DbsLevel::Enhanced,
            status: DbsStatus::Clear,
            issued_on: Some(d(issued)),
            update_service: false,
        }
    }

    fn prison(requires_vetting: bool) -> Establishment {
        Establishment { id: 7, name: "HMP Example".into(), requires_vetting }
    }

    fn vetted(expires: &str) -> Vetting {
        Vetting {
            establishment_id: 7,
            status: VettingStatus::Cleared,
            cleared_on: Some(d("2025-01-01")),
            expires_on: Some(d(expires)),
        }
    }

    fn reasons(c: Clearance) -> Vec<String> {
        match c {
            Clearance::Cleared => vec![],
            Clearance::NotCleared(r) => r.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn a_newer_adverse_result_outweighs_an_older_clear_one() {
        let on = d("2026-06-01");
        let concerns = DbsCheck { status: DbsStatus::Concerns, ..enhanced("2026-01-01") };
        assert!(!evaluate(&[enhanced("2025-01-01"), concerns], &[], &prison(false), on, 3).is_cleared());
        let renewing = DbsCheck { status: DbsStatus::InProgress, issued_on: None, ..enhanced("2026-01-01") };
        assert!(
            evaluate(&[enhanced("2025-01-01"), renewing], &[], &prison(false), on, 3).is_cleared(),
            "a renewal in progress does not"
        );
        let refused = Vetting { status: VettingStatus::Refused, ..vetted("2027-01-01") };
        assert!(
            !evaluate(&[enhanced("2025-01-01")], &[vetted("2027-01-01"), refused], &prison(true), on, 3).is_cleared()
        );
    }

    #[test]
    fn renewal_due_is_years_after_issue_unless_on_the_update_service() {
        assert_eq!(renewal_due(Some(d("2024-01-04")), false, 3), Some(d("2027-01-04")));
        assert_eq!(renewal_due(Some(d("2024-01-04")), false, 2), Some(d("2026-01-04")));
        assert_eq!(renewal_due(Some(d("2024-02-29")), false, 3), Some(d("2027-02-28")));
        assert_eq!(renewal_due(Some(d("2024-01-04")), true, 3), None);
        assert_eq!(renewal_due(None, false, 3), None);
    }

    #[test]
    fn renewal_day_itself_is_not_cleared_the_day_before_is() {
        let checks = [enhanced("2024-01-04")];
        let venue = prison(false);
        assert_eq!(evaluate(&checks, &[], &venue, d("2027-01-03"), 3), Clearance::Cleared);
        assert_eq!(
            reasons(evaluate(&checks, &[], &venue, d("2027-01-04"), 3)),
            ["DBS renewal due 4 Jan 2027, on the day itself"]
        );
        assert_eq!(
            reasons(evaluate(&checks, &[], &venue, d("2027-02-01"), 3)),
            ["DBS renewal due 4 Jan 2027, before 1 Feb 2027"]
        );
        // A shorter renewal period brings the boundary forward.
        assert_eq!(evaluate(&checks, &[], &venue, d("2026-01-03"), 2), Clearance::Cleared);
        assert!(!evaluate(&checks, &[], &venue, d("2026-01-04"), 2).is_cleared());
    }

    #[test]
    fn update_service_never_needs_renewal() {
        let checks = [DbsCheck { update_service: true, ..enhanced("2015-06-01") }];
        assert_eq!(evaluate(&checks, &[], &prison(false), d("2040-01-01"), 3), Clearance::Cleared);
    }

    #[test]
    fn issued_after_the_date_is_not_cleared() {
        let checks = [enhanced("2027-03-02")];
        assert_eq!(evaluate(&checks, &[], &prison(false), d("2027-03-02"), 3), Clearance::Cleared);
        assert_eq!(
            reasons(evaluate(&checks, &[], &prison(false), d("2027-03-01"), 3)),
            ["DBS certificate issued 2 Mar 2027, after 1 Mar 2027"]
        );
    }

    #[test]
    fn dbs_must_be_enhanced_and_clear() {
        let on = d("2026-06-01");
        let venue = prison(false);
        assert_eq!(reasons(evaluate(&[], &[], &venue, on, 3)), ["no DBS check recorded"]);
        let basic = DbsCheck { level: DbsLevel::Basic, ..enhanced("2025-01-01") };
        assert_eq!(reasons(evaluate(&[basic], &[], &venue, on, 3)), ["DBS is basic; an enhanced check is required"]);
        let standard = DbsCheck { level: DbsLevel::Standard, ..enhanced("2025-01-01") };
        assert!(!evaluate(&[standard], &[], &venue, on, 3).is_cleared());
        let barred = DbsCheck { level: DbsLevel::EnhancedBarred, ..enhanced("2025-01-01") };
        assert!(evaluate(&[barred], &[], &venue, on, 3).is_cleared());
        for (status, words) in [
            (DbsStatus::Requested, "DBS check has been requested, not yet returned"),
            (DbsStatus::InProgress, "DBS check is in progress"),
            (DbsStatus::Concerns, "DBS check raised concerns"),
            (DbsStatus::Withdrawn, "DBS check was withdrawn"),
        ] {
            let check = DbsCheck { status, ..enhanced("2025-01-01") };
            assert_eq!(reasons(evaluate(&[check], &[], &venue, on, 3)), [words]);
        }
    }

    #[test]
    fn any_valid_check_clears_and_the_newest_failure_is_reported() {
        let on = d("2027-06-01");
        let lapsed = enhanced("2024-01-04");
        let renewing = DbsCheck { status: DbsStatus::InProgress, issued_on: None, ..enhanced("2024-01-04") };
        assert_eq!(
            reasons(evaluate(&[lapsed.clone(), renewing], &[], &prison(false), on, 3)),
            ["DBS check is in progress"]
        );
        let renewed = enhanced("2027-05-01");
        assert!(evaluate(&[lapsed, renewed], &[], &prison(false), on, 3).is_cleared());
    }

    #[test]
    fn vetting_expiry_day_is_still_cleared_the_day_after_is_not() {
        let checks = [enhanced("2025-01-01")];
        let venue = prison(true);
        assert_eq!(evaluate(&checks, &[vetted("2027-03-03")], &venue, d("2027-03-03"), 3), Clearance::Cleared);
        assert_eq!(
            reasons(evaluate(&checks, &[vetted("2027-03-03")], &venue, d("2027-03-04"), 3)),
            ["prison vetting at HMP Example expires 3 Mar 2027, before 4 Mar 2027"]
        );
    }

    #[test]
    fn vetting_only_where_required_and_only_for_that_establishment() {
        let checks = [enhanced("2025-01-01")];
        let on = d("2026-01-01");
        assert!(evaluate(&checks, &[], &prison(false), on, 3).is_cleared());
        assert_eq!(reasons(evaluate(&checks, &[], &prison(true), on, 3)), ["not vetted at HMP Example"]);
        let elsewhere = Vetting { establishment_id: 8, ..vetted("2030-01-01") };
        assert_eq!(reasons(evaluate(&checks, &[elsewhere], &prison(true), on, 3)), ["not vetted at HMP Example"]);
        let refused = Vetting { status: VettingStatus::Refused, ..vetted("2030-01-01") };
        assert_eq!(
            reasons(evaluate(&checks, &[refused], &prison(true), on, 3)),
            ["prison vetting at HMP Example was refused"]
        );
        let later = Vetting { cleared_on: Some(d("2026-02-01")), ..vetted("2030-01-01") };
        assert!(!evaluate(&checks, &[later], &prison(true), on, 3).is_cleared());
        let open_ended = Vetting { expires_on: None, ..vetted("2030-01-01") };
        assert_eq!(
            reasons(evaluate(&checks, &[open_ended], &prison(true), on, 3)),
            ["prison vetting at HMP Example is marked cleared but has no expiry date"]
        );
    }

    #[test]
    fn every_reason_is_given_dbs_first() {
        assert_eq!(
            reasons(evaluate(&[], &[], &prison(true), d("2026-01-01"), 3)),
            ["no DBS check recorded", "not vetted at HMP Example"]
        );
    }
}
