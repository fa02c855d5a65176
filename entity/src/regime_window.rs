//! A weekly window when a prisoner can be moved for a visit (Europe/London wall-clock).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "regime_windows")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub establishment_id: i64,
    /// 0 = Monday … 6 = Sunday.
    pub weekday: i16,
    /// Europe/London wall-clock.
    pub starts_at: Time,
    pub ends_at: Time,
    #[sea_orm(belongs_to, from = "establishment_id", to = "id")]
    pub establishment: BelongsTo<super::establishment::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
