//! A mark on a training session's register.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    #[sea_orm(string_value = "present")]
    Present,
    #[sea_orm(string_value = "absent")]
    Absent,
    /// Absent with a good reason; the session must still be made up.
    #[sea_orm(string_value = "excused")]
    Excused,
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "attendance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub session_id: i64,
    pub volunteer_id: i64,
    pub mark: Mark,
    pub recorded_by: i64,
    pub recorded_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
