//! A party to a case (harmed, harmer or supporter) with their consent.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
/// The part a person plays in a case.
pub enum PartyRole {
    #[sea_orm(string_value = "harmed")]
    Harmed,
    #[sea_orm(string_value = "harmer")]
    Harmer,
    #[sea_orm(string_value = "supporter")]
    Supporter,
}

impl PartyRole {
    pub const ALL: [Self; 3] = [Self::Harmed, Self::Harmer, Self::Supporter];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
/// Consent to take part; it can be withdrawn at any time, which stops booking.
pub enum Consent {
    #[sea_orm(string_value = "pending")]
    Pending,
    #[sea_orm(string_value = "given")]
    Given,
    #[sea_orm(string_value = "withdrawn")]
    Withdrawn,
}

impl Consent {
    pub const ALL: [Self; 3] = [Self::Pending, Self::Given, Self::Withdrawn];
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "parties")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub role: PartyRole,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub consent: Consent,
    pub consent_given_on: Option<Date>,
    pub consent_withdrawn_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(has_many)]
    pub appointments: HasMany<super::appointment::Entity>,
    #[sea_orm(has_many)]
    pub availability: HasMany<super::party_availability::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
