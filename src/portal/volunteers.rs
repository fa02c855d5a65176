//! The coordinators' volunteer list.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use entity::Code;
use entity::volunteer::VolunteerStatus;
use maud::{Markup, html};
use serde::Deserialize;

use crate::auth::RequireCoordinator;
use crate::commitment::{self, service::commitment};
use crate::domain::time::long_date;
use crate::error::{AppError, AppResult};
use crate::portal::not_active_because;
use crate::settings::service::{LEAD_AFTER_CONFERENCES, SUPERVISION_INTERVAL_WEEKS, number};
use crate::state::AppState;
use crate::supervision;
use crate::training::service::{progress, refresh_standing};
use crate::volunteers::service;
use crate::web::components::{FieldErrors, Input, error_summary, page_number, pager, search_field};
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field, page};

fn words(text: &str) -> String {
    text.replace('_', " ")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    /// Part of a name or email address.
    pub q: String,
    pub status: String,
    /// `overdue`: only volunteers whose supervision is overdue.
    pub supervision: String,
    #[serde(deserialize_with = "crate::domain::lenient_string")]
    pub page: String,
    /// `status` or `level`; otherwise by name.
    pub sort: String,
}

/// Volunteers the list shows at once.
const PAGE_ROWS: usize = 50;

pub async fn list(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    axum::extract::Query(query): axum::extract::Query<ListQuery>,
) -> AppResult<Markup> {
    let everyone = service::list(&state.db).await?;
    let total = everyone.len();
    let status = VolunteerStatus::from_code(query.status.trim());
    let overdue_only = query.supervision == "overdue";
    let overdue: std::collections::HashSet<i64> = if overdue_only {
        supervision::service::overdue(&state.db, crate::clock::today()).await?.into_iter().map(|(v, _)| v.id).collect()
    } else {
        Default::default()
    };
    let needle = query.q.trim().to_lowercase();
    let volunteers: Vec<_> = everyone
        .into_iter()
        .filter(|v| status.is_none_or(|s| v.status == s))
        .filter(|v| !overdue_only || overdue.contains(&v.id))
        .filter(|v| needle.is_empty() || v.name.to_lowercase().contains(&needle) || v.email.contains(&needle))
        .collect();
    let mut volunteers = volunteers;
    // Stable: by name within each status or level, as the list comes by name.
    match query.sort.as_str() {
        "status" => volunteers.sort_by_key(|v| v.status.code()),
        "level" => volunteers.sort_by_key(|v| v.level.code()),
        _ => {}
    }
    let filtered = volunteers.len() < total;
    let matching = volunteers.len();
    let at = page_number(&query.page);
    let info = crate::db::PageInfo {
        page: at,
        per_page: PAGE_ROWS as u64,
        total: matching as u64,
        pages: matching.div_ceil(PAGE_ROWS) as u64,
    };
    let skip = usize::try_from(at - 1).unwrap_or(usize::MAX).saturating_mul(PAGE_ROWS);
    let volunteers: Vec<_> = volunteers.into_iter().skip(skip).take(PAGE_ROWS).collect();
    let kept = serde_urlencoded::to_string([
        ("q", query.q.trim()),
        ("status", query.status.trim()),
        ("supervision", query.supervision.trim()),
        ("sort", query.sort.trim()),
    ])
    .unwrap_or_default();
    let ready = commitment::service::ready_for_lead(&state.db).await?;
    let names = service::names(&state.db, &ready.iter().map(|(v, _)| v.id).collect::<Vec<_>>()).await?;
    Ok(page(
        &ctx,
        "Volunteers",
        html! {
            h1 { "Volunteers" }
            @if !ready.is_empty() {
                section class="card" aria-labelledby="ready" {
                    h2 id="ready" { "Ready for lead sign-off" }
                    ul { @for (v, held) in &ready {
                        li { a href={ "/volunteers/" (v.id) } { (names.get(&v.id).cloned().unwrap_or_default()) } ": " (held) " conferences held as co-facilitator" }
                    } }
                }
            }
            form method="get" action="/volunteers" class="filters" {
                (search_field("q", "Name or email", &query.q))
                div class="field" {
                    label for="status" { "Status" }
                    select id="status" name="status" {
                        option value="" { "Any" }
                        @for s in <VolunteerStatus as sea_orm::Iterable>::iter() { option value=(s.code()) selected[status == Some(s)] { (words(&s.code())) } }
                    }
                }
                div class="field" {
                    label for="sort" { "Order" }
                    select id="sort" name="sort" {
                        option value="" { "By name" }
                        option value="status" selected[query.sort == "status"] { "By status" }
                        option value="level" selected[query.sort == "level"] { "By level" }
                    }
                }
                div class="field choice" {
                    input type="checkbox" id="supervision" name="supervision" value="overdue" checked[overdue_only];
                    label for="supervision" { "Supervision overdue" }
                }
                button type="submit" class="secondary" { "Filter" }
            }
            @if filtered { p { (matching) " of " (total) " volunteers. " a href="/volunteers" { "Show everyone" } } }
            @if volunteers.is_empty() {
                p { @if filtered { "Nobody matches." } @else { "No volunteers yet. Accepted applicants appear here." } }
            } @else {
                div class="table-wrap" role="region" aria-label="Volunteers" tabindex="0" {
                    table {
                        thead { tr { th { "Name" } th { "Email" } th { "Status" } th { "Level" } th { "Checks" } } }
                        tbody {
                            @for v in &volunteers {
                                tr {
                                    td { a href={ "/volunteers/" (v.id) } { (v.name) } }
                                    td { (v.email) }
                                    td { (words(&v.status.code())) }
                                    td { (words(&v.level.code())) }
                                    td { a href={ "/volunteers/" (v.id) "/checks" } { "Checks" span class="visually-hidden" { " for " (v.name) } } }
                                }
                            }
                        }
                    }
                }
                (pager("/volunteers", &kept, &info))
            }
        },
    ))
}

/// Everything a coordinator needs about one volunteer.
pub async fn show(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    let (_, account) = service::record_visible(&state.db, ctx.user.as_ref().ok_or(AppError::Unauthorized)?, id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Checks lapse with time: bring the status up to date before showing it.
    let record = refresh_standing(&state.db, id).await?;
    let today = crate::clock::today();
    let training = progress(&state.db, id).await?;
    let reasons = not_active_because(
        &record,
        &training,
        &crate::checks::service::dbs_clearance(&state.db, record.id, today).await?,
    );
    let commitment = commitment(&record, today);
    let sessions = supervision::service::list(&state.db, id).await?;
    let interval = number(&state.db, &SUPERVISION_INTERVAL_WEEKS).await?;
    let held: Vec<chrono::NaiveDate> = sessions.iter().map(|(s, _)| s.held_on).collect();
    let due = supervision::service::due(&record, &held, today, interval);
    let held_as_co = commitment::service::held_as_co_facilitator(&state.db, id).await?;
    let lead_after = number(&state.db, &LEAD_AFTER_CONFERENCES).await?;
    Ok(page(
        &ctx,
        &account.name,
        html! {
            p { a href="/volunteers" { "All volunteers" } }
            h1 { (account.name) }
            p { span class="tag" { (words(&record.status.code())) } " · " (words(&record.level.code())) " · " (account.email) }
            @if !reasons.is_empty() {
                div class="flash info" { p { strong { "Not active:" } } ul { @for r in &reasons { li { (r) } } } }
            }
            p { a href={ "/volunteers/" (id) "/availability" } { "Availability, unavailable dates and conflicts of interest" } " · " a href={ "/volunteers/" (id) "/details" } { "Change name or email" } }
            h2 { "Core training" }
            @if training.needed.is_empty() { p { "Not enrolled on a core training course." } } @else {
                ul {
                    @for n in &training.needed {
                        li { "Session " (n) ": " @match training.attended.get(n) { Some(d) => { "attended " (long_date(*d)) }, None => { strong { "still needed" } } } }
                    }
                }
            }
            h2 { "Facilitation level" }
            p { (words(&record.level.code())) @if record.level == entity::volunteer::FacilitationLevel::CoFacilitator {
                ": " (held_as_co) " of " (lead_after) " conferences held as co-facilitator before a lead sign-off."
            } }
            @if record.level == entity::volunteer::FacilitationLevel::CoFacilitator && i64::try_from(held_as_co).unwrap_or(i64::MAX) >= lead_after {
                form method="post" action={ "/volunteers/" (id) "/lead-sign-off" } { (csrf_field(&ctx)) button type="submit" { "Sign off as lead" } }
            }
            h2 { "Commitment" }
            @match commitment {
                None => p { "Starts when core training is complete." },
                Some(c) => {
                    p { "From " (long_date(c.starts_on)) " to " (long_date(c.ends_on)) ": " (c.served_days) " days served, " (c.left_days) " days left." }
                    form method="post" action={ "/volunteers/" (id) "/commitment/extend" } class="inline-form" {
                        (csrf_field(&ctx))
                        div class="field" { label for="ends_on" { "Extend to" } input type="date" id="ends_on" name="ends_on" required; }
                        button type="submit" class="secondary" { "Extend" }
                    }
                }
            }
            @if record.status == VolunteerStatus::Paused {
                form method="post" action={ "/volunteers/" (id) "/commitment/resume" } { (csrf_field(&ctx)) button type="submit" class="secondary" { "End the pause" } }
            } @else if record.status != VolunteerStatus::Left {
                form method="post" action={ "/volunteers/" (id) "/commitment/pause" } { (csrf_field(&ctx)) button type="submit" class="secondary" { "Pause" } }
                form method="post" action={ "/volunteers/" (id) "/commitment/left" } {
                    (csrf_field(&ctx))
                    div class="field" { label for="left_on" { "Left on" } input type="date" id="left_on" name="left_on" value=(today) required; }
                    div class="field" { label for="reason" { "Reason for leaving" } input type="text" id="reason" name="reason" required; }
                    button type="submit" class="warning" { "Record that they left" }
                }
            } @else {
                p { "Left on " (record.left_on.map(long_date).unwrap_or_default()) ": " (record.left_reason.clone().unwrap_or_default()) }
            }
            h2 id="supervision" { "Supervision" }
            @if let Some(due) = due {
                p { @if due.overdue { strong { "Overdue: " } } "next one-to-one due " (long_date(due.due_on)) "." }
            }
            @for (s, supervisor) in &sessions {
                div class="note" {
                    p class="hint" { (long_date(s.held_on)) " with " (supervisor) }
                    @if !s.notes.is_empty() { p { (s.notes) } }
                    details {
                        summary { "Correct or withdraw" span class="visually-hidden" { " the one-to-one of " (long_date(s.held_on)) } }
                        form method="post" action={ "/supervision/" (s.id) } class="inline-form" {
                            (csrf_field(&ctx))
                            input type="hidden" name="action" value="date";
                            div class="field" { label for={ "held_on-" (s.id) } { "Date it was held" } input type="date" id={ "held_on-" (s.id) } name="held_on" value=(s.held_on) required; }
                            button type="submit" class="secondary" { "Correct the date" }
                        }
                        form method="post" action={ "/supervision/" (s.id) } {
                            (csrf_field(&ctx))
                            input type="hidden" name="action" value="withdraw";
                            button type="submit" class="warning" { "Withdraw: recorded in error" }
                        }
                    }
                }
            }
            form method="post" action={ "/volunteers/" (id) "/supervision" } {
                (csrf_field(&ctx))
                div class="field" { label for="held_on" { "Date of the one-to-one" } input type="date" id="held_on" name="held_on" value=(today) required; }
                div class="field" { label for="notes" { "Notes (confidential: coordinators only)" } textarea id="notes" name="notes" rows="3" {} }
                button type="submit" class="secondary" { "Record supervision" }
            }
            (crate::web::components::personal_data_panel(&ctx, "volunteers", id, record.status == entity::volunteer::VolunteerStatus::Left))
        },
    ))
}

#[derive(Deserialize)]
pub struct ExtendForm {
    #[serde(default)]
    ends_on: String,
}

#[derive(Deserialize)]
pub struct LeftForm {
    #[serde(default)]
    left_on: String,
    #[serde(default)]
    reason: String,
}

fn back(id: i64, result: AppResult<entity::volunteer::Model>, done: &str) -> AppResult<Response> {
    let to = format!("/volunteers/{id}");
    match result {
        Ok(_) => Ok(flash::redirect(&to, FlashKind::Success, done)),
        Err(AppError::Conflict(message)) => Ok(flash::redirect(&to, FlashKind::Error, message)),
        Err(AppError::Validation { fields, .. }) => {
            Ok(flash::redirect(&to, FlashKind::Error, fields.into_values().collect::<Vec<_>>().join(" ")))
        }
        Err(other) => Err(other),
    }
}

fn parse_date(text: &str, field: &str) -> AppResult<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field(field, "Enter the date as YYYY-MM-DD."))
}

pub async fn extend(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
    Form(form): Form<ExtendForm>,
) -> AppResult<Response> {
    let result = match parse_date(&form.ends_on, "ends_on") {
        Ok(to) => commitment::service::extend(&state.db, &actor, id, to).await,
        Err(e) => Err(e),
    };
    back(id, result, "Commitment extended.")
}

pub async fn pause(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    back(id, commitment::service::pause(&state.db, &actor, id, crate::clock::today()).await, "Paused.")
}

pub async fn resume(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let resumed = match commitment::service::resume(&state.db, &actor, id).await {
        Ok(_) => refresh_standing(&state.db, id).await,
        Err(refused) => Err(refused),
    };
    back(id, resumed, "The pause has ended.")
}

pub async fn left(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
    Form(form): Form<LeftForm>,
) -> AppResult<Response> {
    let result = match parse_date(&form.left_on, "left_on") {
        Ok(on) => commitment::service::record_left(&state.db, &actor, id, on, &form.reason).await,
        Err(e) => Err(e),
    };
    back(id, result, "Recorded that the volunteer has left.")
}

pub async fn lead_sign_off(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    back(id, commitment::service::sign_off_lead(&state.db, &actor, id).await, "Signed off as lead facilitator.")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DetailsForm {
    pub name: String,
    pub email: String,
}

fn details_page(ctx: &PageContext, id: i64, form: &DetailsForm, errors: &FieldErrors) -> Markup {
    page(
        ctx,
        "Change name or email",
        html! {
            p { a href={ "/volunteers/" (id) } { "Back to " (form.name) } }
            h1 { "Change name or email" }
            p { "The email address is the one they sign in with and are emailed at." }
            (error_summary(errors))
            form method="post" action={ "/volunteers/" (id) "/details" } novalidate {
                (csrf_field(ctx))
                (Input { value: &form.name, autocomplete: Some("off"), required: true, ..Input::new("name", "Full name") }.render(errors))
                (Input { kind: "email", value: &form.email, autocomplete: Some("off"), required: true, ..Input::new("email", "Email address") }.render(errors))
                button type="submit" { "Save" }
            }
        },
    )
}

pub async fn details_form(
    State(state): State<AppState>,
    RequireCoordinator(viewer): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    let found = service::find_visible(&state.db, &viewer, id).await?.ok_or(AppError::NotFound)?;
    Ok(details_page(&ctx, id, &DetailsForm { name: found.name, email: found.email }, &FieldErrors::new()))
}

pub async fn change_details(
    State(state): State<AppState>,
    RequireCoordinator(viewer): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(form): Form<DetailsForm>,
) -> AppResult<Response> {
    let patch = service::VolunteerPatch { name: Some(form.name.clone()), email: Some(form.email.clone()) };
    match service::update_details(&state.db, &viewer, id, &patch).await {
        Ok(_) => Ok(flash::redirect(&format!("/volunteers/{id}"), FlashKind::Success, "Details saved.")),
        Err(AppError::Validation { fields, .. }) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, details_page(&ctx, id, &form, &fields)).into_response())
        }
        Err(other) => Err(other),
    }
}
