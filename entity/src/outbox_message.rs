//! An email in the persistent outbox, queued in the transaction of the change causing it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "snake_case")]
pub enum OutboxStatus {
    /// Waiting to be sent (or to be read by an admin when no SMTP is configured).
    #[sea_orm(string_value = "queued")]
    Queued,
    #[sea_orm(string_value = "sent")]
    Sent,
    #[sea_orm(string_value = "failed")]
    Failed,
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// kind + subject record + occurrence.
    #[sea_orm(unique)]
    pub idempotency_key: String,
    pub kind: String,
    pub to_email: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub status: OutboxStatus,
    pub attempts: i32,
    pub send_after: DateTimeUtc,
    pub locked_until: Option<DateTimeUtc>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The List-Unsubscribe header's value, on reminder kinds.
    pub list_unsubscribe: Option<String>,
    pub attachment_filename: Option<String>,
    pub attachment_content_type: Option<String>,
    pub attachment_body: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
