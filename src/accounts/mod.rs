//! Accounts people manage themselves, and the staff who make them: invitations from the
//! pages and admins' role changes (`invite_pages`); "Forgot your password" (an emailed single-use link,
//! valid an hour, the same answer whether or not the address has an account) and "Change
//! password" (the current one required; other browsers signed out).

pub mod api;
pub mod invite_pages;
pub mod pages;
pub mod service;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/password/forgot", get(pages::forgot_form).post(pages::forgot))
        .route("/password/reset/{token}", get(crate::auth::invitations::show).post(crate::auth::invitations::accept))
        .route("/account/password", get(pages::change_form).post(pages::change))
        .route("/accounts/new", get(invite_pages::invite_form).post(invite_pages::invite))
        .route("/admin/accounts/{id}/role", post(invite_pages::change_role))
}

pub fn api_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::request_reset)).routes(routes!(api::change_password))
}
