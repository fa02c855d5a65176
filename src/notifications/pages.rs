//! The admin's outbox page: what the service has sent or would send.

use axum::extract::State;
use maud::{Markup, html};

use super::outbox;
use crate::auth::RequireAdmin;
use crate::domain::time::london_display;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::layout::{PageContext, page};

pub async fn list(State(state): State<AppState>, RequireAdmin(_): RequireAdmin, ctx: PageContext) -> AppResult<Markup> {
    let messages = outbox::recent(&state.db, 200).await?;
    let smtp = state.settings.smtp_url.is_some();
    Ok(page(
        &ctx,
        "Outbox",
        html! {
            h1 { "Outbox" }
            @if !smtp { p class="flash info" { "No SMTP server is configured (SMTP_URL), so email is kept here instead of being sent." } }
            @if messages.is_empty() { p { "Nothing has been queued yet." } }
            @for m in &messages {
                details {
                    summary { (london_display(m.created_at)) " — " (m.subject) " — to " (m.to_email) " " span class="tag" { (format!("{:?}", m.status).to_lowercase()) } }
                    @if let Some(error) = &m.last_error {
                        p { "Attempts: " (m.attempts) ". Last error: " (error) }
                    }
                    pre { (m.text_body) }
                }
            }
        },
    ))
}
