//! Coded reasons: why a case is not proceeding and why a conference was not held, so they
//! can be counted. A fixed list plus "other" (which needs words); admins add, relabel and
//! retire codes. A retired code is no longer offered but stays on the records that used it.

use std::collections::BTreeMap;

use entity::reason_code;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;

use crate::audit::{self, AuditEntry};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::web::identity::AuthUser;

/// Which list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    NotProceeding,
    NotHeld,
}

impl Kind {
    pub const ALL: [Self; 2] = [Self::NotProceeding, Self::NotHeld];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotProceeding => "not_proceeding",
            Self::NotHeld => "not_held",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    pub fn title(self) -> &'static str {
        match self {
            Self::NotProceeding => "Why a case is not proceeding",
            Self::NotHeld => "Why a conference was not held",
        }
    }
}

/// The code that needs words beside it.
pub const OTHER: &str = "other";

/// Every code of `kind` in its order, retired ones included.
pub async fn all(db: &impl ConnectionTrait, kind: Kind) -> Result<Vec<reason_code::Model>, DbErr> {
    reason_code::Entity::find()
        .filter(reason_code::Column::Kind.eq(kind.as_str()))
        .order_by_asc(reason_code::Column::Position)
        .order_by_asc(reason_code::Column::Id)
        .all(db)
        .await
}

/// The codes offered now: (code, label), "other" last.
pub async fn offered(db: &impl ConnectionTrait, kind: Kind) -> Result<Vec<(String, String)>, DbErr> {
    let mut codes: Vec<reason_code::Model> = all(db, kind).await?.into_iter().filter(|c| !c.retired).collect();
    codes.sort_by_key(|c| (c.code == OTHER, c.position, c.id));
    Ok(codes.into_iter().map(|c| (c.code, c.label)).collect())
}

/// The label of a code (also a retired one), or the code itself if unknown.
pub async fn label(db: &impl ConnectionTrait, kind: Kind, code: &str) -> Result<String, DbErr> {
    Ok(all(db, kind).await?.into_iter().find(|c| c.code == code).map_or_else(|| code.to_owned(), |c| c.label))
}

/// Checks a reason given for `kind`: a code on offer, and words with "other". A reason given
/// in words only (no code, as before codes existed) counts as "other". Errors go under
/// `code_field` and `text_field`.
pub async fn check(
    db: &impl ConnectionTrait,
    kind: Kind,
    code: Option<&str>,
    text: Option<&str>,
    [code_field, text_field]: [&str; 2],
) -> AppResult<(String, Option<String>)> {
    let text = text.map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => code.to_owned(),
        None if text.is_some() => OTHER.to_owned(),
        None => return Err(AppError::field(code_field, "Choose the reason.")),
    };
    if !offered(db, kind).await?.iter().any(|(c, _)| *c == code) {
        return Err(AppError::field(code_field, "Choose one of the reasons listed."));
    }
    if code == OTHER && text.is_none() {
        return Err(AppError::field(text_field, "Say what the reason is."));
    }
    if text.as_ref().is_some_and(|t| t.chars().count() > 1000) {
        return Err(AppError::field(text_field, "Keep the reason under 1,000 characters."));
    }
    Ok((code, text))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct NewReason {
    pub kind: String,
    pub label: String,
}

/// An admin adds a code to a list, before "other"; its code is made from the label.
pub async fn add(db: &impl Db, actor: &AuthUser, input: &NewReason) -> AppResult<reason_code::Model> {
    let mut errors = BTreeMap::new();
    let kind = Kind::parse(input.kind.trim());
    if kind.is_none() {
        errors.insert("kind".to_owned(), "Choose the list.".to_owned());
    }
    let label = input.label.trim();
    let code: String = label
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect::<String>()
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_")
        .chars()
        .take(32)
        .collect();
    if label.is_empty() || label.chars().count() > 200 || code.is_empty() {
        errors.insert("label".to_owned(), "Enter the reason (at most 200 characters, with letters).".to_owned());
    }
    let Some(kind) = kind.filter(|_| errors.is_empty()) else { return Err(AppError::fields(errors)) };
    let existing = all(db, kind).await?;
    if existing.iter().any(|c| c.code == code || c.label.eq_ignore_ascii_case(label)) {
        return Err(AppError::field("label", "That reason is already on the list."));
    }
    let position = existing.iter().filter(|c| c.code != OTHER).map(|c| c.position + 1).max().unwrap_or(0);
    let txn = crate::db::begin_write(db).await?;
    let created = reason_code::ActiveModel {
        kind: Set(kind.as_str().to_owned()),
        code: Set(code),
        label: Set(label.to_owned()),
        position: Set(position),
        retired: Set(false),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    audited(&txn, actor, "reason.added", &created).await?;
    txn.commit().await?;
    Ok(created)
}

/// An admin retires a code (no longer offered) or brings it back; "other" stays.
pub async fn set_retired(db: &impl Db, actor: &AuthUser, id: i64, retired: bool) -> AppResult<reason_code::Model> {
    let txn = crate::db::begin_write(db).await?;
    let found = reason_code::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if found.code == OTHER && retired {
        return Err(AppError::Conflict("“Other” is always offered.".into()));
    }
    let updated = reason_code::ActiveModel { id: Set(found.id), retired: Set(retired), ..Default::default() }
        .update(&txn)
        .await?;
    audited(&txn, actor, if retired { "reason.retired" } else { "reason.restored" }, &updated).await?;
    txn.commit().await?;
    Ok(updated)
}

async fn audited(
    db: &impl ConnectionTrait,
    actor: &AuthUser,
    action: &str,
    code: &reason_code::Model,
) -> Result<(), DbErr> {
    audit::record(
        db,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action,
            target_type: Some("reason_code"),
            target_id: Some(format!("{}:{}", code.kind, code.code)),
            ..Default::default()
        },
    )
    .await
}
