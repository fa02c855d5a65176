//! Training courses and their numbered sessions, and enrolment on them. (Attendance and
//! completion of core training build on this.)

pub mod api;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post, put};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/courses", get(pages::list).post(pages::create))
        .route("/courses/{id}", get(pages::show))
        .route("/courses/{id}/sessions", post(pages::add_session))
        .route("/sessions/{id}", get(pages::register))
        .route("/sessions/{id}/attendance", post(pages::save_register))
        .route("/api/v1/sessions/{id}/attendance", put(api::attendance))
        .route("/api/v1/courses", get(api::list).post(api::create))
        .route("/api/v1/courses/{id}/sessions", get(api::sessions).post(api::add_session))
}
