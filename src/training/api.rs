//! `/api/v1/courses` and their sessions.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{NaiveDate, NaiveTime};
use entity::Code;
use entity::{course, course_session};
use serde::Serialize;
use utoipa::ToSchema;

use super::service::{self, CourseInput, RegisterInput, SessionInput};
use crate::auth::RequireCoordinator;
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::json::ApiJson;
use axum::response::IntoResponse;

#[derive(Serialize, ToSchema)]
pub struct Session {
    pub id: i64,
    pub number: i32,
    #[schema(value_type = String, example = "2027-03-02")]
    pub date: NaiveDate,
    /// Europe/London wall-clock
    #[schema(value_type = String, example = "09:30")]
    pub starts_at: String,
    #[schema(value_type = String, example = "16:30")]
    pub ends_at: String,
    pub venue: String,
}

#[derive(Serialize, ToSchema)]
pub struct Course {
    pub id: i64,
    pub name: String,
    /// core or further
    pub kind: String,
    pub sessions: Vec<Session>,
}

#[derive(Serialize, ToSchema)]
pub struct CourseList {
    pub courses: Vec<Course>,
}

#[derive(Serialize, ToSchema)]
pub struct SessionList {
    pub sessions: Vec<Session>,
}

fn hm(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

pub fn session_json(s: course_session::Model) -> Session {
    Session {
        id: s.id,
        number: s.number,
        date: s.date,
        starts_at: hm(s.starts_at),
        ends_at: hm(s.ends_at),
        venue: s.venue,
    }
}

fn course_json(c: course::Model, sessions: Vec<course_session::Model>) -> Course {
    Course { id: c.id, name: c.name, kind: c.kind.code(), sessions: sessions.into_iter().map(session_json).collect() }
}

/// Every course with its sessions.
#[utoipa::path(get, path = "/api/v1/courses", tag = "training",
    responses((status = 200, body = CourseList), (status = 401, body = ErrorResponse), (status = 403, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
) -> AppResult<Json<CourseList>> {
    let courses =
        service::courses_with_sessions(&state.db).await?.into_iter().map(|(c, s)| course_json(c, s)).collect();
    Ok(Json(CourseList { courses }))
}

/// Create a course.
#[utoipa::path(post, path = "/api/v1/courses", tag = "training", request_body = CourseInput,
    responses((status = 201, body = Course), (status = 422, body = ErrorResponse), (status = 403, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ApiJson(input): ApiJson<CourseInput>,
) -> AppResult<(StatusCode, Json<Course>)> {
    let created = service::create_course(&state.db, &input).await?;
    Ok((StatusCode::CREATED, Json(course_json(created, Vec::new()))))
}

/// The sessions of a course.
#[utoipa::path(get, path = "/api/v1/courses/{id}/sessions", tag = "training", params(("id" = i64, Path)),
    responses((status = 200, body = SessionList), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn sessions(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
) -> AppResult<Json<SessionList>> {
    let (_, sessions) = service::course(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(SessionList { sessions: sessions.into_iter().map(session_json).collect() }))
}

/// Add a numbered session to a course.
#[utoipa::path(post, path = "/api/v1/courses/{id}/sessions", tag = "training", params(("id" = i64, Path)), request_body = SessionInput,
    responses((status = 201, body = Session), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn add_session(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<SessionInput>,
) -> AppResult<(StatusCode, Json<Session>)> {
    let created = service::add_session(&state.db, id, &input).await?;
    Ok((StatusCode::CREATED, Json(session_json(created))))
}

/// Record a session's register (present, absent or excused per volunteer). Completing every
/// core session number makes a volunteer `trained` and starts their commitment.
#[utoipa::path(put, path = "/api/v1/sessions/{id}/attendance", tag = "training", params(("id" = i64, Path)), request_body = RegisterInput,
    responses((status = 204, description = "Recorded"), (status = 404, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn attendance(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<RegisterInput>,
) -> AppResult<impl IntoResponse> {
    service::record_attendance(&state.db, actor.id, id, &input).await?;
    Ok(StatusCode::NO_CONTENT)
}
