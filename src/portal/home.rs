//! The home page: a welcome for visitors, a dashboard for signed-in people.

use axum::extract::State;
use entity::user::Role;
use maud::{Markup, html};

use crate::error::AppResult;
use crate::state::AppState;
use crate::web::identity::ClientIp;
use crate::web::layout::{PageContext, page};

pub async fn home(
    State(state): State<AppState>,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
) -> AppResult<Markup> {
    if let Some(user) = ctx.user.as_ref().filter(|u| u.role == Role::Volunteer) {
        let dashboard = super::dashboard::render(&state, &ctx, user).await?;
        let calendar = subscribe_card(&state, user.id).await?;
        return Ok(page(&ctx, "Dashboard", html! { h1 { "Welcome, " (user.name) } (dashboard) (calendar) }));
    }
    let content = match &ctx.user {
        None => html! {
            h1 { "Convene" }
            p class="lead" { "Restorative justice brings the people harmed by a crime and the people responsible together, with the help of trained volunteer facilitators." }
            p { a class="button" href="/volunteer" { "Volunteer with us" } " " a href="/login" { "Sign in" } }
        },
        Some(user) => html! {
            h1 { "Welcome, " (user.name) }
            (super::queue::render(&state, user, ip.0.as_deref()).await?)
            section aria-labelledby="shortcuts" {
                h2 id="shortcuts" { "Shortcuts" }
                ul {
                    li { a href="/cases/new" { "Take a referral" } }
                    li { a href="/plan" { "Plan the ready cases" } }
                    li { a href="/accounts/new" { "Invite someone" } }
                    li { a href="/meetings" { "Volunteer meetings" } }
                    @if user.role == Role::Admin {
                        li { a href="/admin/accounts" { "Manage accounts and API tokens" } }
                        li { a href="/admin/reasons" { "Keep the lists of reasons (not proceeding, not held)" } }
                        li { a href="/admin/audit" { "Read the audit log" } }
                    }
                }
            }
        },
    };
    let content = match &ctx.user {
        Some(user) => html! { (content) (subscribe_card(&state, user.id).await?) },
        None => content,
    };
    Ok(page(&ctx, if ctx.user.is_some() { "Dashboard" } else { "Welcome" }, content))
}

async fn subscribe_card(state: &AppState, user_id: i64) -> AppResult<Markup> {
    let has_personal = crate::calendar::service::token_created_at(&state.db, user_id).await?.is_some();
    Ok(crate::calendar::pages::subscribe_card(&state.settings.base_url, has_personal))
}
