//! A restorative conference: a booked slot at an establishment for one case.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
/// Where a conference stands.
pub enum ConferenceStatus {
    #[sea_orm(string_value = "proposed")]
    Proposed,
    #[sea_orm(string_value = "confirmed")]
    Confirmed,
    #[sea_orm(string_value = "cancelled")]
    Cancelled,
    #[sea_orm(string_value = "held")]
    Held,
    #[sea_orm(string_value = "not_held")]
    NotHeld,
}

impl ConferenceStatus {
    pub const ALL: [Self; 5] = [Self::Proposed, Self::Confirmed, Self::Cancelled, Self::Held, Self::NotHeld];
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conferences")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub establishment_id: i64,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub status: ConferenceStatus,
    /// Random, stable calendar UID; reveals nothing.
    pub uid: String,
    /// iCalendar SEQUENCE: bumped whenever time, place or status changes.
    pub sequence: i32,
    pub cancelled_at: Option<DateTimeUtc>,
    /// Why it was cancelled, coded (see `cases::guards::StopReason`); none for a cancellation by hand or a decline.
    pub cancel_reason: Option<String>,
    pub outcome_notes: Option<String>,
    pub follow_up_done_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Why it was not held, coded (a `reason_codes` code of kind not_held).
    pub not_held_code: Option<String>,
    #[sea_orm(has_many)]
    pub facilitators: HasMany<super::conference_facilitator::Entity>,
    #[sea_orm(belongs_to, from = "case_id", to = "id")]
    pub case: BelongsTo<super::case::Entity>,
    #[sea_orm(belongs_to, from = "establishment_id", to = "id")]
    pub establishment: BelongsTo<super::establishment::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
