//! UK GDPR duties: subject access exports, erasure, and the retention sweep.

pub mod service;

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::Value;

use crate::audit::{self, AuditEntry};
use crate::auth::RequireAdmin;
use crate::db::begin_write;
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::flash::{self, FlashKind};
use crate::web::identity::AuthUser;
use service::EraseError;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/admin/volunteers/{id}/export", get(volunteer_export_download))
        .route("/admin/applications/{id}/export", get(application_export_download))
        .route("/admin/volunteers/{id}/erase", post(erase_volunteer))
        .route("/admin/applications/{id}/erase", post(erase_application))
}

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(volunteer_export_api))
        .routes(routes!(application_export_api))
        .routes(routes!(volunteer_erasure_api))
        .routes(routes!(application_erasure_api))
}

/// Which person a request is about.
#[derive(Clone, Copy)]
enum Person {
    Volunteer(i64),
    Applicant(i64),
}

impl Person {
    fn target(self) -> (&'static str, i64) {
        match self {
            Person::Volunteer(id) => ("volunteer", id),
            Person::Applicant(id) => ("application", id),
        }
    }
}

async fn export(state: &AppState, admin: &AuthUser, person: Person) -> AppResult<Value> {
    let found = match person {
        Person::Volunteer(id) => service::export_volunteer(&state.db, id).await?,
        Person::Applicant(id) => service::export_application(&state.db, id).await?,
    };
    let data = found.ok_or(AppError::NotFound)?;
    let (target_type, id) = person.target();
    audit::record(
        &state.db,
        AuditEntry {
            actor_user_id: Some(admin.id),
            actor: &admin.email,
            action: "person.exported",
            target_type: Some(target_type),
            target_id: Some(id.to_string()),
            ..Default::default()
        },
    )
    .await?;
    Ok(data)
}

/// Everything held about a volunteer (UK GDPR subject access): account, applications, checks,
/// training, supervision, availability, assignments, expenses, emails and audit entries. Admin only.
#[utoipa::path(get, path = "/api/v1/volunteers/{id}/export", tag = "privacy", params(("id" = i64, Path)),
    responses((status = 200, description = "The volunteer's personal data", body = Object), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn volunteer_export_api(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    Ok(Json(export(&state, &admin, Person::Volunteer(id)).await?))
}

/// Everything held about an applicant from one application (UK GDPR subject access). Admin only.
#[utoipa::path(get, path = "/api/v1/applications/{id}/export", tag = "privacy", params(("id" = i64, Path)),
    responses((status = 200, description = "The applicant's personal data", body = Object), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn application_export_api(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    Ok(Json(export(&state, &admin, Person::Applicant(id)).await?))
}

fn download(data: &Value, filename: String) -> AppResult<Response> {
    let body = serde_json::to_string_pretty(data).map_err(|e| AppError::Internal(e.into()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{filename}\"")),
        ],
        body,
    )
        .into_response())
}

async fn volunteer_export_download(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    download(&export(&state, &admin, Person::Volunteer(id)).await?, format!("volunteer-{id}-personal-data.json"))
}

async fn application_export_download(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    download(&export(&state, &admin, Person::Applicant(id)).await?, format!("application-{id}-personal-data.json"))
}

#[derive(serde::Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    confirm: String,
}

/// Erases a person in one transaction with its audit entry, then deletes their receipts'
/// files. `Ok(Err(_))` is a refusal by the rules (still volunteering; became a volunteer).
async fn erase_person(
    state: &AppState,
    admin: &AuthUser,
    person: Person,
) -> AppResult<Result<service::Erasure, EraseError>> {
    let txn = begin_write(&state.db).await?;
    let outcome = match person {
        Person::Volunteer(id) => service::erase_volunteer(&txn, id).await,
        Person::Applicant(id) => service::erase_application(&txn, id).await,
    };
    let erasure = match outcome {
        Ok(Some(erasure)) => erasure,
        Ok(None) => return Err(AppError::NotFound),
        Err(EraseError::Db(error)) => return Err(error.into()),
        Err(refused) => return Ok(Err(refused)),
    };
    let (target_type, id) = person.target();
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(admin.id),
            actor: &admin.email,
            action: "person.erased",
            target_type: Some(target_type),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "applications {}, emails {}, audit entries {}, receipts {}",
                erasure.applications, erasure.emails, erasure.audit_entries, erasure.receipts
            )),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    service::remove_receipt_files(&state.settings.files_dir, &erasure.receipt_files).await;
    Ok(Ok(erasure))
}

async fn erase(
    state: &AppState,
    admin: &AuthUser,
    person: Person,
    form: &EraseForm,
    back: &str,
) -> AppResult<Response> {
    if form.confirm != "yes" {
        return Ok(flash::redirect(
            back,
            FlashKind::Error,
            "Tick the box to confirm the erasure: it cannot be undone.",
        ));
    }
    let erasure = match erase_person(state, admin, person).await? {
        Ok(erasure) => erasure,
        Err(refused) => return Ok(flash::redirect(back, FlashKind::Error, refused.to_string())),
    };
    let message = if erasure.fresh { "Personal data erased." } else { "Already erased: nothing changed." };
    Ok(flash::redirect(back, FlashKind::Success, message))
}

async fn erasure_api(state: &AppState, admin: &AuthUser, person: Person) -> AppResult<Json<service::Erasure>> {
    match erase_person(state, admin, person).await? {
        Ok(erasure) => Ok(Json(erasure)),
        Err(refused) => Err(AppError::Conflict(refused.to_string())),
    }
}

/// Erases a volunteer who has left (UK GDPR), as the page's button does: account, contact
/// details, notes, emails, audit details and receipt files; statistics stay. Again on an
/// erased volunteer: `fresh` false, nothing changed. 409 while they are still volunteering.
/// Admin only.
#[utoipa::path(post, path = "/api/v1/volunteers/{id}/erasure", tag = "privacy", params(("id" = i64, Path)),
    responses((status = 200, description = "What was erased", body = service::Erasure), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, description = "Record the volunteer leaving first", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn volunteer_erasure_api(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
) -> AppResult<Json<service::Erasure>> {
    erasure_api(&state, &admin, Person::Volunteer(id)).await
}

/// Erases an applicant: this application and any other with the same email. 409 when one
/// of them made a volunteer (erase the volunteer instead). Admin only.
#[utoipa::path(post, path = "/api/v1/applications/{id}/erasure", tag = "privacy", params(("id" = i64, Path)),
    responses((status = 200, description = "What was erased", body = service::Erasure), (status = 403, body = ErrorResponse),
        (status = 404, body = ErrorResponse), (status = 409, description = "The applicant became a volunteer", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn application_erasure_api(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
) -> AppResult<Json<service::Erasure>> {
    erasure_api(&state, &admin, Person::Applicant(id)).await
}

async fn erase_volunteer(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<EraseForm>,
) -> AppResult<Response> {
    erase(&state, &admin, Person::Volunteer(id), &form, &format!("/volunteers/{id}")).await
}

async fn erase_application(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
    axum::Form(form): axum::Form<EraseForm>,
) -> AppResult<Response> {
    erase(&state, &admin, Person::Applicant(id), &form, &format!("/applications/{id}")).await
}
