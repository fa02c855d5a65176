//! Calendar feeds (issue 6): iCalendar rendering of conferences, training sessions,
//! supervision sessions and volunteer meetings; each user's secret feed and the public
//! training feed; the profile page where the feed link is made and rotated.

pub mod api;
pub mod cache;
pub mod feeds;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The public feed's path; personal feeds are `/calendar/{token}.ics`.
pub const PUBLIC_FEED_PATH: &str = "/calendar/training.ics";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PUBLIC_FEED_PATH, get(feeds::public))
        // The path segment is `{token}.ics`; the router matches whole segments only.
        .route("/calendar/{file}", get(feeds::personal))
        .route("/me", get(pages::profile))
        .route("/me/calendar-token", post(pages::rotate))
}

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::rotate))
}
