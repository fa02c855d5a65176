//! A group volunteer meeting with case discussion.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteer_meetings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub held_on: Date,
    /// Europe/London wall-clock.
    pub starts_at: Time,
    pub ends_at: Time,
    pub topic: String,
    /// Confidential: coordinators only.
    pub case_discussion: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
