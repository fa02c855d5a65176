//! Supervision rules: each trained volunteer has a one-to-one at least every N weeks
//! (setting, default 12), counted from the last one held, or from the end of core training.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate, NaiveTime};
use entity::volunteer::{self, VolunteerStatus};
use entity::{meeting_attendance, supervision_session, user, volunteer_meeting};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Deserialize;

use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::web::identity::AuthUser;

#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SupervisionInput {
    /// YYYY-MM-DD
    pub held_on: String,
    /// Confidential: coordinators only.
    pub notes: String,
}

/// A supervision date: YYYY-MM-DD, within a year of today either way.
fn held_on_within_a_year(raw: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Err(_) => Err("Enter the date as YYYY-MM-DD.".into()),
        Ok(d) if (d - today).num_days().abs() > 366 => Err("Enter a date within a year of today.".into()),
        Ok(d) => Ok(d),
    }
}

pub async fn add(
    db: &impl ConnectionTrait,
    supervisor: &AuthUser,
    volunteer_id: i64,
    input: &SupervisionInput,
    today: NaiveDate,
) -> AppResult<supervision_session::Model> {
    volunteer::Entity::find_by_id(volunteer_id).one(db).await?.ok_or(AppError::NotFound)?;
    let mut errors = BTreeMap::new();
    let held_on = match held_on_within_a_year(&input.held_on, today) {
        Ok(date) => Some(date),
        Err(why) => {
            errors.insert("held_on".to_owned(), why);
            None
        }
    };
    if input.notes.chars().count() > 20_000 {
        errors.insert("notes".into(), "Notes can be at most 20,000 characters.".into());
    }
    let (Some(held_on), true) = (held_on, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    Ok(supervision_session::ActiveModel {
        volunteer_id: Set(volunteer_id),
        held_on: Set(held_on),
        supervisor_user_id: Set(supervisor.id),
        notes: Set(input.notes.trim().to_owned()),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// A volunteer's supervision sessions (not those withdrawn), newest first, with the
/// supervisor's name.
/// The days the volunteer's one-to-ones were held (not cancelled ones), latest first.
pub async fn held_on(db: &impl ConnectionTrait, volunteer_id: i64) -> Result<Vec<NaiveDate>, DbErr> {
    Ok(supervision_session::Entity::find()
        .filter(supervision_session::Column::VolunteerId.eq(volunteer_id))
        .filter(supervision_session::Column::CancelledAt.is_null())
        .order_by_desc(supervision_session::Column::HeldOn)
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.held_on)
        .collect())
}

pub async fn list(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
) -> Result<Vec<(supervision_session::Model, String)>, DbErr> {
    let rows = supervision_session::Entity::find()
        .filter(supervision_session::Column::VolunteerId.eq(volunteer_id))
        .filter(supervision_session::Column::CancelledAt.is_null())
        .order_by_desc(supervision_session::Column::HeldOn)
        .all(db)
        .await?;
    let supervisors = user::Entity::find()
        .filter(user::Column::Id.is_in(rows.iter().map(|r| r.supervisor_user_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let name =
                supervisors.iter().find(|u| u.id == r.supervisor_user_id).map_or_else(String::new, |u| u.name.clone());
            (r, name)
        })
        .collect())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupervisionDue {
    pub last_held: Option<NaiveDate>,
    pub due_on: NaiveDate,
    pub overdue: bool,
}

/// When the next one-to-one is due; `None` before core training is complete or after leaving.
pub fn due(
    record: &volunteer::Model,
    held: &[NaiveDate],
    today: NaiveDate,
    interval_weeks: i64,
) -> Option<SupervisionDue> {
    if record.status == VolunteerStatus::Left {
        return None;
    }
    let trained_on = record.trained_on?;
    let last_held = held.iter().copied().filter(|d| *d <= today).max();
    let due_on = last_held.unwrap_or(trained_on) + Duration::weeks(interval_weeks);
    Some(SupervisionDue { last_held, due_on, overdue: today > due_on })
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct MeetingInput {
    pub held_on: String,
    pub starts_at: String,
    pub ends_at: String,
    pub topic: String,
    pub case_discussion: String,
}

/// A meeting's fields, parsed from the form's strings.
struct MeetingFields {
    held_on: NaiveDate,
    starts: NaiveTime,
    ends: NaiveTime,
    topic: String,
    case_discussion: String,
}

fn meeting_fields(input: &MeetingInput) -> AppResult<MeetingFields> {
    let mut errors = BTreeMap::new();
    let held_on = NaiveDate::parse_from_str(input.held_on.trim(), "%Y-%m-%d").ok();
    if held_on.is_none() {
        errors.insert("held_on".into(), "Enter the date as YYYY-MM-DD.".into());
    }
    let starts = NaiveTime::parse_from_str(input.starts_at.trim(), "%H:%M").ok();
    if starts.is_none() {
        errors.insert("starts_at".into(), "Enter the start time as HH:MM.".into());
    }
    let ends = NaiveTime::parse_from_str(input.ends_at.trim(), "%H:%M").ok();
    match (starts, ends) {
        (_, None) => {
            errors.insert("ends_at".into(), "Enter the end time as HH:MM.".into());
        }
        (Some(s), Some(e)) if e <= s => {
            errors.insert("ends_at".into(), "The end must be after the start.".into());
        }
        _ => {}
    }
    let topic = input.topic.trim();
    if topic.is_empty() || topic.chars().count() > 200 {
        errors.insert("topic".into(), "Enter the topic (at most 200 characters).".into());
    }
    let (Some(held_on), Some(starts), Some(ends), true) = (held_on, starts, ends, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    Ok(MeetingFields {
        held_on,
        starts,
        ends,
        topic: topic.to_owned(),
        case_discussion: input.case_discussion.trim().to_owned(),
    })
}

pub async fn create_meeting(db: &impl ConnectionTrait, input: &MeetingInput) -> AppResult<volunteer_meeting::Model> {
    let fields = meeting_fields(input)?;
    Ok(volunteer_meeting::ActiveModel {
        held_on: Set(fields.held_on),
        starts_at: Set(fields.starts),
        ends_at: Set(fields.ends),
        topic: Set(fields.topic),
        case_discussion: Set(fields.case_discussion),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Changes a meeting. A new date or time bumps its calendar SEQUENCE, so feeds move the
/// event; a cancelled meeting cannot change (409).
pub async fn change_meeting(db: &impl Db, id: i64, input: &MeetingInput) -> AppResult<volunteer_meeting::Model> {
    let fields = meeting_fields(input)?;
    let txn = crate::db::begin_write(db).await?;
    let found =
        volunteer_meeting::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    if found.cancelled_at.is_some() {
        return Err(AppError::Conflict("This meeting is cancelled; arrange a new one instead.".into()));
    }
    let moved = (found.held_on, found.starts_at, found.ends_at) != (fields.held_on, fields.starts, fields.ends);
    let changes = volunteer_meeting::ActiveModel {
        held_on: Set(fields.held_on),
        starts_at: Set(fields.starts),
        ends_at: Set(fields.ends),
        topic: Set(fields.topic),
        case_discussion: Set(fields.case_discussion),
        ..Default::default()
    };
    let updated = bump_meeting(&txn, &found, changes, i32::from(moved)).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Cancels a meeting: it stays, shown as CANCELLED in feeds for 30 days. A meeting with
/// attendance recorded took place (409).
pub async fn cancel_meeting(db: &impl Db, id: i64) -> AppResult<volunteer_meeting::Model> {
    let txn = crate::db::begin_write(db).await?;
    let found =
        volunteer_meeting::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    if found.cancelled_at.is_some() {
        return Err(AppError::Conflict("This meeting is already cancelled.".into()));
    }
    let attended = meeting_attendance::Entity::find().filter(meeting_attendance::Column::MeetingId.eq(id));
    if attended.one(&txn).await?.is_some() {
        return Err(AppError::Conflict("Attendance is recorded for this meeting, so it took place.".into()));
    }
    let changes = volunteer_meeting::ActiveModel { cancelled_at: Set(Some(crate::clock::now())), ..Default::default() };
    let updated = bump_meeting(&txn, &found, changes, 1).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Writes `changes` with SEQUENCE raised by `bump`, if the meeting is as it was read.
async fn bump_meeting(
    txn: &impl ConnectionTrait,
    found: &volunteer_meeting::Model,
    changes: volunteer_meeting::ActiveModel,
    bump: i32,
) -> AppResult<volunteer_meeting::Model> {
    let changes = volunteer_meeting::ActiveModel {
        sequence: Set(found.sequence + bump),
        updated_at: Set(crate::clock::now()),
        ..changes
    };
    let unchanged = Condition::all()
        .add(volunteer_meeting::Column::Id.eq(found.id))
        .add(volunteer_meeting::Column::Sequence.eq(found.sequence));
    if !crate::db::compare_and_set::<volunteer_meeting::Entity>(txn, changes, unchanged).await? {
        return Err(AppError::changed_elsewhere("The meeting"));
    }
    volunteer_meeting::Entity::find_by_id(found.id).one(txn).await?.ok_or(AppError::NotFound)
}

/// The volunteer a supervision session was with.
pub async fn supervised(db: &impl ConnectionTrait, id: i64) -> AppResult<i64> {
    let found = supervision_session::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(found.volunteer_id)
}

/// Corrects the date of a recorded supervision session (SEQUENCE bumped), or withdraws it
/// when `withdraw` (recorded in error: it stays, shown as CANCELLED in the volunteer's feed
/// for 30 days, and no longer counts towards when the next one is due).
pub async fn change_supervision(
    db: &impl Db,
    id: i64,
    held_on: Option<&str>,
    withdraw: bool,
    today: NaiveDate,
) -> AppResult<supervision_session::Model> {
    let held_on = match held_on {
        Some(raw) => Some(held_on_within_a_year(raw, today).map_err(|why| AppError::field("held_on", why))?),
        None => None,
    };
    let txn = crate::db::begin_write(db).await?;
    let found =
        supervision_session::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    if found.cancelled_at.is_some() {
        return Err(AppError::Conflict("This supervision session was withdrawn.".into()));
    }
    let held_on = held_on.unwrap_or(found.held_on);
    if held_on == found.held_on && !withdraw {
        return Ok(found);
    }
    let changes = supervision_session::ActiveModel {
        held_on: Set(held_on),
        cancelled_at: Set(withdraw.then(crate::clock::now)),
        sequence: Set(found.sequence + 1),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    };
    let unchanged = Condition::all()
        .add(supervision_session::Column::Id.eq(found.id))
        .add(supervision_session::Column::Sequence.eq(found.sequence));
    if !crate::db::compare_and_set::<supervision_session::Entity>(&txn, changes, unchanged).await? {
        return Err(AppError::changed_elsewhere("The session"));
    }
    let updated = supervision_session::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn meetings(db: &impl ConnectionTrait) -> Result<Vec<volunteer_meeting::Model>, DbErr> {
    volunteer_meeting::Entity::find().order_by_desc(volunteer_meeting::Column::HeldOn).all(db).await
}

pub async fn meeting(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<(volunteer_meeting::Model, Vec<i64>)>, DbErr> {
    let Some(found) = volunteer_meeting::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
    let attended = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.volunteer_id)
        .collect();
    Ok(Some((found, attended)))
}

/// Replaces a meeting's attendance list, in one transaction: an unknown volunteer changes
/// nothing, and a cancelled meeting takes none (409).
pub async fn set_meeting_attendance(
    db: &sea_orm::DatabaseConnection,
    meeting_id: i64,
    volunteer_ids: &[i64],
) -> AppResult<()> {
    let txn = crate::db::begin_write(db).await?;
    // Locked: a cancellation checks for attendance under the same lock.
    let found = volunteer_meeting::Entity::find_by_id(meeting_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if found.cancelled_at.is_some() {
        return Err(AppError::Conflict("This meeting was cancelled: there is no attendance to record.".into()));
    }
    let mut ids = volunteer_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let known = volunteer::Entity::find().filter(volunteer::Column::Id.is_in(ids.clone())).all(&txn).await?;
    if let Some(unknown) = ids.iter().find(|id| !known.iter().any(|v| v.id == **id)) {
        return Err(AppError::field("volunteer_id", format!("There is no volunteer {unknown}.")));
    }
    meeting_attendance::Entity::delete_many()
        .filter(meeting_attendance::Column::MeetingId.eq(meeting_id))
        .exec(&txn)
        .await?;
    for volunteer_id in ids {
        meeting_attendance::ActiveModel {
            meeting_id: Set(meeting_id),
            volunteer_id: Set(volunteer_id),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Meetings a volunteer attended or that are still to come (not those cancelled), for their
/// dashboard.
pub async fn meetings_for(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
) -> Result<Vec<volunteer_meeting::Model>, DbErr> {
    let attended = sea_orm::sea_query::Query::select()
        .column(meeting_attendance::Column::MeetingId)
        .from(meeting_attendance::Entity)
        .and_where(meeting_attendance::Column::VolunteerId.eq(volunteer_id))
        .to_owned();
    volunteer_meeting::Entity::find()
        .filter(
            sea_orm::Condition::any()
                .add(volunteer_meeting::Column::Id.in_subquery(attended))
                .add(volunteer_meeting::Column::HeldOn.gte(crate::clock::today())),
        )
        .filter(volunteer_meeting::Column::CancelledAt.is_null())
        .order_by_asc(volunteer_meeting::Column::HeldOn)
        .all(db)
        .await
}

/// Volunteers whose one-to-one supervision is overdue on `today`, with when it was due.
pub async fn overdue(
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Vec<(volunteer::Model, SupervisionDue)>, DbErr> {
    use crate::settings::service::{SUPERVISION_INTERVAL_WEEKS, number};
    let interval = number(db, &SUPERVISION_INTERVAL_WEEKS).await?;
    let trained = volunteer::Entity::find().filter(volunteer::Column::TrainedOn.is_not_null()).all(db).await?;
    // Every trained volunteer's one-to-ones in one query, not one per volunteer: the home page
    // and the reminder sweep both ask.
    let mut held: std::collections::HashMap<i64, Vec<NaiveDate>> = std::collections::HashMap::new();
    for (volunteer_id, held_on) in supervision_session::Entity::find()
        .select_only()
        .column(supervision_session::Column::VolunteerId)
        .column(supervision_session::Column::HeldOn)
        .filter(supervision_session::Column::VolunteerId.is_in(trained.iter().map(|v| v.id).collect::<Vec<_>>()))
        .filter(supervision_session::Column::CancelledAt.is_null())
        .into_tuple::<(i64, NaiveDate)>()
        .all(db)
        .await?
    {
        held.entry(volunteer_id).or_default().push(held_on);
    }
    Ok(trained
        .into_iter()
        .filter_map(|record| {
            let dates = held.get(&record.id).map_or(&[][..], Vec::as_slice);
            let due = due(&record, dates, today, interval).filter(|d| d.overdue)?;
            Some((record, due))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use entity::volunteer::FacilitationLevel;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn trained(on: &str) -> volunteer::Model {
        volunteer::Model {
            id: 1,
            user_id: 1,
            status: VolunteerStatus::Active,
            level: FacilitationLevel::CoFacilitator,
            created_at: crate::clock::now(),
            updated_at: crate::clock::now(),
            trained_on: Some(d(on)),
            commitment_ends_on: None,
            paused_on: None,
            left_on: None,
            left_reason: None,
            lead_signed_off_at: None,
            lead_signed_off_by: None,
            max_conferences_per_month: 4,
        }
    }

    #[test]
    fn due_twelve_weeks_after_the_last_one_or_training() {
        let r = trained("2027-01-04");
        let first = due(&r, &[], d("2027-03-29"), 12).unwrap();
        assert_eq!(first.due_on, d("2027-03-29"));
        assert!(!first.overdue, "due today is not yet overdue");
        assert!(due(&r, &[], d("2027-03-30"), 12).unwrap().overdue);
        let after = due(&r, &[d("2027-03-01"), d("2027-06-01")], d("2027-04-01"), 12).unwrap();
        assert_eq!(after.last_held, Some(d("2027-03-01")), "a future session does not count yet");
        assert_eq!(after.due_on, d("2027-05-24"));
        let untrained = volunteer::Model { trained_on: None, ..r };
        assert!(due(&untrained, &[], d("2027-04-01"), 12).is_none());
    }
}
