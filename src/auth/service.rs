//! Account rules: creating accounts, signing in with throttling, API tokens, disabling.

use chrono::Duration;
use entity::user::{self, Role};
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use entity::{api_token, session};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use super::password;
use crate::audit::{self, AuditEntry};
use crate::db::{Db, begin_write, is_unique_violation};
use crate::domain::Email;
use crate::error::{AppError, AppResult};
use crate::secrets::{random_token, sha256_hex};
use crate::web::identity::AuthUser;

/// Failed sign-ins within this window count towards throttling.
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);
/// Failures for one account within the window before its sign-in is refused.
pub const MAX_FAILURES_PER_ACCOUNT: u64 = 5;
/// Failures from one address within the window before its sign-ins are refused.
pub const MAX_FAILURES_PER_ADDRESS: u64 = 20;

const API_TOKEN_PREFIX: &str = "cvn_";

pub struct NewAccount {
    pub email: Email,
    pub name: String,
    pub role: Role,
    /// `None` leaves the account without a password (it is set through an invitation).
    pub password: Option<String>,
}

/// Creates an account; a volunteer account also gets its volunteer record
/// (`onboarding`, `trainee`). A taken email is a field error.
pub async fn create_account(db: &impl Db, account: NewAccount) -> AppResult<user::Model> {
    let password_hash = match account.password {
        Some(password) => {
            password::check_new_password(&password).map_err(|reason| AppError::field("password", reason))?;
            Some(password::hash(password).await?)
        }
        None => None,
    };
    let txn = begin_write(db).await?;
    let (created, _) = insert_account(&txn, &account.email, &account.name, account.role, password_hash).await?;
    txn.commit().await?;
    Ok(created)
}

/// Inserts an account (and a volunteer's record) inside the caller's transaction.
pub async fn insert_account(
    db: &impl ConnectionTrait,
    email: &Email,
    name: &str,
    role: Role,
    password_hash: Option<String>,
) -> AppResult<(user::Model, Option<volunteer::Model>)> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::field("name", "Enter a name of at most 200 characters."));
    }
    let now = crate::clock::now();
    let created = user::ActiveModel {
        email: Set(email.as_str().to_owned()),
        name: Set(name),
        role: Set(role),
        password_hash: Set(password_hash),
        disabled_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|error| {
        if is_unique_violation(&error) {
            AppError::field("email", "An account with this email already exists.")
        } else {
            error.into()
        }
    })?;
    let record = if role == Role::Volunteer {
        let record = volunteer::ActiveModel {
            user_id: Set(created.id),
            status: Set(VolunteerStatus::Onboarding),
            level: Set(FacilitationLevel::Trainee),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        Some(record)
    } else {
        None
    };
    Ok((created, record))
}

/// Sets a new password (already checked against the policy) on an account.
pub async fn set_password(db: &impl ConnectionTrait, user_id: i64, password_hash: String) -> Result<(), DbErr> {
    user::ActiveModel {
        id: Set(user_id),
        password_hash: Set(Some(password_hash)),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .update(db)
    .await?;
    Ok(())
}

pub async fn find_by_email(db: &impl ConnectionTrait, email: &Email) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(db).await
}

pub enum LoginOutcome {
    SignedIn(AuthUser),
    Refused,
    Throttled { retry_after_secs: u64 },
}

/// Checks a sign-in attempt. Every attempt is audited (never the password). The attempt
/// is written as a failure before the password is checked and the recent failures counted
/// after, so even parallel guesses cannot get past the limits for the account or address.
pub async fn authenticate(
    db: &impl Db,
    typed_email: &str,
    password: String,
    ip: Option<&str>,
) -> AppResult<LoginOutcome> {
    let actor: String = typed_email.trim().to_lowercase().chars().take(254).collect();
    let attempt = audit::record_returning_id(
        db,
        AuditEntry {
            actor: &actor,
            action: "login.failure",
            ip,
            detail: Some("being checked".into()),
            ..Default::default()
        },
    )
    .await?;
    let since = crate::clock::now() - THROTTLE_WINDOW;
    // These counts include this attempt.
    let account_failures = audit::count_by_actor_since(db, "login.failure", &actor, since).await?;
    let address_failures = match ip {
        Some(ip) => audit::count_by_ip_since(db, "login.failure", ip, since).await?,
        None => 0,
    };
    let by_account = account_failures > MAX_FAILURES_PER_ACCOUNT;
    if by_account || address_failures > MAX_FAILURES_PER_ADDRESS {
        let detail = if by_account { "account" } else { "address" };
        audit::settle_attempt(db, attempt, "login.throttled", None, Some(detail)).await?;
        return Ok(LoginOutcome::Throttled { retry_after_secs: THROTTLE_WINDOW.num_seconds().unsigned_abs() });
    }

    let found = match Email::parse(&actor) {
        Ok(email) => find_by_email(db, &email).await?,
        Err(_) => None,
    };
    let stored = found.as_ref().and_then(|u| u.password_hash.clone());
    let password_ok = password::verify(password, stored).await;
    match found {
        Some(account) if password_ok && account.disabled_at.is_none() => {
            audit::settle_attempt(db, attempt, "login.success", Some(account.id), None).await?;
            Ok(LoginOutcome::SignedIn(account.into()))
        }
        other => {
            let detail = match &other {
                None => "no such account",
                Some(account) if account.disabled_at.is_some() => "account disabled",
                Some(account) if account.password_hash.is_none() => "no password set",
                Some(_) => "wrong password",
            };
            audit::settle_attempt(db, attempt, "login.failure", other.as_ref().map(|a| a.id), Some(detail)).await?;
            Ok(LoginOutcome::Refused)
        }
    }
}

/// Issues a new API token; the clear value is returned once and only its hash is kept.
pub async fn create_api_token(db: &impl ConnectionTrait, user_id: i64) -> Result<String, DbErr> {
    let token = format!("{API_TOKEN_PREFIX}{}", random_token(32));
    api_token::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(sha256_hex(&token)),
        prefix: Set(token.chars().take(API_TOKEN_PREFIX.len() + 6).collect()),
        created_at: Set(crate::clock::now()),
        last_used_at: Set(None),
        revoked_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The account behind a bearer token, unless the token is unknown or revoked or the
/// account is disabled.
pub async fn resolve_bearer(db: &impl ConnectionTrait, token: &str) -> Result<Option<AuthUser>, DbErr> {
    if !token.starts_with(API_TOKEN_PREFIX) || token.len() > 100 {
        return Ok(None);
    }
    let Some((found, Some(account))) = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(sha256_hex(token)))
        .find_also_related(user::Entity)
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if found.revoked_at.is_some() || account.disabled_at.is_some() {
        return Ok(None);
    }
    let now = crate::clock::now();
    if found.last_used_at.is_none_or(|at| now - at > Duration::minutes(1)) {
        api_token::ActiveModel { id: Set(found.id), last_used_at: Set(Some(now)), ..Default::default() }
            .update(db)
            .await?;
    }
    Ok(Some(account.into()))
}

pub async fn revoke_token(db: &impl ConnectionTrait, token_id: i64) -> AppResult<()> {
    let found = api_token::Entity::find_by_id(token_id).one(db).await?.ok_or(AppError::NotFound)?;
    if found.revoked_at.is_none() {
        api_token::ActiveModel { id: Set(found.id), revoked_at: Set(Some(crate::clock::now())), ..Default::default() }
            .update(db)
            .await?;
    }
    Ok(())
}

/// Revokes every live token of an account; returns how many.
pub async fn revoke_all_tokens(db: &impl ConnectionTrait, user_id: i64) -> Result<u64, DbErr> {
    let result = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, sea_orm::sea_query::Expr::value(Some(crate::clock::now())))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// Disabling an account ends all its sessions at once.
pub async fn set_disabled(db: &impl Db, actor: &AuthUser, user_id: i64, disabled: bool) -> AppResult<()> {
    if disabled && actor.id == user_id {
        return Err(AppError::Conflict("You cannot disable your own account.".into()));
    }
    let txn = begin_write(db).await?;
    let found = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let now = crate::clock::now();
    user::ActiveModel {
        id: Set(found.id),
        disabled_at: Set(disabled.then_some(now)),
        updated_at: Set(now),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    if disabled {
        session::Entity::delete_many().filter(session::Column::UserId.eq(user_id)).exec(&txn).await?;
    }
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action: if disabled { "account.disabled" } else { "account.enabled" },
            target_type: Some("user"),
            target_id: Some(user_id.to_string()),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Every account with its tokens, for the admin page.
pub async fn accounts_with_tokens(
    db: &impl ConnectionTrait,
) -> Result<Vec<(user::Model, Vec<api_token::Model>)>, DbErr> {
    user::Entity::find().order_by_asc(user::Column::Email).find_with_related(api_token::Entity).all(db).await
}
