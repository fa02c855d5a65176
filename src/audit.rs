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
        occurred_at: Set(crate::clock::now()),
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

/// Settles an attempt that was written as a failure before the password was checked (so
/// that parallel guesses count each other). Only signing in and changing a password use
/// this; nothing else in the service changes audit rows.
pub(crate) async fn settle_attempt(
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

/// What the admin's audit page narrows the log to; every part is optional.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    /// Part of the actor's email or name, or an account id (acting, or the target).
    pub person: Option<String>,
    /// A case reference or id.
    pub case: Option<String>,
    /// An action, or a prefix ending in `.` (`login.`).
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    /// Exclusive.
    pub until: Option<DateTime<Utc>>,
}

pub const AUDIT_PAGE_SIZE: u64 = 50;

/// One page (from 1) of matching rows, newest first, and the number of pages.
pub async fn search(
    db: &impl ConnectionTrait,
    filter: &AuditFilter,
    page: u64,
) -> Result<(Vec<audit_log::Model>, u64), DbErr> {
    use sea_orm::{Condition, QueryOrder};
    let mut query = audit_log::Entity::find();
    if let Some(person) = &filter.person {
        let mut matches = Condition::any().add(audit_log::Column::Actor.contains(person.to_lowercase()));
        if let Ok(id) = person.parse::<i64>() {
            matches = matches.add(audit_log::Column::ActorUserId.eq(id)).add(
                Condition::all()
                    .add(audit_log::Column::TargetType.is_in(["user", "volunteer"]))
                    .add(audit_log::Column::TargetId.eq(id.to_string())),
            );
        }
        query = query.filter(matches);
    }
    if let Some(case) = &filter.case {
        query = query.filter(audit_log::Column::TargetType.eq("case")).filter(audit_log::Column::TargetId.eq(case));
    }
    if let Some(action) = &filter.action {
        query = if action.ends_with('.') {
            query.filter(audit_log::Column::Action.starts_with(action))
        } else {
            query.filter(audit_log::Column::Action.eq(action))
        };
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::Column::OccurredAt.gte(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::Column::OccurredAt.lt(until));
    }
    let paginator = query
        .order_by_desc(audit_log::Column::OccurredAt)
        .order_by_desc(audit_log::Column::Id)
        .paginate(db, AUDIT_PAGE_SIZE);
    let pages = paginator.num_pages().await?;
    let rows = paginator.fetch_page(page.saturating_sub(1)).await?;
    Ok((rows, pages))
}
