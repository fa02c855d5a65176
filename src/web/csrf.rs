//! CSRF protection for every state-changing browser request. A signed-in session has its
//! own token (synchronizer pattern); a visitor without a session gets a random token in a
//! cookie that the form must repeat (double submit). The API is exempt: it takes bearer
//! tokens only, never cookies.

use std::collections::BTreeMap;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::audit::{self, AuditEntry};
use crate::error::{AppError, ErrorBody};
use crate::secrets::constant_time_eq;
use crate::state::AppState;
use crate::web::identity::{ClientIp, CsrfToken, Identity};

pub const FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";

fn is_form(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// The boundary of a `multipart/form-data` body (receipt uploads).
fn multipart_boundary(request: &Request) -> Option<String> {
    let content_type = request.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    if !content_type.starts_with("multipart/form-data") {
        return None;
    }
    multer::parse_boundary(content_type).ok()
}

/// The `csrf_token` field of a buffered multipart body. A form without JavaScript cannot
/// send the header, so the upload form carries the token as its first field.
async fn multipart_token(bytes: axum::body::Bytes, boundary: String) -> Option<String> {
    let mut multipart = multer::Multipart::new(Body::from(bytes).into_data_stream(), boundary);
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

pub async fn verify(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let path = request.uri().path();
    if safe || path.starts_with("/api/") {
        return next.run(request).await;
    }
    let expected = request.extensions().get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default();
    let mut presented = request.headers().get(HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);

    let form = is_form(&request);
    let boundary = multipart_boundary(&request);
    let limit = state.body_limits.for_request(&request);
    let (parts, body) = request.into_parts();
    let body = if form {
        let Ok(bytes) = to_bytes(body, state.body_limits.default).await else {
            return AppError::PayloadTooLarge.into_response();
        };
        if presented.is_none() {
            presented = serde_urlencoded::from_bytes::<Vec<(String, String)>>(&bytes)
                .ok()
                .and_then(|pairs| pairs.into_iter().find_map(|(k, v)| (k == FIELD).then_some(v)));
        }
        Body::from(bytes)
    } else if let Some(boundary) = boundary {
        // Buffered up to the route's own limit: only upload routes take large bodies.
        let Ok(bytes) = to_bytes(body, limit).await else {
            return AppError::PayloadTooLarge.into_response();
        };
        if presented.is_none() {
            presented = multipart_token(bytes.clone(), boundary).await;
        }
        Body::from(bytes)
    } else {
        body
    };

    let valid = !expected.is_empty() && presented.as_deref().is_some_and(|p| constant_time_eq(p, &expected));
    if !valid {
        let user = parts.extensions.get::<Identity>().and_then(|i| i.user.clone());
        let ip = parts.extensions.get::<ClientIp>().and_then(|ip| ip.0.clone());
        let entry = AuditEntry {
            actor_user_id: user.as_ref().map(|u| u.id),
            actor: user.as_ref().map_or("anonymous", |u| u.email.as_str()),
            action: "csrf.rejected",
            ip: ip.as_deref(),
            detail: Some(format!("{} {}", parts.method, parts.uri.path())),
            ..Default::default()
        };
        if let Err(error) = audit::record(&state.db, entry).await {
            return AppError::from(error).into_response();
        }
        let mut response = StatusCode::FORBIDDEN.into_response();
        response.extensions_mut().insert(ErrorBody {
            code: "csrf_failed",
            message: "This form has expired or did not come from this site. Go back, reload the page and try again."
                .into(),
            fields: BTreeMap::new(),
        });
        return response;
    }
    next.run(Request::from_parts(parts, body)).await
}
