//! `/api/v1/expenses`: claims, their items and receipts, and coordinators' decisions.

use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use entity::Code;
use serde::Serialize;
use utoipa::ToSchema;

use super::input::{ClaimInput, ItemInput, miles_text};
use super::service::{self, ClaimView, DecisionInput, IdempotentRequest, ListFilter};
use crate::auth::RequireCoordinator;
use crate::auth::RequireUser;
use crate::db::{PageInfo, PageQuery};
use crate::error::{AppError, AppResult, ErrorResponse};
use crate::secrets::sha256_hex;
use crate::state::AppState;
use crate::web::json::ApiJson;

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";

#[derive(Serialize, ToSchema)]
pub struct Item {
    pub id: i64,
    /// mileage, public_transport, parking, subsistence or other
    pub kind: String,
    #[schema(value_type = String, example = "2027-03-02")]
    pub date: NaiveDate,
    pub description: String,
    /// In pence. For mileage before approval, an estimate.
    pub amount_pence: i64,
    pub amount_is_estimate: bool,
    /// Mileage: miles with one decimal place at most.
    pub miles: Option<String>,
    pub vehicle: Option<String>,
    pub passengers: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct Receipt {
    pub id: i64,
    /// The uploader's file name, sanitised.
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Download (owner and coordinators only).
    pub url: String,
}

#[derive(Serialize, ToSchema)]
pub struct Claim {
    pub id: i64,
    /// e.g. EXP-42
    pub reference: String,
    pub volunteer_id: i64,
    pub volunteer_name: String,
    pub purpose: String,
    /// draft, submitted, approved, rejected or paid
    pub status: String,
    pub items: Vec<Item>,
    pub receipts: Vec<Receipt>,
    /// In pence: fixed at approval, an estimate before.
    pub total_pence: i64,
    pub total_is_estimate: bool,
    pub decision_reason: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    pub decided_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Serialize, ToSchema)]
pub struct ClaimList {
    pub claims: Vec<Claim>,
    pub page: PageInfo,
}

impl From<ClaimView> for Claim {
    fn from(v: ClaimView) -> Self {
        let c = v.claim;
        Self {
            id: c.id,
            reference: service::reference(c.id),
            volunteer_id: c.volunteer_id,
            volunteer_name: v.volunteer_name,
            purpose: c.purpose,
            status: c.status.code(),
            items: v
                .items
                .into_iter()
                .map(|i| Item {
                    id: i.item.id,
                    kind: i.item.kind.code(),
                    date: i.item.incurred_on,
                    description: i.item.description,
                    amount_pence: i.amount.get(),
                    amount_is_estimate: i.is_estimate,
                    miles: i.item.miles_tenths.map(miles_text),
                    vehicle: i.item.vehicle.map(|v| v.code()),
                    passengers: i.item.passengers,
                })
                .collect(),
            receipts: v
                .receipts
                .into_iter()
                .map(|r| Receipt {
                    url: format!("/api/v1/expenses/{}/receipts/{}", c.id, r.id),
                    id: r.id,
                    filename: r.display_name,
                    content_type: r.content_type,
                    size_bytes: r.size_bytes,
                })
                .collect(),
            total_pence: v.total.get(),
            total_is_estimate: v.total_is_estimate,
            decision_reason: c.decision_reason,
            submitted_at: c.submitted_at,
            decided_at: c.decided_at,
            paid_at: c.paid_at,
            version: c.version,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

fn invalid(fields: std::collections::BTreeMap<String, String>) -> AppError {
    AppError::Validation { message: "Some values are not valid.".into(), fields }
}

/// The `Idempotency-Key` header: 1 to 200 visible ASCII characters.
fn idempotency_key(headers: &HeaderMap) -> AppResult<Option<String>> {
    let Some(value) = headers.get(IDEMPOTENCY_KEY) else { return Ok(None) };
    match value.to_str() {
        Ok(key) if !key.is_empty() && key.len() <= 200 && key.bytes().all(|b| b.is_ascii_graphic()) => {
            Ok(Some(key.to_owned()))
        }
        _ => Err(AppError::BadRequest("The Idempotency-Key header must be 1 to 200 visible ASCII characters.".into())),
    }
}

async fn claim_json(state: &AppState, viewer: &crate::web::identity::AuthUser, id: i64) -> AppResult<Json<Claim>> {
    let claim = service::find_visible(&state.db, viewer, id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(service::view(&state.db, claim).await?.into()))
}

/// Claims: a volunteer's own, or every claim for coordinators; filter by `status`.
#[utoipa::path(get, path = "/api/v1/expenses", tag = "expenses",
    params(("status" = Option<String>, Query, description = "draft, submitted, approved, rejected or paid"), PageQuery),
    responses((status = 200, body = ClaimList), (status = 401, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn list(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    Query(filter): Query<ListFilter>,
    Query(paging): Query<PageQuery>,
) -> AppResult<Json<ClaimList>> {
    let paging = paging.paging().map_err(AppError::fields)?;
    let listed = service::page_visible(&state.db, &user, &filter, paging).await?;
    Ok(Json(ClaimList { claims: listed.items.into_iter().map(Claim::from).collect(), page: listed.info }))
}

/// Start a draft claim with its items (volunteers). Send an `Idempotency-Key` header to make
/// retries safe: a replay returns the first answer; the same key with another body is 422.
/// Only a created claim is remembered, so a refused request can be corrected and resent
/// with the same key.
#[utoipa::path(post, path = "/api/v1/expenses", tag = "expenses", request_body = ClaimInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes the request safe to retry")),
    responses(
        (status = 201, body = Claim),
        (status = 403, description = "Not a volunteer", body = ErrorResponse),
        (status = 409, description = "The same key is being used by a request in progress", body = ErrorResponse),
        (status = 422, description = "Invalid fields, or a key used for another request", body = ErrorResponse),
    ),
    security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    headers: HeaderMap,
    ApiJson(input): ApiJson<ClaimInput>,
) -> AppResult<Response> {
    let key = idempotency_key(&headers)?;
    let new = input.parse(crate::clock::today()).map_err(invalid)?;
    let request = match key {
        Some(key) => {
            // The parsed body, re-serialised, so spacing and key order do not matter.
            let canonical = serde_json::to_string(&input).map_err(anyhow::Error::from)?;
            Some(IdempotentRequest { key, request_hash: sha256_hex(&canonical) })
        }
        None => None,
    };
    let stored = service::create_once(&state.db, &user, &new, request, |view| {
        Ok(serde_json::to_string(&Claim::from(view.clone())).map_err(anyhow::Error::from)?)
    })
    .await?;
    let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::CREATED);
    let mut response = (status, [(header::CONTENT_TYPE, "application/json")], stored.body).into_response();
    if stored.replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// One claim (its owner or a coordinator; 404 for anyone else).
#[utoipa::path(get, path = "/api/v1/expenses/{id}", tag = "expenses", params(("id" = i64, Path)),
    responses((status = 200, body = Claim), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn get(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Claim>> {
    claim_json(&state, &user, id).await
}

/// Add an item to one of your draft claims; 409 once it has been submitted.
#[utoipa::path(post, path = "/api/v1/expenses/{id}/items", tag = "expenses", params(("id" = i64, Path)),
    request_body = ItemInput,
    responses((status = 201, body = Claim), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn add_item(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ItemInput>,
) -> AppResult<(StatusCode, Json<Claim>)> {
    let mut errors = std::collections::BTreeMap::new();
    let item = input.parse(crate::clock::today(), "", &mut errors);
    let item = match item {
        Some(item) if errors.is_empty() => item,
        _ => return Err(invalid(errors)),
    };
    service::add_item(&state.db, &user, id, &item).await?;
    Ok((StatusCode::CREATED, claim_json(&state, &user, id).await?))
}

/// Remove an item from one of your draft claims.
#[utoipa::path(delete, path = "/api/v1/expenses/{id}/items/{item_id}", tag = "expenses",
    params(("id" = i64, Path), ("item_id" = i64, Path)),
    responses((status = 200, body = Claim), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn remove_item(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    Path((id, item_id)): Path<(i64, i64)>,
) -> AppResult<Json<Claim>> {
    service::remove_item(&state.db, &user, id, item_id).await?;
    claim_json(&state, &user, id).await
}

/// Submit one of your drafts to the coordinators.
#[utoipa::path(post, path = "/api/v1/expenses/{id}/submit", tag = "expenses", params(("id" = i64, Path)),
    responses((status = 200, body = Claim), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, description = "No items", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn submit(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    Path(id): Path<i64>,
) -> AppResult<Json<Claim>> {
    service::submit(&state.db, &user, id).await?;
    claim_json(&state, &user, id).await
}

/// Approve or reject a submitted claim, or mark an approved one paid. Mileage is priced at
/// approval. A decision that does not fit the claim's status is 409.
#[utoipa::path(post, path = "/api/v1/expenses/{id}/decision", tag = "expenses", params(("id" = i64, Path)),
    request_body = DecisionInput,
    responses((status = 200, body = Claim), (status = 403, body = ErrorResponse), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 422, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn decide(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<DecisionInput>,
) -> AppResult<Json<Claim>> {
    service::decide(&state.db, &state.settings.base_url, &actor, id, &input).await?;
    claim_json(&state, &actor, id).await
}

/// Attach a receipt to one of your drafts: multipart/form-data with a `file` field; a PDF,
/// JPEG or PNG (recognised by its content) of at most 5 MB.
#[utoipa::path(post, path = "/api/v1/expenses/{id}/receipts", tag = "expenses", params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "A `file` field"),
    responses((status = 201, body = Receipt), (status = 404, body = ErrorResponse), (status = 409, body = ErrorResponse), (status = 413, body = ErrorResponse), (status = 422, description = "Not a PDF, JPEG or PNG", body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn upload_receipt(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<(StatusCode, Json<Receipt>)> {
    let upload = super::read_upload(multipart).await?;
    let r = service::add_receipt(&state.db, &state.settings.files_dir, &user, id, upload).await?;
    Ok((
        StatusCode::CREATED,
        Json(Receipt {
            url: format!("/api/v1/expenses/{id}/receipts/{}", r.id),
            id: r.id,
            filename: r.display_name,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
        }),
    ))
}

/// Download a receipt (its claim's owner or a coordinator; 404 for anyone else).
#[utoipa::path(get, path = "/api/v1/expenses/{id}/receipts/{receipt_id}", tag = "expenses",
    params(("id" = i64, Path), ("receipt_id" = i64, Path)),
    responses((status = 200, description = "The file, as an attachment"), (status = 404, body = ErrorResponse)),
    security(("bearer" = [])))]
pub async fn download_receipt(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    Path((id, receipt_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let (receipt, bytes) = service::receipt_file(&state.db, &state.settings.files_dir, &user, id, receipt_id).await?;
    Ok(super::attachment(&receipt, bytes))
}
