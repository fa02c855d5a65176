//! Email: the persistent outbox, the messages, SMTP delivery, and the admin's view of what was queued.

pub mod api;
mod connections;
pub mod messages;
pub mod outbox;
pub mod pages;
pub mod smtp;
pub mod worker;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/outbox", get(pages::list)).route("/api/v1/outbox", get(api::list))
}
