//! Reading volunteer records. A volunteer's query is scoped to their own record, so a
//! forgotten check is a missing row, not a leak.

use entity::user::{self, Role};
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::auth::AuthUser;

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
