//! Reading volunteer records. A volunteer's query is scoped to their own record, so a
//! forgotten check is a missing row, not a leak.

use entity::user::{self, Role};
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{self, AuditEntry};
use crate::db::{Db, Page, Paging, begin_write, is_unique_violation};
use crate::domain::Email;
use crate::error::{AppError, AppResult};
use crate::web::identity::AuthUser;

#[derive(Clone, Debug)]
pub struct VolunteerSummary {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub status: VolunteerStatus,
    pub level: FacilitationLevel,
}

fn summary(record: volunteer::Model, account: user::Model) -> VolunteerSummary {
    VolunteerSummary {
        id: record.id,
        name: account.name,
        email: account.email,
        status: record.status,
        level: record.level,
    }
}

/// Every volunteer, by name (coordinators).
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<VolunteerSummary>, DbErr> {
    let rows =
        volunteer::Entity::find().find_also_related(user::Entity).order_by_asc(user::Column::Name).all(db).await?;
    Ok(rows.into_iter().filter_map(|(record, account)| account.map(|a| summary(record, a))).collect())
}

/// One page of the volunteers, by name (coordinators).
pub async fn page(db: &impl ConnectionTrait, paging: Paging) -> Result<Page<VolunteerSummary>, DbErr> {
    let by_name = volunteer::Entity::find()
        .find_also_related(user::Entity)
        .order_by_asc(user::Column::Name)
        .order_by_asc(volunteer::Column::Id);
    let listed = crate::db::page(db, by_name, paging).await?;
    let info = listed.info;
    let items = listed.items.into_iter().filter_map(|(record, account)| account.map(|a| summary(record, a))).collect();
    Ok(Page { items, info })
}

/// One volunteer as `viewer` may see it: coordinators see anyone, a volunteer only themself.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    id: i64,
) -> Result<Option<VolunteerSummary>, DbErr> {
    let mut query = volunteer::Entity::find_by_id(id).find_also_related(user::Entity);
    if !viewer.role.is_coordinator() {
        query = query.filter(volunteer::Column::UserId.eq(viewer.id)).filter(user::Column::Role.eq(Role::Volunteer));
    }
    Ok(query.one(db).await?.and_then(|(record, account)| account.map(|a| summary(record, a))))
}

/// Names of these volunteers, by volunteer id.
pub async fn names(db: &impl ConnectionTrait, ids: &[i64]) -> Result<std::collections::HashMap<i64, String>, DbErr> {
    let rows = volunteer::Entity::find()
        .filter(volunteer::Column::Id.is_in(ids.to_vec()))
        .find_also_related(user::Entity)
        .all(db)
        .await?;
    Ok(rows.into_iter().filter_map(|(v, u)| u.map(|u| (v.id, u.name))).collect())
}

/// The volunteer record of a volunteer account.
pub async fn for_user(db: &impl ConnectionTrait, user_id: i64) -> Result<Option<volunteer::Model>, DbErr> {
    volunteer::Entity::find().filter(volunteer::Column::UserId.eq(user_id)).one(db).await
}

/// The volunteer record and account, scoped to what `viewer` may see.
pub async fn record_visible(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    id: i64,
) -> Result<Option<(volunteer::Model, user::Model)>, DbErr> {
    let mut query = volunteer::Entity::find_by_id(id).find_also_related(user::Entity);
    if !viewer.role.is_coordinator() {
        query = query.filter(volunteer::Column::UserId.eq(viewer.id));
    }
    Ok(query.one(db).await?.and_then(|(v, u)| u.map(|u| (v, u))))
}

/// A volunteer record by id (callers have already checked who may see it).
pub async fn record(db: &impl ConnectionTrait, id: i64) -> Result<Option<volunteer::Model>, DbErr> {
    volunteer::Entity::find_by_id(id).one(db).await
}

/// A change to a volunteer's own details (their lifecycle has its own actions).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct VolunteerPatch {
    /// Their name as the service writes it, at most 200 characters.
    pub name: Option<String>,
    /// The address they sign in with and are emailed at.
    pub email: Option<String>,
}

/// Changes a volunteer's name or email address (coordinators), audited with the names of
/// the fields changed; an address another account uses is a field error on `email`.
pub async fn update_details(
    db: &impl Db,
    actor: &AuthUser,
    id: i64,
    patch: &VolunteerPatch,
) -> AppResult<VolunteerSummary> {
    let mut errors = std::collections::BTreeMap::new();
    let name = patch.name.as_deref().map(str::trim);
    if name.is_some_and(|n| n.is_empty() || n.chars().count() > 200) {
        errors.insert("name".into(), "Enter a name of at most 200 characters.".into());
    }
    let email = match patch.email.as_deref().map(Email::parse) {
        Some(Ok(email)) => Some(email),
        Some(Err(reason)) => {
            errors.insert("email".into(), reason.into());
            None
        }
        None => None,
    };
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let txn = begin_write(db).await?;
    let (record, account) = volunteer::Entity::find_by_id(id)
        .find_also_related(user::Entity)
        .one(&txn)
        .await?
        .and_then(|(record, account)| account.map(|a| (record, a)))
        .ok_or(AppError::NotFound)?;
    let mut change =
        user::ActiveModel { id: Set(account.id), updated_at: Set(crate::clock::now()), ..Default::default() };
    let mut changed = Vec::new();
    if let Some(name) = name.filter(|n| *n != account.name) {
        change.name = Set(name.to_owned());
        changed.push("name");
    }
    if let Some(email) = email.filter(|e| e.as_str() != account.email) {
        change.email = Set(email.as_str().to_owned());
        changed.push("email");
    }
    if !changed.is_empty() {
        change.update(&txn).await.map_err(|error| {
            if is_unique_violation(&error) {
                AppError::field("email", "An account with this email already exists.")
            } else {
                error.into()
            }
        })?;
        audit::record(
            &txn,
            AuditEntry {
                actor_user_id: Some(actor.id),
                actor: &actor.email,
                action: "volunteer.updated",
                target_type: Some("volunteer"),
                target_id: Some(id.to_string()),
                detail: Some(changed.join(", ")),
                ..Default::default()
            },
        )
        .await?;
    }
    let account = user::Entity::find_by_id(account.id).one(&txn).await?.ok_or(AppError::NotFound)?;
    txn.commit().await?;
    Ok(summary(record, account))
}
