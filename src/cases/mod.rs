//! Cases: referrals, parties with their consent, the harmer's appointments, assessments,
//! contacts, and the conferences booked for them (booking, answers, outcomes, the batch plan).
//! Confidential: only coordinators and the facilitators assigned to a case see it (anyone
//! else gets 404), and every read is written to the audit log.

pub mod allocation;
pub mod allocation_api;
pub mod api;
pub mod batch;
pub mod booking;
pub mod candidate_pages;
pub mod conference_api;
pub mod conferences;
pub mod contact_pages;
pub mod contacts;
pub mod guards;
pub mod outcome_pages;
pub mod pages;
pub mod plan_pages;
pub mod queue;
pub mod reason_pages;
pub mod reasons;
pub mod report;
pub mod response_pages;
pub mod service;
pub mod timeline;
pub mod workspace_pages;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/plan", get(plan_pages::show).post(plan_pages::book))
        .route("/cases", get(pages::list))
        .route("/cases/new", get(pages::new_form).post(pages::create))
        .route("/cases/{id}", get(pages::show))
        .route("/cases/{id}/parties", post(pages::add_party))
        .route("/cases/{id}/parties/{party_id}", get(workspace_pages::show_party))
        .route("/cases/{id}/parties/{party_id}/details", post(workspace_pages::save_details))
        .route("/cases/{id}/parties/{party_id}/availability", post(workspace_pages::save_availability))
        .route("/cases/{id}/allocate", get(workspace_pages::show_allocation))
        .route("/cases/{id}/report", get(report::show))
        .route("/admin/reasons", get(reason_pages::show).post(reason_pages::add))
        .route("/admin/reasons/{id}", post(reason_pages::retire))
        .route("/cases/{id}/actions/{action_id}", post(pages::settle_action))
        .route("/cases/{id}/facilitators", post(workspace_pages::allocate))
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
        .route("/conferences/{id}/reschedule", post(response_pages::reschedule))
        .route("/conferences/{id}/cancel", post(response_pages::cancel))
        .route("/conferences/{id}/outcome", post(outcome_pages::record))
}

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::get, api::update))
        .routes(routes!(api::parties, api::add_party))
        .routes(routes!(api::add_assessment))
        .routes(routes!(api::record_consent))
        .routes(routes!(api::update_party))
        .routes(routes!(api::party_availability, api::set_party_availability))
        .routes(routes!(allocation_api::candidates))
        .routes(routes!(allocation_api::allocate))
        .routes(routes!(report::api))
        .routes(routes!(api::appointments, api::add_appointment))
        .routes(routes!(api::contacts, api::add_contact))
        .routes(routes!(conference_api::book))
        .routes(routes!(conference_api::candidates))
        .routes(routes!(conference_api::plan))
        .routes(routes!(conference_api::conference, conference_api::update_conference))
        .routes(routes!(conference_api::respond))
        .routes(routes!(conference_api::outcome))
        .routes(routes!(conference_api::complete_action))
}
