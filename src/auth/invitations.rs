//! Single-use links to set a password: the invitation an accepted applicant is sent (14 days)
//! and the "forgot your password" reset (1 hour, and it signs every browser out).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use entity::password_invitation::LinkPurpose;
use entity::{password_invitation, session, user};
use maud::{Markup, html};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use serde::Deserialize;

use super::password;
use super::service;
use crate::db::begin_write;
use crate::error::{AppError, AppResult};
use crate::secrets::{random_token, sha256_hex};
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary};
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field, page};

pub const VALID_FOR: Duration = Duration::days(14);
pub const RESET_VALID_FOR: Duration = Duration::hours(1);

/// Creates an invitation inside the caller's transaction; returns the token for the link.
pub async fn create(db: &impl ConnectionTrait, user_id: i64) -> Result<(i64, String), DbErr> {
    issue(db, user_id, LinkPurpose::Invitation).await
}

/// Creates a password reset link inside the caller's transaction; returns the token.
pub async fn create_reset(db: &impl ConnectionTrait, user_id: i64) -> Result<(i64, String), DbErr> {
    issue(db, user_id, LinkPurpose::Reset).await
}

async fn issue(db: &impl ConnectionTrait, user_id: i64, purpose: LinkPurpose) -> Result<(i64, String), DbErr> {
    let token = random_token(32);
    let now = crate::clock::now();
    let valid_for = match purpose {
        LinkPurpose::Invitation => VALID_FOR,
        LinkPurpose::Reset => RESET_VALID_FOR,
    };
    let row = password_invitation::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(sha256_hex(&token)),
        purpose: Set(purpose),
        expires_at: Set(now + valid_for),
        used_at: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok((row.id, token))
}

async fn live(
    db: &impl ConnectionTrait,
    token: &str,
) -> Result<Option<(password_invitation::Model, user::Model)>, DbErr> {
    let found = password_invitation::Entity::find()
        .filter(password_invitation::Column::TokenHash.eq(sha256_hex(token)))
        .filter(password_invitation::Column::UsedAt.is_null())
        .filter(password_invitation::Column::ExpiresAt.gt(crate::clock::now()))
        .one(db)
        .await?;
    let Some(found) = found else { return Ok(None) };
    let account = user::Entity::find_by_id(found.user_id).one(db).await?;
    Ok(account.filter(|a| a.disabled_at.is_none()).map(|a| (found, a)))
}

fn gone(ctx: &PageContext) -> Response {
    let markup = page(
        ctx,
        "Link not valid",
        html! {
            h1 { "This link has expired or has already been used" }
            p { "To choose a password now, " a href="/password/forgot" { "ask for a new link" } ", or ask a coordinator to send you one." }
        },
    );
    (StatusCode::NOT_FOUND, markup).into_response()
}

fn form(ctx: &PageContext, token: &str, link: &password_invitation::Model, name: &str, errors: &FieldErrors) -> Markup {
    let (title, greeting, action) = match link.purpose {
        LinkPurpose::Invitation => ("Set your password", format!("Welcome, {name}."), format!("/invitations/{token}")),
        LinkPurpose::Reset => ("Choose a new password", format!("For {name}."), format!("/password/reset/{token}")),
    };
    page(
        ctx,
        title,
        html! {
            h1 { (title) }
            p { (greeting) " Choose a password of at least " (password::MIN_LENGTH) " characters." }
            (error_summary(errors))
            form method="post" action=(action) {
                (csrf_field(ctx))
                (Input { kind: "password", autocomplete: Some("new-password"), required: true, ..Input::new("password", "New password") }.render(errors))
                (Input { kind: "password", autocomplete: Some("new-password"), required: true, ..Input::new("confirm", "Type it again") }.render(errors))
                button type="submit" { "Set password" }
            }
        },
    )
}

pub async fn show(State(state): State<AppState>, ctx: PageContext, Path(token): Path<String>) -> AppResult<Response> {
    Ok(match live(&state.db, &token).await? {
        Some((link, account)) => form(&ctx, &token, &link, &account.name, &FieldErrors::new()).into_response(),
        None => gone(&ctx),
    })
}

#[derive(Deserialize)]
pub struct SetPassword {
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

pub async fn accept(
    State(state): State<AppState>,
    ctx: PageContext,
    Path(token): Path<String>,
    Form(input): Form<SetPassword>,
) -> AppResult<Response> {
    let Some((invitation, account)) = live(&state.db, &token).await? else {
        return Ok(gone(&ctx));
    };
    let mut errors = FieldErrors::new();
    if let Err(reason) = password::check_new_password(&input.password) {
        errors.insert("password".into(), reason);
    } else if input.password != input.confirm {
        errors.insert("confirm".into(), "The two passwords are not the same.".into());
    }
    if !errors.is_empty() {
        let markup = form(&ctx, &token, &invitation, &account.name, &errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response());
    }
    let hash = password::hash(input.password).await?;
    let txn = begin_write(&state.db).await?;
    // Single use: only the request that marks it used may set the password.
    let mark = password_invitation::Entity::update_many()
        .col_expr(password_invitation::Column::UsedAt, Expr::value(Some(crate::clock::now())))
        .filter(password_invitation::Column::Id.eq(invitation.id))
        .filter(password_invitation::Column::UsedAt.is_null());
    if !crate::db::changed_one(&txn, mark).await? {
        return Err(AppError::NotFound);
    }
    service::set_password(&txn, account.id, hash).await?;
    if invitation.purpose == LinkPurpose::Reset {
        // Whoever knew the old password is signed out, and older links stop working.
        session::Entity::delete_many().filter(session::Column::UserId.eq(account.id)).exec(&txn).await?;
        password_invitation::Entity::update_many()
            .col_expr(password_invitation::Column::UsedAt, Expr::value(Some(crate::clock::now())))
            .filter(password_invitation::Column::UserId.eq(account.id))
            .filter(password_invitation::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
    }
    crate::audit::record(
        &txn,
        crate::audit::AuditEntry {
            actor_user_id: Some(account.id),
            actor: &account.email,
            action: match invitation.purpose {
                LinkPurpose::Invitation => "password.set",
                LinkPurpose::Reset => "password.reset",
            },
            target_type: Some("user"),
            target_id: Some(account.id.to_string()),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(flash::redirect("/login", FlashKind::Success, "Your password is set. Sign in to continue."))
}
