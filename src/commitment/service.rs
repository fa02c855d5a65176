//! Lifecycle rules. Status follows from the record (training attended, checks clear),
//! except `paused` and `left`, which a coordinator records.

use chrono::{Months, NaiveDate};
use entity::Code;
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

use crate::audit::{self, AuditEntry};
use crate::error::{AppError, AppResult};
use crate::settings::service::{LEAD_AFTER_CONFERENCES, number};
use crate::web::identity::AuthUser;

/// How long the commitment runs from the day core training is completed.
pub const COMMITMENT: Months = Months::new(12);

/// What a volunteer's status follows from, gathered by the domains that own it: training
/// (`training::service::refresh_standing` gathers all of it) and checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    /// At least one core training session attended.
    pub attended_any: bool,
    /// The day core training was completed, when it is.
    pub completed_on: Option<NaiveDate>,
    /// A clear enhanced DBS valid today.
    pub cleared: bool,
}

/// Brings a volunteer's status and level up to date with their record: into training at
/// the first session, `trained` when core training is complete, `active` while also cleared
/// (a clear enhanced DBS valid today), back to `trained` when that lapses.
pub async fn refresh(db: &impl ConnectionTrait, volunteer_id: i64, standing: Standing) -> AppResult<volunteer::Model> {
    let record = volunteer::Entity::find_by_id(volunteer_id).one(db).await?.ok_or(AppError::NotFound)?;
    refresh_record(db, record, standing).await
}

/// [`refresh`] of a record already read: writes only when something changes.
pub async fn refresh_record(
    db: &impl ConnectionTrait,
    record: volunteer::Model,
    standing: Standing,
) -> AppResult<volunteer::Model> {
    if matches!(record.status, VolunteerStatus::Paused | VolunteerStatus::Left) {
        return Ok(record);
    }
    let mut status = record.status;
    let mut level = record.level;
    let mut trained_on = record.trained_on;
    let mut ends_on = record.commitment_ends_on;
    if status == VolunteerStatus::Onboarding && standing.attended_any {
        status = VolunteerStatus::InTraining;
    }
    if let (Some(done), None) = (standing.completed_on, record.trained_on) {
        trained_on = Some(done);
        ends_on = done.checked_add_months(COMMITMENT);
        if level == FacilitationLevel::Trainee {
            level = FacilitationLevel::CoFacilitator;
        }
        if matches!(status, VolunteerStatus::Onboarding | VolunteerStatus::InTraining) {
            status = VolunteerStatus::Trained;
        }
    }
    if matches!(status, VolunteerStatus::Trained | VolunteerStatus::Active) {
        status = if standing.cleared { VolunteerStatus::Active } else { VolunteerStatus::Trained };
    }
    if (status, level, trained_on, ends_on)
        == (record.status, record.level, record.trained_on, record.commitment_ends_on)
    {
        return Ok(record);
    }
    Ok(volunteer::ActiveModel {
        id: Set(record.id),
        status: Set(status),
        level: Set(level),
        trained_on: Set(trained_on),
        commitment_ends_on: Set(ends_on),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .update(db)
    .await?)
}

/// After a background check changes: a trained volunteer becomes active while `cleared`
/// and returns to trained when not. Training's part of the status is already up to date
/// (each attendance mark refreshes it).
pub async fn refresh_clearance(db: &impl ConnectionTrait, volunteer_id: i64, cleared: bool) -> AppResult<()> {
    let record = volunteer::Entity::find_by_id(volunteer_id).one(db).await?.ok_or(AppError::NotFound)?;
    let status = match record.status {
        VolunteerStatus::Trained | VolunteerStatus::Active if cleared => VolunteerStatus::Active,
        VolunteerStatus::Trained | VolunteerStatus::Active => VolunteerStatus::Trained,
        _ => return Ok(()),
    };
    if status != record.status {
        volunteer::ActiveModel {
            id: Set(record.id),
            status: Set(status),
            updated_at: Set(crate::clock::now()),
            ..Default::default()
        }
        .update(db)
        .await?;
    }
    Ok(())
}

/// The commitment in days: served so far and left, from `today`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Commitment {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub served_days: i64,
    pub left_days: i64,
}

pub fn commitment(record: &volunteer::Model, today: NaiveDate) -> Option<Commitment> {
    let (starts_on, ends_on) = (record.trained_on?, record.commitment_ends_on?);
    Some(Commitment {
        starts_on,
        ends_on,
        served_days: (today.min(ends_on) - starts_on).num_days().max(0),
        left_days: (ends_on - today).num_days().max(0),
    })
}

async fn set_status(
    db: &impl ConnectionTrait,
    actor: &AuthUser,
    record: volunteer::Model,
    change: volunteer::ActiveModel,
    what: &str,
) -> AppResult<volunteer::Model> {
    let updated = change.update(db).await?;
    audit::record(
        db,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action: what,
            target_type: Some("volunteer"),
            target_id: Some(record.id.to_string()),
            ..Default::default()
        },
    )
    .await?;
    Ok(updated)
}

/// Extends the commitment to a later end date.
pub async fn extend(
    db: &impl ConnectionTrait,
    actor: &AuthUser,
    volunteer_id: i64,
    to: NaiveDate,
) -> AppResult<volunteer::Model> {
    let record = volunteer::Entity::find_by_id(volunteer_id).one(db).await?.ok_or(AppError::NotFound)?;
    let Some(current) = record.commitment_ends_on else {
        return Err(AppError::Conflict("The commitment starts when core training is complete.".into()));
    };
    if to <= current {
        return Err(AppError::field("ends_on", format!("Choose a date after the current end, {current}.")));
    }
    let change = volunteer::ActiveModel {
        id: Set(record.id),
        commitment_ends_on: Set(Some(to)),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    };
    set_status(db, actor, record, change, "volunteer.commitment_extended").await
}

pub async fn pause(
    db: &impl ConnectionTrait,
    actor: &AuthUser,
    volunteer_id: i64,
    on: NaiveDate,
) -> AppResult<volunteer::Model> {
    let record = volunteer::Entity::find_by_id(volunteer_id).one(db).await?.ok_or(AppError::NotFound)?;
    if matches!(record.status, VolunteerStatus::Paused | VolunteerStatus::Left) {
        return Err(AppError::Conflict(format!("The volunteer is already {}.", record.status.code())));
    }
    let change = volunteer::ActiveModel {
        id: Set(record.id),
        status: Set(VolunteerStatus::Paused),
        paused_on: Set(Some(on)),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    };
    set_status(db, actor, record, change, "volunteer.paused").await
}

/// Ends a pause: back to trained (or in training). The caller works the status out again
/// from the record (`training::service::refresh_standing`).
pub async fn resume(db: &impl ConnectionTrait, actor: &AuthUser, volunteer_id: i64) -> AppResult<volunteer::Model> {
    let record = volunteer::Entity::find_by_id(volunteer_id).one(db).await?.ok_or(AppError::NotFound)?;
    if record.status != VolunteerStatus::Paused {
        return Err(AppError::Conflict("Only a paused volunteer can resume.".into()));
    }
    let back = if record.trained_on.is_some() { VolunteerStatus::Trained } else { VolunteerStatus::InTraining };
    let change = volunteer::ActiveModel {
        id: Set(record.id),
        status: Set(back),
        paused_on: Set(None),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    };
    set_status(db, actor, record, change, "volunteer.resumed").await
}

pub async fn record_left(
    db: &impl ConnectionTrait,
    actor: &AuthUser,
    volunteer_id: i64,
    on: NaiveDate,
    reason: &str,
) -> AppResult<volunteer::Model> {
    let record = volunteer::Entity::find_by_id(volunteer_id).one(db).await?.ok_or(AppError::NotFound)?;
    if record.status == VolunteerStatus::Left {
        return Err(AppError::Conflict("The volunteer has already left.".into()));
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 {
        return Err(AppError::field("reason", "Give the reason for leaving (at most 2,000 characters)."));
    }
    let change = volunteer::ActiveModel {
        id: Set(record.id),
        status: Set(VolunteerStatus::Left),
        left_on: Set(Some(on)),
        left_reason: Set(Some(reason.to_owned())),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    };
    set_status(db, actor, record, change, "volunteer.left").await
}

/// Conferences held with this volunteer as co-facilitator: the road to lead.
pub async fn held_as_co_facilitator(db: &impl ConnectionTrait, volunteer_id: i64) -> Result<u64, sea_orm::DbErr> {
    use entity::conference::{self, ConferenceStatus};
    use entity::conference_facilitator::{self, FacilitatorRole};
    use sea_orm::{ColumnTrait, JoinType, PaginatorTrait, QueryFilter, QuerySelect, RelationTrait};
    conference_facilitator::Entity::find()
        .join(JoinType::InnerJoin, conference_facilitator::Relation::Conference.def())
        .filter(conference_facilitator::Column::VolunteerId.eq(volunteer_id))
        .filter(conference_facilitator::Column::Role.eq(FacilitatorRole::Co))
        .filter(conference::Column::Status.eq(ConferenceStatus::Held))
        .count(db)
        .await
}

/// Co-facilitators who have held enough conferences for a coordinator's lead sign-off.
pub async fn ready_for_lead(db: &impl ConnectionTrait) -> AppResult<Vec<(volunteer::Model, u64)>> {
    use sea_orm::{ColumnTrait, QueryFilter};
    let needed = u64::try_from(number(db, &LEAD_AFTER_CONFERENCES).await?).unwrap_or(u64::MAX);
    let candidates = volunteer::Entity::find()
        .filter(volunteer::Column::Level.eq(FacilitationLevel::CoFacilitator))
        .filter(volunteer::Column::Status.ne(VolunteerStatus::Left))
        .all(db)
        .await?;
    let mut ready = Vec::new();
    for record in candidates {
        let held = held_as_co_facilitator(db, record.id).await?;
        if held >= needed {
            ready.push((record, held));
        }
    }
    Ok(ready)
}

/// A coordinator signs a co-facilitator off as lead, once they have held enough conferences.
pub async fn sign_off_lead(
    db: &impl ConnectionTrait,
    actor: &AuthUser,
    volunteer_id: i64,
) -> AppResult<volunteer::Model> {
    let record = volunteer::Entity::find_by_id(volunteer_id).one(db).await?.ok_or(AppError::NotFound)?;
    if record.level != FacilitationLevel::CoFacilitator {
        return Err(AppError::Conflict(format!(
            "Only a co-facilitator can be signed off as lead (this volunteer is {}).",
            record.level.code().replace('_', " ")
        )));
    }
    let needed = number(db, &LEAD_AFTER_CONFERENCES).await?;
    let held = held_as_co_facilitator(db, volunteer_id).await?;
    if i64::try_from(held).unwrap_or(i64::MAX) < needed {
        return Err(AppError::Conflict(format!(
            "Lead sign-off needs {needed} conferences held as co-facilitator; so far {held}."
        )));
    }
    let change = volunteer::ActiveModel {
        id: Set(record.id),
        level: Set(FacilitationLevel::Lead),
        lead_signed_off_at: Set(Some(crate::clock::now())),
        lead_signed_off_by: Set(Some(actor.id)),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    };
    set_status(db, actor, record, change, "volunteer.lead_signed_off").await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(trained: Option<&str>, ends: Option<&str>) -> volunteer::Model {
        let date = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        volunteer::Model {
            id: 1,
            user_id: 1,
            status: VolunteerStatus::Trained,
            level: FacilitationLevel::CoFacilitator,
            created_at: crate::clock::now(),
            updated_at: crate::clock::now(),
            trained_on: trained.map(date),
            commitment_ends_on: ends.map(date),
            paused_on: None,
            left_on: None,
            left_reason: None,
            lead_signed_off_at: None,
            lead_signed_off_by: None,
            max_conferences_per_month: 4,
        }
    }

    #[test]
    fn commitment_counts_days_served_and_left() {
        let r = record(Some("2027-03-16"), Some("2028-03-16"));
        let today = NaiveDate::from_ymd_opt(2027, 9, 16).unwrap();
        let c = commitment(&r, today).unwrap();
        assert_eq!(c.served_days, 184);
        assert_eq!(c.left_days, 182);
        let after = NaiveDate::from_ymd_opt(2028, 4, 1).unwrap();
        assert_eq!(commitment(&r, after).unwrap().left_days, 0);
        assert_eq!(commitment(&r, after).unwrap().served_days, 366);
        assert!(commitment(&record(None, None), today).is_none());
    }
}
