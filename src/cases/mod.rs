//! Cases: referrals, parties with their consent, the harmer's appointments, assessments,
//! contacts, and the conferences booked for them (booking, answers, outcomes, the batch plan).
//! Confidential: only coordinators and the facilitators assigned to a case see it (anyone
//! else gets 404), and every read is written to the audit log.

pub mod api;
pub mod batch;
pub mod booking;
pub mod candidate_pages;
pub mod conference_api;
pub mod conferences;
pub mod contact_pages;
pub mod contacts;
pub mod pages;
pub mod response_pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/cases", get(api::list).post(api::create))
        .route("/api/v1/cases/{id}", get(api::get).patch(api::update))
        .route("/api/v1/cases/{id}/parties", get(api::parties).post(api::add_party))
        .route("/api/v1/cases/{id}/assessments", post(api::add_assessment))
        .route("/api/v1/parties/{id}/appointments", get(api::appointments).post(api::add_appointment))
        .route("/api/v1/cases/{id}/contacts", get(api::contacts).post(api::add_contact))
        .route("/cases", get(pages::list))
        .route("/cases/new", get(pages::new_form).post(pages::create))
        .route("/cases/{id}", get(pages::show))
        .route("/cases/{id}/parties", post(pages::add_party))
        .route("/cases/{id}/parties/{party_id}/consent", post(pages::record_consent))
        .route("/cases/{id}/assessments", post(pages::add_assessment))
        .route("/cases/{id}/appointments", post(pages::add_appointment))
        .route("/cases/{id}/status", post(pages::move_status))
        .route("/cases/{id}/contacts", post(contact_pages::record))
        .route("/cases/{id}/contacts/{contact_id}/claim", post(contact_pages::claim))
        .route("/cases/{id}/candidates", get(candidate_pages::show))
        .route("/cases/{id}/candidates/book", post(candidate_pages::book))
        .route("/conferences/{id}", get(response_pages::show))
        .route("/conferences/{id}/respond", post(response_pages::respond))
        .route("/api/v1/cases/{id}/conferences", post(conference_api::book))
        .route("/api/v1/cases/{id}/candidates", get(conference_api::candidates))
        .route("/api/v1/plan", post(conference_api::plan))
        .route("/api/v1/conferences/{id}", get(conference_api::conference).patch(conference_api::update_conference))
        .route("/api/v1/conferences/{id}/response", post(conference_api::respond))
        .route("/api/v1/conferences/{id}/outcome", axum::routing::put(conference_api::outcome))
}
