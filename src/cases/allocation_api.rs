//! `/api/v1/cases/{id}/facilitator-candidates` and `/api/v1/cases/{id}/facilitators`:
//! allocating a case's pair.

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::allocation::{self, AllocationInput, FacilitatorCandidates};
use crate::auth::RequireCoordinator;
use crate::error::{AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::identity::ClientIp;
use crate::web::json::ApiJson;

/// One allocated facilitator: `lead` or `co_facilitator`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Allocated {
    pub volunteer_id: i64,
    /// lead or co_facilitator
    pub role: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Allocation {
    pub facilitators: Vec<Allocated>,
}

pub fn allocated(rows: &[entity::case_facilitator::Model]) -> Vec<Allocated> {
    rows.iter()
        .map(|r| Allocated {
            volunteer_id: r.volunteer_id,
            role: if r.role == entity::case_facilitator::FacilitatorRole::Lead { "lead" } else { "co_facilitator" }
                .into(),
        })
        .collect()
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[serde(default)]
pub struct CandidatesQuery {
    /// How many pairs (default 20, at most 100).
    pub limit: Option<usize>,
}

/// The pairs that could be allocated to the case, best first, and who is ruled out and why.
#[utoipa::path(get, path = "/api/v1/cases/{id}/facilitator-candidates", tag = "cases", params(("id" = i64, Path), CandidatesQuery),
    responses((status = 200, body = FacilitatorCandidates), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn candidates(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(id): Path<i64>,
    Query(query): Query<CandidatesQuery>,
) -> AppResult<Json<FacilitatorCandidates>> {
    super::service::read(&state.db, &actor, id, ip.0.as_deref()).await?;
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    Ok(Json(allocation::candidates(&state.db, id, limit).await?))
}

/// Allocate or re-allocate the case's lead and co-facilitator (both are emailed).
#[utoipa::path(put, path = "/api/v1/cases/{id}/facilitators", tag = "cases", params(("id" = i64, Path)), request_body = AllocationInput,
    responses((status = 200, body = Allocation), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn allocate(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<AllocationInput>,
) -> AppResult<Json<Allocation>> {
    let rows = allocation::allocate(&state.db, &state.settings.base_url, &actor, id, &input).await?;
    Ok(Json(Allocation { facilitators: allocated(&rows) }))
}
