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

/// `Json<T>` whose rejections are `AppError`s: malformed JSON is 400, a body of the wrong
/// shape is 422 naming the field, a body over the limit is 413.
pub struct ApiJson<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = crate::error::AppError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        use crate::error::AppError;
        use axum::extract::rejection::JsonRejection;
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(JsonRejection::JsonDataError(error)) => {
                let text = error.body_text();
                let detail = text.split_once("target type: ").map_or(text.as_str(), |(_, d)| d).to_owned();
                let (field, reason) = match detail.split_once(": ") {
                    Some((field, reason)) if !field.contains(' ') => (field.to_owned(), reason.to_owned()),
                    _ => ("body".to_owned(), detail.clone()),
                };
                let mut fields = std::collections::BTreeMap::new();
                fields.insert(field, reason);
                Err(AppError::Validation { message: "The body does not have the expected fields.".into(), fields })
            }
            Err(JsonRejection::JsonSyntaxError(error)) => {
                Err(AppError::BadRequest(format!("The body is not valid JSON: {}", error.body_text())))
            }
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(AppError::BadRequest("Send the body as JSON, with Content-Type: application/json.".into()))
            }
            Err(other) if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(AppError::PayloadTooLarge),
            Err(other) => Err(AppError::BadRequest(other.body_text())),
        }
    }
}
