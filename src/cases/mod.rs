//! Cases: referrals, parties with their consent, the harmer's appointments, assessments.
//! Confidential: only coordinators and the facilitators assigned to a case see it (anyone
//! else gets 404), and every read is written to the audit log.

pub mod api;
pub mod service;

use axum::Router;
use axum::routing::get;

use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases", get(api::list).post(api::create))
        .route("/api/v1/cases/{id}", get(api::get).patch(api::update))
        .route("/api/v1/cases/{id}/parties", get(api::parties).post(api::add_party))
        .route("/api/v1/cases/{id}/assessments", axum::routing::post(api::add_assessment))
        .route("/api/v1/parties/{id}/appointments", get(api::appointments).post(api::add_appointment))
}
