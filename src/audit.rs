//! The audit log: who did what, when, from where. Rows are only ever appended.

use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, Set};

/// One thing worth recording. Never put a password or a token in `detail`.
#[derive(Debug, Default)]
pub struct AuditEntry<'a> {
    pub actor_user_id: Option<i64>,
    /// An email, or "anonymous".
    pub actor: &'a str,
    pub action: &'a str,
    pub target_type: Option<&'a str>,
    pub target_id: Option<String>,
    pub ip: Option<&'a str>,
    pub detail: Option<String>,
}

pub async fn record(db: &impl ConnectionTrait, entry: AuditEntry<'_>) -> Result<(), DbErr> {
    record_returning_id(db, entry).await.map(drop)
}

pub async fn record_returning_id(db: &impl ConnectionTrait, entry: AuditEntry<'_>) -> Result<i64, DbErr> {
    let row = audit_log::ActiveModel {
        occurred_at: Set(Utc::now()),
        actor_user_id: Set(entry.actor_user_id),
        actor: Set(truncate(entry.actor, 254)),
        action: Set(entry.action.to_owned()),
        target_type: Set(entry.target_type.map(str::to_owned)),
        target_id: Set(entry.target_id),
        ip: Set(entry.ip.map(|ip| truncate(ip, 64))),
        detail: Set(entry.detail.map(|d| truncate(&d, 2000))),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(row.id)
}

/// Settles a sign-in attempt that was written as a failure before the password was
/// checked (so that parallel guesses count each other). Only the sign-in flow uses this;
/// nothing else in the service changes audit rows.
pub(crate) async fn settle_login_attempt(
    db: &impl ConnectionTrait,
    id: i64,
    action: &str,
    actor_user_id: Option<i64>,
    detail: Option<&str>,
) -> Result<(), DbErr> {
    audit_log::ActiveModel {
        id: Set(id),
        action: Set(action.to_owned()),
        actor_user_id: Set(actor_user_id),
        detail: Set(detail.map(str::to_owned)),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

/// Rows of `action` by this actor since `since` (login throttling).
pub async fn count_by_actor_since(
    db: &impl ConnectionTrait,
    action: &str,
    actor: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .filter(audit_log::Column::Actor.eq(actor))
        .filter(audit_log::Column::OccurredAt.gt(since))
        .count(db)
        .await
}

/// Rows of `action` from this address since `since` (login throttling).
pub async fn count_by_ip_since(
    db: &impl ConnectionTrait,
    action: &str,
    ip: &str,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .filter(audit_log::Column::Ip.eq(ip))
        .filter(audit_log::Column::OccurredAt.gt(since))
        .count(db)
        .await
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars().take(max_chars).collect()
}
