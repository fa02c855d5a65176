//! One numbered session (a day) of a course: date, Europe/London start and end, venue.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "course_sessions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub course_id: i64,
    /// Session number within the course (1, 2, 3 for the core course).
    pub number: i32,
    pub date: Date,
    /// Wall-clock, Europe/London.
    pub starts_at: Time,
    pub ends_at: Time,
    pub venue: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "course_id", to = "id")]
    pub course: BelongsTo<super::course::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
