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
    /// Random, stable calendar UID; reveals nothing.
    pub uid: String,
    /// iCalendar SEQUENCE: bumped whenever time, place or status changes.
    pub sequence: i32,
    /// Cancelled (kept, and shown as CANCELLED in feeds for 30 days); it no longer counts.
    pub cancelled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "course_id", to = "id")]
    pub course: BelongsTo<super::course::Entity>,
}

/// A new row gets a random calendar UID unless one is given; every save records the change.
#[async_trait::async_trait]
impl ActiveModelBehavior for ActiveModel {
    async fn before_save<C>(mut self, _db: &C, insert: bool) -> Result<Self, DbErr>
    where
        C: ConnectionTrait,
    {
        if insert && self.uid.is_not_set() {
            self.uid = sea_orm::Set(super::calendar_uid::new());
        }
        if self.updated_at.is_not_set() {
            self.updated_at = sea_orm::Set(chrono::Utc::now());
        }
        Ok(self)
    }
}
