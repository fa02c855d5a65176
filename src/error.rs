//! One error type for the whole service. A handler returns `AppError`; the `render_errors`
//! middleware (web::errors) turns it into the JSON format of docs/API.md under `/api` and
//! `/healthz`, and into a friendly HTML page everywhere else.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    BadRequest(String),
    #[error("sign in required")]
    Unauthorized,
    #[error("not allowed")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Conflict(String),
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("{message}")]
    Validation { message: String, fields: BTreeMap<String, String> },
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// What the client is told about an error: the `error` object of docs/API.md.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Machine-readable code, e.g. `not_found`, `validation_failed`.
    pub code: &'static str,
    /// A sentence for people.
    pub message: String,
    /// Per-field reasons, for invalid input.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
}

/// The JSON envelope `{"error": {...}}`.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

impl ErrorBody {
    /// The standard body for a status that carries no further detail.
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::BAD_REQUEST => ("bad_request", "The request could not be read."),
            StatusCode::UNAUTHORIZED => ("unauthorized", "Sign in, or send a valid bearer token."),
            StatusCode::FORBIDDEN => ("forbidden", "You are not allowed to do this."),
            StatusCode::NOT_FOUND => ("not_found", "There is nothing here."),
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "That method is not allowed here."),
            StatusCode::CONFLICT => ("conflict", "That conflicts with the current state."),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "The request body is too large."),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ("unsupported_media_type", "Send the body as JSON."),
            StatusCode::UNPROCESSABLE_ENTITY => ("validation_failed", "Some values are not valid."),
            StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "Too many requests; try again later."),
            StatusCode::REQUEST_TIMEOUT => ("timeout", "The request took too long."),
            StatusCode::SERVICE_UNAVAILABLE => ("unavailable", "The service is not available right now."),
            s if s.is_client_error() => ("bad_request", "The request could not be handled."),
            _ => ("internal", "Something went wrong on our side. It has been logged."),
        };
        Self { code, message: message.to_owned(), fields: BTreeMap::new() }
    }
}

impl AppError {
    /// A compare-and-set lost: what `subject` names ("The case") changed after it was read.
    pub fn changed_elsewhere(subject: &str) -> Self {
        AppError::Conflict(format!("{subject} was changed by someone else. Reload it and try again."))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn body(&self) -> ErrorBody {
        let mut body = ErrorBody::for_status(self.status());
        match self {
            AppError::BadRequest(message) | AppError::Conflict(message) => body.message = message.clone(),
            AppError::Validation { message, fields } => {
                body.message = message.clone();
                body.fields = fields.clone();
            }
            _ => {}
        }
        body
    }

    /// A validation error with one message per field.
    pub fn fields(fields: BTreeMap<String, String>) -> Self {
        AppError::Validation { message: "Some values are not valid.".into(), fields }
    }

    /// A validation error for one field.
    pub fn field(field: &str, reason: impl Into<String>) -> Self {
        let mut fields = BTreeMap::new();
        fields.insert(field.to_owned(), reason.into());
        AppError::Validation { message: "Some values are not valid.".into(), fields }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
        if crate::db::is_unique_violation(&error) {
            // Callers that can name the field map this themselves; this is the safe fallback.
            return AppError::Conflict("That already exists.".into());
        }
        AppError::Internal(anyhow::Error::new(error).context("database"))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let AppError::Internal(cause) = &self {
            tracing::error!(error = ?cause, "internal error");
        }
        let status = self.status();
        let mut response = status.into_response();
        if let AppError::RateLimited { retry_after_secs } = &self
            && let Ok(value) = retry_after_secs.to_string().parse()
        {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, value);
        }
        response.extensions_mut().insert(self.body());
        response
    }
}

pub type AppResult<T> = Result<T, AppError>;
