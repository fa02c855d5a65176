//! Cases: referrals, parties with their consent, the harmer's appointments, assessments.
//! Confidential: only coordinators and the facilitators assigned to a case see it (anyone
//! else gets 404), and every read is written to the audit log.

pub mod api;
pub mod contact_pages;
pub mod contacts;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};

use crate::startup::AppState;

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
}
