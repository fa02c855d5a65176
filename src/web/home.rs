//! The home page: a welcome for visitors, a dashboard for signed-in people.

use entity::user::Role;
use maud::{Markup, html};

use super::layout::{PageContext, page};

pub async fn home(ctx: PageContext) -> Markup {
    let content = match &ctx.user {
        None => html! {
            h1 { "Convene" }
            p class="lead" { "Restorative justice brings the people harmed by a crime and the people responsible together, with the help of trained volunteer facilitators." }
            p { a class="button" href="/volunteer" { "Volunteer with us" } " " a href="/login" { "Sign in" } }
        },
        Some(user) => html! {
            h1 { "Welcome, " (user.name) }
            @match user.role {
                Role::Volunteer => p { "Your training dates, assignments, supervision and expenses will appear here." },
                Role::Coordinator => ul {
                    li { a href="/applications" { "Review applications" } }
                    li { a href="/volunteers" { "See the volunteers" } }
                },
                Role::Admin => ul {
                    li { a href="/applications" { "Review applications" } }
                    li { a href="/volunteers" { "See the volunteers" } }
                    li { a href="/admin/accounts" { "Manage accounts and API tokens" } }
                    li { a href="/admin/outbox" { "See the email outbox" } }
                },
            }
        },
    };
    page(&ctx, if ctx.user.is_some() { "Dashboard" } else { "Welcome" }, content)
}
