//! `GET /calendar/training.ics` and `GET /calendar/{token}.ics`: the ETag is checked
//! against `If-None-Match` before anything is rendered.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::service::{self, Feed};
use crate::error::{AppError, AppResult};
use crate::startup::AppState;

pub async fn public(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    serve(&state, Feed::Public, &headers).await
}

pub async fn personal(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let feed = service::feed_for_token(&state.db, token).await?.ok_or(AppError::NotFound)?;
    serve(&state, feed, &headers).await
}

/// True when `If-None-Match` lists `etag` (weak comparison, as RFC 9110 asks) or is `*`.
pub fn none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |candidate| {
            let candidate = candidate.trim();
            candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
        },
    )
}

async fn serve(state: &AppState, feed: Feed, headers: &HeaderMap) -> AppResult<Response> {
    let now = crate::clock::now();
    let base_url = &state.settings.base_url;
    let cache_control = if feed.is_personal() { "private, max-age=3600" } else { "public, max-age=3600" };
    let etag = service::etag(&state.db, feed, base_url, now).await?;
    let (status, etag, body) = if none_match(headers, &etag) {
        (StatusCode::NOT_MODIFIED, etag, String::new())
    } else {
        let (etag, body) = service::render(&state.db, feed, base_url, now, etag).await?;
        (StatusCode::OK, etag, body)
    };
    let mut response = (status, body).into_response();
    let out = response.headers_mut();
    out.insert(header::ETAG, HeaderValue::from_str(&etag).map_err(|e| AppError::Internal(e.into()))?);
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    if status == StatusCode::OK {
        out.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
        out.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline; filename=\"convene.ics\""));
    } else {
        out.remove(header::CONTENT_TYPE);
    }
    Ok(response)
}
