//! Expenses: volunteers' claims for out-of-pocket costs (mileage at HMRC rates, tickets,
//! parking, subsistence), their receipts, coordinators' decisions and the export for finance.

pub mod api;
pub mod csv;
pub mod input;
pub mod mileage;
pub mod pages;
pub mod receipts;
pub mod service;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::multipart::{Multipart, MultipartError, MultipartRejection};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use entity::expense_receipt;

use crate::error::{AppError, AppResult};
use crate::state::AppState;
use receipts::{MAX_RECEIPT_BYTES, UPLOAD_BODY_LIMIT};
use service::Upload;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

/// Routes that take a receipt upload, and so a body larger than the service's usual limit.
pub const UPLOAD_ROUTES: [&str; 2] = ["/expenses/{id}/receipts", "/api/v1/expenses/{id}/receipts"];

pub fn routes() -> Router<AppState> {
    let upload_limit = || DefaultBodyLimit::max(UPLOAD_BODY_LIMIT);
    Router::new()
        .route("/expenses", get(pages::list).post(pages::create))
        .route("/expenses.csv", get(pages::export_csv))
        .route("/expenses/{id}", get(pages::show))
        .route("/expenses/{id}/items", post(pages::add_item))
        .route("/expenses/{id}/items/{item_id}/delete", post(pages::remove_item))
        .route("/expenses/{id}/submit", post(pages::submit))
        .route("/expenses/{id}/decision", post(pages::decide))
        .route(UPLOAD_ROUTES[0], post(pages::upload_receipt).layer(upload_limit()))
        .route("/expenses/{id}/receipts/{receipt_id}", get(pages::download_receipt))
}

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get))
        .routes(routes!(api::add_item))
        .routes(routes!(api::remove_item))
        .routes(routes!(api::submit))
        .routes(routes!(api::decide))
        .routes(routes!(api::download_receipt))
        // The path is UPLOAD_ROUTES[1], from the operation's declaration.
        .routes(routes!(api::upload_receipt).layer(DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)))
}

fn multipart_error(error: &MultipartError) -> AppError {
    if error.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge
    } else {
        AppError::BadRequest(format!("The upload could not be read: {}", error.body_text()))
    }
}

/// Reads the `file` field of a multipart form, refusing it as soon as it passes 5 MB.
pub async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> AppResult<Upload> {
    let mut multipart = multipart.map_err(|rejection| {
        AppError::BadRequest(format!("Send the receipt as multipart/form-data: {}", rejection.body_text()))
    })?;
    while let Some(mut field) = multipart.next_field().await.map_err(|e| multipart_error(&e))? {
        if field.name() != Some("file") {
            continue;
        }
        let file_name = field.file_name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(|e| multipart_error(&e))? {
            if bytes.len() + chunk.len() > MAX_RECEIPT_BYTES {
                return Err(AppError::PayloadTooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(AppError::field("file", "Choose a receipt file to upload."));
        }
        return Ok(Upload { file_name, bytes });
    }
    Err(AppError::field("file", "Choose a receipt file to upload."))
}

/// A receipt as a download: never shown inline, never sniffed into something else.
pub fn attachment(receipt: &expense_receipt::Model, bytes: Vec<u8>) -> Response {
    let content_type =
        HeaderValue::from_str(&receipt.content_type).unwrap_or(HeaderValue::from_static("application/octet-stream"));
    // The display name is already restricted to characters safe inside quotes.
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", receipt.display_name))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            (header::CACHE_CONTROL, HeaderValue::from_static("private, no-store")),
        ],
        bytes,
    )
        .into_response()
}
