//! Coordinators' pages: the checks overview (due, overdue, missing), establishments, and one
//! volunteer's checks with the forms to record a DBS check and prison vetting. A volunteer
//! may open their own checks page, which never shows certificate numbers.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use entity::Code;
use entity::dbs_check::{DbsLevel, DbsStatus};
use entity::prison_vetting::VettingStatus;
use maud::{Markup, html};
use serde::Deserialize;

use super::clearance::renewal_due;
use super::input::{DbsInput, VettingInput};
use super::service::{self, DUE_WITHIN_DAYS, Due};
use crate::auth::{RequireCoordinator, RequireUser};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary, search_field, select, textarea};
use crate::web::flash::{self, FlashKind};
use crate::web::identity::AuthUser;
use crate::web::layout::{PageContext, csrf_field, page};

fn words(text: &str) -> String {
    text.replace('_', " ")
}

fn checkbox(name: &str, label: &str, checked: bool) -> Markup {
    html! {
        div class="field choice" { input type="checkbox" id=(name) name=(name) value="yes" checked[checked]; label for=(name) { (label) } }
    }
}

fn field_errors(error: AppError) -> AppResult<FieldErrors> {
    crate::web::components::field_errors(error)
}

// ---- overview ------------------------------------------------------------------------

fn due_table(rows: &[Due], date_heading: &str) -> Markup {
    html! {
        div class="table-wrap" role="region" aria-label={ "Checks by " (date_heading) } tabindex="0" { table {
            thead { tr { th { "Volunteer" } th { "Check" } th { (date_heading) } } }
            tbody {
                @for row in rows {
                    tr {
                        td { a href={ "/volunteers/" (row.volunteer_id) "/checks" } { (row.volunteer_name) } }
                        td { (row.what) }
                        td { (row.date) }
                    }
                }
            }
        } }
    }
}

/// The overview's search: part of a volunteer's name, and which kind of check.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OverviewQuery {
    pub q: String,
    /// `dbs` or `vetting`; otherwise both.
    pub kind: String,
}

impl OverviewQuery {
    fn keeps(&self, name: &str, what: Option<&str>) -> bool {
        let needle = self.q.trim().to_lowercase();
        let named = needle.is_empty() || name.to_lowercase().contains(&needle);
        let kind = match (self.kind.as_str(), what) {
            ("dbs", Some(what)) => what.contains("DBS"),
            ("vetting", Some(what)) => what.contains("vetting"),
            ("vetting", None) => false,
            _ => true,
        };
        named && kind
    }
}

pub async fn overview(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    axum::extract::Query(query): axum::extract::Query<OverviewQuery>,
) -> AppResult<Markup> {
    let today = crate::clock::today();
    let mut overview = service::overview(&state.db, today).await?;
    overview.overdue.retain(|d| query.keeps(&d.volunteer_name, Some(&d.what)));
    overview.due_soon.retain(|d| query.keeps(&d.volunteer_name, Some(&d.what)));
    overview.missing.retain(|v| query.keeps(&v.name, None));
    Ok(page(
        &ctx,
        "Checks",
        html! {
            h1 { "Background checks" }
            p { a href="/establishments" { "Establishments and their vetting" } }
            form method="get" action="/checks" class="filters" {
                (search_field("q", "Volunteer", &query.q))
                div class="field" {
                    label for="kind" { "Check" }
                    select id="kind" name="kind" {
                        option value="" { "DBS and prison vetting" }
                        option value="dbs" selected[query.kind == "dbs"] { "DBS" }
                        option value="vetting" selected[query.kind == "vetting"] { "Prison vetting" }
                    }
                }
                button type="submit" class="secondary" { "Filter" }
            }
            section id="overdue" {
                h2 { "Overdue" }
                p class="hint" { "A DBS check whose renewal date has come, or prison vetting past its last valid day. These volunteers cannot be assigned." }
                @if overview.overdue.is_empty() { p { "Nothing is overdue." } } @else { (due_table(&overview.overdue, "Renewal due / last valid day")) }
            }
            section id="due" {
                h2 { "Due in the next " (DUE_WITHIN_DAYS) " days" }
                @if overview.due_soon.is_empty() { p { "Nothing is due in the next " (DUE_WITHIN_DAYS) " days." } } @else { (due_table(&overview.due_soon, "Renewal due / last valid day")) }
            }
            section id="missing" {
                h2 { "Missing" }
                p class="hint" { "Volunteers who have not left and have no clear enhanced DBS check." }
                @if overview.missing.is_empty() { p { "Every volunteer has a clear enhanced DBS check." } } @else {
                    ul {
                        @for v in &overview.missing {
                            li { a href={ "/volunteers/" (v.id) "/checks" } { (v.name) } " (" (words(&v.status.code())) ")" }
                        }
                    }
                }
            }
        },
    ))
}

// ---- one volunteer's checks ----------------------------------------------------------

/// What the page shows in its forms: the values sent back and their messages.
#[derive(Default)]
struct Forms {
    dbs: DbsInput,
    dbs_errors: FieldErrors,
    vetting: VettingInput,
    /// Keyed by the form's `vetting_` names.
    vetting_errors: FieldErrors,
}

fn date_or_dash(date: Option<NaiveDate>) -> String {
    date.map_or_else(|| "—".to_owned(), |d| d.to_string())
}

async fn checks_page(
    state: &AppState,
    ctx: &PageContext,
    viewer: &AuthUser,
    id: i64,
    forms: &Forms,
) -> AppResult<Markup> {
    let checks = service::for_viewer(&state.db, viewer, id).await?.ok_or(AppError::NotFound)?;
    let places =
        if checks.full_details { crate::establishments::service::establishments(&state.db).await? } else { Vec::new() };
    let years = checks.renewal_years;
    let levels: Vec<(String, &str)> = DbsLevel::ALL.iter().map(|l| (l.code(), l.label())).collect();
    let statuses: Vec<(String, String)> = DbsStatus::ALL.iter().map(|s| (s.code(), words(&s.code()))).collect();
    let vetting_statuses: Vec<(String, String)> = VettingStatus::ALL.iter().map(|s| (s.code(), s.code())).collect();
    let place_options: Vec<(String, &str)> = places.iter().map(|p| (p.id.to_string(), p.name.as_str())).collect();
    let place_options: Vec<(&str, &str)> = place_options.iter().map(|(k, t)| (k.as_str(), *t)).collect();
    let (dbs, dbs_errors, vetting, vetting_errors) =
        (&forms.dbs, &forms.dbs_errors, &forms.vetting, &forms.vetting_errors);
    Ok(page(
        ctx,
        &format!("Checks: {}", checks.volunteer.name),
        html! {
            h1 { "Checks: " (checks.volunteer.name) }
            h2 { "DBS checks" }
            @if checks.dbs.is_empty() { p { "No DBS check recorded." } } @else {
                div class="table-wrap" role="region" aria-label="DBS checks" tabindex="0" { table {
                    thead { tr {
                        th { "Level" } th { "Status" }
                        @if checks.full_details { th { "Certificate number" } th { "Issued" } }
                        th { "Renewal" }
                        @if checks.full_details { th { "Notes" } }
                    } }
                    tbody {
                        @for c in &checks.dbs {
                            tr {
                                td { (c.level.label()) }
                                td { (words(&c.status.code())) }
                                @if checks.full_details {
                                    td { (c.certificate_number.clone().unwrap_or_default()) }
                                    td { (date_or_dash(c.issued_on)) }
                                }
                                td {
                                    @if c.update_service { "on the Update Service" }
                                    @else if let Some(due) = renewal_due(c.issued_on, false, years) { "due " (due) }
                                    @else { "—" }
                                }
                                @if checks.full_details { td { (c.notes.clone().unwrap_or_default()) } }
                            }
                        }
                    }
                } }
            }
            h2 { "Prison vetting" }
            @if checks.vetting.is_empty() { p { "No prison vetting recorded." } } @else {
                div class="table-wrap" role="region" aria-label="Prison vetting" tabindex="0" { table {
                    thead { tr { th { "Establishment" } th { "Level" } th { "Status" } th { "Cleared" } th { "Valid until (inclusive)" } } }
                    tbody {
                        @for (v, place) in &checks.vetting {
                            tr {
                                td { (place.name) }
                                td { (v.level) }
                                td { (v.status.code()) }
                                td { (date_or_dash(v.cleared_on)) }
                                td { (date_or_dash(v.expires_on)) }
                            }
                        }
                    }
                } }
            }
            @if checks.full_details {
                h2 id="record-dbs" { "Record a DBS check" }
                (error_summary(dbs_errors))
                form method="post" action={ "/volunteers/" (id) "/checks/dbs" } novalidate {
                    (csrf_field(ctx))
                    (select("level", "Level", &levels, &dbs.level, dbs_errors))
                    (select("status", "Status", &statuses, &dbs.status, dbs_errors))
                    (Input { value: &dbs.certificate_number, hint: Some("12 digits, spaces are fine. Needed once the certificate is issued."), ..Input::new("certificate_number", "Certificate number") }.render(dbs_errors))
                    (Input { kind: "date", value: &dbs.issued_on, hint: Some("The date on the certificate, for example 2026-03-27."), ..Input::new("issued_on", "Issue date") }.render(dbs_errors))
                    (checkbox("update_service", "On the DBS Update Service (no renewal needed)", crate::domain::yes(&dbs.update_service)))
                    (textarea("notes", "Notes (coordinators only)", &dbs.notes, dbs_errors))
                    button type="submit" { "Record DBS check" }
                }
                h2 id="record-vetting" { "Record prison vetting" }
                @if places.is_empty() { p { "First " a href="/establishments" { "add the establishment" } "." } } @else {
                    (error_summary(vetting_errors))
                    form method="post" action={ "/volunteers/" (id) "/checks/vetting" } novalidate {
                        (csrf_field(ctx))
                        (select("vetting_establishment_id", "Establishment", &place_options, &vetting.establishment_id, vetting_errors))
                        (Input { value: &vetting.level, hint: Some("The establishment's own level, for example “standard” or “enhanced”."), ..Input::new("vetting_level", "Vetting level") }.render(vetting_errors))
                        (select("vetting_status", "Status", &vetting_statuses, &vetting.status, vetting_errors))
                        (Input { kind: "date", value: &vetting.cleared_on, ..Input::new("vetting_cleared_on", "Cleared on") }.render(vetting_errors))
                        (Input { kind: "date", value: &vetting.expires_on, hint: Some("The last day the vetting is valid."), ..Input::new("vetting_expires_on", "Expires on") }.render(vetting_errors))
                        (textarea("vetting_notes", "Notes (coordinators only)", &vetting.notes, vetting_errors))
                        button type="submit" { "Record prison vetting" }
                    }
                }
            }
        },
    ))
}

pub async fn volunteer_checks(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    checks_page(&state, &ctx, &viewer, id, &Forms::default()).await
}

pub async fn record_dbs(
    State(state): State<AppState>,
    RequireCoordinator(viewer): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<DbsInput>,
) -> AppResult<Response> {
    let result = match input.parse(crate::clock::today()) {
        Ok(new) => service::record_dbs_guarded(&state, id, new).await.map(|_| ()),
        Err(errors) => Err(crate::error::AppError::fields(errors)),
    };
    match result {
        Ok(()) => Ok(flash::redirect(&format!("/volunteers/{id}/checks"), FlashKind::Success, "DBS check recorded.")),
        Err(error) => {
            let forms = Forms { dbs: input, dbs_errors: field_errors(error)?, ..Default::default() };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, checks_page(&state, &ctx, &viewer, id, &forms).await?)
                .into_response())
        }
    }
}

pub async fn record_vetting(
    State(state): State<AppState>,
    RequireCoordinator(viewer): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<VettingInput>,
) -> AppResult<Response> {
    let result = match input.parse(crate::clock::today()) {
        Ok(new) => service::record_vetting_guarded(&state, id, new).await.map(|_| ()),
        Err(errors) => Err(crate::error::AppError::fields(errors)),
    };
    match result {
        Ok(()) => {
            Ok(flash::redirect(&format!("/volunteers/{id}/checks"), FlashKind::Success, "Prison vetting recorded."))
        }
        Err(error) => {
            let vetting_errors = field_errors(error)?
                .into_iter()
                .map(|(field, message)| (format!("vetting_{field}"), message))
                .collect();
            let forms = Forms { vetting: input, vetting_errors, ..Default::default() };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, checks_page(&state, &ctx, &viewer, id, &forms).await?)
                .into_response())
        }
    }
}
