//! `/api/v1/volunteers`.

use axum::Json;
use axum::extract::{Path, Query, State};
use entity::volunteer::{FacilitationLevel, VolunteerStatus};
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{self, VolunteerPatch, VolunteerSummary};
use crate::auth::{RequireCoordinator, RequireUser};
use crate::db::{PageInfo, PageQuery};
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::json::ApiJson;

/// A volunteer facilitator.
#[derive(Debug, Serialize, ToSchema)]
pub struct Volunteer {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// onboarding, in_training, trained, active, paused or left
    #[schema(value_type = String, example = "onboarding")]
    pub status: VolunteerStatus,
    /// trainee, co_facilitator or lead
    #[schema(value_type = String, example = "trainee")]
    pub level: FacilitationLevel,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VolunteerList {
    pub volunteers: Vec<Volunteer>,
    pub page: PageInfo,
}

impl From<VolunteerSummary> for Volunteer {
    fn from(v: VolunteerSummary) -> Self {
        Self { id: v.id, name: v.name, email: v.email, status: v.status, level: v.level }
    }
}

/// List every volunteer.
#[utoipa::path(get, path = "/api/v1/volunteers", tag = "volunteers",
    responses(
        (status = 200, description = "All volunteers", body = VolunteerList),
        (status = 401, description = "No or bad token", body = ErrorResponse),
        (status = 403, description = "Not a coordinator", body = ErrorResponse),
        (status = 422, description = "A page or per_page that is not a whole number in range", body = ErrorResponse),
    ),
    params(PageQuery),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Query(paging): Query<PageQuery>,
) -> AppResult<Json<VolunteerList>> {
    let paging = paging.paging().map_err(AppError::fields)?;
    let listed = service::page(&state.db, paging).await?;
    Ok(Json(VolunteerList { volunteers: listed.items.into_iter().map(Volunteer::from).collect(), page: listed.info }))
}

/// One volunteer. A volunteer may read only themself; anyone else is 404 to them.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}", tag = "volunteers",
    params(("id" = i64, Path, description = "Volunteer id")),
    responses(
        (status = 200, description = "The volunteer", body = Volunteer),
        (status = 401, description = "No or bad token", body = ErrorResponse),
        (status = 404, description = "No such volunteer, or not yours to see", body = ErrorResponse),
    ),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Volunteer>> {
    let found = service::find_visible(&state.db, &viewer, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(found.into()))
}

/// Change a volunteer's name or email address. Their status and level change through the
/// lifecycle (training, pause, leaving, lead sign-off), not here.
#[utoipa::path(patch, path = "/api/v1/volunteers/{id}", tag = "volunteers",
    params(("id" = i64, Path, description = "Volunteer id")),
    request_body = VolunteerPatch,
    responses(
        (status = 200, description = "The volunteer as changed", body = Volunteer),
        (status = 401, description = "No or bad token", body = ErrorResponse),
        (status = 403, description = "Not a coordinator", body = ErrorResponse),
        (status = 404, description = "No such volunteer", body = ErrorResponse),
        (status = 422, description = "A bad name or email, or an email another account uses", body = ErrorResponse),
    ),
    security(("bearer" = [])))]
pub async fn update(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(patch): ApiJson<VolunteerPatch>,
) -> AppResult<Json<Volunteer>> {
    Ok(Json(service::update_details(&state.db, &actor, id, &patch).await?.into()))
}
