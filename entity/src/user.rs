//! An account: a person who signs in (admin, coordinator or volunteer).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What an account may do. Stored as text so both databases read it the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum Role {
    #[sea_orm(string_value = "admin")]
    Admin,
    #[sea_orm(string_value = "coordinator")]
    Coordinator,
    #[sea_orm(string_value = "volunteer")]
    Volunteer,
}

impl Role {
    /// Admins can do everything a coordinator does.
    pub fn is_coordinator(self) -> bool {
        matches!(self, Role::Admin | Role::Coordinator)
    }
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Lower-cased; unique.
    #[sea_orm(unique)]
    pub email: String,
    pub name: String,
    pub role: Role,
    /// Argon2id PHC string; `None` until the person sets a password.
    pub password_hash: Option<String>,
    pub disabled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    #[sea_orm(has_many)]
    pub sessions: HasMany<super::session::Entity>,
    #[sea_orm(has_many)]
    pub api_tokens: HasMany<super::api_token::Entity>,
    #[sea_orm(has_one)]
    pub volunteer: HasOne<super::volunteer::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
