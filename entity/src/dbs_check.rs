//! A DBS (Disclosure and Barring Service) check of one volunteer.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum DbsLevel {
    #[sea_orm(string_value = "basic")]
    Basic,
    #[sea_orm(string_value = "standard")]
    Standard,
    #[sea_orm(string_value = "enhanced")]
    Enhanced,
    /// Enhanced with the barred lists.
    #[sea_orm(string_value = "enhanced_barred")]
    EnhancedBarred,
}

impl DbsLevel {
    pub const ALL: [Self; 4] = [Self::Basic, Self::Standard, Self::Enhanced, Self::EnhancedBarred];

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Basic => "basic",
            Self::Standard => "standard",
            Self::Enhanced => "enhanced",
            Self::EnhancedBarred => "enhanced with barred lists",
        }
    }

    pub fn is_enhanced(self) -> bool {
        matches!(self, Self::Enhanced | Self::EnhancedBarred)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum DbsStatus {
    #[sea_orm(string_value = "requested")]
    Requested,
    #[sea_orm(string_value = "in_progress")]
    InProgress,
    #[sea_orm(string_value = "clear")]
    Clear,
    #[sea_orm(string_value = "concerns")]
    Concerns,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

impl DbsStatus {
    pub const ALL: [Self; 5] = [Self::Requested, Self::InProgress, Self::Clear, Self::Concerns, Self::Withdrawn];

    /// A certificate has been issued (so it has a number and an issue date).
    pub fn has_certificate(self) -> bool {
        matches!(self, Self::Clear | Self::Concerns)
    }
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "dbs_checks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub volunteer_id: i64,
    pub level: DbsLevel,
    /// 12 digits; coordinators only. None until the certificate is issued.
    pub certificate_number: Option<String>,
    pub issued_on: Option<Date>,
    /// On the DBS Update Service: no renewal date.
    pub update_service: bool,
    pub status: DbsStatus,
    /// Coordinators only.
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "volunteer_id", to = "id")]
    pub volunteer: BelongsTo<super::volunteer::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
