//! Coordinator pages: recording supervision, and group volunteer meetings with attendance.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::service::{self, MeetingInput, SupervisionInput};
use crate::auth::RequireCoordinator;
use crate::domain::time::{london_display, long_date};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::components::field_errors;
use crate::web::components::{FieldErrors, Input, error_summary};
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field, page};

pub async fn add_supervision(
    State(state): State<AppState>,
    RequireCoordinator(supervisor): RequireCoordinator,
    Path(id): Path<i64>,
    Form(input): Form<SupervisionInput>,
) -> AppResult<Response> {
    let recorded = service::add(&state.db, &supervisor, id, &input, crate::clock::today()).await;
    flash::back_after(recorded, &format!("/volunteers/{id}#supervision"), "Supervision recorded.")
}

async fn meetings_page(
    state: &AppState,
    ctx: &PageContext,
    input: &MeetingInput,
    errors: &FieldErrors,
) -> AppResult<Markup> {
    let all = service::meetings(&state.db).await?;
    Ok(page(
        ctx,
        "Volunteer meetings",
        html! {
            h1 { "Volunteer meetings" }
            @if all.is_empty() { p { "No meetings yet." } }
            ul { @for m in &all { li { a href={ "/meetings/" (m.id) } { (long_date(m.held_on)) ": " (m.topic) } @if m.cancelled_at.is_some() { " " span class="tag" { "cancelled" } } } } }
            h2 { "Add a meeting" }
            (error_summary(errors))
            form method="post" action="/meetings" {
                (csrf_field(ctx))
                (meeting_fields(input, errors))
                button type="submit" { "Add meeting" }
            }
        },
    ))
}

pub async fn meetings(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
) -> AppResult<Markup> {
    meetings_page(&state, &ctx, &MeetingInput::default(), &FieldErrors::new()).await
}

pub async fn create_meeting(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Form(input): Form<MeetingInput>,
) -> AppResult<Response> {
    match service::create_meeting(&state.db, &input).await {
        Ok(m) => Ok(flash::redirect(&format!("/meetings/{}", m.id), FlashKind::Success, "Meeting added.")),
        Err(error) => {
            let errors = field_errors(error)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, meetings_page(&state, &ctx, &input, &errors).await?).into_response())
        }
    }
}

/// A meeting's page: attendance, and the form that moves or cancels it (opened from a
/// button, kept open with the values and a message per field when they need correcting).
async fn meeting_page(
    state: &AppState,
    ctx: &PageContext,
    id: i64,
    change: Option<(&MeetingInput, &FieldErrors)>,
) -> AppResult<Markup> {
    let (m, attended) = service::meeting(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let volunteers = crate::volunteers::service::list(&state.db).await?;
    let current = MeetingInput {
        held_on: m.held_on.to_string(),
        starts_at: m.starts_at.format("%H:%M").to_string(),
        ends_at: m.ends_at.format("%H:%M").to_string(),
        topic: m.topic.clone(),
        case_discussion: m.case_discussion.clone(),
    };
    let no_errors = FieldErrors::new();
    let (input, errors) = change.unwrap_or((&current, &no_errors));
    Ok(page(
        ctx,
        &m.topic,
        html! {
            p { a href="/meetings" { "All meetings" } }
            h1 { (m.topic) }
            p { (long_date(m.held_on)) ", " (m.starts_at.format("%H:%M")) "–" (m.ends_at.format("%H:%M")) }
            @if let Some(at) = m.cancelled_at {
                p class="stopped" { strong { "Cancelled" } " on " (london_display(at)) ". Calendars that subscribe show it as cancelled." }
            }
            @if !m.case_discussion.is_empty() { h2 { "Case discussion" } p { (m.case_discussion) } }
            @if m.cancelled_at.is_none() {
                h2 { "Attendance" }
                form method="post" action={ "/meetings/" (m.id) "/attendance" } {
                    (csrf_field(ctx))
                    fieldset {
                        legend { "Who attended" }
                        @for v in &volunteers {
                            div class="choice" {
                                input type="checkbox" id={ "v" (v.id) } name="volunteer_id" value=(v.id) checked[attended.contains(&v.id)];
                                label for={ "v" (v.id) } { (v.name) }
                            }
                        }
                    }
                    button type="submit" { "Save attendance" }
                }
                details class="card" open[!errors.is_empty()] {
                    summary { "Change or cancel this meeting" }
                    p class="hint" { "Volunteers' calendars follow a new date or time." }
                    (error_summary(errors))
                    form method="post" action={ "/meetings/" (m.id) } {
                        (csrf_field(ctx))
                        (meeting_fields(input, errors))
                        button type="submit" { "Save the meeting" }
                    }
                    form method="post" action={ "/meetings/" (m.id) "/cancel" } {
                        (csrf_field(ctx))
                        button type="submit" class="warning" { "Cancel this meeting" }
                    }
                }
            }
        },
    ))
}

/// The fields of a meeting, for adding one or changing it.
fn meeting_fields(input: &MeetingInput, errors: &FieldErrors) -> Markup {
    html! {
        (Input { kind: "date", value: &input.held_on, required: true, ..Input::new("held_on", "Date") }.render(errors))
        (Input { kind: "time", value: &input.starts_at, required: true, ..Input::new("starts_at", "Starts (UK time)") }.render(errors))
        (Input { kind: "time", value: &input.ends_at, required: true, ..Input::new("ends_at", "Ends (UK time)") }.render(errors))
        (Input { value: &input.topic, required: true, ..Input::new("topic", "Topic") }.render(errors))
        div class="field" {
            label for="case_discussion" { "Case discussion (confidential)" }
            textarea id="case_discussion" name="case_discussion" rows="4" { (input.case_discussion) }
        }
    }
}

pub async fn meeting(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    meeting_page(&state, &ctx, id, None).await
}

pub async fn change_meeting(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<MeetingInput>,
) -> AppResult<Response> {
    match service::change_meeting(&state.db, id, &input).await {
        Ok(_) => Ok(flash::redirect(&format!("/meetings/{id}"), FlashKind::Success, "Meeting changed.")),
        Err(AppError::Conflict(message)) => Ok(flash::redirect(&format!("/meetings/{id}"), FlashKind::Error, message)),
        Err(error) => {
            let errors = field_errors(error)?;
            let markup = meeting_page(&state, &ctx, id, Some((&input, &errors))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response())
        }
    }
}

pub async fn cancel_meeting(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    flash::back_after(service::cancel_meeting(&state.db, id).await, &format!("/meetings/{id}"), "Meeting cancelled.")
}

/// A supervision session corrected (`action=date`, with `held_on`) or withdrawn
/// (`action=withdraw`), from the volunteer's page.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SupervisionChange {
    pub action: String,
    pub held_on: String,
}

pub async fn change_supervision(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
    Form(input): Form<SupervisionChange>,
) -> AppResult<Response> {
    let back = format!("/volunteers/{}#supervision", service::supervised(&state.db, id).await?);
    let (held_on, withdraw, done) = match input.action.as_str() {
        "withdraw" => (None, true, "Supervision withdrawn."),
        _ => (Some(input.held_on.as_str()), false, "Supervision date corrected."),
    };
    flash::back_after(
        service::change_supervision(&state.db, id, held_on, withdraw, crate::clock::today()).await,
        &back,
        done,
    )
}

pub async fn meeting_attendance(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
    body: String,
) -> AppResult<Response> {
    // Repeated `volunteer_id` fields: read as pairs (serde_urlencoded has no sequences).
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&body).map_err(|_| AppError::BadRequest("Unreadable form.".into()))?;
    let ids: Vec<i64> =
        pairs.into_iter().filter(|(k, _)| k == "volunteer_id").filter_map(|(_, v)| v.parse().ok()).collect();
    flash::back_after(
        service::set_meeting_attendance(&state.db, id, &ids).await,
        &format!("/meetings/{id}"),
        "Attendance saved.",
    )
}
