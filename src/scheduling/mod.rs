//! Scheduling: establishments' regimes and closures, volunteers' availability, and the
//! conference matcher. The matcher is its own crate (`matcher/`): pure, plain data in and
//! out, so it is tested and benchmarked alone, optimised even in test builds, and shared by
//! `convene plan` and the service.

pub mod api;
pub mod availability;
pub mod availability_pages;
pub mod batch;
pub mod booking;
pub mod candidates;
pub mod conferences;
pub mod establishment_pages;
pub mod establishments;
pub mod instance;
pub mod pages;
pub mod response_pages;
pub mod week_form;

pub use convene_matcher::matcher;

use axum::Router;
use axum::routing::get;

use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/establishments", get(api::list).post(api::create))
        .route("/api/v1/establishments/{id}", get(api::get).patch(api::update))
        .route("/api/v1/establishments/{id}/regime", get(api::regime).put(api::set_regime))
        .route("/api/v1/establishments/{id}/closures", get(api::closures).post(api::add_closure))
        .route("/api/v1/cases/{id}/conferences", axum::routing::post(api::book))
        .route("/api/v1/cases/{id}/candidates", get(api::candidates))
        .route("/api/v1/plan", axum::routing::post(api::plan))
        .route("/me/availability", get(availability_pages::my_page).post(availability_pages::my_save))
        .route("/me/availability/unavailable", axum::routing::post(availability_pages::my_unavailable))
        .route("/me/availability/conflicts", axum::routing::post(availability_pages::my_conflict))
        .route(
            "/volunteers/{id}/availability",
            get(availability_pages::volunteer_page).post(availability_pages::volunteer_save),
        )
        .route(
            "/volunteers/{id}/availability/unavailable",
            axum::routing::post(availability_pages::volunteer_unavailable),
        )
        .route("/volunteers/{id}/availability/conflicts", axum::routing::post(availability_pages::volunteer_conflict))
        .route("/conferences/{id}", get(response_pages::show))
        .route("/conferences/{id}/respond", axum::routing::post(response_pages::respond))
        .route("/establishments/{id}", get(establishment_pages::show))
        .route("/establishments/{id}/regime", axum::routing::post(establishment_pages::save_regime))
        .route("/establishments/{id}/closures", axum::routing::post(establishment_pages::add_closure))
        .route("/cases/{id}/candidates", get(pages::show))
        .route("/cases/{id}/candidates/book", axum::routing::post(pages::book))
        .route("/api/v1/conferences/{id}", get(api::conference).patch(api::update_conference))
        .route("/api/v1/conferences/{id}/response", axum::routing::post(api::respond))
        .route("/api/v1/conferences/{id}/outcome", axum::routing::put(api::outcome))
        .route("/api/v1/volunteers/{id}/availability", get(api::availability).put(api::set_availability))
        .route("/api/v1/volunteers/{id}/conflicts", axum::routing::post(api::declare_conflict))
        .route("/api/v1/volunteers/{id}/unavailability", get(api::unavailability).post(api::add_unavailability))
}
