//! The outbox: every email is a row written in the transaction of the change that causes
//! it. The unique key (kind + subject record + occurrence) makes queuing idempotent.

use chrono::{DateTime, Utc};
use entity::outbox_message::{self, OutboxStatus};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    TryInsertResult,
};

use super::messages::Message;
use crate::db::{Page, Paging};

/// An email to queue.
pub struct Outgoing {
    /// e.g. `application.received:42`.
    pub key: String,
    /// e.g. `application.received`.
    pub kind: &'static str,
    pub to: String,
    pub message: Message,
    pub send_after: DateTime<Utc>,
}

/// One file sent with an email (e.g. a text/calendar invitation).
#[derive(Clone, Debug)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub body: String,
}

/// What some emails carry besides the message.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// The List-Unsubscribe value, e.g. `<https://…/me/email-preferences>`.
    pub list_unsubscribe: Option<String>,
    pub attachment: Option<Attachment>,
}

/// Queues an email; returns false when one with the same key was already queued.
pub async fn enqueue(db: &impl ConnectionTrait, outgoing: Outgoing) -> Result<bool, DbErr> {
    enqueue_with(db, outgoing, Extras::default()).await
}

/// [`enqueue`] with a List-Unsubscribe header and/or an attachment.
pub async fn enqueue_with(db: &impl ConnectionTrait, outgoing: Outgoing, extras: Extras) -> Result<bool, DbErr> {
    let (filename, content_type, body) = match extras.attachment {
        Some(a) => (Some(a.filename), Some(a.content_type), Some(a.body)),
        None => (None, None, None),
    };
    let row = outbox_message::ActiveModel {
        idempotency_key: Set(outgoing.key),
        kind: Set(outgoing.kind.to_owned()),
        to_email: Set(outgoing.to),
        subject: Set(outgoing.message.subject),
        text_body: Set(outgoing.message.text),
        html_body: Set(outgoing.message.html),
        status: Set(OutboxStatus::Queued),
        attempts: Set(0),
        send_after: Set(outgoing.send_after),
        locked_until: Set(None),
        last_error: Set(None),
        sent_at: Set(None),
        created_at: Set(crate::clock::now()),
        list_unsubscribe: Set(extras.list_unsubscribe),
        attachment_filename: Set(filename),
        attachment_content_type: Set(content_type),
        attachment_body: Set(body),
        ..Default::default()
    };
    let result = outbox_message::Entity::insert(row)
        .on_conflict_do_nothing_on([outbox_message::Column::IdempotencyKey])
        .exec(db)
        .await?;
    Ok(matches!(result, TryInsertResult::Inserted(_)))
}

/// One page of the messages, newest first.
pub async fn page(db: &impl ConnectionTrait, paging: Paging) -> Result<Page<outbox_message::Model>, DbErr> {
    crate::db::page(db, outbox_message::Entity::find().order_by_desc(outbox_message::Column::Id), paging).await
}

/// The newest messages first.
pub async fn recent(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<outbox_message::Model>, DbErr> {
    outbox_message::Entity::find().order_by_desc(outbox_message::Column::Id).limit(limit).all(db).await
}

/// How many emails failed for good (an admin should look).
pub async fn failed_count(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    outbox_message::Entity::find().filter(outbox_message::Column::Status.eq(OutboxStatus::Failed)).count(db).await
}
