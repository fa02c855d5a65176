//! Establishments for coordinators: the list with the form to add one, and for each its
//! details, the weekly regime editor (UK wall-clock, start before end, no overlaps — the API's
//! own rules) and its closures.

use entity::Code;
use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::input::{ESTABLISHMENT_KINDS, EstablishmentInput};
use super::service::{self as establishments, ClosureInput, Regime};
use super::week_form::WeekForm;
use crate::auth::RequireCoordinator;
use crate::db::begin_write;
use crate::domain::time::short_date;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary, field_errors, select, textarea};
use crate::web::flash::{self, FlashKind};
use crate::web::layout::{PageContext, csrf_field, page};

#[derive(Default)]
struct Forms {
    regime: Option<WeekForm>,
    regime_errors: FieldErrors,
    closure: ClosureInput,
    closure_errors: FieldErrors,
}

async fn establishment_page(state: &AppState, ctx: &PageContext, id: i64, forms: &Forms) -> AppResult<Markup> {
    let place = establishments::find(&state.db, id).await?.ok_or(AppError::NotFound)?;
    let stored = establishments::to_specs(&establishments::windows(&state.db, id).await?);
    let week = forms.regime.clone().unwrap_or_else(|| WeekForm::from_specs(&stored));
    let closures = establishments::closures(&state.db, id).await?;
    Ok(page(
        ctx,
        &place.name,
        html! {
            p { a href="/establishments" { "All establishments" } }
            h1 { (place.name) }
            dl {
                dt { "Kind" } dd { (place.kind.code().replace('_', " ")) }
                dt { "Address" } dd { (place.address) }
                dt { "Rooms" } dd { (place.rooms) " (conferences that can run at once)" }
                dt { "Prison vetting" } dd { @if place.requires_vetting { "required" } @else { "not required" } }
            }
            p { a href={ "/establishments/" (id) "/details" } { "Change the details" } }
            h2 id="regime" { "Weekly regime" }
            p { "When a prisoner can be moved for a visit." }
            (error_summary(&forms.regime_errors))
            form method="post" action={ "/establishments/" (id) "/regime" } novalidate {
                (csrf_field(ctx))
                (week.render("Windows per weekday", &forms.regime_errors))
                button type="submit" { "Save the regime" }
            }
            h2 id="closures" { "Closures" }
            @if closures.is_empty() { p { "No closed dates." } } @else {
                div class="table-wrap" role="region" aria-label="Closures" tabindex="0" { table {
                    thead { tr { th scope="col" { "From" } th scope="col" { "To (inclusive)" } th scope="col" { "Reason" } th scope="col" { span class="visually-hidden" { "Remove" } } } }
                    tbody { @for c in &closures { tr {
                        td { (short_date(c.from_date)) } td { (short_date(c.to_date)) } td { (c.reason) }
                        td { form method="post" action={ "/establishments/" (id) "/closures/" (c.id) "/remove" } {
                            (csrf_field(ctx))
                            button type="submit" class="secondary" aria-label={ "Remove the closure from " (short_date(c.from_date)) } { "Remove" }
                        } }
                    } } }
                } }
            }
            h3 { "Add a closure" }
            (error_summary(&forms.closure_errors))
            form method="post" action={ "/establishments/" (id) "/closures" } novalidate {
                (csrf_field(ctx))
                (Input { kind: "date", value: &forms.closure.from, required: true, ..Input::new("from", "First closed date") }.render(&forms.closure_errors))
                (Input { kind: "date", value: &forms.closure.to, required: true, hint: Some("The same as the first for a single day."), ..Input::new("to", "Last closed date") }.render(&forms.closure_errors))
                (Input { value: &forms.closure.reason, required: true, hint: Some("For example “lockdown” or “staff training”."), ..Input::new("reason", "Reason") }.render(&forms.closure_errors))
                button type="submit" class="secondary" { "Add closure" }
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
    establishment_page(&state, &ctx, id, &Forms::default()).await
}

pub async fn save_regime(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let week = WeekForm::from_form(&form);
    let (windows, fields, mut errors) = week.specs();
    if errors.is_empty() {
        let txn = begin_write(&state.db).await?;
        match establishments::set_regime(&txn, id, &Regime { windows }).await {
            Ok(_) => {
                txn.commit().await?;
                return Ok(flash::redirect(&format!("/establishments/{id}"), FlashKind::Success, "Regime saved."));
            }
            Err(error) => errors = WeekForm::place_errors(&fields, field_errors(error)?),
        }
    }
    let forms = Forms { regime: Some(week), regime_errors: errors, ..Default::default() };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, establishment_page(&state, &ctx, id, &forms).await?).into_response())
}

pub async fn add_closure(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<ClosureInput>,
) -> AppResult<Response> {
    match establishments::add_closure(&state, id, &input).await {
        Ok((_, 0)) => Ok(flash::redirect(&format!("/establishments/{id}"), FlashKind::Success, "Closure added.")),
        Ok((_, stopped)) => Ok(flash::redirect(
            &format!("/establishments/{id}"),
            FlashKind::Success,
            format!(
                "Closure added. {stopped} booked conference{} on those days {} cancelled and the facilitators told.",
                if stopped == 1 { "" } else { "s" },
                if stopped == 1 { "was" } else { "were" }
            ),
        )),
        Err(error) => {
            let forms = Forms { closure: input, closure_errors: field_errors(error)?, ..Default::default() };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, establishment_page(&state, &ctx, id, &forms).await?).into_response())
        }
    }
}

// ---- the list ------------------------------------------------------------------------

fn checkbox(name: &str, label: &str, checked: bool) -> Markup {
    html! {
        div class="field choice" { input type="checkbox" id=(name) name=(name) value="yes" checked[checked]; label for=(name) { (label) } }
    }
}

/// The fields of an establishment, for adding one and for changing its details.
fn establishment_fields(input: &EstablishmentInput, errors: &FieldErrors) -> Markup {
    let kinds: Vec<(String, &str)> = ESTABLISHMENT_KINDS.iter().map(|(k, text)| (k.code(), *text)).collect();
    html! {
        (Input { value: &input.name, required: true, ..Input::new("name", "Name, for example “HMP Gloucester”") }.render(errors))
        (select("kind", "Kind", &kinds, &input.kind, errors))
        (textarea("address", "Address", &input.address, errors))
        (Input { value: &input.latitude, hint: Some("Optional, in degrees, for example 51.8642."), ..Input::new("latitude", "Latitude") }.render(errors))
        (Input { value: &input.longitude, hint: Some("Optional, in degrees, for example -2.2380."), ..Input::new("longitude", "Longitude") }.render(errors))
        (Input { kind: "number", value: &input.rooms, required: true, hint: Some("How many conferences can run at once."), ..Input::new("rooms", "Rooms") }.render(errors))
        (checkbox("requires_vetting", "Facilitators need this establishment's own security vetting", crate::domain::yes(&input.requires_vetting)))
    }
}

fn details_page(ctx: &PageContext, id: i64, input: &EstablishmentInput, errors: &FieldErrors) -> Markup {
    page(
        ctx,
        "Change the establishment's details",
        html! {
            p { a href={ "/establishments/" (id) } { "Back to the establishment" } }
            h1 { "Change the establishment's details" }
            (error_summary(errors))
            form method="post" action={ "/establishments/" (id) "/details" } novalidate {
                (csrf_field(ctx))
                (establishment_fields(input, errors))
                button type="submit" { "Save details" }
            }
        },
    )
}

pub async fn details_form(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    let place = establishments::find(&state.db, id).await?.ok_or(AppError::NotFound)?;
    Ok(details_page(&ctx, id, &establishments::input_of(&place), &FieldErrors::new()))
}

pub async fn save_details(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<EstablishmentInput>,
) -> AppResult<Response> {
    let patch = establishments::EstablishmentPatch {
        name: Some(input.name.clone()),
        kind: Some(input.kind.clone()),
        address: Some(input.address.clone()),
        latitude: Some(input.latitude.clone()),
        longitude: Some(input.longitude.clone()),
        rooms: Some(input.rooms.clone()),
        requires_vetting: Some(input.requires_vetting.clone()),
    };
    match establishments::update(&state.db, id, &patch).await {
        Ok(_) => Ok(flash::redirect(&format!("/establishments/{id}"), FlashKind::Success, "Details saved.")),
        Err(AppError::Validation { fields, .. }) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, details_page(&ctx, id, &input, &fields)).into_response())
        }
        Err(other) => Err(other),
    }
}

async fn establishments_page(
    state: &AppState,
    ctx: &PageContext,
    input: &EstablishmentInput,
    errors: &FieldErrors,
) -> AppResult<Markup> {
    let all = establishments::establishments(&state.db).await?;
    Ok(page(
        ctx,
        "Establishments",
        html! {
            h1 { "Establishments" }
            @if all.is_empty() { p { "No establishments yet." } } @else {
                div class="table-wrap" role="region" aria-label="Establishments" tabindex="0" { table {
                    thead { tr { th { "Name" } th { "Kind" } th { "Address" } th { "Rooms" } th { "Prison vetting" } } }
                    tbody {
                        @for e in &all {
                            tr {
                                td { a href={ "/establishments/" (e.id) } { (e.name) } }
                                td { (e.kind.code().replace('_', " ")) }
                                td { (e.address) }
                                td { (e.rooms) }
                                td { @if e.requires_vetting { "required" } @else { "not required" } }
                            }
                        }
                    }
                } }
            }
            h2 { "Add an establishment" }
            (error_summary(errors))
            form method="post" action="/establishments" {
                (csrf_field(ctx))
                (establishment_fields(input, errors))
                button type="submit" { "Add establishment" }
            }
        },
    ))
}

pub async fn establishments_list(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
) -> AppResult<Markup> {
    establishments_page(
        &state,
        &ctx,
        &EstablishmentInput { rooms: "1".into(), ..Default::default() },
        &FieldErrors::new(),
    )
    .await
}

pub async fn establishments_create(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
    Form(input): Form<EstablishmentInput>,
) -> AppResult<Response> {
    match input.parse() {
        Ok(new) => {
            establishments::create_establishment(&state.db, new).await?;
            Ok(flash::redirect("/establishments", FlashKind::Success, "Establishment added."))
        }
        Err(errors) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, establishments_page(&state, &ctx, &input, &errors).await?)
                .into_response())
        }
    }
}

pub async fn remove_closure(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    Path((id, closure_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    establishments::remove_closure(&state.db, id, closure_id).await?;
    Ok(flash::redirect(&format!("/establishments/{id}"), FlashKind::Success, "Closure removed."))
}
