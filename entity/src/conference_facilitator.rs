//! A facilitator asked to take part in a conference, as lead or co-facilitator.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
/// The facilitator's part in a conference.
pub enum FacilitatorRole {
    #[sea_orm(string_value = "lead")]
    Lead,
    #[sea_orm(string_value = "co")]
    Co,
}

impl FacilitatorRole {
    pub const ALL: [Self; 2] = [Self::Lead, Self::Co];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
/// The facilitator's answer when asked.
pub enum Response {
    #[sea_orm(string_value = "asked")]
    Asked,
    #[sea_orm(string_value = "accepted")]
    Accepted,
    #[sea_orm(string_value = "declined")]
    Declined,
}

impl Response {
    pub const ALL: [Self; 3] = [Self::Asked, Self::Accepted, Self::Declined];
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conference_facilitators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub conference_id: i64,
    pub volunteer_id: i64,
    pub role: FacilitatorRole,
    pub response: Response,
    pub responded_at: Option<DateTimeUtc>,
    #[sea_orm(belongs_to, from = "conference_id", to = "id")]
    pub conference: BelongsTo<super::conference::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
