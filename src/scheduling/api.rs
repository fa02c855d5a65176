//! `/api/v1/establishments`: establishments, their weekly regimes and closures.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use entity::{closure, establishment};
use serde::Serialize;
use utoipa::ToSchema;

use super::establishments::{self, ClosureInput, EstablishmentPatch, Regime};
use crate::api::ApiJson;
use crate::auth::RequireCoordinator;
use crate::checks::input::EstablishmentInput;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::startup::AppState;

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
        kind: e.kind.as_str().to_owned(),
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
    let all = crate::checks::service::establishments(&state.db).await?;
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
    let created = crate::checks::service::create_establishment(&state.db, new).await?;
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
    Ok((StatusCode::CREATED, Json(closure_json(establishments::add_closure(&state.db, id, &input).await?))))
}

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
        status: c.status.as_str().to_owned(),
        facilitators: facilitators
            .into_iter()
            .map(|f| ConferenceFacilitator {
                volunteer_id: f.volunteer_id,
                role: f.role.as_str().into(),
                response: f.response.as_str().into(),
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
    let (c, facilitators) = super::booking::book(&state.db, &state.settings.base_url, &actor, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(Conference {
            id: c.id,
            case_id: c.case_id,
            establishment_id: c.establishment_id,
            starts_at: c.starts_at,
            ends_at: c.ends_at,
            status: c.status.as_str().to_owned(),
            facilitators: facilitators
                .into_iter()
                .map(|f| ConferenceFacilitator {
                    volunteer_id: f.volunteer_id,
                    role: f.role.as_str().into(),
                    response: f.response.as_str().into(),
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
    responses((status = 200, body = super::candidates::Candidates), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn candidates(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    axum::Extension(ip): axum::Extension<crate::auth::ClientIp>,
    Path(id): Path<i64>,
    axum::extract::Query(query): axum::extract::Query<CandidatesQuery>,
) -> AppResult<Json<super::candidates::Candidates>> {
    crate::cases::service::read(&state.db, &actor, id, ip.0.as_deref()).await?;
    let limit = query.limit.unwrap_or(20).clamp(1, 200);
    Ok(Json(super::candidates::for_case(&state.db, id, limit).await?))
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

use super::conferences::{self as conference_service, ConferencePatch, OutcomeInput, ResponseInput};

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
    let updated = conference_service::update(&state.db, &state.settings.base_url, &actor, id, &patch).await?;
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
