//! A party's appointment (the harmer's probation appointments): times a conference cannot use.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "appointments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub party_id: i64,
    /// e.g. probation, court, medical
    pub kind: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub note: String,
    #[sea_orm(belongs_to, from = "party_id", to = "id")]
    pub party: BelongsTo<super::party::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
