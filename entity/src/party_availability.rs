//! A weekly window a party to a case has said they can attend.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "party_availability")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub party_id: i64,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: i16,
    /// Europe/London wall-clock.
    pub starts_at: Time,
    pub ends_at: Time,
    #[sea_orm(belongs_to, from = "party_id", to = "id")]
    pub party: BelongsTo<super::party::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
