//! One establishment for coordinators: its details, the weekly regime editor (UK wall-clock,
//! start before end, no overlaps — the API's own rules) and its closures.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::establishments::{self, ClosureInput, Regime};
use super::week_form::WeekForm;
use crate::auth::RequireCoordinator;
use crate::db::begin_write;
use crate::domain::time::short_date;
use crate::error::{AppError, AppResult};
use crate::startup::AppState;
use crate::web::components::{FieldErrors, Input, error_summary, field_errors};
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
                dt { "Kind" } dd { (place.kind.as_str().replace('_', " ")) }
                dt { "Address" } dd { (place.address) }
                dt { "Rooms" } dd { (place.rooms) " (conferences that can run at once)" }
                dt { "Prison vetting" } dd { @if place.requires_vetting { "required" } @else { "not required" } }
            }
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
                div class="table-wrap" { table {
                    thead { tr { th scope="col" { "From" } th scope="col" { "To (inclusive)" } th scope="col" { "Reason" } } }
                    tbody { @for c in &closures { tr { td { (short_date(c.from_date)) } td { (short_date(c.to_date)) } td { (c.reason) } } } }
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
    match establishments::add_closure(&state.db, id, &input).await {
        Ok(_) => Ok(flash::redirect(&format!("/establishments/{id}"), FlashKind::Success, "Closure added.")),
        Err(error) => {
            let forms = Forms { closure: input, closure_errors: field_errors(error)?, ..Default::default() };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, establishment_page(&state, &ctx, id, &forms).await?).into_response())
        }
    }
}
