//! The "Forgot your password" and "Change password" pages.

use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::service;
use crate::auth::RequireUser;
use crate::auth::password::MIN_LENGTH;
use crate::domain::Email;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary};
use crate::web::flash::{self, FlashKind};
use crate::web::identity::{ClientIp, Identity};
use crate::web::layout::{PageContext, csrf_field, page};

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ForgotForm {
    pub email: String,
}

fn forgot_page(ctx: &PageContext, email: &str, errors: &FieldErrors) -> Markup {
    page(
        ctx,
        "Forgot your password",
        html! {
            h1 { "Forgot your password" }
            p { "Give the email address you sign in with. If it has an account, we will email it a link to choose a new password. The link works once, for one hour." }
            (error_summary(errors))
            form method="post" action="/password/forgot" novalidate {
                (csrf_field(ctx))
                (Input { kind: "email", value: email, autocomplete: Some("username"), required: true, ..Input::new("email", "Email address") }.render(errors))
                button type="submit" { "Email me a link" }
            }
            p { a href="/login" { "Back to sign in" } }
        },
    )
}

pub async fn forgot_form(ctx: PageContext) -> Markup {
    forgot_page(&ctx, "", &FieldErrors::new())
}

pub async fn forgot(
    State(state): State<AppState>,
    ctx: PageContext,
    ip: axum::Extension<ClientIp>,
    Form(form): Form<ForgotForm>,
) -> AppResult<Response> {
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(reason) => {
            let errors = FieldErrors::from([("email".to_owned(), reason.to_owned())]);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, forgot_page(&ctx, &form.email, &errors)).into_response());
        }
    };
    match service::request_reset(&state.db, &state.settings.base_url, &email, ip.0.0.as_deref()).await {
        Ok(()) => Ok(page(
            &ctx,
            "Check your email",
            html! {
                h1 { "Check your email" }
                p { "If " strong { (email.as_str()) } " has an account, we have sent it a link to choose a new password. The link works once, for one hour." }
                p { "Nothing after a few minutes? Check your spam folder, or " a href="/password/forgot" { "ask again" } "." }
                p { a href="/login" { "Back to sign in" } }
            },
        )
        .into_response()),
        Err(AppError::RateLimited { retry_after_secs }) => {
            let errors = FieldErrors::from([(
                "email".to_owned(),
                "Too many requests from this network. Wait an hour, then try again.".to_owned(),
            )]);
            Ok(too_many(forgot_page(&ctx, &form.email, &errors), retry_after_secs))
        }
        Err(other) => Err(other),
    }
}

/// A form page re-rendered with its "wait" message, as a 429 saying when to try again.
fn too_many(markup: Markup, retry_after_secs: u64) -> Response {
    (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry_after_secs.to_string())], markup).into_response()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ChangeForm {
    pub current: String,
    pub new: String,
    pub confirm: String,
}

fn change_page(ctx: &PageContext, errors: &FieldErrors) -> Markup {
    page(
        ctx,
        "Change your password",
        html! {
            h1 { "Change your password" }
            p { "Choose a password of at least " (MIN_LENGTH) " characters. Anywhere else you are signed in will be signed out." }
            (error_summary(errors))
            form method="post" action="/account/password" novalidate {
                (csrf_field(ctx))
                (Input { kind: "password", autocomplete: Some("current-password"), required: true, ..Input::new("current", "Current password") }.render(errors))
                (Input { kind: "password", autocomplete: Some("new-password"), required: true, ..Input::new("new", "New password") }.render(errors))
                (Input { kind: "password", autocomplete: Some("new-password"), required: true, ..Input::new("confirm", "Type the new one again") }.render(errors))
                button type="submit" { "Change password" }
            }
        },
    )
}

pub async fn change_form(RequireUser(_): RequireUser, ctx: PageContext) -> Markup {
    change_page(&ctx, &FieldErrors::new())
}

pub async fn change(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
    identity: axum::Extension<Identity>,
    ip: axum::Extension<ClientIp>,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    if form.new != form.confirm && !form.new.is_empty() {
        let errors = FieldErrors::from([("confirm".to_owned(), "The two new passwords are not the same.".to_owned())]);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, change_page(&ctx, &errors)).into_response());
    }
    let keep = identity.session_id_hash.as_deref();
    match service::change_password(&state.db, &user, keep, form.current, form.new, ip.0.0.as_deref()).await {
        Ok(()) => Ok(flash::redirect(
            "/",
            FlashKind::Success,
            "Your password is changed. Anywhere else you were signed in has been signed out.",
        )),
        Err(AppError::Validation { fields, .. }) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, change_page(&ctx, &fields)).into_response())
        }
        Err(AppError::RateLimited { retry_after_secs }) => {
            let errors = FieldErrors::from([(
                "current".to_owned(),
                "Too many wrong passwords. Wait an hour, then try again.".to_owned(),
            )]);
            Ok(too_many(change_page(&ctx, &errors), retry_after_secs))
        }
        Err(other) => Err(other),
    }
}
