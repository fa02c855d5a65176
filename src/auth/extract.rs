//! Extractors for who is asking. A refused authorisation is audited where it happens.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use crate::audit::{self, AuditEntry};
use crate::error::AppError;
use crate::state::AppState;
use crate::web::identity::{AuthUser, ClientIp, Identity};

/// The signed-in account, if any.
pub struct CurrentUser(pub Option<AuthUser>);

/// Any signed-in account.
pub struct RequireUser(pub AuthUser);

/// A coordinator or an admin.
pub struct RequireCoordinator(pub AuthUser);

/// An admin.
pub struct RequireAdmin(pub AuthUser);

fn identity(parts: &Parts) -> Option<AuthUser> {
    parts.extensions.get::<Identity>().and_then(|identity| identity.user.clone())
}

/// Writes `authz.denied` and answers 403.
async fn deny(parts: &Parts, state: &AppState, user: &AuthUser, needed: &str) -> AppError {
    let ip = parts.extensions.get::<ClientIp>().and_then(|ip| ip.0.clone());
    let entry = AuditEntry {
        actor_user_id: Some(user.id),
        actor: &user.email,
        action: "authz.denied",
        ip: ip.as_deref(),
        detail: Some(format!("{} {} needs {needed}", parts.method, parts.uri.path())),
        ..Default::default()
    };
    match audit::record(&state.db, entry).await {
        Ok(()) => AppError::Forbidden,
        Err(error) => error.into(),
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        Ok(Self(identity(parts)))
    }
}

impl FromRequestParts<AppState> for RequireUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Self::Rejection> {
        identity(parts).map(Self).ok_or(AppError::Unauthorized)
    }
}

impl FromRequestParts<AppState> for RequireCoordinator {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = identity(parts).ok_or(AppError::Unauthorized)?;
        if user.role.is_coordinator() { Ok(Self(user)) } else { Err(deny(parts, state, &user, "coordinator").await) }
    }
}

impl FromRequestParts<AppState> for RequireAdmin {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let user = identity(parts).ok_or(AppError::Unauthorized)?;
        if user.role == entity::user::Role::Admin {
            Ok(Self(user))
        } else {
            Err(deny(parts, state, &user, "admin").await)
        }
    }
}
