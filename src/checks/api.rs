//! `/api/v1/volunteers/{id}/checks`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::NaiveDate;
use entity::Code;
use entity::{dbs_check, establishment, prison_vetting};
use serde::Serialize;
use utoipa::ToSchema;

use super::clearance::renewal_due;
use super::input::CheckInput;
use super::service::{self, VolunteerChecks};
use crate::auth::{RequireCoordinator, RequireUser};
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::json::ApiJson;

/// A DBS check. `certificate_number` and `notes` are present for coordinators only.
#[derive(Serialize, ToSchema)]
pub struct DbsCheck {
    pub id: i64,
    /// basic, standard, enhanced or enhanced_barred
    pub level: String,
    /// requested, in_progress, clear, concerns or withdrawn
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_number: Option<String>,
    #[schema(value_type = Option<String>, example = "2026-03-27")]
    pub issued_on: Option<NaiveDate>,
    pub update_service: bool,
    /// Issue date plus the renewal period; null on the Update Service or before issue.
    /// The check counts up to the day before this date.
    #[schema(value_type = Option<String>, example = "2029-03-27")]
    pub renewal_due: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// Prison vetting at one establishment. `notes` are present for coordinators only.
#[derive(Serialize, ToSchema)]
pub struct PrisonVetting {
    pub id: i64,
    pub establishment_id: i64,
    pub establishment: String,
    pub level: String,
    /// requested, cleared, refused or withdrawn
    pub status: String,
    #[schema(value_type = Option<String>, example = "2026-03-27")]
    pub cleared_on: Option<NaiveDate>,
    /// The last day the vetting is valid (inclusive).
    #[schema(value_type = Option<String>, example = "2028-03-26")]
    pub expires_on: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct VolunteerChecksBody {
    pub volunteer_id: i64,
    /// Oldest first.
    pub dbs: Vec<DbsCheck>,
    /// Oldest first.
    pub prison_vetting: Vec<PrisonVetting>,
}

/// What was recorded.
#[derive(Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RecordedCheck {
    Dbs(DbsCheck),
    PrisonVetting(PrisonVetting),
}

fn dbs_json(c: dbs_check::Model, years: i64) -> DbsCheck {
    DbsCheck {
        id: c.id,
        level: c.level.code(),
        status: c.status.code(),
        certificate_number: c.certificate_number,
        issued_on: c.issued_on,
        update_service: c.update_service,
        renewal_due: renewal_due(c.issued_on, c.update_service, years),
        notes: c.notes,
    }
}

fn vetting_json(v: prison_vetting::Model, place: establishment::Model) -> PrisonVetting {
    PrisonVetting {
        id: v.id,
        establishment_id: place.id,
        establishment: place.name,
        level: v.level,
        status: v.status.code(),
        cleared_on: v.cleared_on,
        expires_on: v.expires_on,
        notes: v.notes,
    }
}

fn body(checks: VolunteerChecks) -> VolunteerChecksBody {
    let years = checks.renewal_years;
    VolunteerChecksBody {
        volunteer_id: checks.volunteer.id,
        dbs: checks.dbs.into_iter().map(|c| dbs_json(c, years)).collect(),
        prison_vetting: checks.vetting.into_iter().map(|(v, p)| vetting_json(v, p)).collect(),
    }
}

/// A volunteer's DBS checks and prison vetting. Coordinators see everything; the volunteer
/// themself sees their own without certificate numbers or notes; anyone else gets 404.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/checks", tag = "checks",
    params(("id" = i64, Path, description = "Volunteer id")),
    responses(
        (status = 200, description = "The volunteer's checks", body = VolunteerChecksBody),
        (status = 401, description = "No or bad token", body = ErrorResponse),
        (status = 404, description = "No such volunteer, or not yours to see", body = ErrorResponse),
    ),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    Path(id): Path<i64>,
) -> AppResult<Json<VolunteerChecksBody>> {
    let checks = service::for_viewer(&state.db, &viewer, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(body(checks)))
}

/// Record a DBS check (`"type": "dbs"`) or prison vetting (`"type": "prison_vetting"`).
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/checks", tag = "checks",
    params(("id" = i64, Path, description = "Volunteer id")),
    request_body = CheckInput,
    responses(
        (status = 201, description = "Recorded", body = RecordedCheck),
        (status = 401, description = "No or bad token", body = ErrorResponse),
        (status = 403, description = "Not a coordinator", body = ErrorResponse),
        (status = 404, description = "No such volunteer", body = ErrorResponse),
        (status = 422, description = "Invalid values, one message per field", body = ErrorResponse),
    ),
    security(("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<CheckInput>,
) -> AppResult<(StatusCode, Json<RecordedCheck>)> {
    let today = crate::clock::today();
    let recorded = match input {
        CheckInput::Dbs(input) => {
            let new = input.parse(today).map_err(AppError::fields)?;
            let created = service::record_dbs_guarded(&state, id, new).await?;
            RecordedCheck::Dbs(dbs_json(created, service::renewal_years(&state.db).await?))
        }
        CheckInput::PrisonVetting(input) => {
            let new = input.parse(today).map_err(AppError::fields)?;
            let (created, place) = service::record_vetting_guarded(&state, id, new).await?;
            RecordedCheck::PrisonVetting(vetting_json(created, place))
        }
    };
    Ok((StatusCode::CREATED, Json(recorded)))
}
