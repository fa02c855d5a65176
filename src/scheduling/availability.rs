//! Volunteers' availability: a weekly pattern, a monthly maximum of conferences, and spans
//! when they are unavailable. The volunteer keeps it up to date; coordinators can too.

use chrono::{DateTime, NaiveDateTime, Utc};
use entity::{availability_window, unavailability, volunteer};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::time::london_to_utc;
use crate::error::{AppError, AppResult};
use crate::establishments::service::{WindowSpec, parse_windows};
use crate::web::identity::AuthUser;

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct Availability {
    /// Weekly windows, UK wall-clock.
    pub windows: Vec<WindowSpec>,
    /// The most conferences in a calendar month.
    pub max_conferences_per_month: i32,
}

/// The volunteer record `viewer` may manage: coordinators any, a volunteer their own; others
/// find nothing.
pub async fn managed(db: &impl ConnectionTrait, viewer: &AuthUser, id: i64) -> AppResult<volunteer::Model> {
    crate::volunteers::service::record_visible(db, viewer, id).await?.map(|(v, _)| v).ok_or(AppError::NotFound)
}

pub async fn get(db: &impl ConnectionTrait, record: &volunteer::Model) -> Result<Availability, DbErr> {
    let windows = availability_window::Entity::find()
        .filter(availability_window::Column::VolunteerId.eq(record.id))
        .order_by_asc(availability_window::Column::Weekday)
        .all(db)
        .await?;
    let windows = crate::establishments::service::group(windows.iter().map(|w| (w.weekday, w.starts_at, w.ends_at)));
    Ok(Availability { windows, max_conferences_per_month: record.max_conferences_per_month })
}

/// Replaces the weekly pattern and the monthly maximum, in the caller's transaction.
pub async fn set(
    db: &impl ConnectionTrait,
    record: &volunteer::Model,
    input: &Availability,
) -> AppResult<Availability> {
    let parsed = parse_windows(&input.windows).map_err(AppError::fields)?;
    if !(0..=31).contains(&input.max_conferences_per_month) {
        return Err(AppError::field("max_conferences_per_month", "Give a number from 0 to 31."));
    }
    availability_window::Entity::delete_many()
        .filter(availability_window::Column::VolunteerId.eq(record.id))
        .exec(db)
        .await?;
    for w in parsed {
        availability_window::ActiveModel {
            volunteer_id: Set(record.id),
            weekday: Set(w.weekday),
            starts_at: Set(w.start),
            ends_at: Set(w.end),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    let updated = volunteer::ActiveModel {
        id: Set(record.id),
        max_conferences_per_month: Set(input.max_conferences_per_month),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(get(db, &updated).await?)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct UnavailabilityInput {
    /// UK wall-clock YYYY-MM-DDTHH:MM
    pub from: String,
    /// UK wall-clock YYYY-MM-DDTHH:MM (not included)
    pub to: String,
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Unavailable {
    pub id: i64,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub reason: String,
}

pub async fn unavailable(db: &impl ConnectionTrait, record: &volunteer::Model) -> Result<Vec<Unavailable>, DbErr> {
    Ok(unavailability::Entity::find()
        .filter(unavailability::Column::VolunteerId.eq(record.id))
        .order_by_asc(unavailability::Column::StartsAt)
        .all(db)
        .await?
        .into_iter()
        .map(|u| Unavailable { id: u.id, from: u.starts_at, to: u.ends_at, reason: u.reason })
        .collect())
}

pub async fn add_unavailable(
    db: &impl ConnectionTrait,
    record: &volunteer::Model,
    input: &UnavailabilityInput,
) -> AppResult<Unavailable> {
    let mut errors = std::collections::BTreeMap::new();
    let parse = |raw: &str| NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M").ok().and_then(london_to_utc);
    let from = parse(&input.from);
    if from.is_none() {
        errors.insert("from".into(), "Give the start as YYYY-MM-DDTHH:MM, UK time.".into());
    }
    let to = parse(&input.to);
    match (from, to) {
        (_, None) => {
            errors.insert("to".into(), "Give the end as YYYY-MM-DDTHH:MM, UK time.".into());
        }
        (Some(f), Some(t)) if t <= f => {
            errors.insert("to".into(), "The end must be after the start.".into());
        }
        _ => {}
    }
    let (Some(from), Some(to), true) = (from, to, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    let row = unavailability::ActiveModel {
        volunteer_id: Set(record.id),
        starts_at: Set(from),
        ends_at: Set(to),
        reason: Set(input.reason.trim().chars().take(200).collect()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(Unavailable { id: row.id, from: row.starts_at, to: row.ends_at, reason: row.reason })
}

/// Removes one of `record`'s unavailable spans; another volunteer's span is not found.
pub async fn remove_unavailable(db: &impl ConnectionTrait, record: &volunteer::Model, span_id: i64) -> AppResult<()> {
    let gone = unavailability::Entity::delete_many()
        .filter(unavailability::Column::Id.eq(span_id))
        .filter(unavailability::Column::VolunteerId.eq(record.id))
        .exec(db)
        .await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ConflictInput {
    pub case_id: i64,
    /// Why (kept with the coordinators).
    pub note: String,
}

/// Records a volunteer's declared conflict of interest with a case (coordinators): they are
/// never matched to it. Declaring it twice is harmless.
pub async fn declare_conflict(db: &impl ConnectionTrait, volunteer_id: i64, input: &ConflictInput) -> AppResult<()> {
    volunteer::Entity::find_by_id(volunteer_id).one(db).await?.ok_or(AppError::NotFound)?;
    entity::case::Entity::find_by_id(input.case_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::field("case_id", "There is no such case."))?;
    entity::conflict_of_interest::Entity::insert(entity::conflict_of_interest::ActiveModel {
        volunteer_id: Set(volunteer_id),
        case_id: Set(input.case_id),
        note: Set(input.note.trim().chars().take(2000).collect()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([
        entity::conflict_of_interest::Column::VolunteerId,
        entity::conflict_of_interest::Column::CaseId,
    ])
    .exec(db)
    .await?;
    Ok(())
}

/// The cases a volunteer has declared a conflict of interest with: (reference, note).
pub async fn conflicts(db: &impl ConnectionTrait, record: &volunteer::Model) -> Result<Vec<(String, String)>, DbErr> {
    let declared = entity::conflict_of_interest::Entity::find()
        .filter(entity::conflict_of_interest::Column::VolunteerId.eq(record.id))
        .all(db)
        .await?;
    let references: std::collections::HashMap<i64, String> = entity::case::Entity::find()
        .filter(entity::case::Column::Id.is_in(declared.iter().map(|c| c.case_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.reference))
        .collect();
    let mut listed: Vec<(String, String)> =
        declared.into_iter().filter_map(|c| Some((references.get(&c.case_id)?.clone(), c.note))).collect();
    listed.sort();
    Ok(listed)
}

/// A volunteer declares a conflict of interest by the case's reference (RJ-YYYY-NNNN).
pub async fn declare_conflict_by_reference(
    db: &impl ConnectionTrait,
    record: &volunteer::Model,
    reference: &str,
    note: &str,
) -> AppResult<()> {
    let reference = reference.trim().to_ascii_uppercase();
    let unknown = || AppError::field("reference", "There is no case with that reference; it looks like RJ-2027-0042.");
    if reference.is_empty() {
        return Err(unknown());
    }
    let found = entity::case::Entity::find()
        .filter(entity::case::Column::Reference.eq(reference.as_str()))
        .one(db)
        .await?
        .ok_or_else(unknown)?;
    declare_conflict(db, record.id, &ConflictInput { case_id: found.id, note: note.to_owned() }).await
}
