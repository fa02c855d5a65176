//! Email: the persistent outbox, the messages, SMTP delivery, and the admin's view of what was queued.

pub mod api;
mod connections;
pub mod messages;
pub mod outbox;
pub mod pages;
pub mod sender;
pub mod smtp;
pub mod worker;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/outbox", get(pages::list))
}

/// The JSON API of this part, each route declared with its OpenAPI operation.
pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::list))
}
