//! `/api/v1/volunteers/{id}/supervision` (coordinators: the notes are confidential).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{self, SupervisionInput};
use crate::auth::RequireUser;
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::settings::service::{SUPERVISION_INTERVAL_WEEKS, number};
use crate::state::AppState;
use crate::web::identity::AuthUser;
use crate::web::json::ApiJson;

#[derive(Serialize, ToSchema)]
pub struct Supervision {
    pub id: i64,
    #[schema(value_type = String)]
    pub held_on: NaiveDate,
    pub supervisor: String,
    pub notes: String,
}

#[derive(Serialize, ToSchema)]
pub struct SupervisionList {
    pub sessions: Vec<Supervision>,
    /// When the next one-to-one is due (after core training).
    #[schema(value_type = Option<String>)]
    pub due_on: Option<NaiveDate>,
    pub overdue: bool,
}

/// A volunteer's supervision sessions and when the next is due.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/supervision", tag = "volunteers", params(("id" = i64, Path)),
    responses((status = 200, body = SupervisionList), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    Path(id): Path<i64>,
) -> AppResult<Json<SupervisionList>> {
    // The notes are for coordinators; to anyone else another volunteer's record is not there.
    require_coordinator_seeing(&state, &viewer, id).await?;
    let volunteer = crate::volunteers::service::record(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let sessions = service::list(&state.db, id).await?;
    let interval = number(&state.db, &SUPERVISION_INTERVAL_WEEKS).await?;
    let held: Vec<NaiveDate> = sessions.iter().map(|(s, _)| s.held_on).collect();
    let due = service::due(&volunteer, &held, crate::clock::today(), interval);
    Ok(Json(SupervisionList {
        sessions: sessions
            .into_iter()
            .map(|(s, supervisor)| Supervision { id: s.id, held_on: s.held_on, supervisor, notes: s.notes })
            .collect(),
        due_on: due.map(|d| d.due_on),
        overdue: due.is_some_and(|d| d.overdue),
    }))
}

/// Record a one-to-one supervision session (the caller is the supervisor).
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/supervision", tag = "volunteers", params(("id" = i64, Path)), request_body = SupervisionInput,
    responses((status = 201, body = Supervision), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn add(
    State(state): State<AppState>,
    RequireUser(supervisor): RequireUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SupervisionInput>,
) -> AppResult<(StatusCode, Json<Supervision>)> {
    require_coordinator_seeing(&state, &supervisor, id).await?;
    let created = service::add(&state.db, &supervisor, id, &input, crate::clock::today()).await?;
    Ok((
        StatusCode::CREATED,
        Json(Supervision {
            id: created.id,
            held_on: created.held_on,
            supervisor: supervisor.name,
            notes: created.notes,
        }),
    ))
}

/// Coordinators pass; a volunteer gets 404 for anyone else's record and 403 for their own
/// (its notes are confidential). The refusal is audited.
async fn require_coordinator_seeing(state: &AppState, viewer: &AuthUser, volunteer_id: i64) -> AppResult<()> {
    if viewer.role.is_coordinator() {
        return Ok(());
    }
    let own = crate::volunteers::service::for_user(&state.db, viewer.id).await?;
    if own.is_some_and(|v| v.id == volunteer_id) {
        crate::audit::record(
            &state.db,
            crate::audit::AuditEntry {
                actor_user_id: Some(viewer.id),
                actor: &viewer.email,
                action: "authz.denied",
                detail: Some("supervision notes need a coordinator".into()),
                ..Default::default()
            },
        )
        .await?;
        Err(AppError::Forbidden)
    } else {
        Err(AppError::NotFound)
    }
}
