//! Reading volunteer records. A volunteer's query is scoped to their own record, so a
//! forgotten check is a missing row, not a leak.

use entity::user::{self, Role};
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::db::{Page, Paging};
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
