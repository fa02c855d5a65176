//! A coded reason: why a case is not proceeding (`kind` not_proceeding) or a conference was
//! not held (`kind` not_held). Unique per kind and code; "other" always exists.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reason_codes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub kind: String,
    pub code: String,
    pub label: String,
    pub position: i32,
    pub retired: bool,
}

impl ActiveModelBehavior for ActiveModel {}
