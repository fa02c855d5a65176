//! One-to-one supervision (due every N weeks, confidential notes) and group volunteer
//! meetings with case discussion.

pub mod api;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/volunteers/{id}/supervision", post(pages::add_supervision))
        .route("/meetings", get(pages::meetings).post(pages::create_meeting))
        .route("/meetings/{id}", get(pages::meeting))
        .route("/meetings/{id}/attendance", post(pages::meeting_attendance))
        .route("/api/v1/volunteers/{id}/supervision", get(api::list).post(api::add))
}
