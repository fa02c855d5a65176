//! Service settings an admin can change: for now the texts of the "Volunteer with us" page.

pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::get;

use crate::startup::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/settings", get(pages::edit).post(pages::save))
}
