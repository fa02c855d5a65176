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

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Risk => "risk",
            Self::Appropriateness => "appropriateness",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == text)
    }
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
}

impl AssessmentOutcome {
    pub const ALL: [Self; 2] = [Self::Suitable, Self::NotSuitable];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Suitable => "suitable",
            Self::NotSuitable => "not_suitable",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.as_str() == text)
    }
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
}

impl ActiveModelBehavior for ActiveModel {}
