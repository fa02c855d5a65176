//! Accounts and who is asking: passwords, sessions, API tokens, login throttling, and the
//! extractors that gate pages and API calls by role.

pub mod extract;
pub mod invitations;
pub mod pages;
pub mod password;
pub mod service;
pub mod session;

use axum::Router;
use axum::routing::{get, post};

pub use crate::domain::Email;
pub use extract::{CurrentUser, RequireAdmin, RequireCoordinator, RequireUser};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(pages::login_form).post(pages::login))
        .route("/logout", post(pages::logout))
        .route("/admin/accounts", get(pages::accounts))
        .route("/admin/accounts/{id}/disable", post(pages::disable_account))
        .route("/admin/accounts/{id}/enable", post(pages::enable_account))
        .route("/admin/tokens/{id}/revoke", post(pages::revoke_token))
        .route("/invitations/{token}", get(invitations::show).post(invitations::accept))
}
