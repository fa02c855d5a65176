//! An application to volunteer, and where it stands in the selection pipeline.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "shortlisted")]
    Shortlisted,
    #[sea_orm(string_value = "interview")]
    Interview,
    #[sea_orm(string_value = "offered")]
    Offered,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "waitlisted")]
    Waitlisted,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

impl ApplicationStatus {
    pub const ALL: [Self; 8] = [
        Self::Submitted,
        Self::Shortlisted,
        Self::Interview,
        Self::Offered,
        Self::Accepted,
        Self::Waitlisted,
        Self::Rejected,
        Self::Withdrawn,
    ];

    /// Offered and accepted applications hold one of the intake's places.
    pub fn holds_place(self) -> bool {
        matches!(self, Self::Offered | Self::Accepted)
    }
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub intake_id: i64,
    /// Lower-cased; unique per intake.
    pub email: String,
    pub name: String,
    pub phone: String,
    pub postcode: String,
    pub date_of_birth: Date,
    pub motivation: String,
    pub experience: String,
    pub available_weekdays: bool,
    pub available_evenings: bool,
    pub available_weekends: bool,
    pub can_attend_all_dates: bool,
    pub can_commit_year: bool,
    pub agrees_to_checks: bool,
    pub willing_to_use_it: bool,
    pub privacy_consent_at: DateTimeUtc,
    pub status: ApplicationStatus,
    /// Hash of the applicant's private status-link token.
    pub status_token_hash: String,
    pub interview_at: Option<DateTimeUtc>,
    pub interview_place: Option<String>,
    pub decision_reason: Option<String>,
    /// Order on the waiting list.
    pub waitlisted_at: Option<DateTimeUtc>,
    /// Set on the first waitlisted application when a place becomes free.
    pub place_free_flagged_at: Option<DateTimeUtc>,
    pub volunteer_id: Option<i64>,
    /// Bumped by every transition; a stale transition matches no row.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When it was rejected or withdrawn: retention counts from here.
    pub decided_at: Option<DateTimeUtc>,
    #[sea_orm(belongs_to, from = "intake_id", to = "id")]
    pub intake: BelongsTo<super::intake::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
