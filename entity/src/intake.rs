//! An intake (cohort): a number of places leading to one core training course.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "intakes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub places: i32,
    /// Offered plus accepted applications; never above `places` (a CHECK constraint).
    pub places_taken: i32,
    pub course_id: i64,
    /// Applications are taken from this date to `closes_on`, inclusive (Europe/London).
    pub opens_on: Date,
    pub closes_on: Date,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "course_id", to = "id")]
    pub course: BelongsTo<super::course::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
