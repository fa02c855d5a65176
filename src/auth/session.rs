//! Browser sessions stored in the database, and the `identify` middleware that works out
//! who is asking: a session cookie for pages, a bearer token for `/api`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use chrono::Duration;
use entity::{session, user};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

use super::service;
use crate::audit::{self, AuditEntry};
use crate::error::AppError;
use crate::secrets::{random_token, sha256_hex};
use crate::state::AppState;
use crate::web::append_cookie;
use crate::web::flash::{self, Flash};
use crate::web::identity::{AuthUser, ClientIp, CsrfToken, Identity};

pub const SESSION_COOKIE: &str = "convene_session";
pub const CSRF_COOKIE: &str = "convene_csrf";

/// A session ends after this long without a request…
pub const IDLE_TIMEOUT: Duration = Duration::minutes(30);
/// …and this long after sign-in, whatever happens.
pub const ABSOLUTE_TIMEOUT: Duration = Duration::hours(12);
/// `last_seen_at` is written at most this often, to spare the database a write per request.
const TOUCH_INTERVAL: Duration = Duration::seconds(60);

/// Creates a session for a user who has just signed in; returns the cookie value.
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: i64,
    ip: Option<&str>,
    user_agent: Option<&str>,
) -> Result<String, DbErr> {
    let secret = random_token(32);
    let now = crate::clock::now();
    session::ActiveModel {
        id_hash: Set(sha256_hex(&secret)),
        user_id: Set(user_id),
        csrf_token: Set(random_token(32)),
        created_at: Set(now),
        last_seen_at: Set(now),
        ip: Set(ip.map(str::to_owned)),
        user_agent: Set(user_agent.map(|ua| ua.chars().take(255).collect())),
    }
    .insert(db)
    .await?;
    Ok(secret)
}

pub async fn destroy(db: &impl ConnectionTrait, id_hash: &str) -> Result<(), DbErr> {
    session::Entity::delete_by_id(id_hash.to_owned()).exec(db).await?;
    Ok(())
}

/// The live session behind a cookie value, with its account. Expired sessions and
/// sessions of disabled accounts are deleted and answer `None`.
pub async fn load(db: &impl ConnectionTrait, cookie_value: &str) -> Result<Option<(AuthUser, session::Model)>, DbErr> {
    let id_hash = sha256_hex(cookie_value);
    let Some((found, account)) =
        session::Entity::find_by_id(id_hash.clone()).find_also_related(user::Entity).one(db).await?
    else {
        return Ok(None);
    };
    let now = crate::clock::now();
    let expired = now - found.last_seen_at > IDLE_TIMEOUT || now - found.created_at > ABSOLUTE_TIMEOUT;
    let account = match account {
        Some(account) if account.disabled_at.is_none() && !expired => account,
        _ => {
            destroy(db, &id_hash).await?;
            return Ok(None);
        }
    };
    let found = if now - found.last_seen_at > TOUCH_INTERVAL {
        // update_many: the row may have just been deleted by a sign-out elsewhere.
        session::Entity::update_many()
            .col_expr(session::Column::LastSeenAt, Expr::value(now))
            .filter(session::Column::IdHash.eq(id_hash))
            .exec(db)
            .await?;
        session::Model { last_seen_at: now, ..found }
    } else {
        found
    };
    Ok(Some((account.into(), found)))
}

pub fn session_cookie(value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value)).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).build()
}

pub fn removal(name: &'static str, secure: bool) -> Cookie<'static> {
    let mut cookie =
        Cookie::build((name, "")).path("/").http_only(true).same_site(SameSite::Lax).secure(secure).build();
    cookie.make_removal();
    cookie
}

fn sets_cookie(response: &Response, name: &str) -> bool {
    let prefix = format!("{name}=");
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|value| value.to_str().is_ok_and(|v| v.starts_with(&prefix)))
}

/// Adds `Secure` to cookies set further in (the flash cookie is set without settings).
fn mark_cookie_secure(response: &mut Response, name: &str) {
    let prefix = format!("{name}=");
    let cookies: Vec<HeaderValue> = response.headers().get_all(header::SET_COOKIE).iter().cloned().collect();
    response.headers_mut().remove(header::SET_COOKIE);
    for value in cookies {
        let text = value.to_str().unwrap_or_default();
        let value = if text.starts_with(&prefix) && !text.contains("; Secure") {
            HeaderValue::from_str(&format!("{text}; Secure")).unwrap_or(value)
        } else {
            value
        };
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

fn client_ip(request: &Request, proxies: &crate::config::proxies::TrustedProxies) -> ClientIp {
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip());
    ClientIp(peer.map(|peer| proxies.client(peer, request.headers()).to_string()))
}

/// The bearer token, if an Authorization header was sent; an unusable header is an empty
/// token (refused like any unknown token, not mistaken for "no credentials").
fn bearer_token(request: &Request) -> Option<&str> {
    let value = request.headers().get(header::AUTHORIZATION)?;
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
        .map_or("", |(_, token)| token.trim());
    Some(token)
}

/// Resolves the caller before any handler runs, and hands the request its `Identity`,
/// `CsrfToken`, `ClientIp` and any flash message.
pub async fn identify(State(state): State<AppState>, jar: CookieJar, mut request: Request, next: Next) -> Response {
    let secure = state.settings.is_https();
    let ip = client_ip(&request, &state.settings.trusted_proxies);
    let is_api = request.uri().path().starts_with("/api/");
    let mut identity = Identity::default();
    let mut csrf = None;
    let mut new_anonymous_csrf = false;
    let mut drop_stale_session = false;

    if is_api {
        if let Some(token) = bearer_token(&request) {
            match service::resolve_bearer(&state.db, token).await {
                Ok(Some(found)) => identity.user = Some(found),
                Ok(None) => {
                    let entry = AuditEntry {
                        actor: "anonymous",
                        action: "auth.token_rejected",
                        ip: ip.0.as_deref(),
                        detail: Some(request.uri().path().to_owned()),
                        ..Default::default()
                    };
                    if let Err(error) = audit::record(&state.db, entry).await {
                        return AppError::from(error).into_response();
                    }
                    return AppError::Unauthorized.into_response();
                }
                Err(error) => return AppError::from(error).into_response(),
            }
        }
    } else if let Some(cookie) = jar.get(SESSION_COOKIE) {
        match load(&state.db, cookie.value()).await {
            Ok(Some((found, live))) => {
                identity.user = Some(found);
                identity.session_id_hash = Some(live.id_hash);
                csrf = Some(live.csrf_token);
            }
            Ok(None) => drop_stale_session = true,
            Err(error) => return AppError::from(error).into_response(),
        }
    }
    let csrf = csrf.unwrap_or_else(|| match jar.get(CSRF_COOKIE) {
        Some(cookie) if cookie.value().len() == 43 => cookie.value().to_owned(),
        _ => {
            new_anonymous_csrf = true;
            random_token(32)
        }
    });
    let flash = jar.get(flash::COOKIE).and_then(|c| Flash::decode(c.value()));

    let extensions = request.extensions_mut();
    extensions.insert(identity.clone());
    extensions.insert(CsrfToken(csrf.clone()));
    extensions.insert(ip);
    if let Some(message) = &flash {
        extensions.insert(message.clone());
    }

    let mut response = next.run(request).await;

    let is_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if new_anonymous_csrf && is_page && !sets_cookie(&response, SESSION_COOKIE) {
        let cookie = Cookie::build((CSRF_COOKIE, csrf.clone()))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(secure)
            .build();
        append_cookie(&mut response, &cookie);
    }
    if drop_stale_session && !sets_cookie(&response, SESSION_COOKIE) {
        append_cookie(&mut response, &removal(SESSION_COOKIE, secure));
    }
    if secure {
        mark_cookie_secure(&mut response, flash::COOKIE);
    }
    // A flash is shown once: the page that read it clears it, unless it set a new one.
    if flash.is_some() && !sets_cookie(&response, flash::COOKIE) {
        append_cookie(&mut response, &removal(flash::COOKIE, secure));
    }
    // Error pages rendered further out need to know who is asking.
    response.extensions_mut().insert(identity);
    response.extensions_mut().insert(CsrfToken(csrf));
    response
}
