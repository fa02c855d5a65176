//! The case contacts log: an assigned facilitator's preparation meetings and calls (date,
//! minutes, mileage), and putting a contact's mileage on their draft expense claim — once.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use entity::{case_contact, expense_item};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{self, AuditEntry};
use crate::db::{Db, begin_write};
use crate::error::{AppError, AppResult};
use crate::web::identity::AuthUser;

pub const KINDS: [(&str, &str); 2] = [("meeting", "Preparation meeting"), ("call", "Call")];

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ContactInput {
    /// meeting or call
    pub kind: String,
    /// YYYY-MM-DD, not in the future (default today)
    pub contact_on: String,
    /// How long it took, in minutes.
    #[serde(deserialize_with = "crate::domain::lenient_string")]
    #[schema(value_type = i32)]
    pub minutes: String,
    /// Miles driven, with at most one decimal place (blank for none).
    #[serde(deserialize_with = "crate::domain::lenient_string")]
    #[schema(value_type = Option<String>)]
    pub miles: String,
    pub notes: String,
}

/// A contact and whether its mileage is already on an expense claim.
pub struct ContactRecord {
    pub contact: case_contact::Model,
    pub claimed: bool,
}

pub async fn for_case(db: &impl ConnectionTrait, case_id: i64) -> Result<Vec<ContactRecord>, DbErr> {
    let contacts = case_contact::Entity::find()
        .filter(case_contact::Column::CaseId.eq(case_id))
        .order_by_asc(case_contact::Column::ContactOn)
        .order_by_asc(case_contact::Column::Id)
        .all(db)
        .await?;
    let claimed: HashSet<i64> = expense_item::Entity::find()
        .filter(expense_item::Column::CaseContactId.is_in(contacts.iter().map(|c| c.id)))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|i| i.case_contact_id)
        .collect();
    Ok(contacts.into_iter().map(|c| ContactRecord { claimed: claimed.contains(&c.id), contact: c }).collect())
}

/// The contacts of a case `viewer` may see (coordinators, its facilitators), the read audited.
pub async fn list(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    case_id: i64,
    ip: Option<&str>,
) -> AppResult<Vec<ContactRecord>> {
    super::service::read(db, viewer, case_id, ip).await?;
    Ok(for_case(db, case_id).await?)
}

/// The volunteer record of `viewer` when they facilitate `case_id`; a coordinator who is
/// not one of its facilitators has nothing to log, anyone else finds nothing.
async fn facilitating(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    case_id: i64,
    ip: Option<&str>,
) -> AppResult<entity::volunteer::Model> {
    super::service::read(db, viewer, case_id, ip).await?;
    let own = crate::volunteers::service::for_user(db, viewer.id).await?;
    match own {
        Some(own) if super::service::assigned_case_ids(db, viewer).await?.contains(&case_id) => Ok(own),
        _ => Err(AppError::Forbidden),
    }
}

struct NewContact {
    kind: &'static str,
    on: NaiveDate,
    minutes: i32,
    mileage_tenths: i32,
    notes: String,
}

fn parse(input: &ContactInput, today: NaiveDate) -> Result<NewContact, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let kind = KINDS.iter().find(|(k, _)| *k == input.kind.trim()).map(|(k, _)| *k);
    if kind.is_none() {
        errors.insert("kind".into(), "Choose a preparation meeting or a call.".into());
    }
    let on = match input.contact_on.trim() {
        "" => Some(today),
        raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().filter(|d| *d <= today),
    };
    if on.is_none() {
        errors.insert("contact_on".into(), "Enter the date as YYYY-MM-DD, not in the future.".into());
    }
    let minutes = input.minutes.trim().parse::<i32>().ok().filter(|m| (1..=1440).contains(m));
    if minutes.is_none() {
        errors.insert("minutes".into(), "Enter how long it took in minutes, from 1 to 1440.".into());
    }
    let mileage = match input.miles.trim() {
        "" | "0" => Ok(0),
        raw => crate::expenses::input::parse_miles(raw).and_then(|t| i32::try_from(t).map_err(|_| "Too many miles.")),
    };
    if let Err(why) = mileage {
        errors.insert("miles".into(), why.into());
    }
    if input.notes.chars().count() > 4000 {
        errors.insert("notes".into(), "Notes can be at most 4,000 characters.".into());
    }
    match (kind, on, minutes, mileage, errors.is_empty()) {
        (Some(kind), Some(on), Some(minutes), Ok(mileage_tenths), true) => {
            Ok(NewContact { kind, on, minutes, mileage_tenths, notes: input.notes.trim().to_owned() })
        }
        _ => Err(errors),
    }
}

/// An assigned facilitator logs a preparation meeting or call on the case.
pub async fn record(
    db: &impl Db,
    viewer: &AuthUser,
    case_id: i64,
    input: &ContactInput,
    ip: Option<&str>,
) -> AppResult<case_contact::Model> {
    let txn = begin_write(db).await?;
    let own = facilitating(&txn, viewer, case_id, ip).await?;
    let new = parse(input, crate::clock::today()).map_err(AppError::fields)?;
    let created = case_contact::ActiveModel {
        case_id: Set(case_id),
        volunteer_id: Set(own.id),
        kind: Set(new.kind.to_owned()),
        contact_on: Set(new.on),
        minutes: Set(new.minutes),
        mileage_tenths: Set(new.mileage_tenths),
        notes: Set(new.notes),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(viewer.id),
            actor: &viewer.email,
            action: "case.contact_recorded",
            target_type: Some("case"),
            target_id: Some(case_id.to_string()),
            detail: Some(format!("contact {}", created.id)),
            ip,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(created)
}

/// Puts the mileage of one of the volunteer's own contacts on their draft expense claim (a
/// new draft when there is none). Once per contact: a second time is a conflict, enforced by
/// the unique `expense_items.case_contact_id`, so two requests at once cannot both add it.
pub async fn claim_mileage(
    db: &impl Db,
    viewer: &AuthUser,
    case_id: i64,
    contact_id: i64,
    ip: Option<&str>,
) -> AppResult<expense_item::Model> {
    let txn = begin_write(db).await?;
    let own = facilitating(&txn, viewer, case_id, ip).await?;
    let contact = case_contact::Entity::find_by_id(contact_id)
        .filter(case_contact::Column::CaseId.eq(case_id))
        .filter(case_contact::Column::VolunteerId.eq(own.id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if contact.mileage_tenths <= 0 {
        return Err(AppError::Conflict("This contact has no mileage to claim.".into()));
    }
    let reference = entity::case::Entity::find_by_id(case_id).one(&txn).await?.map(|c| c.reference).unwrap_or_default();
    let what = KINDS.iter().find(|(k, _)| *k == contact.kind).map_or("Contact", |(_, label)| *label);
    let description = format!("{what} for case {reference}");
    let item = crate::expenses::service::add_contact_mileage(
        &txn,
        own.id,
        contact.id,
        contact.contact_on,
        &description,
        i64::from(contact.mileage_tenths),
    )
    .await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(viewer.id),
            actor: &viewer.email,
            action: "case.contact_mileage_claimed",
            target_type: Some("case"),
            target_id: Some(case_id.to_string()),
            detail: Some(format!("contact {} item {}", contact.id, item.id)),
            ip,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(item)
}
