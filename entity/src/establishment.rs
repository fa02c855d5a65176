//! An establishment where conferences are held: a prison, a probation office or a community venue.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "snake_case")]
pub enum EstablishmentKind {
    #[sea_orm(string_value = "prison")]
    Prison,
    #[sea_orm(string_value = "probation_office")]
    ProbationOffice,
    #[sea_orm(string_value = "community_venue")]
    CommunityVenue,
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "establishments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    pub kind: EstablishmentKind,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Conferences that can run at once; at least 1 (a CHECK constraint).
    pub rooms: i32,
    /// Facilitators need this establishment's own security vetting.
    pub requires_vetting: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(has_many)]
    pub regime_windows: HasMany<super::regime_window::Entity>,
    #[sea_orm(has_many)]
    pub closures: HasMany<super::closure::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
