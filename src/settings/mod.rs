//! Service settings an admin can change: the numbers the rules use (renewal period, supervision
//! interval, lead sign-off count, default case timeframe, data retention periods) and the role
//! description texts.

pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/admin/settings", get(pages::edit).post(pages::save))
}
