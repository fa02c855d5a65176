//! The JSON API's shared parts: health, the OpenAPI document, and the JSON body extractor
//! whose rejections speak the error format of API.md.

pub mod openapi;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz)).route("/api/openapi.json", get(openapi_document))
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` once the database answers.
    pub status: &'static str,
}

/// Health: 200 once the database answers, 503 otherwise.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "Healthy", body = Health), (status = 503, description = "Database not answering", body = Health)))]
pub async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, Json(Health { status: "ok" })),
        Err(error) => {
            tracing::warn!(%error, "health check: database not answering");
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "unavailable" }))
        }
    }
}

pub async fn openapi_document() -> impl IntoResponse {
    let json = openapi::ApiDoc::openapi().to_json().unwrap_or_else(|_| "{}".into());
    ([(header::CONTENT_TYPE, "application/json")], json)
}
