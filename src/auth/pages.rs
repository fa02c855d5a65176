//! Sign-in and sign-out pages, and the admin's accounts page.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use entity::Code;
use entity::user::Role;
use maud::{Markup, html};
use serde::Deserialize;

use super::RequireAdmin;
use super::service::{self, LoginOutcome};
use super::session::{self, SESSION_COOKIE, removal, session_cookie};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::append_cookie;
use crate::web::components::{FieldErrors, Input, error_summary};
use crate::web::flash::{self, FlashKind};
use crate::web::identity::{ClientIp, Identity};
use crate::web::layout::{PageContext, csrf_field, page};

#[derive(Debug, Default, Deserialize)]
pub struct LoginQuery {
    pub next: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    pub next: Option<String>,
}

/// Only same-site paths are followed after sign-in: a single leading slash and nothing
/// but printable ASCII (browsers drop tabs and newlines, which would turn `/\t/x` into `//x`).
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && path.len() <= 2000
                && path.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            path
        }
        _ => "/",
    }
}

fn login_page(ctx: &PageContext, email: &str, next: &str, errors: &FieldErrors) -> Markup {
    page(
        ctx,
        "Sign in",
        html! {
            h1 { "Sign in" }
            (error_summary(errors))
            form method="post" action="/login" novalidate {
                (csrf_field(ctx))
                input type="hidden" name="next" value=(next);
                (Input { kind: "email", value: email, autocomplete: Some("username"), required: true, ..Input::new("email", "Email address") }.render(errors))
                (Input { kind: "password", autocomplete: Some("current-password"), required: true, ..Input::new("password", "Password") }.render(errors))
                button type="submit" { "Sign in" }
            }
            p { a href="/password/forgot" { "Forgot your password?" } }
        },
    )
}

pub async fn login_form(ctx: PageContext, Query(query): Query<LoginQuery>) -> Response {
    if ctx.user.is_some() {
        return Redirect::to(safe_next(query.next.as_deref())).into_response();
    }
    let markup = login_page(&ctx, "", safe_next(query.next.as_deref()), &FieldErrors::new());
    markup.into_response()
}

pub async fn login(
    State(state): State<AppState>,
    ctx: PageContext,
    identity: axum::Extension<Identity>,
    ip: axum::Extension<ClientIp>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(form.next.as_deref()).to_owned();
    let mut errors = FieldErrors::new();
    if form.email.trim().is_empty() {
        errors.insert("email".into(), "Enter your email address.".into());
    }
    if form.password.is_empty() {
        errors.insert("password".into(), "Enter your password.".into());
    }
    if !errors.is_empty() {
        let markup = login_page(&ctx, &form.email, &next, &errors);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response());
    }
    let ip = ip.0.0.clone();
    match service::authenticate(&state.db, &form.email, form.password, ip.as_deref()).await? {
        LoginOutcome::SignedIn(user) => {
            // A new session id at every sign-in: a planted cookie is never promoted.
            if let Some(old) = &identity.session_id_hash {
                session::destroy(&state.db, old).await?;
            }
            let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok());
            let secret = session::create(&state.db, user.id, ip.as_deref(), user_agent).await?;
            let mut response = Redirect::to(&next).into_response();
            append_cookie(&mut response, &session_cookie(secret, state.settings.is_https()));
            Ok(response)
        }
        LoginOutcome::Refused => {
            errors.insert("email".into(), "The email address or password is not right.".into());
            let markup = login_page(&ctx, &form.email, &next, &errors);
            Ok((StatusCode::UNAUTHORIZED, markup).into_response())
        }
        LoginOutcome::Throttled { retry_after_secs } => {
            let minutes = retry_after_secs.div_ceil(60);
            errors.insert("email".into(), format!("Too many failed attempts. Wait {minutes} minutes, then try again."));
            let markup = login_page(&ctx, &form.email, &next, &errors);
            Ok((StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, retry_after_secs.to_string())], markup)
                .into_response())
        }
    }
}

pub async fn logout(State(state): State<AppState>, identity: axum::Extension<Identity>) -> AppResult<Response> {
    if let Some(id_hash) = &identity.session_id_hash {
        session::destroy(&state.db, id_hash).await?;
    }
    let mut response = flash::redirect("/login", FlashKind::Info, "You have signed out.");
    append_cookie(&mut response, &removal(SESSION_COOKIE, state.settings.is_https()));
    Ok(response)
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map_or_else(|| "—".to_owned(), |at| at.format("%Y-%m-%d %H:%M UTC").to_string())
}

pub async fn accounts(
    State(state): State<AppState>,
    RequireAdmin(_): RequireAdmin,
    ctx: PageContext,
) -> AppResult<Markup> {
    let accounts = service::accounts_with_tokens(&state.db).await?;
    Ok(page(
        &ctx,
        "Accounts",
        html! {
            h1 { "Accounts" }
            p { a class="button" href="/accounts/new" { "Invite someone" } }
            p class="hint" { "Staff roles can be changed here; a volunteer's account keeps its role. API tokens are made with " code { "convene token create" } "." }
            div class="table-wrap" role="region" aria-label="Accounts" tabindex="0" {
                table {
                    thead { tr { th { "Name" } th { "Email" } th { "Role" } th { "Status" } th { "API tokens" } th { span class="visually-hidden" { "Actions" } } } }
                    tbody {
                        @for (account, tokens) in &accounts {
                            tr {
                                td { (account.name) }
                                td { (account.email) }
                                td {
                                    @let me = ctx.user.as_ref().is_some_and(|me| me.id == account.id);
                                    @if account.role == Role::Volunteer || me { (account.role.code()) } @else {
                                        form class="role-form" method="post" action={ "/admin/accounts/" (account.id) "/role" } {
                                            (csrf_field(&ctx))
                                            label class="visually-hidden" for={ "role-" (account.id) } { "Role of " (account.email) }
                                            select id={ "role-" (account.id) } name="role" {
                                                @for role in [Role::Coordinator, Role::Admin] {
                                                    option value=(role.code()) selected[account.role == role] { (role.code()) }
                                                }
                                            }
                                            button type="submit" class="secondary" { "Change" span class="visually-hidden" { " the role of " (account.email) } }
                                        }
                                    }
                                }
                                td { @if account.disabled_at.is_some() { span class="tag" { "disabled" } } @else { "active" } }
                                td {
                                    @if tokens.is_empty() { "none" }
                                    ul {
                                        @for token in tokens {
                                            li {
                                                code { (token.prefix) "…" } " created " (when(Some(token.created_at))) ", last used " (when(token.last_used_at))
                                                @if token.revoked_at.is_some() { " " span class="tag" { "revoked" } } @else {
                                                    form class="inline" method="post" action={ "/admin/tokens/" (token.id) "/revoke" } {
                                                        (csrf_field(&ctx)) " " button type="submit" class="secondary" { "Revoke" }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                                td {
                                    @if account.disabled_at.is_some() {
                                        form method="post" action={ "/admin/accounts/" (account.id) "/enable" } { (csrf_field(&ctx)) button type="submit" class="secondary" { "Enable " span class="visually-hidden" { (account.email) } } }
                                    } @else if ctx.user.as_ref().is_some_and(|me| me.id != account.id) {
                                        form method="post" action={ "/admin/accounts/" (account.id) "/disable" } { (csrf_field(&ctx)) button type="submit" class="warning" { "Disable " span class="visually-hidden" { (account.email) } } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}

pub async fn disable_account(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    service::set_disabled(&state.db, &admin, id, true).await?;
    Ok(flash::redirect("/admin/accounts", FlashKind::Success, "Account disabled; its sessions have ended."))
}

pub async fn enable_account(
    State(state): State<AppState>,
    RequireAdmin(admin): RequireAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    service::set_disabled(&state.db, &admin, id, false).await?;
    Ok(flash::redirect("/admin/accounts", FlashKind::Success, "Account enabled."))
}

pub async fn revoke_token(
    State(state): State<AppState>,
    RequireAdmin(_): RequireAdmin,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    service::revoke_token(&state.db, id).await?;
    Ok(flash::redirect("/admin/accounts", FlashKind::Success, "Token revoked."))
}
