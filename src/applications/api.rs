//! `/api/v1/applications` and `/api/v1/intakes`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use entity::Code;
use entity::{application, intake};
use serde::Serialize;
use utoipa::ToSchema;

use super::input::ApplicationInput;
use super::intakes::{self, IntakeInput};
use super::service::{self, DecisionInput, QueueFilter};
use crate::auth::RequireCoordinator;
use crate::db::{PageInfo, PageQuery};
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::identity::ClientIp;
use crate::web::json::ApiJson;
use crate::web::links::Links;

#[derive(Serialize, ToSchema)]
pub struct Availability {
    pub weekdays: bool,
    pub evenings: bool,
    pub weekends: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Answers {
    pub can_attend_all_dates: bool,
    pub can_commit_year: bool,
    pub agrees_to_checks: bool,
    pub willing_to_use_it: bool,
}

/// An application as a coordinator sees it (never with equality-monitoring answers).
#[derive(Serialize, ToSchema)]
pub struct Application {
    pub id: i64,
    pub intake_id: i64,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub postcode: String,
    #[schema(value_type = String, example = "1990-03-27")]
    pub date_of_birth: NaiveDate,
    pub motivation: String,
    pub experience: String,
    pub availability: Availability,
    pub answers: Answers,
    /// submitted, shortlisted, interview, offered, accepted, waitlisted, rejected or withdrawn
    pub status: String,
    pub interview_at: Option<DateTime<Utc>>,
    pub interview_place: Option<String>,
    pub decision_reason: Option<String>,
    pub waitlisted_at: Option<DateTime<Utc>>,
    /// Set when a place became free and this is the first on the waiting list.
    pub place_free_flagged_at: Option<DateTime<Utc>>,
    pub volunteer_id: Option<i64>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<application::Model> for Application {
    fn from(a: application::Model) -> Self {
        Self {
            id: a.id,
            intake_id: a.intake_id,
            name: a.name,
            email: a.email,
            phone: a.phone,
            postcode: a.postcode,
            date_of_birth: a.date_of_birth,
            motivation: a.motivation,
            experience: a.experience,
            availability: Availability {
                weekdays: a.available_weekdays,
                evenings: a.available_evenings,
                weekends: a.available_weekends,
            },
            answers: Answers {
                can_attend_all_dates: a.can_attend_all_dates,
                can_commit_year: a.can_commit_year,
                agrees_to_checks: a.agrees_to_checks,
                willing_to_use_it: a.willing_to_use_it,
            },
            status: a.status.code(),
            interview_at: a.interview_at,
            interview_place: a.interview_place,
            decision_reason: a.decision_reason,
            waitlisted_at: a.waitlisted_at,
            place_free_flagged_at: a.place_free_flagged_at,
            volunteer_id: a.volunteer_id,
            version: a.version,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// What the applicant gets back.
#[derive(Serialize, ToSchema)]
pub struct ApplicationReceipt {
    pub id: i64,
    pub status: String,
    /// The private status link (also emailed). Shown once.
    pub status_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationList {
    pub applications: Vec<Application>,
    /// Number of applications in each status (over the same intake and search).
    pub counts: std::collections::BTreeMap<String, u64>,
    pub page: PageInfo,
}

#[derive(Serialize, ToSchema)]
pub struct Intake {
    pub id: i64,
    pub name: String,
    pub places: i32,
    pub places_taken: i32,
    pub course_id: i64,
    #[schema(value_type = String)]
    pub opens_on: NaiveDate,
    #[schema(value_type = String)]
    pub closes_on: NaiveDate,
    pub open: bool,
}

#[derive(Serialize, ToSchema)]
pub struct IntakeList {
    pub intakes: Vec<Intake>,
}

fn intake_json(i: intake::Model) -> Intake {
    let open = intakes::is_open(&i, crate::clock::today());
    Intake {
        id: i.id,
        name: i.name,
        places: i.places,
        places_taken: i.places_taken,
        course_id: i.course_id,
        opens_on: i.opens_on,
        closes_on: i.closes_on,
        open,
    }
}

/// Apply to volunteer (public: no token needed).
#[utoipa::path(post, path = "/api/v1/applications", tag = "recruitment", request_body = ApplicationInput,
    responses(
        (status = 201, body = ApplicationReceipt),
        (status = 422, description = "Invalid fields, a closed intake, or a second application for this email and intake", body = ErrorResponse),
        (status = 429, description = "Too many applications from this address", body = ErrorResponse),
    ))]
pub async fn submit(
    State(state): State<AppState>,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ApiJson(input): ApiJson<ApplicationInput>,
) -> AppResult<(StatusCode, Json<ApplicationReceipt>)> {
    let new = input
        .parse(crate::clock::today())
        .map_err(|fields| AppError::Validation { message: "Some values are not valid.".into(), fields })?;
    let (stored, token) = service::submit(&state.db, &state.settings.base_url, new, ip.0.as_deref()).await?;
    let status_url = Links::new(&state.settings.base_url).application_status(&token);
    Ok((StatusCode::CREATED, Json(ApplicationReceipt { id: stored.id, status: stored.status.code(), status_url })))
}

/// The review queue, oldest first; filter by `status`, `intake_id` and search `q`.
#[utoipa::path(get, path = "/api/v1/applications", tag = "recruitment",
    params(("status" = Option<String>, Query), ("intake_id" = Option<i64>, Query), ("q" = Option<String>, Query, description = "name or email contains"), PageQuery),
    responses((status = 200, body = ApplicationList), (status = 403, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Query(filter): Query<QueueFilter>,
    Query(paging): Query<PageQuery>,
) -> AppResult<Json<ApplicationList>> {
    let paging = paging.paging().map_err(AppError::fields)?;
    let (rows, counts) = service::queue(&state.db, &filter, paging).await?;
    Ok(Json(ApplicationList {
        applications: rows.items.into_iter().map(Application::from).collect(),
        page: rows.info,
        counts: counts.into_iter().map(|(s, n)| (s.code(), n)).collect(),
    }))
}

/// One application.
#[utoipa::path(get, path = "/api/v1/applications/{id}", tag = "recruitment", params(("id" = i64, Path)),
    responses((status = 200, body = Application), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
) -> AppResult<Json<Application>> {
    Ok(Json(service::find(&state.db, id).await?.ok_or(AppError::NotFound)?.into()))
}

/// Take a decision. A decision that does not fit the application's status (or that someone
/// else took first) is 409.
#[utoipa::path(post, path = "/api/v1/applications/{id}/decision", tag = "recruitment", params(("id" = i64, Path)),
    request_body = DecisionInput,
    responses((status = 200, body = Application), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<Json<Application>> {
    Ok(Json(service::decide(&state.db, &state.settings.base_url, &actor, id, &input).await?.into()))
}

/// Every intake.
#[utoipa::path(get, path = "/api/v1/intakes", tag = "recruitment",
    responses((status = 200, body = IntakeList), (status = 403, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn intakes_list(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
) -> AppResult<Json<IntakeList>> {
    Ok(Json(IntakeList { intakes: intakes::all(&state.db).await?.into_iter().map(intake_json).collect() }))
}

/// Create an intake.
#[utoipa::path(post, path = "/api/v1/intakes", tag = "recruitment", request_body = IntakeInput,
    responses((status = 201, body = Intake), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn intakes_create(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ApiJson(input): ApiJson<IntakeInput>,
) -> AppResult<(StatusCode, Json<Intake>)> {
    Ok((StatusCode::CREATED, Json(intake_json(intakes::create(&state.db, &input).await?))))
}
