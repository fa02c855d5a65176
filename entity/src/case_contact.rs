//! A facilitator's preparation meeting or call on a case (its mileage can be claimed).

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_contacts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub volunteer_id: i64,
    /// meeting or call
    pub kind: String,
    pub contact_on: Date,
    pub minutes: i32,
    /// Tenths of a mile, as expense mileage.
    pub mileage_tenths: i32,
    pub notes: String,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
