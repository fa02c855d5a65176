//! The page layout: header with navigation per role, flash message, main content.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use entity::Code;
use entity::user::Role;
use maud::{DOCTYPE, Markup, html};

use super::flash::{Flash, FlashKind};
use crate::web::identity::{AuthUser, CsrfToken, Identity};

/// What every page needs to know about the request.
#[derive(Clone, Debug, Default)]
pub struct PageContext {
    pub user: Option<AuthUser>,
    pub csrf: String,
    pub flash: Option<Flash>,
}

impl PageContext {
    pub fn from_extensions(extensions: &axum::http::Extensions) -> Self {
        Self {
            user: extensions.get::<Identity>().and_then(|i| i.user.clone()),
            csrf: extensions.get::<CsrfToken>().map(|t| t.0.clone()).unwrap_or_default(),
            flash: extensions.get::<Flash>().cloned(),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageContext {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Self::from_extensions(&parts.extensions))
    }
}

/// The hidden CSRF field every state-changing form carries.
pub fn csrf_field(ctx: &PageContext) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(ctx.csrf); }
}

fn nav_links(role: Option<Role>) -> Vec<(&'static str, &'static str)> {
    let mut links = vec![("/", if role.is_some() { "Dashboard" } else { "Home" })];
    let coordinating = [
        ("/applications", "Applications"),
        ("/intakes", "Intakes"),
        ("/volunteers", "Volunteers"),
        ("/cases", "Cases"),
        ("/establishments", "Establishments"),
        ("/checks", "Checks"),
        ("/courses", "Training"),
        ("/meetings", "Meetings"),
        ("/expenses", "Expenses"),
    ];
    match role {
        None => {
            links.push(("/volunteer", "Volunteer with us"));
            links.push(("/login", "Sign in"));
        }
        Some(Role::Volunteer) => {
            links.extend([("/cases", "My cases"), ("/me/availability", "Availability"), ("/expenses", "Expenses")])
        }
        Some(Role::Coordinator) => links.extend(coordinating),
        Some(Role::Admin) => {
            links.extend(coordinating);
            links.push(("/admin/accounts", "Accounts"));
            links.push(("/admin/settings", "Settings"));
            links.push(("/admin/outbox", "Outbox"));
        }
    }
    if role.is_some() {
        links.push(("/me", "Profile"));
    }
    links
}

/// A whole HTML page.
pub fn page(ctx: &PageContext, title: &str, content: Markup) -> Markup {
    let role = ctx.user.as_ref().map(|u| u.role);
    html! {
        (DOCTYPE)
        html lang="en-GB" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " — Convene" }
                link rel="stylesheet" href="/static/app.css";
                link rel="icon" href="/static/favicon.svg" type="image/svg+xml";
            }
            body {
                a class="skip-link" href="#main" { "Skip to main content" }
                header class="site-header" {
                    a class="brand" href="/" { "Convene" }
                    nav aria-label="Main" {
                        ul {
                            @for (href, label) in nav_links(role) {
                                li { a href=(href) { (label) } }
                            }
                        }
                    }
                    @if let Some(user) = &ctx.user {
                        form class="signout" method="post" action="/logout" {
                            (csrf_field(ctx))
                            span class="who" { (user.name) " (" (user.role.code()) ")" }
                            a href="/account/password" { "Change password" }
                            button type="submit" class="link" { "Sign out" }
                        }
                    }
                }
                main id="main" {
                    @if let Some(flash) = &ctx.flash {
                        @let class = match flash.kind { FlashKind::Success => "flash success", FlashKind::Info => "flash info", FlashKind::Error => "flash error" };
                        div class=(class) role="status" { (flash.message) }
                    }
                    (content)
                }
                footer class="site-footer" { p { "Convene — restorative justice volunteer service" } }
            }
        }
    }
}
