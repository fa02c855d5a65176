//! `/api/v1/volunteers/{id}/availability`, `/unavailability` and `/conflicts`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::RequireCoordinator;
use crate::db::begin_write;
use crate::error::{AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::json::ApiJson;

use super::availability::{self as availability_service, Availability, UnavailabilityInput, Unavailable};

#[derive(Serialize, ToSchema)]
pub struct UnavailableList {
    pub unavailable: Vec<Unavailable>,
}

/// A volunteer's weekly availability and monthly maximum (the volunteer or a coordinator).
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/availability", tag = "scheduling", params(("id" = i64, Path)),
    responses((status = 200, body = Availability), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn availability(
    State(state): State<AppState>,
    crate::auth::RequireUser(viewer): crate::auth::RequireUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Availability>> {
    let record = availability_service::managed(&state.db, &viewer, id).await?;
    Ok(Json(availability_service::get(&state.db, &record).await?))
}

/// Replace a volunteer's weekly availability and monthly maximum.
#[utoipa::path(put, path = "/api/v1/volunteers/{id}/availability", tag = "scheduling", params(("id" = i64, Path)), request_body = Availability,
    responses((status = 200, body = Availability), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn set_availability(
    State(state): State<AppState>,
    crate::auth::RequireUser(viewer): crate::auth::RequireUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<Availability>,
) -> AppResult<Json<Availability>> {
    let txn = begin_write(&state.db).await?;
    let record = availability_service::managed(&txn, &viewer, id).await?;
    let saved = availability_service::set(&txn, &record, &input).await?;
    txn.commit().await?;
    Ok(Json(saved))
}

/// Spans when the volunteer is not available.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/unavailability", tag = "scheduling", params(("id" = i64, Path)),
    responses((status = 200, body = UnavailableList), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn unavailability(
    State(state): State<AppState>,
    crate::auth::RequireUser(viewer): crate::auth::RequireUser,
    Path(id): Path<i64>,
) -> AppResult<Json<UnavailableList>> {
    let record = availability_service::managed(&state.db, &viewer, id).await?;
    Ok(Json(UnavailableList { unavailable: availability_service::unavailable(&state.db, &record).await? }))
}

/// Record a span when the volunteer is not available (UK wall-clock).
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/unavailability", tag = "scheduling", params(("id" = i64, Path)), request_body = UnavailabilityInput,
    responses((status = 201, body = Unavailable), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn add_unavailability(
    State(state): State<AppState>,
    crate::auth::RequireUser(viewer): crate::auth::RequireUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<UnavailabilityInput>,
) -> AppResult<(StatusCode, Json<Unavailable>)> {
    let record = availability_service::managed(&state.db, &viewer, id).await?;
    Ok((StatusCode::CREATED, Json(availability_service::add_unavailable(&state.db, &record, &input).await?)))
}

/// Record a volunteer's conflict of interest with a case: never matched to it.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/conflicts", tag = "scheduling", params(("id" = i64, Path)),
    request_body = super::availability::ConflictInput,
    responses((status = 204, description = "Recorded"), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn declare_conflict(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<super::availability::ConflictInput>,
) -> AppResult<StatusCode> {
    availability_service::declare_conflict(&state.db, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
