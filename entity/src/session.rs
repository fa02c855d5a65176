//! A signed-in browser session. The cookie holds a random secret; only its hash is stored.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// Hex SHA-256 of the cookie value.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id_hash: String,
    pub user_id: i64,
    /// Synchronizer token for this session's forms.
    pub csrf_token: String,
    pub created_at: DateTimeUtc,
    pub last_seen_at: DateTimeUtc,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    #[sea_orm(belongs_to, from = "user_id", to = "id")]
    pub user: BelongsTo<super::user::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
