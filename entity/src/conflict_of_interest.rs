//! A volunteer's declared conflict of interest with a case: never matched to it.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "conflicts_of_interest")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub volunteer_id: i64,
    pub case_id: i64,
    pub note: String,
    #[sea_orm(belongs_to, from = "case_id", to = "id")]
    pub case: BelongsTo<super::case::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
