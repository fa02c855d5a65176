//! One line of an expense claim: a journey, a ticket, parking, a meal or something else.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ExpenseKind {
    #[sea_orm(string_value = "mileage")]
    Mileage,
    #[sea_orm(string_value = "public_transport")]
    PublicTransport,
    #[sea_orm(string_value = "parking")]
    Parking,
    #[sea_orm(string_value = "subsistence")]
    Subsistence,
    #[sea_orm(string_value = "other")]
    Other,
}

impl ExpenseKind {
    pub const ALL: [Self; 5] = [Self::Mileage, Self::PublicTransport, Self::Parking, Self::Subsistence, Self::Other];

    pub fn label(self) -> &'static str {
        match self {
            Self::Mileage => "Mileage",
            Self::PublicTransport => "Public transport",
            Self::Parking => "Parking",
            Self::Subsistence => "Subsistence",
            Self::Other => "Other",
        }
    }
}

/// The vehicle of a mileage item; each has its own HMRC rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum Vehicle {
    #[sea_orm(string_value = "car_van")]
    CarVan,
    #[sea_orm(string_value = "motorcycle")]
    Motorcycle,
    #[sea_orm(string_value = "bicycle")]
    Bicycle,
}

impl Vehicle {
    pub const ALL: [Self; 3] = [Self::CarVan, Self::Motorcycle, Self::Bicycle];

    pub fn label(self) -> &'static str {
        match self {
            Self::CarVan => "Car or van",
            Self::Motorcycle => "Motorcycle",
            Self::Bicycle => "Bicycle",
        }
    }
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expense_items")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub claim_id: i64,
    pub kind: ExpenseKind,
    /// The date of the journey or of the spending.
    pub incurred_on: Date,
    pub description: String,
    /// In pence; for mileage, `None` until the claim is approved.
    pub amount_pence: Option<i64>,
    /// Mileage only: tenths of a mile.
    pub miles_tenths: Option<i64>,
    pub vehicle: Option<Vehicle>,
    pub passengers: Option<i32>,
    /// Mileage of a case contact (preparation meeting or call): each contact is claimed once.
    #[sea_orm(unique)]
    pub case_contact_id: Option<i64>,
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "claim_id", to = "id")]
    pub claim: BelongsTo<super::expense_claim::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
