//! A volunteer's claim for out-of-pocket expenses, and where it stands.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// draft → submitted → approved | rejected; approved → paid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum ExpenseStatus {
    #[sea_orm(string_value = "draft")]
    Draft,
    #[sea_orm(string_value = "submitted")]
    Submitted,
    #[sea_orm(string_value = "approved")]
    Approved,
    #[sea_orm(string_value = "rejected")]
    Rejected,
    #[sea_orm(string_value = "paid")]
    Paid,
}

impl ExpenseStatus {
    pub const ALL: [Self; 5] = [Self::Draft, Self::Submitted, Self::Approved, Self::Rejected, Self::Paid];

    /// Approved and paid claims count towards the mileage threshold.
    pub fn was_approved(self) -> bool {
        matches!(self, Self::Approved | Self::Paid)
    }
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expense_claims")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub volunteer_id: i64,
    pub purpose: String,
    pub status: ExpenseStatus,
    /// Set at approval, in pence.
    pub total_pence: Option<i64>,
    pub decision_reason: Option<String>,
    pub decided_by_user_id: Option<i64>,
    pub submitted_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub paid_at: Option<DateTimeUtc>,
    /// Bumped by every change; a stale change matches no row.
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "volunteer_id", to = "id")]
    pub volunteer: BelongsTo<super::volunteer::Entity>,
    #[sea_orm(has_many)]
    pub items: HasMany<super::expense_item::Entity>,
    #[sea_orm(has_many)]
    pub receipts: HasMany<super::expense_receipt::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
