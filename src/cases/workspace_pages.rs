//! The facilitators' workspace in pages: the structured assessment form on the case page, a
//! party's page (contact details and weekly availability), and the coordinator's allocation
//! page (ranked pairs, who is ruled out and why). Coordinators and the case's allocated pair
//! work here; anyone else gets the not-found page.

use entity::Code;
use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::service::{self, Answer, AssessmentInput, PartyPatch};
use crate::auth::RequireUser;
use crate::domain::time::{long_date, short_date};
use crate::error::{AppError, AppResult};
use crate::establishments::week_form::WeekForm;
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary, field_errors, renamed, select, textarea};
use crate::web::flash::{self, FlashKind};
use crate::web::identity::{AuthUser, ClientIp};
use crate::web::layout::{PageContext, csrf_field, page};

fn answer_text(answer: Option<&Answer>) -> &str {
    match answer {
        Some(Answer::Bool(true)) => "yes",
        Some(Answer::Bool(false)) => "no",
        Some(Answer::Text(t)) => t.as_str(),
        None => "",
    }
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not asked",
    }
}

/// The assessments recorded on a case and the form for the next one.
pub fn assessments_section(
    ctx: &PageContext,
    id: i64,
    assessments: &[entity::assessment::Model],
    form: &AssessmentInput,
    errors: &FieldErrors,
) -> Markup {
    let kinds = [("risk", "Risk"), ("appropriateness", "Appropriateness")];
    let outcomes = [("suitable", "Suitable"), ("not_suitable", "Not suitable"), ("review_needed", "Review needed")];
    let levels = [("low", "Low"), ("medium", "Medium"), ("high", "High")];
    let answers = [("yes", "Yes"), ("no", "No")];
    // The case page's contact form has its own kind and notes: these are named apart.
    let errors = &renamed(errors, &[("kind", "assessment_kind"), ("notes", "assessment_notes")]);
    html! {
        h2 id="assessments" { "Assessments" }
        @if assessments.is_empty() { p { "No assessment recorded yet." } } @else {
            @for a in assessments {
                section class="card" aria-label={ (a.kind.code()) " assessment " (short_date(a.assessed_on)) } {
                    h3 { (if a.kind == entity::assessment::AssessmentKind::Risk { "Risk" } else { "Appropriateness" }) " assessment, " (short_date(a.assessed_on)) }
                    p { "Outcome: " strong { (a.outcome.code().replace('_', " ")) }
                        @if let Some(due) = a.review_on { " — review by " (long_date(due)) } }
                    dl {
                        @if let Some(r) = a.risk_to_harmed { dt { "Risk to the harmed person" } dd { (r.code()) } }
                        @if let Some(r) = a.risk_to_harmer { dt { "Risk to the harmer" } dd { (r.code()) } }
                        @if let Some(r) = a.risk_to_facilitators { dt { "Risk to facilitators" } dd { (r.code()) } }
                        @if let Some(s) = &a.safeguarding { dt { "Safeguarding" } dd { (s) } }
                        @if a.accepts_responsibility.is_some() {
                            dt { "Harmer accepts responsibility" } dd { (yes_no(a.accepts_responsibility)) }
                            dt { "Harmed person: capacity, voluntary" } dd { (yes_no(a.harmed_capacity)) ", " (yes_no(a.harmed_voluntary)) }
                            dt { "Harmer: capacity, voluntary" } dd { (yes_no(a.harmer_capacity)) ", " (yes_no(a.harmer_voluntary)) }
                        }
                    }
                    @if !a.notes.is_empty() { p { (a.notes) } }
                }
            }
        }
        details class="disclosure" id="record-assessment" open[!errors.is_empty()] {
            summary { "Record an assessment" }
            p class="hint" { "Fill in the risk questions for a risk assessment, the appropriateness questions for an appropriateness assessment." }
            (error_summary(errors))
            form method="post" action={ "/cases/" (id) "/assessments" } novalidate {
                (csrf_field(ctx))
                (select("assessment_kind", "Assessment", &kinds, &form.kind, errors))
                fieldset {
                    legend { "Risk" }
                    (select("risk_to_harmed", "Risk to the harmed person", &levels, &form.risk_to_harmed, errors))
                    (select("risk_to_harmer", "Risk to the harmer", &levels, &form.risk_to_harmer, errors))
                    (select("risk_to_facilitators", "Risk to the facilitators", &levels, &form.risk_to_facilitators, errors))
                    (textarea("safeguarding", "Safeguarding concerns and what is done about them", &form.safeguarding, errors))
                }
                fieldset {
                    legend { "Appropriateness" }
                    (select("accepts_responsibility", "Does the harmer accept responsibility?", &answers, answer_text(form.accepts_responsibility.as_ref()), errors))
                    (select("harmed_capacity", "Does the harmed person have capacity to take part?", &answers, answer_text(form.harmed_capacity.as_ref()), errors))
                    (select("harmed_voluntary", "Is the harmed person taking part voluntarily?", &answers, answer_text(form.harmed_voluntary.as_ref()), errors))
                    (select("harmer_capacity", "Does the harmer have capacity to take part?", &answers, answer_text(form.harmer_capacity.as_ref()), errors))
                    (select("harmer_voluntary", "Is the harmer taking part voluntarily?", &answers, answer_text(form.harmer_voluntary.as_ref()), errors))
                }
                (select("outcome", "Outcome", &outcomes, &form.outcome, errors))
                (Input { kind: "date", value: &form.review_on, hint: Some("Needed with “review needed”."), ..Input::new("review_on", "Review by") }.render(errors))
                (Input { kind: "date", value: &form.assessed_on, hint: Some("Leave blank for today."), ..Input::new("assessed_on", "Assessed on") }.render(errors))
                (textarea("assessment_notes", "Assessment notes", &form.notes, errors))
                button type="submit" class="secondary" { "Record assessment" }
            }
        }
    }
}

// ---- a party's page ------------------------------------------------------------------

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct DetailsForm {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

#[derive(Default)]
struct PartyForms {
    details: Option<DetailsForm>,
    details_errors: FieldErrors,
    week: Option<WeekForm>,
    week_errors: FieldErrors,
}

/// The party of case `id`, if `viewer` may work the case; the read of the case is audited.
async fn party_of(
    state: &AppState,
    viewer: &AuthUser,
    ip: &ClientIp,
    id: i64,
    party_id: i64,
) -> AppResult<(entity::case::Model, entity::party::Model)> {
    let found = service::read(&state.db, viewer, id, ip.0.as_deref()).await?;
    let party = service::party(&state.db, party_id).await?.filter(|p| p.case_id == id).ok_or(AppError::NotFound)?;
    Ok((found, party))
}

async fn party_page(
    state: &AppState,
    ctx: &PageContext,
    viewer: &AuthUser,
    ip: &ClientIp,
    id: i64,
    party_id: i64,
    forms: &PartyForms,
) -> AppResult<Markup> {
    let (found, party) = party_of(state, viewer, ip, id, party_id).await?;
    let stored = service::party_availability(&state.db, party_id).await?;
    let week = forms.week.clone().unwrap_or_else(|| WeekForm::from_specs(&stored));
    let details = forms.details.clone().unwrap_or_else(|| DetailsForm {
        name: party.name.clone(),
        email: party.email.clone().unwrap_or_default(),
        phone: party.phone.clone().unwrap_or_default(),
        address: party.address.clone().unwrap_or_default(),
    });
    let base = format!("/cases/{id}/parties/{party_id}");
    let title = format!("{} ({}) — {}", party.name, party.role.code(), found.reference);
    Ok(page(
        ctx,
        &title,
        html! {
            p { a href={ "/cases/" (id) } { "Case " (found.reference) } }
            h1 { (party.name) " " span class="tag" { (party.role.code()) } }
            p { "Consent: " strong { (party.consent.code()) } }
            h2 id="details" { "Contact details" }
            (error_summary(&forms.details_errors))
            form method="post" action={ (base) "/details" } novalidate {
                (csrf_field(ctx))
                (Input { value: &details.name, required: true, autocomplete: Some("off"), ..Input::new("name", "Name") }.render(&forms.details_errors))
                (Input { kind: "email", value: &details.email, autocomplete: Some("off"), ..Input::new("email", "Email (optional)") }.render(&forms.details_errors))
                (Input { kind: "tel", value: &details.phone, autocomplete: Some("off"), ..Input::new("phone", "Phone (optional)") }.render(&forms.details_errors))
                (textarea("address", "Address (optional)", &details.address, &forms.details_errors))
                button type="submit" class="secondary" { "Save details" }
            }
            h2 id="availability" { "When they can attend" }
            p { "Conferences are booked only inside these windows. Leave every day empty if any time the establishment allows suits them." }
            (error_summary(&forms.week_errors))
            form method="post" action={ (base) "/availability" } novalidate {
                (csrf_field(ctx))
                (week.render("Weekly availability (UK time)", &forms.week_errors))
                button type="submit" { "Save availability" }
            }
        },
    ))
}

pub async fn show_party(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path((id, party_id)): Path<(i64, i64)>,
) -> AppResult<Markup> {
    party_page(&state, &ctx, &viewer, &ip, id, party_id, &PartyForms::default()).await
}

pub async fn save_details(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path((id, party_id)): Path<(i64, i64)>,
    Form(form): Form<DetailsForm>,
) -> AppResult<Response> {
    party_of(&state, &viewer, &ip, id, party_id).await?;
    let patch = PartyPatch {
        name: Some(form.name.clone()),
        email: Some(form.email.clone()),
        phone: Some(form.phone.clone()),
        address: Some(form.address.clone()),
    };
    match service::update_party(&state.db, &viewer, party_id, &patch).await {
        Ok(_) => Ok(flash::redirect(&format!("/cases/{id}/parties/{party_id}"), FlashKind::Success, "Details saved.")),
        Err(error) => {
            let forms = PartyForms { details: Some(form), details_errors: field_errors(error)?, ..Default::default() };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, party_page(&state, &ctx, &viewer, &ip, id, party_id, &forms).await?)
                .into_response())
        }
    }
}

pub async fn save_availability(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path((id, party_id)): Path<(i64, i64)>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    party_of(&state, &viewer, &ip, id, party_id).await?;
    let week = WeekForm::from_form(&form);
    let (windows, fields, mut errors) = week.specs();
    if errors.is_empty() {
        match service::set_party_availability(&state.db, &viewer, party_id, &windows).await {
            Ok(_) => {
                return Ok(flash::redirect(
                    &format!("/cases/{id}/parties/{party_id}"),
                    FlashKind::Success,
                    "Availability saved.",
                ));
            }
            Err(error) => errors = WeekForm::place_errors(&fields, field_errors(error)?),
        }
    }
    let forms = PartyForms { week: Some(week), week_errors: errors, ..Default::default() };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, party_page(&state, &ctx, &viewer, &ip, id, party_id, &forms).await?)
        .into_response())
}

// ---- allocation ----------------------------------------------------------------------

/// Pairs offered on the allocation page.
const PAIRS: usize = 12;

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct PairForm {
    pub lead_id: Option<i64>,
    pub co_facilitator_id: Option<i64>,
}

async fn allocation_page(
    state: &AppState,
    ctx: &PageContext,
    viewer: &AuthUser,
    ip: &ClientIp,
    id: i64,
    problem: Option<String>,
) -> AppResult<Markup> {
    if !viewer.role.is_coordinator() {
        return Err(AppError::NotFound);
    }
    let found = service::read(&state.db, viewer, id, ip.0.as_deref()).await?;
    let list = super::allocation::candidates(&state.db, id, PAIRS).await?;
    let current = super::allocation::pair(&state.db, id).await?;
    let title = format!("Allocate facilitators — {}", found.reference);
    Ok(page(
        ctx,
        &title,
        html! {
            p { a href={ "/cases/" (id) } { "Case " (found.reference) } }
            h1 { "Allocate facilitators" }
            @if let Some(problem) = &problem {
                div class="error-summary" role="alert" tabindex="-1" { h2 { "That could not be done" } p { (problem) } }
            }
            p { "Best first: available in the case's window, cleared for the establishment through " (long_date(found.deadline)) ", fewest open cases, and co-facilitators who need conferences towards lead." }
            @if list.candidates.is_empty() { p { "No pair can take this case now; see who is ruled out below." } } @else {
                ol class="pairs" {
                    @for c in &list.candidates {
                        li class="card" {
                            h2 { (c.lead.name) " (lead) and " (c.co_facilitator.name) }
                            p {
                                "Open cases now: " (c.open_cases[0]) " and " (c.open_cases[1]) ". First possible slot: " (super::candidate_pages::wall_clock(&c.first_slot)) ". Score " (c.score.total)
                                @if c.score.development > 0 { " (includes a co-facilitator working towards lead)" }
                                "."
                            }
                            @if current == Some([c.lead.volunteer_id, c.co_facilitator.volunteer_id]) { p { strong { "Allocated now." } } } @else {
                                form method="post" action={ "/cases/" (id) "/facilitators" } {
                                    (csrf_field(ctx))
                                    input type="hidden" name="lead_id" value=(c.lead.volunteer_id);
                                    input type="hidden" name="co_facilitator_id" value=(c.co_facilitator.volunteer_id);
                                    button type="submit" class="secondary" aria-label={ "Allocate this pair: " (c.lead.name) " and " (c.co_facilitator.name) } { "Allocate this pair" }
                                }
                            }
                        }
                    }
                }
            }
            h2 id="ruled-out" { "Ruled out" }
            @if list.ruled_out.is_empty() { p { "Nobody." } } @else {
                ul { @for r in &list.ruled_out { li { strong { (r.name) } ": " (r.reason) } } }
            }
        },
    ))
}

pub async fn show_allocation(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    allocation_page(&state, &ctx, &viewer, &ip, id, None).await
}

pub async fn allocate(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(form): Form<PairForm>,
) -> AppResult<Response> {
    if !viewer.role.is_coordinator() {
        return Err(AppError::NotFound);
    }
    let input = super::allocation::AllocationInput { lead_id: form.lead_id, co_facilitator_id: form.co_facilitator_id };
    match super::allocation::allocate(&state.db, &state.settings.base_url, &viewer, id, &input).await {
        Ok(_) => Ok(flash::redirect(
            &format!("/cases/{id}"),
            FlashKind::Success,
            "Facilitators allocated; both have been emailed.",
        )),
        Err(AppError::NotFound) => Err(AppError::NotFound),
        Err(AppError::Conflict(why)) => {
            Ok((StatusCode::CONFLICT, allocation_page(&state, &ctx, &viewer, &ip, id, Some(why)).await?)
                .into_response())
        }
        Err(AppError::Validation { message, fields }) => {
            let why = fields.into_values().next().unwrap_or(message);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, allocation_page(&state, &ctx, &viewer, &ip, id, Some(why)).await?)
                .into_response())
        }
        Err(other) => Err(other),
    }
}
