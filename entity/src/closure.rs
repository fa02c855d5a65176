//! Dates when an establishment's regime is closed (lockdown, staff training), inclusive.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "closures")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub establishment_id: i64,
    pub from_date: Date,
    pub to_date: Date,
    pub reason: String,
    #[sea_orm(belongs_to, from = "establishment_id", to = "id")]
    pub establishment: BelongsTo<super::establishment::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
