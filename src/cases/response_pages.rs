//! A facilitator's answer to a conference without script: the conference page the booking
//! emails link to (`/conferences/{id}`, audited, 404 for anyone not on it) and the
//! Accept/Decline buttons it and the dashboard carry, through the API's `respond`.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use entity::conference::ConferenceStatus;
use entity::conference_facilitator::{FacilitatorRole, Response as Answer};
use maud::{Markup, html};
use serde::Deserialize;

use super::conferences::{self, Assignment, ResponseInput};
use crate::auth::RequireUser;
use crate::domain::time::london_display;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field, page};

pub fn role_name(role: FacilitatorRole) -> &'static str {
    if role == FacilitatorRole::Lead { "lead facilitator" } else { "co-facilitator" }
}

/// Accept and Decline buttons for one conference; `back` is where to return.
pub fn answer_buttons(ctx: &PageContext, conference_id: i64, what: &str, back: &str) -> Markup {
    html! {
        form method="post" action={ "/conferences/" (conference_id) "/respond" } class="inline-form" {
            (csrf_field(ctx))
            input type="hidden" name="back" value=(back);
            button type="submit" name="response" value="accept" aria-label={ "Accept " (what) } { "Accept" }
            " "
            button type="submit" name="response" value="decline" class="secondary" aria-label={ "Decline " (what) } { "Decline" }
        }
    }
}

/// The dashboard's list of conferences waiting for the volunteer's answer.
pub fn awaiting_section(ctx: &PageContext, awaiting: &[Assignment]) -> Markup {
    html! {
        @if !awaiting.is_empty() {
            section class="card" aria-labelledby="to-answer" {
                h2 id="to-answer" { "Conferences waiting for your answer" }
                ul {
                    @for a in awaiting {
                        @let what = format!("the conference for {} on {}", a.reference, london_display(a.conference.starts_at));
                        li {
                            a href={ "/conferences/" (a.conference.id) } { (a.reference) } ": " (london_display(a.conference.starts_at))
                            " at " (a.place) ", as " (role_name(a.role))
                            (answer_buttons(ctx, a.conference.id, &what, "/"))
                        }
                    }
                }
            }
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    let (found, facilitators) = conferences::read(&state.db, &viewer, id).await?;
    let (reference, place) = conferences::reference_and_place(&state.db, &found).await?;
    let names =
        crate::volunteers::service::names(&state.db, &facilitators.iter().map(|f| f.volunteer_id).collect::<Vec<_>>())
            .await?;
    let own = crate::volunteers::service::for_user(&state.db, viewer.id).await?;
    let mine = own.and_then(|v| facilitators.iter().find(|f| f.volunteer_id == v.id));
    let when = london_display(found.starts_at);
    let title = format!("Conference for {reference}");
    Ok(page(
        &ctx,
        &title,
        html! {
            h1 { (title) }
            p { (when) " (UK time) at " (place) }
            p { "Status: " strong { (found.status.as_str().replace('_', " ")) } }
            ul { @for f in &facilitators {
                li { (names.get(&f.volunteer_id).cloned().unwrap_or_default()) ", " (role_name(f.role)) ": " (f.response.as_str()) }
            } }
            @if let Some(mine) = mine.filter(|m| m.response == Answer::Asked && found.status == ConferenceStatus::Proposed) {
                h2 { "Your answer" }
                p { "You are asked to be the " (role_name(mine.role)) "." }
                (answer_buttons(&ctx, id, &format!("the conference for {reference} on {when}"), &format!("/conferences/{id}")))
            }
            p { a href={ "/cases/" (found.case_id) } { "The case" } }
        },
    ))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RespondForm {
    pub response: String,
    pub back: String,
}

pub async fn respond(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    Path(id): Path<i64>,
    Form(form): Form<RespondForm>,
) -> AppResult<Response> {
    // Only back to the dashboard or this conference: never an address from outside.
    let back = if form.back == "/" { "/".to_owned() } else { format!("/conferences/{id}") };
    let input = ResponseInput { response: form.response.clone() };
    match conferences::respond(&state.db, &state.settings.base_url, &viewer, id, &input).await {
        Ok(updated) => {
            let message = match (form.response.trim(), updated.status) {
                ("accept", ConferenceStatus::Confirmed) => {
                    "Accepted. Both facilitators have accepted: the conference is confirmed."
                }
                ("accept", _) => "Accepted. The conference is confirmed once the other facilitator accepts too.",
                _ => "Declined. The coordinators will find another facilitator.",
            };
            Ok(flash::redirect(&back, FlashKind::Success, message))
        }
        Err(AppError::Conflict(why)) => Ok(flash::redirect(&back, FlashKind::Error, why)),
        Err(AppError::Validation { fields, message }) => {
            Ok(flash::redirect(&back, FlashKind::Error, fields.into_values().next().unwrap_or(message)))
        }
        Err(other) => Err(other),
    }
}
