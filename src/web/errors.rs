//! Turns every error response into the right shape: the JSON format of docs/API.md for
//! `/api` (and `/healthz`, `/calendar`), a friendly HTML page for people, and a redirect
//! to sign in when a page needs an account.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use super::layout::{PageContext, page};
use crate::error::{AppError, ErrorBody, ErrorResponse};

fn wants_json(path: &str) -> bool {
    path.starts_with("/api/") || path == "/healthz" || path.starts_with("/calendar/")
}

fn has_body_of_its_own(headers: &axum::http::HeaderMap) -> bool {
    headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
        v.starts_with("text/html") || v.starts_with("application/json") || v.starts_with("text/calendar")
    })
}

pub async fn render_errors(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let method = request.method().clone();
    let next_target = request.uri().path_and_query().map(|pq| pq.as_str().to_owned()).unwrap_or_else(|| path.clone());
    let response = next.run(request).await;
    let status = response.status();
    if status.as_u16() < 400 {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let error = match parts.extensions.remove::<ErrorBody>() {
        Some(error) => error,
        None if has_body_of_its_own(&parts.headers) => {
            return Response::from_parts(parts, body);
        }
        None => ErrorBody::for_status(status),
    };
    parts.headers.remove(header::CONTENT_LENGTH);

    if wants_json(&path) {
        let json = serde_json::to_vec(&ErrorResponse { error }).unwrap_or_default();
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if status == StatusCode::UNAUTHORIZED {
            parts.headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        return Response::from_parts(parts, Body::from(json));
    }
    if status == StatusCode::UNAUTHORIZED && method == Method::GET {
        let target = format!("/login?next={}", url_encode(&next_target));
        let mut redirect = Redirect::to(&target).into_response();
        for cookie in parts.headers.get_all(header::SET_COOKIE) {
            redirect.headers_mut().append(header::SET_COOKIE, cookie.clone());
        }
        return redirect;
    }
    let ctx = PageContext::from_extensions(&parts.extensions);
    let (title, lead) = match status {
        StatusCode::NOT_FOUND => (
            "Page not found",
            "If you typed the web address, check it is correct. If you followed a link, it may be out of date.",
        ),
        StatusCode::FORBIDDEN => (
            "You cannot open this page",
            "Your account does not have access to it. If you think it should, ask a coordinator.",
        ),
        StatusCode::UNAUTHORIZED => ("Sign in required", "Sign in to continue."),
        s if s.is_server_error() => {
            ("Sorry, something went wrong", "The problem has been logged. Try again in a few minutes.")
        }
        _ => ("That did not work", ""),
    };
    let markup = page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            @if !lead.is_empty() { p { (lead) } }
            @if status.is_client_error() && status != StatusCode::NOT_FOUND { p { (error.message) } }
            p { a href="/" { "Go to the home page" } }
        },
    );
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    Response::from_parts(parts, Body::from(markup.into_string()))
}

fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Everything no route matched.
pub async fn not_found() -> AppError {
    AppError::NotFound
}
