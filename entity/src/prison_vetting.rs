//! A prison's own security vetting of one volunteer, per establishment.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether the establishment has cleared the volunteer. Lapsing is not a status: it follows
/// from `expires_on`, so it can never be stale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum VettingStatus {
    #[sea_orm(string_value = "requested")]
    Requested,
    #[sea_orm(string_value = "cleared")]
    Cleared,
    #[sea_orm(string_value = "refused")]
    Refused,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

impl VettingStatus {
    pub const ALL: [Self; 4] = [Self::Requested, Self::Cleared, Self::Refused, Self::Withdrawn];
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "prison_vettings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub volunteer_id: i64,
    pub establishment_id: i64,
    /// The establishment's own words, e.g. "standard" or "enhanced".
    pub level: String,
    pub status: VettingStatus,
    pub cleared_on: Option<Date>,
    /// The last day the vetting is valid (inclusive).
    pub expires_on: Option<Date>,
    pub notes: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "volunteer_id", to = "id")]
    pub volunteer: BelongsTo<super::volunteer::Entity>,
    #[sea_orm(belongs_to, from = "establishment_id", to = "id")]
    pub establishment: BelongsTo<super::establishment::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
