//! Case pages: the list (coordinators all, a facilitator their own), one case in full for
//! coordinators and in what a facilitator needs to prepare, the referral form, and the
//! coordinator's forms on a case (party, assessment, consent withdrawn, status). Every view
//! goes through the service's audited read; anyone not allowed gets the not-found page.

use entity::Code;
use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Duration;
use entity::appointment;
use entity::case::{self, CaseStatus, ReferralSource};
use entity::conference::ConferenceStatus;
use entity::party::{self, Consent, PartyRole};
use maud::{Markup, html};
use serde::Deserialize;

use super::service::{self, AssessmentInput, CaseInput, CaseOrder, CasePatch, PartyInput};
use crate::auth::RequireUser;
use crate::domain::time::{days_left, london_display, long_date, short_date};
use crate::error::{AppError, AppResult};
use crate::settings::service::{CASE_TIMEFRAME_DAYS, number};
use crate::state::AppState;
use crate::web::components::{
    FieldErrors, Input, error_summary, field_errors, page_number, pager, renamed, search_field, select, textarea,
};
use crate::web::flash::{self, FlashKind};
use crate::web::identity::{AuthUser, ClientIp};
use crate::web::layout::{PageContext, csrf_field, page};

/// Cases a list page shows at once.
const PAGE_ROWS: u64 = 50;

fn words(text: &str) -> String {
    text.replace('_', " ")
}

fn source_label(source: ReferralSource) -> &'static str {
    match source {
        ReferralSource::Police => "Police",
        ReferralSource::Probation => "Probation",
        ReferralSource::Prison => "Prison",
        ReferralSource::YouthOffending => "Youth offending team",
        ReferralSource::Community => "Community",
        ReferralSource::SelfReferral => "Self-referral",
    }
}

/// Only coordinators change a case; anyone else finds nothing, as for a case they may not see.
fn coordinator(user: &AuthUser) -> AppResult<()> {
    if user.role.is_coordinator() { Ok(()) } else { Err(AppError::NotFound) }
}

// ---- the list ------------------------------------------------------------------------

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    pub status: String,
    /// Part of a case reference.
    pub q: String,
    #[serde(deserialize_with = "crate::domain::lenient_string")]
    pub page: String,
    /// `deadline`: nearest deadline first; otherwise newest first.
    pub sort: String,
}

pub async fn list(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Query(query): Query<ListQuery>,
) -> AppResult<Markup> {
    let status = CaseStatus::from_code(query.status.trim());
    let order = if query.sort == "deadline" { CaseOrder::Deadline } else { CaseOrder::Newest };
    let paging = crate::db::Paging { page: page_number(&query.page), per_page: PAGE_ROWS };
    let listed =
        service::list_with_status(&state.db, &viewer, status, &query.q, order, paging, ip.0.as_deref()).await?;
    let cases = &listed.items;
    let kept = serde_urlencoded::to_string([
        ("status", query.status.trim()),
        ("q", query.q.trim()),
        ("sort", query.sort.trim()),
    ])
    .unwrap_or_default();
    let places: HashMap<i64, String> =
        crate::establishments::service::establishments(&state.db).await?.into_iter().map(|e| (e.id, e.name)).collect();
    let coordinating = viewer.role.is_coordinator();
    let title = if coordinating { "Cases" } else { "My cases" };
    Ok(page(
        &ctx,
        title,
        html! {
            h1 { (title) }
            @if coordinating {
                p { a class="button" href="/cases/new" { "Take a referral" } " " a href="/plan" { "Plan the ready cases" } }
                form method="get" action="/cases" class="inline-form" {
                    (search_field("q", "Reference", &query.q))
                    div class="field" {
                        label for="status" { "Status" }
                        select id="status" name="status" {
                            option value="" { "All" }
                            @for s in CaseStatus::ALL { option value=(s.code()) selected[status == Some(s)] { (words(&s.code())) } }
                        }
                    }
                    div class="field" {
                        label for="sort" { "Order" }
                        select id="sort" name="sort" {
                            option value="" { "Newest first" }
                            option value="deadline" selected[order == CaseOrder::Deadline] { "Nearest deadline first" }
                        }
                    }
                    button type="submit" class="secondary" { "Filter" }
                }
            }
            @if cases.is_empty() {
                p { @if coordinating { "No cases here." } @else { "You are not facilitating any case at the moment." } }
            } @else {
                div class="table-wrap" role="region" aria-label="Cases" tabindex="0" { table {
                    thead { tr { th scope="col" { "Reference" } th scope="col" { "Status" } th scope="col" { "Establishment" } th scope="col" { "Deadline" } } }
                    tbody {
                        @for c in cases {
                            tr {
                                td { a href={ "/cases/" (c.id) } { (c.reference) } }
                                td { (words(&c.status.code())) }
                                td { (places.get(&c.establishment_id).cloned().unwrap_or_default()) }
                                td { (short_date(c.deadline)) }
                            }
                        }
                    }
                } }
                (pager("/cases", &kept, &listed.info))
            }
        },
    ))
}

// ---- the referral form ---------------------------------------------------------------

async fn referral_page(
    state: &AppState,
    ctx: &PageContext,
    input: &CaseInput,
    errors: &FieldErrors,
) -> AppResult<Markup> {
    let places = crate::establishments::service::establishments(&state.db).await?;
    let place_options: Vec<(String, &str)> = places.iter().map(|p| (p.id.to_string(), p.name.as_str())).collect();
    let place_options: Vec<(&str, &str)> = place_options.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    let sources: Vec<(&str, &str)> = ReferralSource::ALL.iter().map(|s| (s.as_str(), source_label(*s))).collect();
    let timeframe = number(&state.db, &CASE_TIMEFRAME_DAYS).await?;
    let default_deadline = crate::clock::today() + Duration::days(timeframe);
    let deadline_hint = format!(
        "Leave blank for the referral date plus the agreed timeframe of {timeframe} days ({} for a referral today).",
        default_deadline
    );
    Ok(page(
        ctx,
        "Take a referral",
        html! {
            p { a href="/cases" { "All cases" } }
            h1 { "Take a referral" }
            (error_summary(errors))
            @if places.is_empty() { p { "First " a href="/establishments" { "add the establishment" } " where the harmer is." } }
            form method="post" action="/cases/new" novalidate {
                (csrf_field(ctx))
                (select("source", "Referred by", &sources, &input.source, errors))
                (Input { kind: "date", value: &input.referred_on, hint: Some("Leave blank for today."), ..Input::new("referred_on", "Referral date") }.render(errors))
                (Input { value: &input.offence_category, required: true, hint: Some("For example “burglary” or “assault”."), ..Input::new("offence_category", "Offence category") }.render(errors))
                (select("establishment_id", "Establishment (where the harmer is)", &place_options, &input.establishment_id, errors))
                (Input { kind: "date", value: &input.deadline, hint: Some(&deadline_hint), ..Input::new("deadline", "Deadline") }.render(errors))
                (Input { kind: "number", value: &input.duration_minutes, hint: Some("Leave blank for 120."), ..Input::new("duration_minutes", "Conference length in minutes") }.render(errors))
                (textarea("notes", "Notes (coordinators and the case's facilitators)", &input.notes, errors))
                button type="submit" { "Create case" }
            }
        },
    ))
}

pub async fn new_form(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
) -> AppResult<Markup> {
    coordinator(&user)?;
    referral_page(&state, &ctx, &CaseInput::default(), &FieldErrors::new()).await
}

pub async fn create(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    ctx: PageContext,
    Form(input): Form<CaseInput>,
) -> AppResult<Response> {
    coordinator(&user)?;
    match service::create(&state.db, &user, &input).await {
        Ok(created) => Ok(flash::redirect(
            &format!("/cases/{}", created.id),
            FlashKind::Success,
            format!("Case {} created.", created.reference),
        )),
        Err(error) => {
            let errors = field_errors(error)?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, referral_page(&state, &ctx, &input, &errors).await?).into_response())
        }
    }
}

// ---- one case ------------------------------------------------------------------------

/// The appointment form's fields, named apart from the assessment form's on the same page.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AppointmentForm {
    pub appointment_party: String,
    pub appointment_kind: String,
    pub appointment_starts_at: String,
    pub appointment_ends_at: String,
    pub appointment_note: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusForm {
    pub status: String,
    pub not_proceeding_code: String,
    pub not_proceeding_reason: String,
}

/// What the case page shows in its forms: the values sent back and their messages.
#[derive(Default)]
pub struct Forms {
    pub party: PartyInput,
    pub party_errors: FieldErrors,
    pub assessment: AssessmentInput,
    pub assessment_errors: FieldErrors,
    pub status: StatusForm,
    pub status_errors: FieldErrors,
    /// A refused change (a stale or invalid transition, a consent already withdrawn).
    pub problem: Option<String>,
    pub appointment: AppointmentForm,
    pub appointment_errors: FieldErrors,
    pub contact: super::contacts::ContactInput,
    pub contact_errors: FieldErrors,
    /// The agreed action being settled, with what was sent.
    pub action: Option<(i64, ActionForm)>,
    pub action_errors: FieldErrors,
}

/// Settling an agreed action from the case page: the button pressed says completed or not.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    /// "completed" or "not_completed"
    pub settle: String,
    pub on: String,
    pub note: String,
}

/// The statuses a coordinator can move a case to by hand (booking, holding and follow-up of a
/// conference move it on their own, or from held to follow-up here).
const MOVABLE: [CaseStatus; 5] =
    [CaseStatus::Assessing, CaseStatus::Ready, CaseStatus::FollowUp, CaseStatus::Closed, CaseStatus::NotProceeding];

/// A case's conferences, with a form to settle each open agreed action (`forms`: what an
/// action form sent).
fn conferences_section(
    ctx: &PageContext,
    id: i64,
    records: &[service::ConferenceRecord],
    names: &HashMap<i64, String>,
    forms: &Forms,
) -> Markup {
    html! {
        h2 id="conferences" { "Conferences" }
        @if records.is_empty() { p { "No conference booked yet." } }
        @for r in records {
            @let c = &r.conference;
            section class="card" aria-label={ "Conference " (london_display(c.starts_at)) } {
                h3 { (london_display(c.starts_at)) " to " (c.ends_at.with_timezone(&chrono_tz::Europe::London).format("%H:%M")) " (UK time)" }
                p { "Status: " strong { (words(&c.status.code())) } " · " a href={ "/conferences/" (c.id) } { "Conference page" } }
                @if let Some(why) = c.cancel_reason.as_deref().and_then(super::guards::StopReason::parse) {
                    p class="stopped" role="status" {
                        "Cancelled by the service"
                        @if let Some(at) = c.cancelled_at { " on " (london_display(at)) }
                        ": " (why.words()) ". Both facilitators were emailed."
                    }
                }
                ul {
                    @for f in &r.facilitators {
                        li {
                            (names.get(&f.volunteer_id).cloned().unwrap_or_default())
                            " — " @if f.role == entity::conference_facilitator::FacilitatorRole::Lead { "lead" } @else { "co-facilitator" }
                            ": " (f.response.code())
                        }
                    }
                }
                @if let Some(notes) = c.outcome_notes.as_deref().filter(|n| !n.is_empty()) { p { "Outcome: " (notes) } }
                @if !r.actions.is_empty() {
                    h4 { "Outcome agreement" }
                    ul {
                        @for a in &r.actions {
                            li {
                                (a.description) " — " (a.owner) ", due " (short_date(a.due_on))
                                @if let Some(done) = a.completed_on { " (done " (short_date(done)) ")" }
                                @else if let Some(not_done) = a.not_completed_on { " (not completed, " (short_date(not_done)) ")" }
                                @else { " (open)" }
                                @if let Some(note) = a.completion_note.as_deref() { " — " (note) }
                                @if let (None, None) = (a.completed_on, a.not_completed_on) {
                                    @let sent = forms.action.as_ref().filter(|(action, _)| *action == a.id).map(|(_, f)| f);
                                    @let on_name = format!("on-{}", a.id);
                                    @let note_name = format!("note-{}", a.id);
                                    @let errors = if sent.is_some() { renamed(&forms.action_errors, &[("on", &on_name), ("note", &note_name)]) } else { FieldErrors::new() };
                                    (error_summary(&errors))
                                    form method="post" action={ "/cases/" (id) "/actions/" (a.id) } class="inline-form settle" novalidate {
                                        (csrf_field(ctx))
                                        (Input { kind: "date", value: sent.map_or("", |f| f.on.as_str()), hint: Some("Leave blank for today."), ..Input::new(&on_name, "Settled on") }.render(&errors))
                                        (Input { value: sent.map_or("", |f| f.note.as_str()), ..Input::new(&note_name, "Note (optional)") }.render(&errors))
                                        button type="submit" name="settle" value="completed" class="secondary" aria-label={ "Completed: " (a.description) } { "Completed" }
                                        button type="submit" name="settle" value="not_completed" class="secondary" aria-label={ "Not completed: " (a.description) } { "Not completed" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the case needs next, in words, with where to do it when the viewer can.
fn next_step(
    found: &case::Model,
    ready: &Result<(), String>,
    allocated: bool,
    conferences: &[service::ConferenceRecord],
    full: bool,
) -> (String, Option<String>) {
    use entity::conference_facilitator::Response;
    let id = found.id;
    let here = |anchor: &str| Some(format!("#{anchor}"));
    let coordinating = |path: String| full.then_some(path);
    let live = conferences
        .iter()
        .filter(|r| matches!(r.conference.status, ConferenceStatus::Proposed | ConferenceStatus::Confirmed))
        .min_by_key(|r| r.conference.starts_at);
    let open_actions = conferences
        .iter()
        .flat_map(|r| &r.actions)
        .filter(|a| a.completed_on.is_none() && a.not_completed_on.is_none())
        .count();
    match found.status {
        CaseStatus::Referred if !allocated => {
            ("Allocate two facilitators".into(), coordinating(format!("/cases/{id}/allocate")))
        }
        CaseStatus::Referred => ("Assess the case: risk and appropriateness".into(), here("assessments")),
        CaseStatus::Assessing => match ready {
            Err(missing) => (format!("Before it can be booked: {missing}"), here("assessments")),
            Ok(()) => ("Mark the case ready to book".into(), coordinating("#case-status".into())),
        },
        CaseStatus::Ready => {
            ("Find conference candidates and book".into(), coordinating(format!("/cases/{id}/candidates")))
        }
        CaseStatus::Booked => match live {
            Some(r) if r.facilitators.iter().any(|f| f.response == Response::Asked) => (
                format!(
                    "Waiting for the facilitators to accept the conference on {}",
                    london_display(r.conference.starts_at)
                ),
                Some(format!("/conferences/{}", r.conference.id)),
            ),
            Some(r) => (
                format!("Hold the conference on {}", london_display(r.conference.starts_at)),
                Some(format!("/conferences/{}", r.conference.id)),
            ),
            None => ("Book a conference".into(), coordinating(format!("/cases/{id}/candidates"))),
        },
        CaseStatus::Held | CaseStatus::FollowUp if open_actions > 0 => {
            (format!("Follow up the agreement: {open_actions} open"), here("conferences"))
        }
        CaseStatus::Held | CaseStatus::FollowUp => ("Close the case".into(), coordinating("#case-status".into())),
        CaseStatus::Closed => ("None: the case is closed".into(), Some(format!("/cases/{id}/report"))),
        CaseStatus::NotProceeding => ("None: the case is not proceeding".into(), None),
    }
}

async fn case_page(
    state: &AppState,
    ctx: &PageContext,
    viewer: &AuthUser,
    ip: &ClientIp,
    id: i64,
    forms: &Forms,
) -> AppResult<Markup> {
    let found = service::read(&state.db, viewer, id, ip.0.as_deref()).await?;
    // Whoever may read the case works it (coordinators and the allocated pair); `full` adds
    // what only coordinators do: parties, appointments, allocation, status.
    let full = viewer.role.is_coordinator();
    let place = crate::establishments::service::find(&state.db, found.establishment_id).await?;
    let parties = service::parties(&state.db, id).await?;
    let assessments = service::assessments(&state.db, id).await?;
    let allocated = super::allocation::facilitators(&state.db, id).await?;
    let harmers: Vec<&party::Model> = parties.iter().filter(|p| full && p.role == PartyRole::Harmer).collect();
    let appointments: Vec<(String, appointment::Model)> = if harmers.is_empty() {
        Vec::new()
    } else {
        let ids: Vec<i64> = harmers.iter().map(|p| p.id).collect();
        let name = |id: i64| harmers.iter().find(|p| p.id == id).map(|p| p.name.clone()).unwrap_or_default();
        // Soonest first, from the query.
        service::appointments_of(&state.db, &ids).await?.into_iter().map(|a| (name(a.party_id), a)).collect()
    };
    let conferences = service::conferences(&state.db, id).await?;
    let volunteer_ids: Vec<i64> = conferences
        .iter()
        .flat_map(|r| r.facilitators.iter().map(|f| f.volunteer_id))
        .chain(allocated.iter().map(|a| a.volunteer_id))
        .collect();
    let contacts = super::contacts::for_case(&state.db, id).await?;
    // One read of every name the page shows: facilitators, the allocated pair, contacts.
    let volunteer_ids: Vec<i64> =
        volunteer_ids.into_iter().chain(contacts.iter().map(|c| c.contact.volunteer_id)).collect();
    let names = crate::volunteers::service::names(&state.db, &volunteer_ids).await?;
    let contact_names = &names;
    let own = match viewer.role {
        entity::user::Role::Volunteer => crate::volunteers::service::for_user(&state.db, viewer.id).await?,
        _ => None,
    };
    let ready = service::readiness(&assessments, &parties);
    let stop_codes =
        if full { super::reasons::offered(&state.db, super::reasons::Kind::NotProceeding).await? } else { Vec::new() };
    let stopped_because = match &found.not_proceeding_code {
        Some(code) => Some(super::reasons::label(&state.db, super::reasons::Kind::NotProceeding, code).await?),
        None => None,
    };
    let conference_ids: Vec<i64> = conferences.iter().map(|r| r.conference.id).collect();
    let history = super::timeline::for_case(&state.db, &found, &conference_ids).await?;
    let is_open = !matches!(found.status, CaseStatus::Closed | CaseStatus::NotProceeding);
    let next = next_step(&found, &ready, !allocated.is_empty(), &conferences, full);
    Ok(page(
        ctx,
        &format!("Case {}", found.reference),
        html! {
            p { a href="/cases" { @if full { "All cases" } @else { "My cases" } } }
            h1 { "Case " (found.reference) }
            @if let Some(problem) = &forms.problem {
                div class="error-summary" role="alert" tabindex="-1" { h2 { "That could not be done" } p { (problem) } }
            }
            dl class="summary" {
                div { dt { "Stage" } dd { span class="tag" { (words(&found.status.code())) } } }
                div { dt { "Deadline" } dd { (long_date(found.deadline)) @if is_open { " (" (days_left(found.deadline, crate::clock::today())) ")" } } }
                div { dt { "Facilitators" } dd {
                    @if allocated.is_empty() { "None allocated yet" }
                    @for (n, a) in allocated.iter().enumerate() {
                        @if n > 0 { ", " }
                        (names.get(&a.volunteer_id).cloned().unwrap_or_default())
                        @if a.role == entity::case_facilitator::FacilitatorRole::Lead { " (lead)" }
                    }
                } }
                div { dt { "Next step" } dd {
                    @match &next.1 { Some(href) => a href=(href) { (next.0) }, None => (next.0) }
                } }
            }
            nav class="contents" aria-label="On this page" {
                ul {
                    li { a href="#parties" { "Parties" } }
                    li { a href="#assessments" { "Assessments" } }
                    li { a href="#contacts" { "Preparation" } }
                    li { a href="#conferences" { "Conferences" } }
                    li { a href="#history" { "History" } }
                    @if full { li { a href="#case-status" { "Status" } } }
                }
            }
            h2 id="details" { "Details" }
            dl class="details" {
                dt { "Establishment" } dd { (place.map(|p| p.name).unwrap_or_default()) }
                dt { "Deadline" } dd { (long_date(found.deadline)) }
                dt { "Conference length" } dd { (found.duration_minutes) " minutes" }
                dt { "Offence category" } dd { (found.offence_category) }
                @if full {
                    dt { "Referred by" } dd { (source_label(found.source)) " on " (long_date(found.referred_on)) }
                    @if found.status == CaseStatus::NotProceeding {
                        dt { "Not proceeding because" }
                        dd { (stopped_because.clone().unwrap_or_default()) @if let Some(reason) = &found.not_proceeding_reason { ": " (reason) } }
                    }
                }
            }
            @if !found.notes.is_empty() { h2 { "Notes" } p { (found.notes) } }

            h2 id="facilitators" { "Facilitators" }
            @if allocated.is_empty() { p { "No facilitators allocated yet." } } @else {
                ul { @for a in &allocated {
                    li { (names.get(&a.volunteer_id).cloned().unwrap_or_default()) " — "
                        @if a.role == entity::case_facilitator::FacilitatorRole::Lead { "lead facilitator" } @else { "co-facilitator" }
                        ", since " (short_date(a.allocated_at.date_naive())) }
                } }
            }
            @if full && !matches!(found.status, CaseStatus::Closed | CaseStatus::NotProceeding) {
                p { a href={ "/cases/" (id) "/allocate" } { @if allocated.is_empty() { "Allocate facilitators" } @else { "Change the facilitators" } } }
            }
            @if full { p { a href={ "/cases/" (id) "/candidates" } { "Find conference candidates" } } }

            h2 id="parties" { "Parties" }
            @if parties.is_empty() { p { "No parties recorded yet." } } @else {
                div class="table-wrap" role="region" aria-label="Parties" tabindex="0" { table {
                    thead { tr {
                        th scope="col" { "Role" } th scope="col" { "Name and contact" } th scope="col" { "Consent" }
                    } }
                    tbody {
                        @for p in &parties {
                            tr {
                                td { (p.role.code()) }
                                td {
                                    (p.name)
                                    @for detail in [&p.email, &p.phone, &p.address].into_iter().flatten() { br; span class="hint" { (detail) } }
                                    br;
                                    a href={ "/cases/" (id) "/parties/" (p.id) } aria-label={ "Details and availability of " (p.name) } { "Details and availability" }
                                }
                                td {
                                    (p.consent.code())
                                    @if let (Consent::Given, Some(on)) = (p.consent, p.consent_given_on) { " on " (short_date(on)) }
                                    @if let (Consent::Withdrawn, Some(on)) = (p.consent, p.consent_withdrawn_on) { " on " (short_date(on)) }
                                    form method="post" action={ "/cases/" (id) "/parties/" (p.id) "/consent" } class="inline-form" {
                                        (csrf_field(ctx))
                                        @if p.consent != Consent::Given {
                                            button type="submit" name="consent" value="given" class="secondary" aria-label={ "Record consent given by " (p.name) } { "Consent given" }
                                        }
                                        @if p.consent != Consent::Withdrawn {
                                            button type="submit" name="consent" value="withdrawn" class="warning" aria-label={ "Record consent withdrawn by " (p.name) } { "Consent withdrawn" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                } }
            }
            @if full {
                details class="disclosure" id="add-party" open[!forms.party_errors.is_empty()] {
                    summary { "Add a party" }
                    (error_summary(&forms.party_errors))
                    @let roles: Vec<(String, String)> = PartyRole::ALL.iter().map(|r| (r.code(), r.code())).collect();
                    @let consents: Vec<(String, String)> = Consent::ALL.iter().map(|c| (c.code(), c.code())).collect();
                    form method="post" action={ "/cases/" (id) "/parties" } novalidate {
                        (csrf_field(ctx))
                        (select("role", "Role", &roles, &forms.party.role, &forms.party_errors))
                        (Input { value: &forms.party.name, required: true, ..Input::new("name", "Name") }.render(&forms.party_errors))
                        (Input { kind: "email", value: &forms.party.email, ..Input::new("email", "Email (optional)") }.render(&forms.party_errors))
                        (Input { kind: "tel", value: &forms.party.phone, ..Input::new("phone", "Phone (optional)") }.render(&forms.party_errors))
                        (textarea("address", "Address (optional)", &forms.party.address, &forms.party_errors))
                        (select("consent", "Consent", &consents, &forms.party.consent, &forms.party_errors))
                        button type="submit" class="secondary" { "Add party" }
                    }
                }

                h3 id="appointments" { "The harmer's appointments" }
                p class="hint" { "Probation and other appointments: conferences keep clear of them, with the travel buffer." }
                @if appointments.is_empty() { p { "None recorded." } } @else {
                    ul { @for (name, a) in &appointments {
                        li { (name) ": " (a.kind) ", " (london_display(a.starts_at)) " to " (london_display(a.ends_at)) @if !a.note.is_empty() { " — " (a.note) } }
                    } }
                }
                @let harmers: Vec<(String, &str)> = parties.iter().filter(|p| p.role == PartyRole::Harmer).map(|p| (p.id.to_string(), p.name.as_str())).collect();
                @if !harmers.is_empty() {
                    @let harmers: Vec<(&str, &str)> = harmers.iter().map(|(k, t)| (k.as_str(), *t)).collect();
                    @let a = &forms.appointment;
                    @let errors = &forms.appointment_errors;
                    details class="disclosure" id="add-appointment" open[!errors.is_empty()] {
                        summary { "Add an appointment" }
                        (error_summary(errors))
                        form method="post" action={ "/cases/" (id) "/appointments" } novalidate {
                            (csrf_field(ctx))
                            (select("appointment_party", "Harmer", &harmers, &a.appointment_party, errors))
                            (Input { value: &a.appointment_kind, hint: Some("For example “probation”."), ..Input::new("appointment_kind", "Appointment") }.render(errors))
                            (Input { kind: "datetime-local", value: &a.appointment_starts_at, hint: Some("UK time."), ..Input::new("appointment_starts_at", "Starts") }.render(errors))
                            (Input { kind: "datetime-local", value: &a.appointment_ends_at, hint: Some("UK time."), ..Input::new("appointment_ends_at", "Ends") }.render(errors))
                            (Input { value: &a.appointment_note, ..Input::new("appointment_note", "Note (optional)") }.render(errors))
                            button type="submit" class="secondary" { "Add appointment" }
                        }
                    }
                }

            }

            (super::workspace_pages::assessments_section(ctx, id, &assessments, &forms.assessment, &forms.assessment_errors))

            (conferences_section(ctx, id, &conferences, &names, forms))
            @if matches!(found.status, CaseStatus::Held | CaseStatus::FollowUp | CaseStatus::Closed | CaseStatus::NotProceeding) {
                p { a href={ "/cases/" (id) "/report" } { "Completion report for the referrer" } }
            }

            (super::contact_pages::section(ctx, id, &contacts, contact_names, own.as_ref(), &forms.contact, &forms.contact_errors))

            h2 id="history" { "History" }
            @if history.is_empty() { p { "Nothing recorded yet." } } @else {
                ol class="timeline" {
                    @for event in &history {
                        li { span class="when" { (london_display(event.at)) } " " span class="what" { (event.what) } " " span class="who" { "— " (event.who) } }
                    }
                }
            }

            @if full {
                h2 id="case-status" { "Status" }
                @if let Err(missing) = &ready { @if found.status == CaseStatus::Assessing { p class="hint" { "Not ready to book yet: " (missing) } } }
                details class="disclosure" id="move-case" open[!forms.status_errors.is_empty()] {
                    summary { "Move the case" }
                    (error_summary(&forms.status_errors))
                    @let statuses: Vec<(String, String)> = MOVABLE.iter().map(|s| (s.code(), words(&s.code()))).collect();
                    form method="post" action={ "/cases/" (id) "/status" } novalidate {
                        (csrf_field(ctx))
                        (select("status", "Move the case to", &statuses, &forms.status.status, &forms.status_errors))
                        @let codes: Vec<(&str, &str)> = stop_codes.iter().map(|(c, l)| (c.as_str(), l.as_str())).collect();
                        (select("not_proceeding_code", "Reason, when the case is not proceeding", &codes, &forms.status.not_proceeding_code, &forms.status_errors))
                        (Input { value: &forms.status.not_proceeding_reason, hint: Some("Needed with “Other”."), ..Input::new("not_proceeding_reason", "The reason in words") }.render(&forms.status_errors))
                        button type="submit" class="secondary" { "Move case" }
                    }
                }
            }
        },
    ))
}

pub async fn show(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    case_page(&state, &ctx, &viewer, &ip, id, &Forms::default()).await
}

/// Who is changing which case, for re-rendering its page.
pub(super) struct OnCase<'a> {
    pub state: &'a AppState,
    pub ctx: &'a PageContext,
    pub viewer: &'a AuthUser,
    pub ip: &'a ClientIp,
    pub id: i64,
}

/// Back to the case after a change, or the case page again with what went wrong.
pub(super) async fn answer<T>(
    on: OnCase<'_>,
    result: AppResult<T>,
    done: &str,
    keep: impl FnOnce(FieldErrors) -> Forms,
) -> AppResult<Response> {
    let OnCase { state, ctx, viewer, ip, id } = on;
    match result {
        Ok(_) => Ok(flash::redirect(&format!("/cases/{id}"), FlashKind::Success, done)),
        Err(AppError::Conflict(why)) => {
            let forms = Forms { problem: Some(why), ..keep(FieldErrors::new()) };
            Ok((StatusCode::CONFLICT, case_page(state, ctx, viewer, ip, id, &forms).await?).into_response())
        }
        Err(error) => {
            let forms = keep(field_errors(error)?);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, case_page(state, ctx, viewer, ip, id, &forms).await?).into_response())
        }
    }
}

pub async fn add_party(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<PartyInput>,
) -> AppResult<Response> {
    coordinator(&viewer)?;
    let result = service::add_party(&state.db, id, &input).await;
    if matches!(result, Err(AppError::NotFound)) {
        return Err(AppError::NotFound);
    }
    let on = OnCase { state: &state, ctx: &ctx, viewer: &viewer, ip: &ip, id };
    answer(on, result, "Party added.", |errors| Forms { party: input, party_errors: errors, ..Default::default() })
        .await
}

pub async fn add_assessment(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<AssessmentInput>,
) -> AppResult<Response> {
    service::workable(&state.db, &viewer, id).await?;
    let result = service::add_assessment(&state.db, &state.settings.base_url, &viewer, id, &input).await;
    if matches!(result, Err(AppError::NotFound)) {
        return Err(AppError::NotFound);
    }
    answer(
        OnCase { state: &state, ctx: &ctx, viewer: &viewer, ip: &ip, id },
        result,
        "Assessment recorded.",
        |errors| Forms { assessment: input, assessment_errors: errors, ..Default::default() },
    )
    .await
}

pub async fn add_appointment(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(form): Form<AppointmentForm>,
) -> AppResult<Response> {
    coordinator(&viewer)?;
    let harmer = match form.appointment_party.trim().parse::<i64>() {
        Ok(party_id) => {
            service::party(&state.db, party_id).await?.filter(|p| p.case_id == id && p.role == PartyRole::Harmer)
        }
        Err(_) => None,
    };
    let result = match harmer {
        Some(harmer) => {
            let input = service::AppointmentInput {
                kind: form.appointment_kind.clone(),
                starts_at: form.appointment_starts_at.clone(),
                ends_at: form.appointment_ends_at.clone(),
                note: form.appointment_note.clone(),
            };
            // The form's fields carry the `appointment_` prefix.
            service::add_appointment(&state.db, harmer.id, &input).await.map_err(|e| match e {
                AppError::Validation { fields, message } => AppError::Validation {
                    fields: fields.into_iter().map(|(k, v)| (format!("appointment_{k}"), v)).collect(),
                    message,
                },
                other => other,
            })
        }
        None => Err(AppError::field("appointment_party", "Choose the harmer.")),
    };
    let on = OnCase { state: &state, ctx: &ctx, viewer: &viewer, ip: &ip, id };
    answer(on, result, "Appointment added.", |errors| Forms {
        appointment: form,
        appointment_errors: errors,
        ..Default::default()
    })
    .await
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct ConsentForm {
    /// given or withdrawn
    pub consent: String,
}

pub async fn record_consent(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path((id, party_id)): Path<(i64, i64)>,
    Form(form): Form<ConsentForm>,
) -> AppResult<Response> {
    service::workable(&state.db, &viewer, id).await?;
    let result = match Consent::from_code(form.consent.trim()) {
        Some(to) => service::record_consent(&state.db, &state.settings.base_url, &viewer, id, party_id, to).await,
        None => Err(AppError::Conflict("Record consent given or withdrawn.".into())),
    };
    if matches!(result, Err(AppError::NotFound)) {
        return Err(AppError::NotFound);
    }
    let done = match &result {
        Ok(p) if p.consent == Consent::Given => "Consent recorded as given.",
        _ => "Consent withdrawal recorded.",
    };
    // The only field is the button pressed: a refusal is a message, not a form to correct.
    let result = result.map_err(|e| match e {
        AppError::Validation { fields, message } => AppError::Conflict(fields.into_values().next().unwrap_or(message)),
        other => other,
    });
    let on = OnCase { state: &state, ctx: &ctx, viewer: &viewer, ip: &ip, id };
    answer(on, result, done, |_| Forms::default()).await
}

pub async fn move_status(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(form): Form<StatusForm>,
) -> AppResult<Response> {
    coordinator(&viewer)?;
    let result = if form.status.trim().is_empty() {
        Err(AppError::field("status", "Choose the status to move the case to."))
    } else {
        let patch = CasePatch {
            status: Some(form.status.clone()),
            not_proceeding_code: Some(form.not_proceeding_code.clone()),
            not_proceeding_reason: Some(form.not_proceeding_reason.clone()),
            ..Default::default()
        };
        service::update(&state.db, &state.settings.base_url, &viewer, id, &patch).await
    };
    if matches!(result, Err(AppError::NotFound)) {
        return Err(AppError::NotFound);
    }
    let done = match &result {
        Ok(c) => format!("Case {} is now {}.", c.reference, words(&c.status.code())),
        Err(_) => String::new(),
    };
    answer(
        OnCase { state: &state, ctx: &ctx, viewer: &viewer, ip: &ip, id },
        result.map(|_: case::Model| ()),
        &done,
        |errors| Forms { status: form, status_errors: errors, ..Default::default() },
    )
    .await
}

pub async fn settle_action(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path((id, action_id)): Path<(i64, i64)>,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    service::workable(&state.db, &viewer, id).await?;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let sent = ActionForm {
        settle: field("settle"),
        on: field(&format!("on-{action_id}")),
        note: field(&format!("note-{action_id}")),
    };
    let input = super::conferences::CompletionInput {
        completed: sent.settle == "completed",
        on: sent.on.clone(),
        note: sent.note.clone(),
    };
    let result = super::conferences::settle_action(&state.db, &viewer, action_id, &input).await;
    if matches!(result, Err(AppError::NotFound)) {
        return Err(AppError::NotFound);
    }
    let done = if input.completed { "Action recorded as completed." } else { "Action recorded as not completed." };
    answer(OnCase { state: &state, ctx: &ctx, viewer: &viewer, ip: &ip, id }, result, done, |errors| Forms {
        action: Some((action_id, sent)),
        action_errors: errors,
        ..Default::default()
    })
    .await
}
