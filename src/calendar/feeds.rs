//! `GET /calendar/training.ics` and `GET /calendar/{token}.ics`, served from the feed cache
//! (`cache.rs`): one lookup of the token's hash, then the kept bytes or a 304.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::cache::Built;
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub async fn public(State(state): State<AppState>, headers: HeaderMap) -> AppResult<Response> {
    let built = super::cache::public(&state.feeds, &state.db, &state.settings.base_url, crate::clock::now()).await?;
    respond(built, &headers)
}

pub async fn personal(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> AppResult<Response> {
    let token = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let built =
        super::cache::personal(&state.feeds, &state.db, token, &state.settings.base_url, crate::clock::now()).await?;
    respond(built.ok_or(AppError::NotFound)?, &headers)
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

fn respond(built: Built, headers: &HeaderMap) -> AppResult<Response> {
    let cache_control = if built.personal { "private, max-age=3600" } else { "public, max-age=3600" };
    let etag = HeaderValue::from_str(&built.etag).map_err(|e| AppError::Internal(e.into()))?;
    let mut response = if none_match(headers, &built.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut ok = built.body.into_response();
        let out = ok.headers_mut();
        out.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/calendar; charset=utf-8"));
        out.insert(header::CONTENT_DISPOSITION, HeaderValue::from_static("inline; filename=\"convene.ics\""));
        ok
    };
    let out = response.headers_mut();
    out.insert(header::ETAG, etag);
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache_control));
    Ok(response)
}
