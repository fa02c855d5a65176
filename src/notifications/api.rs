//! `GET /api/v1/outbox`: what the service has queued (admins).

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use entity::Code;
use serde::Serialize;
use utoipa::ToSchema;

use super::outbox;
use crate::auth::RequireAdmin;
use crate::db::{PageInfo, PageQuery};
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::state::AppState;

#[derive(Serialize, ToSchema)]
pub struct OutboxEntry {
    pub id: i64,
    pub kind: String,
    pub to: String,
    pub subject: String,
    /// queued, sent or failed
    pub status: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub text_body: String,
}

#[derive(Serialize, ToSchema)]
pub struct OutboxList {
    pub messages: Vec<OutboxEntry>,
    pub page: PageInfo,
}

/// The emails, newest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "operations", params(PageQuery),
    responses((status = 200, body = OutboxList), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse),
        (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    RequireAdmin(_): RequireAdmin,
    Query(paging): Query<PageQuery>,
) -> AppResult<Json<OutboxList>> {
    let paging = paging.paging().map_err(AppError::fields)?;
    let listed = outbox::page(&state.db, paging).await?;
    let messages = listed
        .items
        .into_iter()
        .map(|m| OutboxEntry {
            id: m.id,
            kind: m.kind,
            to: m.to_email,
            subject: m.subject,
            status: m.status.code(),
            attempts: m.attempts,
            created_at: m.created_at,
            sent_at: m.sent_at,
            last_error: m.last_error,
            text_body: m.text_body,
        })
        .collect();
    Ok(Json(OutboxList { messages, page: listed.info }))
}
