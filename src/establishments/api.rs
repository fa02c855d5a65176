//! `/api/v1/establishments`: establishments, their weekly regimes and closures.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use entity::Code;
use entity::{closure, establishment};
use serde::Serialize;
use utoipa::ToSchema;

use super::input::EstablishmentInput;
use super::service::{self as establishments, ClosureInput, EstablishmentPatch, Regime};
use crate::auth::RequireCoordinator;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::json::ApiJson;

#[derive(Serialize, ToSchema)]
pub struct Establishment {
    pub id: i64,
    pub name: String,
    /// prison, probation_office or community_venue
    pub kind: String,
    pub address: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// Conferences that can run at once.
    pub rooms: i32,
    pub requires_vetting: bool,
}

#[derive(Serialize, ToSchema)]
pub struct EstablishmentList {
    pub establishments: Vec<Establishment>,
}

#[derive(Serialize, ToSchema)]
pub struct Closure {
    pub id: i64,
    #[schema(value_type = String)]
    pub from: NaiveDate,
    #[schema(value_type = String)]
    pub to: NaiveDate,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct ClosureList {
    pub closures: Vec<Closure>,
}

fn establishment_json(e: establishment::Model) -> Establishment {
    Establishment {
        id: e.id,
        name: e.name,
        kind: e.kind.code(),
        address: e.address,
        latitude: e.latitude,
        longitude: e.longitude,
        rooms: e.rooms,
        requires_vetting: e.requires_vetting,
    }
}

fn closure_json(c: closure::Model) -> Closure {
    Closure { id: c.id, from: c.from_date, to: c.to_date, reason: c.reason }
}

/// Every establishment.
#[utoipa::path(get, path = "/api/v1/establishments", tag = "scheduling",
    responses((status = 200, body = EstablishmentList), (status = 403, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
) -> AppResult<Json<EstablishmentList>> {
    let all = establishments::establishments(&state.db).await?;
    Ok(Json(EstablishmentList { establishments: all.into_iter().map(establishment_json).collect() }))
}

/// Add an establishment (prison, probation office or community venue).
#[utoipa::path(post, path = "/api/v1/establishments", tag = "scheduling", request_body = EstablishmentInput,
    responses((status = 201, body = Establishment), (status = 422, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ApiJson(input): ApiJson<EstablishmentInput>,
) -> AppResult<(StatusCode, Json<Establishment>)> {
    let new = input.parse().map_err(AppError::fields)?;
    let created = establishments::create_establishment(&state.db, new).await?;
    Ok((StatusCode::CREATED, Json(establishment_json(created))))
}

/// One establishment.
#[utoipa::path(get, path = "/api/v1/establishments/{id}", tag = "scheduling", params(("id" = i64, Path)),
    responses((status = 200, body = Establishment), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
) -> AppResult<Json<Establishment>> {
    Ok(Json(establishment_json(establishments::find(&state.db, id).await?.ok_or(AppError::NotFound)?)))
}

/// Change some fields of an establishment.
#[utoipa::path(patch, path = "/api/v1/establishments/{id}", tag = "scheduling", params(("id" = i64, Path)), request_body = EstablishmentPatch,
    responses((status = 200, body = Establishment), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<EstablishmentPatch>,
) -> AppResult<Json<Establishment>> {
    Ok(Json(establishment_json(establishments::update(&state.db, id, &patch).await?)))
}

/// The weekly regime: when a prisoner can be moved for a visit (Europe/London).
#[utoipa::path(get, path = "/api/v1/establishments/{id}/regime", tag = "scheduling", params(("id" = i64, Path)),
    responses((status = 200, body = Regime), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn regime(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
) -> AppResult<Json<Regime>> {
    establishments::find(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(Regime { windows: establishments::to_specs(&establishments::windows(&state.db, id).await?) }))
}

/// Replace the weekly regime.
#[utoipa::path(put, path = "/api/v1/establishments/{id}/regime", tag = "scheduling", params(("id" = i64, Path)), request_body = Regime,
    responses((status = 200, body = Regime), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn set_regime(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(regime): ApiJson<Regime>,
) -> AppResult<Json<Regime>> {
    let txn = begin_write(&state.db).await?;
    let windows = establishments::set_regime(&txn, id, &regime).await?;
    txn.commit().await?;
    Ok(Json(Regime { windows: establishments::to_specs(&windows) }))
}

/// Dates the regime is closed.
#[utoipa::path(get, path = "/api/v1/establishments/{id}/closures", tag = "scheduling", params(("id" = i64, Path)),
    responses((status = 200, body = ClosureList), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn closures(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
) -> AppResult<Json<ClosureList>> {
    establishments::find(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(ClosureList {
        closures: establishments::closures(&state.db, id).await?.into_iter().map(closure_json).collect(),
    }))
}

/// Record a closure (from and to inclusive).
#[utoipa::path(post, path = "/api/v1/establishments/{id}/closures", tag = "scheduling", params(("id" = i64, Path)), request_body = ClosureInput,
    responses((status = 201, body = Closure), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn add_closure(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ClosureInput>,
) -> AppResult<(StatusCode, Json<Closure>)> {
    let (closure, _) = establishments::add_closure(&state, id, &input).await?;
    Ok((StatusCode::CREATED, Json(closure_json(closure))))
}
