//! Coordinator pages: recording supervision, and group volunteer meetings with attendance.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::service::{self, MeetingInput, SupervisionInput};
use crate::auth::RequireCoordinator;
use crate::domain::time::long_date;
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
    match service::add(&state.db, &supervisor, id, &input, crate::clock::today()).await {
        Ok(_) => {
            Ok(flash::redirect(&format!("/volunteers/{id}#supervision"), FlashKind::Success, "Supervision recorded."))
        }
        Err(AppError::Validation { fields, .. }) => {
            let message = fields.into_values().collect::<Vec<_>>().join(" ");
            Ok(flash::redirect(&format!("/volunteers/{id}#supervision"), FlashKind::Error, message))
        }
        Err(other) => Err(other),
    }
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
            ul { @for m in &all { li { a href={ "/meetings/" (m.id) } { (long_date(m.held_on)) ": " (m.topic) } } } }
            h2 { "Add a meeting" }
            (error_summary(errors))
            form method="post" action="/meetings" {
                (csrf_field(ctx))
                (Input { kind: "date", value: &input.held_on, required: true, ..Input::new("held_on", "Date") }.render(errors))
                (Input { kind: "time", value: &input.starts_at, required: true, ..Input::new("starts_at", "Starts (UK time)") }.render(errors))
                (Input { kind: "time", value: &input.ends_at, required: true, ..Input::new("ends_at", "Ends (UK time)") }.render(errors))
                (Input { value: &input.topic, required: true, ..Input::new("topic", "Topic") }.render(errors))
                div class="field" {
                    label for="case_discussion" { "Case discussion (confidential)" }
                    textarea id="case_discussion" name="case_discussion" rows="4" { (input.case_discussion) }
                }
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

pub async fn meeting(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    let (m, attended) = service::meeting(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let volunteers = crate::volunteers::service::list(&state.db).await?;
    Ok(page(
        &ctx,
        &m.topic,
        html! {
            p { a href="/meetings" { "All meetings" } }
            h1 { (m.topic) }
            p { (long_date(m.held_on)) ", " (m.starts_at.format("%H:%M")) "–" (m.ends_at.format("%H:%M")) }
            @if !m.case_discussion.is_empty() { h2 { "Case discussion" } p { (m.case_discussion) } }
            h2 { "Attendance" }
            form method="post" action={ "/meetings/" (m.id) "/attendance" } {
                (csrf_field(&ctx))
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
        },
    ))
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
    match service::set_meeting_attendance(&state.db, id, &ids).await {
        Ok(()) => Ok(flash::redirect(&format!("/meetings/{id}"), FlashKind::Success, "Attendance saved.")),
        Err(AppError::Validation { fields, .. }) => Ok(flash::redirect(
            &format!("/meetings/{id}"),
            FlashKind::Error,
            fields.into_values().collect::<Vec<_>>().join(" "),
        )),
        Err(other) => Err(other),
    }
}
