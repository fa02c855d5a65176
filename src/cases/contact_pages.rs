//! The contacts log on the case page: the list, the form an assigned facilitator logs a
//! meeting or call with, and the button that puts a contact's mileage on their claim.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use maud::{Markup, html};

use super::contacts::{self, ContactInput, ContactRecord, KINDS};
use super::pages::{Forms, OnCase, answer};
use crate::auth::RequireUser;
use crate::domain::time::short_date;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::components::{FieldErrors, Input, error_summary, select, textarea};
use crate::web::flash::{self, FlashKind};
use crate::web::identity::ClientIp;
use crate::web::layout::{PageContext, csrf_field};

/// "12.5" from tenths of a mile.
pub fn miles(tenths: i32) -> String {
    format!("{}.{}", tenths / 10, tenths % 10)
}

pub fn section(
    ctx: &PageContext,
    case_id: i64,
    records: &[ContactRecord],
    names: &HashMap<i64, String>,
    own: Option<&entity::volunteer::Model>,
    input: &ContactInput,
    errors: &FieldErrors,
) -> Markup {
    let facilitator = own.filter(|_| !ctx.user.as_ref().is_some_and(|u| u.role.is_coordinator()));
    html! {
        h2 id="contacts" { "Preparation contacts" }
        @if records.is_empty() { p { "No preparation meeting or call logged yet." } } @else {
            div class="table-wrap" role="region" aria-label="Preparation contacts" tabindex="0" { table {
                thead { tr {
                    th scope="col" { "Date" } th scope="col" { "What" } th scope="col" { "Facilitator" }
                    th scope="col" { "Minutes" } th scope="col" { "Miles" } th scope="col" { "Notes" }
                    th scope="col" { span class="visually-hidden" { "Expenses" } }
                } }
                tbody {
                    @for r in records {
                        @let c = &r.contact;
                        tr {
                            td { (short_date(c.contact_on)) }
                            td { (KINDS.iter().find(|(k, _)| *k == c.kind).map_or(c.kind.as_str(), |(_, l)| *l)) }
                            td { (names.get(&c.volunteer_id).cloned().unwrap_or_default()) }
                            td { (c.minutes) }
                            td { (miles(c.mileage_tenths)) }
                            td { (c.notes) }
                            td {
                                @if r.claimed { "on an expense claim" }
                                @else if c.mileage_tenths > 0 && facilitator.is_some_and(|v| v.id == c.volunteer_id) {
                                    form method="post" action={ "/cases/" (case_id) "/contacts/" (c.id) "/claim" } {
                                        (csrf_field(ctx))
                                        button type="submit" class="secondary" aria-label={ "Claim " (miles(c.mileage_tenths)) " miles from " (short_date(c.contact_on)) } { "Add mileage to my claim" }
                                    }
                                }
                            }
                        }
                    }
                }
            } }
        }
        @if facilitator.is_some() {
            details class="disclosure" id="log-contact" open[!errors.is_empty()] {
                summary { "Log a meeting or call" }
                (error_summary(errors))
                form method="post" action={ "/cases/" (case_id) "/contacts" } novalidate {
                    (csrf_field(ctx))
                    (select("kind", "What", &KINDS, &input.kind, errors))
                    (Input { kind: "date", value: &input.contact_on, hint: Some("Leave blank for today."), ..Input::new("contact_on", "Date") }.render(errors))
                    (Input { kind: "number", value: &input.minutes, required: true, ..Input::new("minutes", "Minutes") }.render(errors))
                    (Input { value: &input.miles, hint: Some("Miles driven, for example 12.5. Leave blank for none."), ..Input::new("miles", "Miles") }.render(errors))
                    (textarea("notes", "Notes", &input.notes, errors))
                    button type="submit" class="secondary" { "Log contact" }
                }
            }
        }
    }
}

pub async fn record(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(input): Form<ContactInput>,
) -> AppResult<Response> {
    let result = contacts::record(&state.db, &viewer, id, &input, ip.0.as_deref()).await;
    if let Err(AppError::NotFound | AppError::Forbidden) = result {
        return Err(AppError::NotFound);
    }
    let on = OnCase { state: &state, ctx: &ctx, viewer: &viewer, ip: &ip, id };
    answer(on, result, "Contact logged.", |errors| Forms {
        contact: input,
        contact_errors: errors,
        ..Default::default()
    })
    .await
}

pub async fn claim(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path((id, contact_id)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let to = format!("/cases/{id}");
    match contacts::claim_mileage(&state.db, &viewer, id, contact_id, ip.0.as_deref()).await {
        Ok(item) => Ok(flash::redirect(
            &to,
            FlashKind::Success,
            format!(
                "{} miles added to your draft claim {}. They are priced at the HMRC rate when the claim is approved.",
                item.miles_tenths.map(|t| miles(i32::try_from(t).unwrap_or(0))).unwrap_or_default(),
                crate::expenses::service::reference(item.claim_id)
            ),
        )),
        Err(AppError::Conflict(why)) => Ok(flash::redirect(&to, FlashKind::Error, why)),
        Err(AppError::Forbidden) => Err(AppError::NotFound),
        Err(other) => Err(other),
    }
}
