//! A volunteer facilitator's record, one per volunteer account.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a volunteer stands in the lifecycle (docs/DESIGN.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum VolunteerStatus {
    #[sea_orm(string_value = "onboarding")]
    Onboarding,
    #[sea_orm(string_value = "in_training")]
    InTraining,
    #[sea_orm(string_value = "trained")]
    Trained,
    #[sea_orm(string_value = "active")]
    Active,
    #[sea_orm(string_value = "paused")]
    Paused,
    #[sea_orm(string_value = "left")]
    Left,
}

/// Facilitation level: a volunteer below `lead` never facilitates without a lead beside them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum FacilitationLevel {
    #[sea_orm(string_value = "trainee")]
    Trainee,
    #[sea_orm(string_value = "co_facilitator")]
    CoFacilitator,
    #[sea_orm(string_value = "lead")]
    Lead,
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "volunteers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub user_id: i64,
    pub status: VolunteerStatus,
    pub level: FacilitationLevel,
    pub created_at: DateTimeUtc,
    /// The day core training was completed: the one-year commitment starts here.
    pub trained_on: Option<Date>,
    pub commitment_ends_on: Option<Date>,
    pub paused_on: Option<Date>,
    pub left_on: Option<Date>,
    pub left_reason: Option<String>,
    pub lead_signed_off_at: Option<DateTimeUtc>,
    pub lead_signed_off_by: Option<i64>,
    /// The most conferences this volunteer takes in a calendar month.
    pub max_conferences_per_month: i32,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "user_id", to = "id")]
    pub user: BelongsTo<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
