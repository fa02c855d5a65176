//! A facilitator's answer to a conference without script: the conference page the booking
//! emails link to (`/conferences/{id}`, audited, 404 for anyone not on it) and the
//! Accept/Decline buttons it and the dashboard carry, through the API's `respond`.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use entity::Code;
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
use crate::web::identity::AuthUser;
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
    conference_page(&state, &ctx, &viewer, id, &super::outcome_pages::OutcomeForm::default()).await
}

/// The conference page, with the outcome form as sent (`outcome`).
pub async fn conference_page(
    state: &AppState,
    ctx: &PageContext,
    viewer: &AuthUser,
    id: i64,
    outcome: &super::outcome_pages::OutcomeForm,
) -> AppResult<Markup> {
    let (found, facilitators) = conferences::read(&state.db, viewer, id).await?;
    let (reference, place) = conferences::reference_and_place(&state.db, &found).await?;
    let names =
        crate::volunteers::service::names(&state.db, &facilitators.iter().map(|f| f.volunteer_id).collect::<Vec<_>>())
            .await?;
    let own = crate::volunteers::service::for_user(&state.db, viewer.id).await?;
    let mine = own.and_then(|v| facilitators.iter().find(|f| f.volunteer_id == v.id));
    let when = london_display(found.starts_at);
    let title = format!("Conference for {reference}");
    let live = viewer.role.is_coordinator()
        && matches!(found.status, ConferenceStatus::Proposed | ConferenceStatus::Confirmed);
    let lead = facilitators.iter().find(|f| f.role == FacilitatorRole::Lead).map(|f| f.volunteer_id);
    let second = facilitators.iter().find(|f| f.role == FacilitatorRole::Co).map(|f| f.volunteer_id);
    let slots = match (live, lead, second) {
        (true, Some(lead), Some(second)) => {
            crate::scheduling::candidates::slots_for_pair(
                &state.db,
                found.case_id,
                [lead, second],
                id,
                RESCHEDULE_SLOTS,
            )
            .await?
        }
        _ => Vec::new(),
    };
    let records_outcome = found.status == ConferenceStatus::Confirmed
        && crate::clock::now() >= found.starts_at
        && (viewer.role.is_coordinator() || mine.is_some_and(|m| m.role == FacilitatorRole::Lead));
    let codes = if records_outcome { super::outcome_pages::codes(state).await? } else { Vec::new() };
    Ok(page(
        ctx,
        &title,
        html! {
            h1 { (title) }
            p { (when) " (UK time) at " (place) }
            p { "Status: " strong { (found.status.code().replace('_', " ")) } }
            ul { @for f in &facilitators {
                li { (names.get(&f.volunteer_id).cloned().unwrap_or_default()) ", " (role_name(f.role)) ": " (f.response.code()) }
            } }
            @if let Some(mine) = mine.filter(|m| m.response == Answer::Asked && found.status == ConferenceStatus::Proposed) {
                h2 { "Your answer" }
                p { "You are asked to be the " (role_name(mine.role)) "." }
                (answer_buttons(ctx, id, &format!("the conference for {reference} on {when}"), &format!("/conferences/{id}")))
            }
            @if !slots.is_empty() || live {
                h2 id="change" { "Change this conference" }
            }
            @if !slots.is_empty() {
                p { "Move it to another time for the same two facilitators (every booking rule is checked again; both are told):" }
                ul class="slots" { @for s in &slots {
                    li { form method="post" action={ "/conferences/" (id) "/reschedule" } class="inline-form" {
                        (csrf_field(ctx))
                        input type="hidden" name="start" value=(s.start);
                        button type="submit" class="secondary" { "Move to " (super::candidate_pages::wall_clock(&s.start)) }
                    } }
                } }
            } @else if live {
                p { "No other time suits both facilitators before the deadline." }
            }
            @if live {
                form method="post" action={ "/conferences/" (id) "/cancel" } {
                    (csrf_field(ctx))
                    button type="submit" class="warning" { "Cancel this conference" }
                }
            }
            @if records_outcome { (super::outcome_pages::section(ctx, id, outcome, &codes)) }
            p { a href={ "/cases/" (found.case_id) } { "The case" } }
        },
    ))
}

/// Slots offered to move a conference to.
const RESCHEDULE_SLOTS: usize = 6;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct RescheduleForm {
    pub start: String,
}

/// A coordinator moves or cancels a conference from its page; back to it with what happened.
async fn change(
    state: &AppState,
    viewer: &AuthUser,
    id: i64,
    patch: conferences::ConferencePatch,
    done: &str,
) -> AppResult<Response> {
    if !viewer.role.is_coordinator() {
        return Err(AppError::NotFound);
    }
    let back = format!("/conferences/{id}");
    let changed = match patch.parse() {
        Ok(change) => conferences::update(&state.db, &state.settings.base_url, viewer, id, change).await,
        Err(unreadable) => Err(unreadable),
    };
    match changed {
        Ok(_) => Ok(flash::redirect(&back, FlashKind::Success, done)),
        Err(AppError::Conflict(why)) => Ok(flash::redirect(&back, FlashKind::Error, why)),
        Err(AppError::Validation { fields, message }) => {
            Ok(flash::redirect(&back, FlashKind::Error, fields.into_values().next().unwrap_or(message)))
        }
        Err(other) => Err(other),
    }
}

pub async fn reschedule(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    Path(id): Path<i64>,
    Form(form): Form<RescheduleForm>,
) -> AppResult<Response> {
    let patch = conferences::ConferencePatch { status: None, start: Some(form.start) };
    change(&state, &viewer, id, patch, "Conference moved; both facilitators have been told.").await
}

pub async fn cancel(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let patch = conferences::ConferencePatch { status: Some("cancelled".into()), start: None };
    change(
        &state,
        &viewer,
        id,
        patch,
        "Conference cancelled; both facilitators have been told. The case is ready to book again.",
    )
    .await
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
