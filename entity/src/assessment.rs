//! A risk or appropriateness assessment of a case, needed before any conference.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
/// Which assessment.
pub enum AssessmentKind {
    #[sea_orm(string_value = "risk")]
    Risk,
    #[sea_orm(string_value = "appropriateness")]
    Appropriateness,
}

impl AssessmentKind {
    pub const ALL: [Self; 2] = [Self::Risk, Self::Appropriateness];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
/// What the assessor concluded.
pub enum AssessmentOutcome {
    #[sea_orm(string_value = "suitable")]
    Suitable,
    #[sea_orm(string_value = "not_suitable")]
    NotSuitable,
    /// Not decided yet: assess again by the review date.
    #[sea_orm(string_value = "review_needed")]
    ReviewNeeded,
}

impl AssessmentOutcome {
    pub const ALL: [Self; 3] = [Self::Suitable, Self::NotSuitable, Self::ReviewNeeded];
}

/// How serious a risk the assessor found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(8))")]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    #[sea_orm(string_value = "low")]
    Low,
    #[sea_orm(string_value = "medium")]
    Medium,
    #[sea_orm(string_value = "high")]
    High,
}

impl RiskLevel {
    pub const ALL: [Self; 3] = [Self::Low, Self::Medium, Self::High];
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "assessments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub kind: AssessmentKind,
    pub outcome: AssessmentOutcome,
    pub assessed_by: i64,
    pub assessed_on: Date,
    pub notes: String,
    pub created_at: DateTimeUtc,
    // The risk form (kind risk); NULL on assessments recorded before the form asked.
    pub risk_to_harmed: Option<RiskLevel>,
    pub risk_to_harmer: Option<RiskLevel>,
    pub risk_to_facilitators: Option<RiskLevel>,
    pub safeguarding: Option<String>,
    // The appropriateness form (kind appropriateness).
    pub accepts_responsibility: Option<bool>,
    pub harmed_capacity: Option<bool>,
    pub harmed_voluntary: Option<bool>,
    pub harmer_capacity: Option<bool>,
    pub harmer_voluntary: Option<bool>,
    /// Assess again by this day (required with review_needed; after it the assessment is
    /// no longer current).
    pub review_on: Option<Date>,
}

impl ActiveModelBehavior for ActiveModel {}
