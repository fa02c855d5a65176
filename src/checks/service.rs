//! Background check records: DBS checks and prison vetting, who may see
//! them, the renewal overview, and the clearance answer the matcher relies on.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use entity::volunteer::VolunteerStatus;
use entity::{dbs_check, establishment, prison_vetting, volunteer};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use super::clearance::{self, Clearance, DbsCheck, Vetting};
use super::input::{NewDbsCheck, NewVetting};
use crate::error::{AppError, AppResult};
use crate::establishments::service::establishments;
use crate::settings::service::{DBS_RENEWAL_YEARS, number};
use crate::state::AppState;
use crate::volunteers::service::{self as volunteers, VolunteerSummary};
use crate::web::identity::AuthUser;

/// How far ahead the overview looks for renewals and expiries.
pub const DUE_WITHIN_DAYS: i64 = 60;

pub async fn renewal_years(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    number(db, &DBS_RENEWAL_YEARS).await
}

// ---- recording -----------------------------------------------------------------------

async fn require_volunteer(db: &impl ConnectionTrait, volunteer_id: i64) -> AppResult<()> {
    match volunteer::Entity::find_by_id(volunteer_id).one(db).await? {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound),
    }
}

/// Records a DBS check; a clear one may make a trained volunteer active.
pub async fn record_dbs(db: &impl ConnectionTrait, volunteer_id: i64, new: NewDbsCheck) -> AppResult<dbs_check::Model> {
    require_volunteer(db, volunteer_id).await?;
    let now = crate::clock::now();
    let created = dbs_check::ActiveModel {
        volunteer_id: Set(volunteer_id),
        level: Set(new.level),
        certificate_number: Set(new.certificate_number.map(|n| n.into_inner())),
        issued_on: Set(new.issued_on),
        update_service: Set(new.update_service),
        status: Set(new.status),
        notes: Set(new.notes),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let cleared = dbs_clearance(db, volunteer_id, crate::clock::today()).await?.is_cleared();
    crate::commitment::service::refresh_clearance(db, volunteer_id, cleared).await?;
    Ok(created)
}

pub async fn record_vetting(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
    new: NewVetting,
) -> AppResult<(prison_vetting::Model, establishment::Model)> {
    require_volunteer(db, volunteer_id).await?;
    let Some(place) = establishment::Entity::find_by_id(new.establishment_id).one(db).await? else {
        return Err(AppError::field("establishment_id", "Choose one of the establishments listed."));
    };
    let now = crate::clock::now();
    let created = prison_vetting::ActiveModel {
        volunteer_id: Set(volunteer_id),
        establishment_id: Set(place.id),
        level: Set(new.level),
        status: Set(new.status),
        cleared_on: Set(new.cleared_on),
        expires_on: Set(new.expires_on),
        notes: Set(new.notes),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((created, place))
}

/// [`record_dbs`] in its own transaction, with the case room's guard (`state.guards`): a
/// check that leaves the volunteer uncleared for a live conference stops it.
pub async fn record_dbs_guarded(state: &AppState, volunteer_id: i64, new: NewDbsCheck) -> AppResult<dbs_check::Model> {
    let txn = crate::db::begin_write(&state.db).await?;
    let created = record_dbs(&txn, volunteer_id, new).await?;
    (state.guards.clearance_changed)(&txn, &state.settings.base_url, volunteer_id).await?;
    txn.commit().await?;
    Ok(created)
}

/// [`record_vetting`] in its own transaction, with the case room's guard, as for DBS.
pub async fn record_vetting_guarded(
    state: &AppState,
    volunteer_id: i64,
    new: NewVetting,
) -> AppResult<(prison_vetting::Model, establishment::Model)> {
    let txn = crate::db::begin_write(&state.db).await?;
    let created = record_vetting(&txn, volunteer_id, new).await?;
    (state.guards.clearance_changed)(&txn, &state.settings.base_url, volunteer_id).await?;
    txn.commit().await?;
    Ok(created)
}

// ---- reading -------------------------------------------------------------------------

/// One volunteer's checks as a viewer may see them.
#[derive(Clone, Debug)]
pub struct VolunteerChecks {
    pub volunteer: VolunteerSummary,
    /// Oldest first. Certificate numbers and notes are removed unless `full_details`.
    pub dbs: Vec<dbs_check::Model>,
    pub vetting: Vec<(prison_vetting::Model, establishment::Model)>,
    pub full_details: bool,
    pub renewal_years: i64,
}

async fn dbs_of(db: &impl ConnectionTrait, volunteer_id: i64) -> Result<Vec<dbs_check::Model>, DbErr> {
    dbs_check::Entity::find()
        .filter(dbs_check::Column::VolunteerId.eq(volunteer_id))
        .order_by_asc(dbs_check::Column::Id)
        .all(db)
        .await
}

async fn vetting_of(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
) -> Result<Vec<(prison_vetting::Model, establishment::Model)>, DbErr> {
    let rows = prison_vetting::Entity::find()
        .filter(prison_vetting::Column::VolunteerId.eq(volunteer_id))
        .find_also_related(establishment::Entity)
        .order_by_asc(prison_vetting::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(v, place)| place.map(|p| (v, p))).collect())
}

/// The checks of `volunteer_id` as `viewer` may see them: coordinators see everything; a
/// volunteer sees their own without certificate numbers or notes; anyone else gets `None`.
pub async fn for_viewer(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    volunteer_id: i64,
) -> Result<Option<VolunteerChecks>, DbErr> {
    let Some(summary) = volunteers::find_visible(db, viewer, volunteer_id).await? else {
        return Ok(None);
    };
    let full_details = viewer.role.is_coordinator();
    let mut dbs = dbs_of(db, volunteer_id).await?;
    let mut vetting = vetting_of(db, volunteer_id).await?;
    if !full_details {
        for check in &mut dbs {
            check.certificate_number = None;
            check.notes = None;
        }
        for (v, _) in &mut vetting {
            v.notes = None;
        }
    }
    Ok(Some(VolunteerChecks {
        volunteer: summary,
        dbs,
        vetting,
        full_details,
        renewal_years: renewal_years(db).await?,
    }))
}

/// The volunteer's DBS checks as the clearance rules read them, oldest first.
pub async fn dbs_checks(db: &impl ConnectionTrait, volunteer_id: i64) -> Result<Vec<DbsCheck>, DbErr> {
    Ok(dbs_of(db, volunteer_id).await?.iter().map(DbsCheck::from).collect())
}

/// Does the volunteer have a clear enhanced DBS check valid on `on` (what `active` needs)?
pub async fn dbs_clearance(db: &impl ConnectionTrait, volunteer_id: i64, on: NaiveDate) -> Result<Clearance, DbErr> {
    let checks: Vec<DbsCheck> = dbs_of(db, volunteer_id).await?.iter().map(DbsCheck::from).collect();
    Ok(clearance::dbs_clearance(&checks, on, renewal_years(db).await?))
}

/// Is the volunteer cleared to facilitate at the establishment on `on`, and if not, why?
/// The renewal period is the current setting. An unknown establishment is
/// `DbErr::RecordNotFound`; an unknown volunteer simply has no checks.
pub async fn clearance(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
    establishment_id: i64,
    on: NaiveDate,
) -> Result<Clearance, DbErr> {
    let place = establishment::Entity::find_by_id(establishment_id)
        .one(db)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound(format!("establishment {establishment_id}")))?;
    let checks: Vec<DbsCheck> = dbs_of(db, volunteer_id).await?.iter().map(DbsCheck::from).collect();
    let vetting: Vec<Vetting> = prison_vetting::Entity::find()
        .filter(prison_vetting::Column::VolunteerId.eq(volunteer_id))
        .filter(prison_vetting::Column::EstablishmentId.eq(establishment_id))
        .order_by_asc(prison_vetting::Column::Id)
        .all(db)
        .await?
        .iter()
        .map(Vetting::from)
        .collect();
    let years = renewal_years(db).await?;
    Ok(clearance::evaluate(&checks, &vetting, &(&place).into(), on, years))
}

// ---- the renewal overview ------------------------------------------------------------

/// One check that needs a coordinator's attention.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub volunteer_id: i64,
    pub volunteer_name: String,
    /// "Enhanced DBS" or "Prison vetting at HMP Example".
    pub what: String,
    /// The DBS renewal due date, or the vetting's last valid day.
    pub date: NaiveDate,
}

#[derive(Clone, Debug, Default)]
pub struct Overview {
    /// Soonest first.
    pub due_soon: Vec<Due>,
    /// Longest overdue first.
    pub overdue: Vec<Due>,
    /// Volunteers (not left) with no clear enhanced DBS check at all.
    pub missing: Vec<VolunteerSummary>,
}

/// Where one volunteer's checks stand on a day: what is due soon or overdue, as (what, date).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Standing {
    pub due_soon: Vec<(String, NaiveDate)>,
    pub overdue: Vec<(String, NaiveDate)>,
    /// Any clear enhanced DBS check at all, lapsed or not.
    pub has_clear_enhanced: bool,
}

/// Where one volunteer's checks stand on `today`. Pure, for the overview and its tests.
pub fn standing(
    checks: &[DbsCheck],
    vetting: &[Vetting],
    names: &HashMap<i64, String>,
    today: NaiveDate,
    renewal_years: i64,
) -> Standing {
    let horizon = today + Duration::days(DUE_WITHIN_DAYS);
    let (mut soon, mut overdue) = (Vec::new(), Vec::new());
    let clear: Vec<&DbsCheck> =
        checks.iter().filter(|c| c.status == entity::dbs_check::DbsStatus::Clear && c.level.is_enhanced()).collect();
    // The check that lasts longest is the one that counts; on the Update Service it never lapses.
    let lasts_forever = clear.iter().any(|c| c.update_service && c.issued_on.is_some());
    if !lasts_forever && let Some(due) = clear.iter().filter_map(|c| c.renewal_due(renewal_years)).max() {
        // The renewal due date is the first day the check no longer counts.
        if due <= today {
            overdue.push(("Enhanced DBS renewal".to_owned(), due));
        } else if due <= horizon {
            soon.push(("Enhanced DBS renewal".to_owned(), due));
        }
    }
    let mut last_day: BTreeMap<i64, NaiveDate> = BTreeMap::new();
    for v in vetting.iter().filter(|v| v.status == entity::prison_vetting::VettingStatus::Cleared) {
        if let Some(expires_on) = v.expires_on {
            let entry = last_day.entry(v.establishment_id).or_insert(expires_on);
            *entry = (*entry).max(expires_on);
        }
    }
    for (establishment_id, expires_on) in last_day {
        let name = names.get(&establishment_id).map_or("an establishment", String::as_str);
        let what = format!("Prison vetting at {name}");
        // The expiry date is the last valid day.
        if expires_on < today {
            overdue.push((what, expires_on));
        } else if expires_on <= horizon {
            soon.push((what, expires_on));
        }
    }
    Standing { due_soon: soon, overdue, has_clear_enhanced: !clear.is_empty() }
}

/// Checks due in the next `DUE_WITHIN_DAYS` days, overdue ones, and volunteers without a
/// clear enhanced DBS, over every volunteer who has not left.
pub async fn overview(db: &impl ConnectionTrait, today: NaiveDate) -> Result<Overview, DbErr> {
    let years = renewal_years(db).await?;
    let people: Vec<VolunteerSummary> =
        volunteers::list(db).await?.into_iter().filter(|v| v.status != VolunteerStatus::Left).collect();
    let names: HashMap<i64, String> = establishments(db).await?.into_iter().map(|e| (e.id, e.name)).collect();
    let mut checks: HashMap<i64, Vec<DbsCheck>> = HashMap::new();
    for c in dbs_check::Entity::find().order_by_asc(dbs_check::Column::Id).all(db).await? {
        checks.entry(c.volunteer_id).or_default().push((&c).into());
    }
    let mut vetting: HashMap<i64, Vec<Vetting>> = HashMap::new();
    for v in prison_vetting::Entity::find().order_by_asc(prison_vetting::Column::Id).all(db).await? {
        vetting.entry(v.volunteer_id).or_default().push((&v).into());
    }
    let mut overview = Overview::default();
    for person in people {
        let Standing { due_soon, overdue, has_clear_enhanced } = standing(
            checks.get(&person.id).map_or(&[], Vec::as_slice),
            vetting.get(&person.id).map_or(&[], Vec::as_slice),
            &names,
            today,
            years,
        );
        let due = |(what, date): (String, NaiveDate)| Due {
            volunteer_id: person.id,
            volunteer_name: person.name.clone(),
            what,
            date,
        };
        overview.due_soon.extend(due_soon.into_iter().map(due));
        overview.overdue.extend(overdue.into_iter().map(due));
        if !has_clear_enhanced {
            overview.missing.push(person);
        }
    }
    overview.due_soon.sort_by(|a, b| (a.date, &a.volunteer_name).cmp(&(b.date, &b.volunteer_name)));
    overview.overdue.sort_by(|a, b| (a.date, &a.volunteer_name).cmp(&(b.date, &b.volunteer_name)));
    Ok(overview)
}

#[cfg(test)]
mod tests {
    use entity::dbs_check::{DbsLevel, DbsStatus};
    use entity::prison_vetting::VettingStatus;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn enhanced(issued: &str, update_service: bool) -> DbsCheck {
        DbsCheck { level: DbsLevel::Enhanced, status: DbsStatus::Clear, issued_on: Some(d(issued)), update_service }
    }

    #[test]
    fn overview_boundaries() {
        let names = HashMap::from([(1, "HMP Example".to_owned())]);
        let today = d("2027-01-01");
        // Renewal due today: overdue. Due in exactly 60 days: due soon. In 61: neither.
        assert_eq!(standing(&[enhanced("2024-01-01", false)], &[], &names, today, 3).overdue.len(), 1);
        assert_eq!(
            standing(&[enhanced("2024-03-02", false)], &[], &names, today, 3).due_soon,
            [("Enhanced DBS renewal".to_owned(), d("2027-03-02"))]
        );
        let later = standing(&[enhanced("2024-03-03", false)], &[], &names, today, 3);
        assert!(later.due_soon.is_empty() && later.overdue.is_empty() && later.has_clear_enhanced);
        // A newer check replaces a lapsed one; the Update Service never lapses.
        let renewed = standing(&[enhanced("2023-01-01", false), enhanced("2026-01-01", false)], &[], &names, today, 3);
        assert!(renewed.due_soon.is_empty() && renewed.overdue.is_empty());
        assert!(standing(&[enhanced("2010-01-01", true)], &[], &names, today, 3).overdue.is_empty());
        // Vetting expiring today is still valid (due soon); yesterday is overdue.
        let v = |e: &str| Vetting {
            establishment_id: 1,
            status: VettingStatus::Cleared,
            cleared_on: None,
            expires_on: Some(d(e)),
        };
        let on_the_day = standing(&[], &[v("2027-01-01")], &names, today, 3);
        assert_eq!((on_the_day.due_soon.len(), on_the_day.overdue.len()), (1, 0));
        let day_before = standing(&[], &[v("2026-12-31")], &names, today, 3);
        assert_eq!(day_before.overdue, [("Prison vetting at HMP Example".to_owned(), d("2026-12-31"))]);
        assert!(day_before.due_soon.is_empty() && !day_before.has_clear_enhanced);
    }
}
