//! Admin-only pages that look after the service as a whole: the audit log.

pub mod audit;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    // Read only: the log has no route that changes it.
    Router::new().route("/admin/audit", get(audit::list))
}
