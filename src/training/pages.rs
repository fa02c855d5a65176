//! Coordinator pages for courses and their sessions.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entity::Code;
use maud::{Markup, html};

use super::service::{self, CourseInput, MarkInput, RegisterInput, SessionInput};
use crate::auth::RequireCoordinator;
use crate::domain::time::{london_display, long_date};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary, field_errors};
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field, page};

async fn list_page(
    state: &AppState,
    ctx: &PageContext,
    input: &CourseInput,
    errors: &FieldErrors,
) -> AppResult<Markup> {
    let courses = service::courses_with_sessions(&state.db).await?;
    Ok(page(
        ctx,
        "Courses",
        html! {
            h1 { "Training courses" }
            @if courses.is_empty() { p { "No courses yet." } }
            ul {
                @for (course, sessions) in &courses {
                    li { a href={ "/courses/" (course.id) } { (course.name) } " (" (course.kind.code()) ", " (sessions.len()) " sessions)" }
                }
            }
            h2 { "Add a course" }
            (error_summary(errors))
            form method="post" action="/courses" {
                (csrf_field(ctx))
                (Input { value: &input.name, required: true, ..Input::new("name", "Course name") }.render(errors))
                fieldset class={ "field" @if errors.contains_key("kind") { " field-invalid" } } {
                    legend { "Kind of course" }
                    @if let Some(message) = errors.get("kind") { p class="field-error" id="kind-error" { (message) } }
                    label { input type="radio" name="kind" id="kind" value="core" checked[input.kind == "core"]; " Core training" }
                    label { input type="radio" name="kind" value="further" checked[input.kind == "further"]; " Further training" }
                }
                button type="submit" { "Add course" }
            }
        },
    ))
}

pub async fn list(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
) -> AppResult<Markup> {
    list_page(&state, &ctx, &CourseInput::default(), &FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Form(input): Form<CourseInput>,
) -> AppResult<Response> {
    match service::create_course(&state.db, &input).await {
        Ok(course) => Ok(flash::redirect(&format!("/courses/{}", course.id), FlashKind::Success, "Course added.")),
        Err(error) => {
            let errors = field_errors(error)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, list_page(&state, &ctx, &input, &errors).await?).into_response())
        }
    }
}

async fn course_page(
    state: &AppState,
    ctx: &PageContext,
    id: i64,
    input: &SessionInput,
    errors: &FieldErrors,
) -> AppResult<Markup> {
    let (course, sessions) = service::course(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let mut still_needed = Vec::new();
    for (volunteer_id, name) in service::enrolled(&state.db, id).await? {
        let missing = service::progress(&state.db, volunteer_id).await?.missing();
        if !missing.is_empty() {
            still_needed.push((name, missing.iter().map(i32::to_string).collect::<Vec<_>>().join(", ")));
        }
    }
    Ok(page(
        ctx,
        &course.name,
        html! {
            h1 { (course.name) }
            p { span class="tag" { (course.kind.code()) " training" } }
            @if sessions.is_empty() { p { "No sessions yet." } } @else {
                div class="table-wrap" role="region" aria-label="Sessions" tabindex="0" { table {
                    thead { tr { th { "Session" } th { "Date" } th { "Time" } th { "Venue" } } }
                    tbody {
                        @for s in &sessions {
                            tr { td { a href={ "/sessions/" (s.id) } { "Session " (s.number) } @if s.cancelled_at.is_some() { " " span class="tag" { "cancelled" } } } td { (long_date(s.date)) } td { (s.starts_at.format("%H:%M")) "–" (s.ends_at.format("%H:%M")) } td { (s.venue) } }
                        }
                    }
                } }
            }
            @if !still_needed.is_empty() {
                h2 { "Who still needs which session" }
                ul { @for (name, missing) in &still_needed { li { (name) ": session " (missing) } } }
            }
            h2 { "Add a session" }
            (error_summary(errors))
            form method="post" action={ "/courses/" (course.id) "/sessions" } {
                (csrf_field(ctx))
                (Input { kind: "number", value: &input.number, required: true, ..Input::new("number", "Session number") }.render(errors))
                (Input { kind: "date", value: &input.date, required: true, ..Input::new("date", "Date") }.render(errors))
                (Input { kind: "time", value: &input.starts_at, required: true, ..Input::new("starts_at", "Starts (UK time)") }.render(errors))
                (Input { kind: "time", value: &input.ends_at, required: true, ..Input::new("ends_at", "Ends (UK time)") }.render(errors))
                (Input { value: &input.venue, required: true, ..Input::new("venue", "Venue") }.render(errors))
                button type="submit" { "Add session" }
            }
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    course_page(&state, &ctx, id, &SessionInput::default(), &FieldErrors::new()).await
}

pub async fn add_session(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<SessionInput>,
) -> AppResult<Response> {
    match service::add_session(&state.db, id, &input).await {
        Ok(_) => Ok(flash::redirect(&format!("/courses/{id}"), FlashKind::Success, "Session added.")),
        Err(error) => {
            let errors = field_errors(error)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, course_page(&state, &ctx, id, &input, &errors).await?)
                .into_response())
        }
    }
}

/// A session's page: its register, and the form that moves or cancels it (opened from a
/// button, kept open with the values and a message per field when they need correcting).
async fn session_page(
    state: &AppState,
    ctx: &PageContext,
    id: i64,
    change: Option<(&SessionInput, &FieldErrors)>,
) -> AppResult<Markup> {
    let (session, rows) = service::register(&state.db, id).await?;
    // Anyone who still needs this session number can be added to make it up here.
    let mut make_up = Vec::new();
    if session.cancelled_at.is_none() {
        for v in crate::volunteers::service::list(&state.db).await? {
            if rows.iter().any(|(id, _, _)| *id == v.id) {
                continue;
            }
            if service::progress(&state.db, v.id).await?.missing().contains(&session.number) {
                make_up.push(v);
            }
        }
    }
    let current = SessionInput {
        number: session.number.to_string(),
        date: session.date.to_string(),
        starts_at: session.starts_at.format("%H:%M").to_string(),
        ends_at: session.ends_at.format("%H:%M").to_string(),
        venue: session.venue.clone(),
    };
    let no_errors = FieldErrors::new();
    let (input, errors) = change.unwrap_or((&current, &no_errors));
    Ok(page(
        ctx,
        "Register",
        html! {
            p { a href={ "/courses/" (session.course_id) } { "Back to the course" } }
            h1 { "Register: session " (session.number) }
            p { (long_date(session.date)) ", " (session.starts_at.format("%H:%M")) "–" (session.ends_at.format("%H:%M")) ", " (session.venue) }
            @if let Some(at) = session.cancelled_at {
                p class="stopped" { strong { "Cancelled" } " on " (london_display(at)) ". Calendars that subscribe show it as cancelled; there is no register." }
            } @else {
                form method="post" action={ "/sessions/" (session.id) "/attendance" } {
                    (csrf_field(ctx))
                    @if rows.is_empty() && make_up.is_empty() { p { "Nobody is enrolled on this course yet." } }
                    @for (volunteer_id, name, mark) in &rows {
                        fieldset class="field" {
                            legend { (name) }
                            @for option in ["present", "absent", "excused"] {
                                div class="choice" {
                                    input type="radio" id={ "m" (volunteer_id) "-" (option) } name={ "mark_" (volunteer_id) } value=(option)
                                        checked[mark.map(|m| m.code()).as_deref() == Some(option)];
                                    label for={ "m" (volunteer_id) "-" (option) } { (option) }
                                }
                            }
                        }
                    }
                    @if !make_up.is_empty() {
                        div class="field" {
                            label for="make_up" { "Add someone making up session " (session.number) " (marked present)" }
                            select id="make_up" name="make_up" {
                                option value="" { "Nobody" }
                                @for v in &make_up { option value=(v.id) { (v.name) } }
                            }
                        }
                    }
                    button type="submit" { "Save register" }
                }
                details class="card" open[!errors.is_empty()] {
                    summary { "Move or cancel this session" }
                    p class="hint" { "Enrolled volunteers' calendars follow the change." }
                    (error_summary(errors))
                    form method="post" action={ "/sessions/" (session.id) } {
                        (csrf_field(ctx))
                        (Input { kind: "date", value: &input.date, required: true, ..Input::new("date", "Date") }.render(errors))
                        (Input { kind: "time", value: &input.starts_at, required: true, ..Input::new("starts_at", "Starts (UK time)") }.render(errors))
                        (Input { kind: "time", value: &input.ends_at, required: true, ..Input::new("ends_at", "Ends (UK time)") }.render(errors))
                        (Input { value: &input.venue, required: true, ..Input::new("venue", "Venue") }.render(errors))
                        button type="submit" { "Save the new time" }
                    }
                    form method="post" action={ "/sessions/" (session.id) "/cancel" } {
                        (csrf_field(ctx))
                        button type="submit" class="warning" { "Cancel session " (session.number) }
                    }
                }
            }
        },
    ))
}

pub async fn register(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    session_page(&state, &ctx, id, None).await
}

pub async fn change_session(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<SessionInput>,
) -> AppResult<Response> {
    match service::change_session(&state.db, id, &input).await {
        Ok(_) => Ok(flash::redirect(&format!("/sessions/{id}"), FlashKind::Success, "Session changed.")),
        Err(AppError::Conflict(message)) => Ok(flash::redirect(&format!("/sessions/{id}"), FlashKind::Error, message)),
        Err(error) => {
            let errors = field_errors(error)?;
            let markup = session_page(&state, &ctx, id, Some((&input, &errors))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, markup).into_response())
        }
    }
}

pub async fn cancel_session(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    flash::back_after(service::cancel_session(&state.db, id).await, &format!("/sessions/{id}"), "Session cancelled.")
}

pub async fn save_register(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
    body: String,
) -> AppResult<Response> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(&body).map_err(|_| AppError::BadRequest("Unreadable form.".into()))?;
    let mut marks = Vec::new();
    for (key, value) in pairs {
        if let Some(volunteer_id) = key.strip_prefix("mark_").and_then(|v| v.parse::<i64>().ok()) {
            marks.push(MarkInput { volunteer_id, mark: value });
        } else if key == "make_up"
            && let Ok(volunteer_id) = value.parse::<i64>()
        {
            marks.push(MarkInput { volunteer_id, mark: "present".into() });
        }
    }
    match service::record_attendance(&state.db, actor.id, id, &RegisterInput { marks }).await {
        Ok(()) => Ok(flash::redirect(&format!("/sessions/{id}"), FlashKind::Success, "Register saved.")),
        Err(AppError::Conflict(message)) => Ok(flash::redirect(&format!("/sessions/{id}"), FlashKind::Error, message)),
        Err(other) => Err(other),
    }
}
