//! Optional equality-monitoring answers, stored apart from applications (no link to one).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "equality_monitoring")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub intake_id: i64,
    pub age_band: Option<String>,
    pub gender: Option<String>,
    pub ethnicity: Option<String>,
    pub disability: Option<String>,
    pub submitted_on: Date,
}

impl ActiveModelBehavior for ActiveModel {}
