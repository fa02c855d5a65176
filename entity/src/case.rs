//! A restorative-justice case: the referral and where it stands. Confidential.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
/// Where a case stands.
pub enum CaseStatus {
    #[sea_orm(string_value = "referred")]
    Referred,
    #[sea_orm(string_value = "assessing")]
    Assessing,
    #[sea_orm(string_value = "ready")]
    Ready,
    #[sea_orm(string_value = "booked")]
    Booked,
    #[sea_orm(string_value = "held")]
    Held,
    #[sea_orm(string_value = "follow_up")]
    FollowUp,
    #[sea_orm(string_value = "closed")]
    Closed,
    #[sea_orm(string_value = "not_proceeding")]
    NotProceeding,
}

impl CaseStatus {
    pub const ALL: [Self; 8] = [
        Self::Referred,
        Self::Assessing,
        Self::Ready,
        Self::Booked,
        Self::Held,
        Self::FollowUp,
        Self::Closed,
        Self::NotProceeding,
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
/// Who referred the case.
pub enum ReferralSource {
    #[sea_orm(string_value = "police")]
    Police,
    #[sea_orm(string_value = "probation")]
    Probation,
    #[sea_orm(string_value = "prison")]
    Prison,
    #[sea_orm(string_value = "youth_offending")]
    YouthOffending,
    #[sea_orm(string_value = "community")]
    Community,
    /// Stored as `self_referral` (`self` cannot name a database enum value); `self` in JSON.
    #[sea_orm(string_value = "self_referral")]
    #[serde(rename = "self")]
    SelfReferral,
}

/// The one enum whose API and form text differs from what is stored (`self` against
/// `self_referral`), so it keeps its own pair; every other enum's text is `entity::Code`.
impl ReferralSource {
    pub const ALL: [Self; 6] =
        [Self::Police, Self::Probation, Self::Prison, Self::YouthOffending, Self::Community, Self::SelfReferral];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Police => "police",
            Self::Probation => "probation",
            Self::Prison => "prison",
            Self::YouthOffending => "youth_offending",
            Self::Community => "community",
            Self::SelfReferral => "self",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == text)
    }
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// RJ-YYYY-NNNN: the only thing about a case that feeds and emails carry.
    pub reference: String,
    pub source: ReferralSource,
    pub referred_on: Date,
    pub offence_category: String,
    /// Where the harmer is (and the conference will be).
    pub establishment_id: i64,
    pub deadline: Date,
    pub duration_minutes: i32,
    pub notes: String,
    pub status: CaseStatus,
    pub not_proceeding_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// When it was closed or stopped proceeding: retention of the parties counts from here.
    pub closed_at: Option<DateTimeUtc>,
    /// Why it is not proceeding, coded (a `reason_codes` code of kind not_proceeding).
    pub not_proceeding_code: Option<String>,
    #[sea_orm(has_many)]
    pub facilitators: HasMany<super::case_facilitator::Entity>,
    #[sea_orm(has_many)]
    pub conflicts: HasMany<super::conflict_of_interest::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
