//! `POST /api/v1/password-reset` and `POST /api/v1/me/password`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::service;
use crate::auth::RequireUser;
use crate::domain::{Email, lenient_string};
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::identity::{ClientIp, Identity};
use crate::web::json::ApiJson;

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ResetRequest {
    #[serde(deserialize_with = "lenient_string")]
    pub email: String,
}

/// The one answer to a reset request, whether or not an account uses the address.
#[derive(Serialize, ToSchema)]
pub struct ResetAccepted {
    pub message: String,
}

/// Ask for a password reset link (public). Always 202 for a well-formed address, whether or
/// not it has an account; a live account is emailed a single-use link valid for an hour.
#[utoipa::path(post, path = "/api/v1/password-reset", tag = "accounts", request_body = ResetRequest,
    responses(
        (status = 202, body = ResetAccepted),
        (status = 422, description = "Not an email address", body = ErrorResponse),
        (status = 429, description = "Too many requests from this address", body = ErrorResponse),
    ))]
pub async fn request_reset(
    State(state): State<AppState>,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ApiJson(input): ApiJson<ResetRequest>,
) -> AppResult<(StatusCode, Json<ResetAccepted>)> {
    let email = Email::parse(&input.email).map_err(|reason| AppError::field("email", reason))?;
    service::request_reset(&state.db, &state.settings.base_url, &email, ip.0.as_deref()).await?;
    let message =
        "If the address has an account, a link to choose a new password is on its way; it works once, for one hour.";
    Ok((StatusCode::ACCEPTED, Json(ResetAccepted { message: message.into() })))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct PasswordChange {
    #[serde(deserialize_with = "lenient_string")]
    pub current: String,
    #[serde(deserialize_with = "lenient_string")]
    pub new: String,
}

/// Change your own password: the current one is required, and every browser session of the
/// account ends (API tokens stay; revoke those separately).
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 401, body = ErrorResponse),
        (status = 422, description = "Wrong current password, or a new one too weak", body = ErrorResponse),
        (status = 429, description = "Too many wrong current passwords", body = ErrorResponse),
    ),
    security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    identity: axum::Extension<Identity>,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ApiJson(input): ApiJson<PasswordChange>,
) -> AppResult<StatusCode> {
    let keep = identity.session_id_hash.as_deref();
    service::change_password(&state.db, &user, keep, input.current, input.new, ip.0.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}
