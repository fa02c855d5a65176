//! `POST /api/v1/me/calendar-token`: a new secret feed address for the caller; the old one
//! answers 404 from now on.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::pages::{feed_links, personal_path, rotate_audited};
use crate::auth::RequireUser;
use crate::error::{AppResult, ErrorResponse};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct CalendarToken {
    /// The feed's https address (shown once; only a hash is kept).
    pub url: String,
    /// The same address as `webcal://`, which calendar apps open as a subscription.
    pub webcal_url: String,
}

/// Make a new secret calendar feed address for the caller (rotating any old one).
#[utoipa::path(post, path = "/api/v1/me/calendar-token", tag = "calendar",
    responses((status = 201, body = CalendarToken), (status = 401, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn rotate(State(state): State<AppState>, RequireUser(user): RequireUser) -> AppResult<Response> {
    let (token, _) = rotate_audited(&state, &user).await?;
    let links = feed_links(&state.settings.base_url, &personal_path(&token));
    let mut response =
        (StatusCode::CREATED, Json(CalendarToken { url: links.https, webcal_url: links.webcal })).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
