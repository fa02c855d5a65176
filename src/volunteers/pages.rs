//! The coordinators' volunteer list.

use axum::extract::State;
use maud::{Markup, html};

use super::service;
use crate::auth::RequireCoordinator;
use crate::error::AppResult;
use crate::startup::AppState;
use crate::web::layout::{PageContext, page};

fn words(text: &str) -> String {
    text.replace('_', " ")
}

pub async fn list(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
) -> AppResult<Markup> {
    let volunteers = service::list(&state.db).await?;
    Ok(page(
        &ctx,
        "Volunteers",
        html! {
            h1 { "Volunteers" }
            @if volunteers.is_empty() {
                p { "No volunteers yet. Accepted applicants appear here." }
            } @else {
                div class="table-wrap" {
                    table {
                        thead { tr { th { "Name" } th { "Email" } th { "Status" } th { "Level" } th { "Checks" } } }
                        tbody {
                            @for v in &volunteers {
                                tr {
                                    td { (v.name) }
                                    td { (v.email) }
                                    td { (words(v.status.as_str())) }
                                    td { (words(v.level.as_str())) }
                                    td { a href={ "/volunteers/" (v.id) "/checks" } { "Checks" span class="visually-hidden" { " for " (v.name) } } }
                                }
                            }
                        }
                    }
                }
            }
        },
    ))
}
