//! A single-use link to set a password: an accepted applicant's invitation (14 days) or a
//! "forgot your password" reset (1 hour). Only the token's hash is stored.

use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum LinkPurpose {
    /// Sent when an applicant is accepted: the account's first password.
    #[sea_orm(string_value = "invitation")]
    Invitation,
    /// Asked for from "Forgot your password".
    #[sea_orm(string_value = "reset")]
    Reset,
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_invitations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub token_hash: String,
    pub purpose: LinkPurpose,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

impl ActiveModelBehavior for ActiveModel {}
