//! `/api/v1/cases/{id}/conferences`, `/candidates`, `/api/v1/plan` and `/api/v1/conferences`:
//! booking, the candidates for a case, the batch plan, and each conference's answers and outcome.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use entity::Code;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::RequireCoordinator;
use crate::error::{AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::json::ApiJson;

#[derive(Serialize, ToSchema)]
pub struct ConferenceFacilitator {
    pub volunteer_id: i64,
    /// lead or co
    pub role: String,
    /// asked, accepted or declined
    pub response: String,
}

#[derive(Serialize, ToSchema)]
pub struct Conference {
    pub id: i64,
    pub case_id: i64,
    pub establishment_id: i64,
    pub starts_at: chrono::DateTime<chrono::Utc>,
    pub ends_at: chrono::DateTime<chrono::Utc>,
    /// proposed, confirmed, cancelled, held or not_held
    pub status: String,
    pub facilitators: Vec<ConferenceFacilitator>,
}

fn conference_json(
    c: entity::conference::Model,
    facilitators: Vec<entity::conference_facilitator::Model>,
) -> Conference {
    Conference {
        id: c.id,
        case_id: c.case_id,
        establishment_id: c.establishment_id,
        starts_at: c.starts_at,
        ends_at: c.ends_at,
        status: c.status.code(),
        facilitators: facilitators
            .into_iter()
            .map(|f| ConferenceFacilitator {
                volunteer_id: f.volunteer_id,
                role: f.role.code(),
                response: f.response.code(),
            })
            .collect(),
    }
}

/// Book a conference for a ready case: a start (UK time) and two facilitators, at least one
/// a lead. Every hard rule is checked in the booking transaction; a clash is 409.
#[utoipa::path(post, path = "/api/v1/cases/{id}/conferences", tag = "scheduling", params(("id" = i64, Path)),
    request_body = super::booking::BookingInput,
    responses((status = 201, body = Conference), (status = 404, body = ErrorResponse), (status = 409, description = "A hard rule is broken (double booking, outside the regime, checks…)", body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn book(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<super::booking::BookingInput>,
) -> AppResult<(StatusCode, Json<Conference>)> {
    let (c, facilitators) =
        super::booking::book(&state.db, &state.settings.base_url, &actor, id, input.parse()?).await?;
    Ok((
        StatusCode::CREATED,
        Json(Conference {
            id: c.id,
            case_id: c.case_id,
            establishment_id: c.establishment_id,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            status: c.status.code(),
            facilitators: facilitators
                .into_iter()
                .map(|f| ConferenceFacilitator {
                    volunteer_id: f.volunteer_id,
                    role: f.role.code(),
                    response: f.response.code(),
                })
                .collect(),
        }),
    ))
}

#[derive(serde::Deserialize)]
pub struct CandidatesQuery {
    limit: Option<usize>,
}

/// Ranked conference candidates for a case, each score broken down, and why each other
/// volunteer was ruled out. The read is audited like any read of the case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/candidates", tag = "scheduling",
    params(("id" = i64, Path), ("limit" = Option<usize>, Query, description = "at most this many candidates (default 20, max 200)")),
    responses((status = 200, body = crate::scheduling::candidates::Candidates), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn candidates(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    axum::Extension(ip): axum::Extension<crate::web::identity::ClientIp>,
    Path(id): Path<i64>,
    axum::extract::Query(query): axum::extract::Query<CandidatesQuery>,
) -> AppResult<Json<crate::scheduling::candidates::Candidates>> {
    let found = crate::cases::service::read(&state.db, &actor, id, ip.0.as_deref()).await?;
    let limit = query.limit.unwrap_or(20).clamp(1, 200);
    Ok(Json(crate::scheduling::candidates::for_case(&state.db, &found, limit).await?))
}

/// Books every case ready to book, the most constrained first, each through the same checks
/// as a single booking; says why each case it could not book was left.
#[utoipa::path(post, path = "/api/v1/plan", tag = "scheduling",
    responses((status = 200, body = super::batch::PlanResult), (status = 403, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn plan(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
) -> AppResult<Json<super::batch::PlanResult>> {
    Ok(Json(super::batch::plan_ready(&state.db, &state.settings.base_url, &actor).await?))
}

use super::conferences::{self as conference_service, CompletionInput, ConferencePatch, OutcomeInput, ResponseInput};

/// A conference: coordinators and its facilitators (others 404). Audited.
#[utoipa::path(get, path = "/api/v1/conferences/{id}", tag = "scheduling", params(("id" = i64, Path)),
    responses((status = 200, body = Conference), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn conference(
    State(state): State<AppState>,
    crate::auth::RequireUser(viewer): crate::auth::RequireUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Conference>> {
    let (c, facilitators) = conference_service::read(&state.db, &viewer, id).await?;
    Ok(Json(conference_json(c, facilitators)))
}

async fn with_facilitators(state: &AppState, c: entity::conference::Model) -> AppResult<Conference> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let facilitators = entity::conference_facilitator::Entity::find()
        .filter(entity::conference_facilitator::Column::ConferenceId.eq(c.id))
        .all(&state.db)
        .await?;
    Ok(conference_json(c, facilitators))
}

/// Cancel (`{"status": "cancelled"}`) or reschedule (`{"start": "…"}`) a conference.
#[utoipa::path(patch, path = "/api/v1/conferences/{id}", tag = "scheduling", params(("id" = i64, Path)), request_body = ConferencePatch,
    responses((status = 200, body = Conference), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn update_conference(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<ConferencePatch>,
) -> AppResult<Json<Conference>> {
    let updated = conference_service::update(&state.db, &state.settings.base_url, &actor, id, patch.parse()?).await?;
    Ok(Json(with_facilitators(&state, updated).await?))
}

/// The asked facilitator accepts or declines.
#[utoipa::path(post, path = "/api/v1/conferences/{id}/response", tag = "scheduling", params(("id" = i64, Path)), request_body = ResponseInput,
    responses((status = 200, body = Conference), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn respond(
    State(state): State<AppState>,
    crate::auth::RequireUser(viewer): crate::auth::RequireUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ResponseInput>,
) -> AppResult<Json<Conference>> {
    let updated = conference_service::respond(&state.db, &state.settings.base_url, &viewer, id, &input).await?;
    Ok(Json(with_facilitators(&state, updated).await?))
}

/// Record the outcome: held or not, and the outcome agreement's actions.
#[utoipa::path(put, path = "/api/v1/conferences/{id}/outcome", tag = "scheduling", params(("id" = i64, Path)), request_body = OutcomeInput,
    responses((status = 200, body = Conference), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn outcome(
    State(state): State<AppState>,
    crate::auth::RequireUser(viewer): crate::auth::RequireUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<OutcomeInput>,
) -> AppResult<Json<Conference>> {
    let updated = conference_service::record_outcome(&state.db, &viewer, id, &input).await?;
    Ok(Json(with_facilitators(&state, updated).await?))
}

/// An outcome agreement's action, settled or not.
#[derive(Serialize, ToSchema)]
pub struct OutcomeAction {
    pub id: i64,
    pub conference_id: i64,
    pub description: String,
    pub owner: String,
    pub due_on: chrono::NaiveDate,
    pub completed_on: Option<chrono::NaiveDate>,
    pub not_completed_on: Option<chrono::NaiveDate>,
    pub note: Option<String>,
}

/// Settle an agreed action as completed or not completed, once (coordinators and the
/// case's allocated facilitators); the case moves to follow-up.
#[utoipa::path(post, path = "/api/v1/outcome-actions/{id}/completion", tag = "cases", params(("id" = i64, Path)), request_body = CompletionInput,
    responses((status = 200, body = OutcomeAction), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn complete_action(
    State(state): State<AppState>,
    crate::auth::RequireUser(viewer): crate::auth::RequireUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CompletionInput>,
) -> AppResult<Json<OutcomeAction>> {
    let a = conference_service::settle_action(&state.db, &viewer, id, &input).await?;
    Ok(Json(OutcomeAction {
        id: a.id,
        conference_id: a.conference_id,
        description: a.description,
        owner: a.owner,
        due_on: a.due_on,
        completed_on: a.completed_on,
        not_completed_on: a.not_completed_on,
        note: a.completion_note,
    }))
}
