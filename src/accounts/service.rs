//! Asking for a password reset and changing a password. Both are throttled through the
//! audit trail, counted inside the transaction that records the attempt.

use chrono::Duration;
use entity::Code;
use entity::user::Role;
use entity::{session, user};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use url::Url;

use crate::audit::{self, AuditEntry};
use crate::auth::{invitations, password, service as accounts};
use crate::db::{Db, begin_write, serialise_on};
use crate::domain::Email;
use crate::error::{AppError, AppResult};
use crate::notifications::messages;
use crate::notifications::outbox::{self, Outgoing};
use crate::web::identity::AuthUser;
use crate::web::links::Links;

/// Reset emails one address is sent in an hour; later requests are answered the same way
/// and send nothing.
pub const MAX_RESET_EMAILS_PER_ADDRESS_PER_HOUR: u64 = 3;
/// Reset requests one network address may make in an hour before it is told to wait.
pub const MAX_RESET_REQUESTS_PER_IP_PER_HOUR: u64 = 10;
/// Wrong current passwords an account may give in an hour when changing its password.
pub const MAX_WRONG_CURRENT_PER_HOUR: u64 = 5;

const REQUESTED: &str = "password_reset.requested";
const CHANGE_REFUSED: &str = "password.change_refused";
const CHANGE_THROTTLED: &str = "password.change_throttled";

/// Asks for a reset link for `email`. The caller learns nothing about whether an account
/// uses the address: a live account is emailed a link (unless it already had
/// [`MAX_RESET_EMAILS_PER_ADDRESS_PER_HOUR`]), anything else is recorded and nothing sent.
pub async fn request_reset(db: &impl Db, base_url: &Url, email: &Email, ip: Option<&str>) -> AppResult<()> {
    let now = crate::clock::now();
    let since = now - Duration::hours(1);
    let txn = begin_write(db).await?;
    if let Some(ip) = ip {
        serialise_on(&txn, &format!("{REQUESTED}:ip:{ip}")).await?;
        if audit::count_by_ip_since(&txn, REQUESTED, ip, since).await? >= MAX_RESET_REQUESTS_PER_IP_PER_HOUR {
            return Err(AppError::RateLimited { retry_after_secs: 3600 });
        }
    }
    serialise_on(&txn, &format!("{REQUESTED}:{}", email.as_str())).await?;
    let earlier = audit::count_by_actor_since(&txn, REQUESTED, email.as_str(), since).await?;
    let account = accounts::find_by_email(&txn, email).await?.filter(|a| a.disabled_at.is_none());
    let outcome = match &account {
        None => "no live account",
        Some(_) if earlier >= MAX_RESET_EMAILS_PER_ADDRESS_PER_HOUR => "throttled",
        Some(account) => {
            let (id, token) = invitations::create_reset(&txn, account.id).await?;
            let url = Links::new(base_url).password_reset(&token);
            outbox::enqueue(
                &txn,
                Outgoing {
                    key: format!("password.reset:{id}"),
                    kind: "password.reset",
                    to: account.email.clone(),
                    message: messages::password_reset(&account.name, &url),
                    send_after: now,
                },
            )
            .await?;
            "sent"
        }
    };
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: account.as_ref().map(|a| a.id),
            actor: email.as_str(),
            action: REQUESTED,
            ip,
            detail: Some(outcome.into()),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Changes the signed-in user's password. The current password must be given; every other
/// browser session of the account ends (`keep` is the caller's own session, if any).
pub async fn change_password(
    db: &impl Db,
    user: &AuthUser,
    keep: Option<&str>,
    current: String,
    new: String,
    ip: Option<&str>,
) -> AppResult<()> {
    if current.is_empty() {
        return Err(AppError::field("current", "Enter your current password."));
    }
    password::check_new_password(&new).map_err(|reason| AppError::field("new", reason))?;
    let entry = |action, detail: &str| AuditEntry {
        actor_user_id: Some(user.id),
        actor: &user.email,
        action,
        target_type: Some("user"),
        target_id: Some(user.id.to_string()),
        ip,
        detail: Some(detail.into()),
    };
    // The attempt is written as refused before the password is checked, so that parallel
    // guesses count each other; the count includes it.
    let attempt = audit::record_returning_id(db, entry(CHANGE_REFUSED, "being checked")).await?;
    let since = crate::clock::now() - Duration::hours(1);
    if audit::count_by_actor_since(db, CHANGE_REFUSED, &user.email, since).await? > MAX_WRONG_CURRENT_PER_HOUR {
        audit::settle_attempt(db, attempt, CHANGE_THROTTLED, Some(user.id), None).await?;
        return Err(AppError::RateLimited { retry_after_secs: 3600 });
    }
    let account = user::Entity::find_by_id(user.id).one(db).await?.ok_or(AppError::NotFound)?;
    if !password::verify(current, account.password_hash).await {
        audit::settle_attempt(db, attempt, CHANGE_REFUSED, Some(user.id), Some("wrong current password")).await?;
        return Err(AppError::field("current", "That is not your current password."));
    }
    let hash = password::hash(new).await?;
    let txn = begin_write(db).await?;
    accounts::set_password(&txn, user.id, hash).await?;
    let mut others = session::Entity::delete_many().filter(session::Column::UserId.eq(user.id));
    if let Some(keep) = keep {
        others = others.filter(session::Column::IdHash.ne(keep));
    }
    others.exec(&txn).await?;
    audit::settle_attempt(&txn, attempt, "password.changed", Some(user.id), None).await?;
    txn.commit().await?;
    Ok(())
}

/// An account to make for someone: no password, but an emailed single-use link to set one.
pub struct Invite {
    pub email: Email,
    pub name: String,
    pub role: Role,
}

/// The roles `actor` may give an account: an admin any, a coordinator volunteers and
/// coordinators (never more than their own).
pub fn grantable(actor: Role) -> &'static [Role] {
    match actor {
        Role::Admin => &[Role::Volunteer, Role::Coordinator, Role::Admin],
        Role::Coordinator => &[Role::Volunteer, Role::Coordinator],
        Role::Volunteer => &[],
    }
}

/// The role in words, as an email or page says it.
pub fn role_words(role: Role) -> &'static str {
    match role {
        Role::Admin => "an admin",
        Role::Coordinator => "a coordinator",
        Role::Volunteer => "a volunteer",
    }
}

/// Makes an account for `invite` and emails it a link to set its password, in one
/// transaction. An address already in use is a field error on `email`.
pub async fn invite(db: &impl Db, base_url: &Url, actor: &AuthUser, invite: Invite) -> AppResult<user::Model> {
    if !grantable(actor.role).contains(&invite.role) {
        return Err(AppError::field("role", "Choose one of the roles you can give."));
    }
    let txn = begin_write(db).await?;
    let (account, _) = accounts::insert_account(&txn, &invite.email, &invite.name, invite.role, None).await?;
    let (link_id, token) = invitations::create(&txn, account.id).await?;
    let url = Links::new(base_url).invitation(&token);
    outbox::enqueue(
        &txn,
        Outgoing {
            key: format!("account.invitation:{link_id}"),
            kind: "account.invitation",
            to: account.email.clone(),
            message: messages::account_invitation(&account.name, role_words(invite.role), &actor.name, &url),
            send_after: crate::clock::now(),
        },
    )
    .await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action: "account.invited",
            target_type: Some("user"),
            target_id: Some(account.id.to_string()),
            detail: Some(invite.role.code()),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(account)
}

/// An admin gives a staff account another staff role. A volunteer's account carries their
/// volunteer record, so it keeps its role (a volunteer who joins the staff gets a second
/// account); nobody changes their own role, so the service always keeps an admin.
pub async fn change_role(db: &impl Db, admin: &AuthUser, user_id: i64, role: Role) -> AppResult<()> {
    if admin.role != Role::Admin {
        return Err(AppError::Forbidden);
    }
    if admin.id == user_id {
        return Err(AppError::Conflict("You cannot change your own role.".into()));
    }
    let txn = begin_write(db).await?;
    let found = user::Entity::find_by_id(user_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if found.role == role {
        return Ok(());
    }
    if found.role == Role::Volunteer || role == Role::Volunteer {
        return Err(AppError::Conflict(
            "A volunteer's account holds their volunteer record, so it keeps its role. Invite a separate account for a staff role."
                .into(),
        ));
    }
    user::ActiveModel {
        id: Set(found.id),
        role: Set(role),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(admin.id),
            actor: &admin.email,
            action: "account.role_changed",
            target_type: Some("user"),
            target_id: Some(user_id.to_string()),
            detail: Some(format!("{} to {}", found.role.code(), role.code())),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
