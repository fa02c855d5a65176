//! Single-use links to set a password (14 days), sent when an applicant is accepted.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use entity::{password_invitation, user};
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

/// Creates an invitation inside the caller's transaction; returns the token for the link.
pub async fn create(db: &impl ConnectionTrait, user_id: i64) -> Result<(i64, String), DbErr> {
    let token = random_token(32);
    let now = crate::clock::now();
    let row = password_invitation::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(sha256_hex(&token)),
        expires_at: Set(now + VALID_FOR),
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
            p { "Ask a coordinator to send you a new one." }
        },
    );
    (StatusCode::NOT_FOUND, markup).into_response()
}

fn form(ctx: &PageContext, token: &str, name: &str, errors: &FieldErrors) -> Markup {
    page(
        ctx,
        "Set your password",
        html! {
            h1 { "Set your password" }
            p { "Welcome, " (name) ". Choose a password of at least " (password::MIN_LENGTH) " characters." }
            (error_summary(errors))
            form method="post" action={ "/invitations/" (token) } {
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
        Some((_, account)) => form(&ctx, &token, &account.name, &FieldErrors::new()).into_response(),
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
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, form(&ctx, &token, &account.name, &errors)).into_response());
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
    txn.commit().await?;
    Ok(flash::redirect("/login", FlashKind::Success, "Your password is set. Sign in to continue."))
}
