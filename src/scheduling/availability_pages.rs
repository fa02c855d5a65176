//! Availability pages: a volunteer's own at `/me/availability`, and a coordinator's view of
//! any volunteer's at `/volunteers/{id}/availability` — the weekly pattern, the monthly
//! maximum, unavailable spans and declared conflicts of interest, through the API's services.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entity::volunteer;
use maud::{Markup, html};
use serde::Deserialize;

use super::availability::{self, Availability, UnavailabilityInput};
use crate::auth::RequireUser;
use crate::db::begin_write;
use crate::domain::time::london_display;
use crate::error::{AppError, AppResult};
use crate::establishments::week_form::WeekForm;
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary, field_errors, textarea};
use crate::web::flash::{self, FlashKind};
use crate::web::identity::AuthUser;
use crate::web::layout::{PageContext, csrf_field, page};

/// Whose availability: one's own, or (coordinators) a volunteer's by id.
#[derive(Clone, Copy)]
enum Whose {
    Mine,
    Volunteer(i64),
}

impl Whose {
    fn base(self) -> String {
        match self {
            Whose::Mine => "/me/availability".into(),
            Whose::Volunteer(id) => format!("/volunteers/{id}/availability"),
        }
    }
}

/// The record `viewer` manages here and its name; a volunteer finds only their own.
async fn record(state: &AppState, viewer: &AuthUser, whose: Whose) -> AppResult<(volunteer::Model, String)> {
    let id = match whose {
        Whose::Mine => crate::volunteers::service::for_user(&state.db, viewer.id).await?.ok_or(AppError::NotFound)?.id,
        Whose::Volunteer(id) => id,
    };
    let (record, account) =
        crate::volunteers::service::record_visible(&state.db, viewer, id).await?.ok_or(AppError::NotFound)?;
    Ok((record, account.name))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConflictForm {
    pub reference: String,
    pub note: String,
}

#[derive(Default)]
struct Forms {
    week: Option<WeekForm>,
    max: Option<String>,
    week_errors: FieldErrors,
    unavailable: UnavailabilityInput,
    unavailable_errors: FieldErrors,
    conflict: ConflictForm,
    conflict_errors: FieldErrors,
}

async fn availability_page(
    state: &AppState,
    ctx: &PageContext,
    viewer: &AuthUser,
    whose: Whose,
    forms: &Forms,
) -> AppResult<Markup> {
    let (record, name) = record(state, viewer, whose).await?;
    let stored = availability::get(&state.db, &record).await?;
    let week = forms.week.clone().unwrap_or_else(|| WeekForm::from_specs(&stored.windows));
    let max = forms.max.clone().unwrap_or_else(|| stored.max_conferences_per_month.to_string());
    let spans = availability::unavailable(&state.db, &record).await?;
    let conflicts = availability::conflicts(&state.db, &record).await?;
    let base = whose.base();
    let title = match whose {
        Whose::Mine => "Your availability".to_owned(),
        Whose::Volunteer(_) => format!("Availability: {name}"),
    };
    Ok(page(
        ctx,
        &title,
        html! {
            @if let Whose::Volunteer(id) = whose { p { a href={ "/volunteers/" (id) } { (name) } } }
            h1 { (title) }
            h2 id="weekly" { "Weekly pattern" }
            p { "Conferences are only offered inside these windows." }
            (error_summary(&forms.week_errors))
            form method="post" action=(base) novalidate {
                (csrf_field(ctx))
                (week.render("When you can facilitate", &forms.week_errors))
                (Input { kind: "number", value: &max, required: true, hint: Some("From 0 to 31."), ..Input::new("max_conferences_per_month", "Most conferences in a month") }.render(&forms.week_errors))
                button type="submit" { "Save availability" }
            }
            h2 id="unavailable" { "Unavailable" }
            @if spans.is_empty() { p { "No unavailable dates." } } @else {
                ul class="ruled-out" { @for s in &spans {
                    li class="removable" {
                        span { (london_display(s.from)) " to " (london_display(s.to)) @if !s.reason.is_empty() { " — " (s.reason) } }
                        form method="post" action={ (base) "/unavailable/" (s.id) "/remove" } {
                            (csrf_field(ctx))
                            button type="submit" class="secondary" aria-label={ "Remove unavailable " (london_display(s.from)) " to " (london_display(s.to)) } { "Remove" }
                        }
                    }
                } }
            }
            (error_summary(&forms.unavailable_errors))
            form method="post" action={ (base) "/unavailable" } novalidate {
                (csrf_field(ctx))
                (Input { kind: "datetime-local", value: &forms.unavailable.from, required: true, hint: Some("UK time."), ..Input::new("from", "From") }.render(&forms.unavailable_errors))
                (Input { kind: "datetime-local", value: &forms.unavailable.to, required: true, hint: Some("UK time; not included."), ..Input::new("to", "Until") }.render(&forms.unavailable_errors))
                (Input { value: &forms.unavailable.reason, ..Input::new("reason", "Reason (optional)") }.render(&forms.unavailable_errors))
                button type="submit" class="secondary" { "Add unavailable dates" }
            }
            h2 id="conflicts" { "Conflicts of interest" }
            p { "If you know someone in a case, declare it: you will never be matched to that case." }
            @if conflicts.is_empty() { p { "None declared." } } @else {
                ul { @for (reference, note) in &conflicts { li { (reference) @if !note.is_empty() { " — " (note) } } } }
            }
            (error_summary(&forms.conflict_errors))
            form method="post" action={ (base) "/conflicts" } novalidate {
                (csrf_field(ctx))
                (Input { value: &forms.conflict.reference, required: true, hint: Some("For example RJ-2027-0042."), ..Input::new("reference", "Case reference") }.render(&forms.conflict_errors))
                (textarea("note", "Why (seen by coordinators only)", &forms.conflict.note, &forms.conflict_errors))
                button type="submit" class="secondary" { "Declare conflict of interest" }
            }
        },
    ))
}

async fn show(state: AppState, viewer: AuthUser, ctx: PageContext, whose: Whose) -> AppResult<Markup> {
    availability_page(&state, &ctx, &viewer, whose, &Forms::default()).await
}

async fn save(
    state: AppState,
    viewer: AuthUser,
    ctx: PageContext,
    whose: Whose,
    form: HashMap<String, String>,
) -> AppResult<Response> {
    let (record, _) = record(&state, &viewer, whose).await?;
    let week = WeekForm::from_form(&form);
    let max_raw = form.get("max_conferences_per_month").cloned().unwrap_or_default();
    let (windows, fields, mut errors) = week.specs();
    let max = max_raw.trim().parse::<i32>().ok().filter(|m| (0..=31).contains(m));
    if max.is_none() {
        errors.insert("max_conferences_per_month".into(), "Give a number from 0 to 31.".into());
    }
    if let (Some(max), true) = (max, errors.is_empty()) {
        let txn = begin_write(&state.db).await?;
        let input = Availability { windows, max_conferences_per_month: max };
        match availability::set(&txn, &record, &input).await {
            Ok(_) => {
                txn.commit().await?;
                return Ok(flash::redirect(&whose.base(), FlashKind::Success, "Availability saved."));
            }
            Err(error) => errors = WeekForm::place_errors(&fields, field_errors(error)?),
        }
    }
    let forms = Forms { week: Some(week), max: Some(max_raw), week_errors: errors, ..Default::default() };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, availability_page(&state, &ctx, &viewer, whose, &forms).await?)
        .into_response())
}

async fn add_unavailable(
    state: AppState,
    viewer: AuthUser,
    ctx: PageContext,
    whose: Whose,
    input: UnavailabilityInput,
) -> AppResult<Response> {
    let (record, _) = record(&state, &viewer, whose).await?;
    match availability::add_unavailable(&state.db, &record, &input).await {
        Ok(_) => Ok(flash::redirect(&whose.base(), FlashKind::Success, "Unavailable dates added.")),
        Err(error) => {
            let forms = Forms { unavailable: input, unavailable_errors: field_errors(error)?, ..Default::default() };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, availability_page(&state, &ctx, &viewer, whose, &forms).await?)
                .into_response())
        }
    }
}

async fn remove_unavailable(state: AppState, viewer: AuthUser, whose: Whose, span_id: i64) -> AppResult<Response> {
    let (record, _) = record(&state, &viewer, whose).await?;
    availability::remove_unavailable(&state.db, &record, span_id).await?;
    Ok(flash::redirect(&whose.base(), FlashKind::Success, "Unavailable dates removed."))
}

pub async fn my_remove_unavailable(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    Path(span_id): Path<i64>,
) -> AppResult<Response> {
    remove_unavailable(state, viewer, Whose::Mine, span_id).await
}

pub async fn volunteer_remove_unavailable(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    Path((id, span_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    remove_unavailable(state, viewer, Whose::Volunteer(id), span_id).await
}

async fn declare(
    state: AppState,
    viewer: AuthUser,
    ctx: PageContext,
    whose: Whose,
    input: ConflictForm,
) -> AppResult<Response> {
    let (record, _) = record(&state, &viewer, whose).await?;
    match availability::declare_conflict_by_reference(&state.db, &record, &input.reference, &input.note).await {
        Ok(()) => Ok(flash::redirect(&whose.base(), FlashKind::Success, "Conflict of interest declared.")),
        Err(error) => {
            let forms = Forms { conflict: input, conflict_errors: field_errors(error)?, ..Default::default() };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, availability_page(&state, &ctx, &viewer, whose, &forms).await?)
                .into_response())
        }
    }
}

pub async fn my_page(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    ctx: PageContext,
) -> AppResult<Markup> {
    show(state, viewer, ctx, Whose::Mine).await
}

pub async fn my_save(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    ctx: PageContext,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    save(state, viewer, ctx, Whose::Mine, form).await
}

pub async fn my_unavailable(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    ctx: PageContext,
    Form(input): Form<UnavailabilityInput>,
) -> AppResult<Response> {
    add_unavailable(state, viewer, ctx, Whose::Mine, input).await
}

pub async fn my_conflict(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    ctx: PageContext,
    Form(input): Form<ConflictForm>,
) -> AppResult<Response> {
    declare(state, viewer, ctx, Whose::Mine, input).await
}

pub async fn volunteer_page(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    show(state, viewer, ctx, Whose::Volunteer(id)).await
}

pub async fn volunteer_save(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    save(state, viewer, ctx, Whose::Volunteer(id), form).await
}

pub async fn volunteer_unavailable(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<UnavailabilityInput>,
) -> AppResult<Response> {
    add_unavailable(state, viewer, ctx, Whose::Volunteer(id), input).await
}

pub async fn volunteer_conflict(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<ConflictForm>,
) -> AppResult<Response> {
    declare(state, viewer, ctx, Whose::Volunteer(id), input).await
}
