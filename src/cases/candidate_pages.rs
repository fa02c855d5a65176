//! The coordinator's candidates page for one case: the matcher's distinct options (a few
//! days per pair of facilitators) grouped by day, each with why it ranks where it does in
//! words and a "Book" button (a plain form, no script needed), and every volunteer ruled
//! out with the reason.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use maud::{Markup, html};
use serde::Deserialize;

use super::booking::{self, NewBooking};
use crate::auth::RequireUser;
use crate::error::{AppError, AppResult};
use crate::scheduling::candidates::{self, CandidateSlot, Candidates};
use crate::state::AppState;
use crate::web::flash::{self, FlashKind};
use crate::web::identity::{AuthUser, ClientIp};
use crate::web::layout::{PageContext, csrf_field, page};

const LIMIT: usize = 20;

/// "Tuesday 16 December 2026, 10:00" from the matcher's UK wall-clock "YYYY-MM-DDTHH:MM".
/// "2027-01-13T13:45" as people write it: "Wednesday 13 January 2027, 13:45".
pub(super) fn wall_clock(text: &str) -> String {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .map_or_else(|_| text.to_owned(), |t| t.format("%A %-d %B %Y, %H:%M").to_string())
}

/// "09:00 to 11:00" from the matcher's wall-clock start and end.
fn times(c: &CandidateSlot) -> String {
    format!("{} to {}", c.start.get(11..).unwrap_or(&c.start), c.end.get(11..).unwrap_or(&c.end))
}

/// "Tuesday 16 December 2026" from the matcher's "YYYY-MM-DDTHH:MM".
fn day_heading(start: &str) -> String {
    NaiveDateTime::parse_from_str(start, "%Y-%m-%dT%H:%M")
        .map_or_else(|_| start.to_owned(), |t| t.format("%A %-d %B %Y").to_string())
}

fn option(case: i64, c: &CandidateSlot, best: bool, ctx: &PageContext) -> Markup {
    html! {
        li class="option" {
            div {
                p class="when" { strong { (times(c)) } @if best { " " span class="tag best" { "Best match" } } }
                p { (c.lead.name) " (lead) and " (c.second.name) }
                p class="hint" { (c.score.in_words().join("; ")) }
            }
            form method="post" action={ "/cases/" (case) "/candidates/book" } {
                (csrf_field(ctx))
                input type="hidden" name="start" value=(c.start);
                input type="hidden" name="lead_id" value=(c.lead.volunteer_id);
                input type="hidden" name="second_id" value=(c.second.volunteer_id);
                button type="submit" aria-label={ "Book " (wall_clock(&c.start)) " with " (c.lead.name) " and " (c.second.name) } { "Book" }
            }
        }
    }
}

fn candidates_page(ctx: &PageContext, reference: &str, case: i64, found: &Candidates, problem: Option<&str>) -> Markup {
    // The ranked options grouped by day, days in order, each day's best first.
    let mut days: std::collections::BTreeMap<&str, Vec<(usize, &CandidateSlot)>> = Default::default();
    for (rank, c) in found.candidates.iter().enumerate() {
        days.entry(c.start.get(..10).unwrap_or(&c.start)).or_default().push((rank, c));
    }
    page(
        ctx,
        &format!("Candidates for {reference}"),
        html! {
            p { a href={ "/cases/" (case) } { "Back to case " (reference) } }
            h1 { "Conference candidates for " (reference) }
            @if let Some(problem) = problem {
                div class="error-summary" role="alert" tabindex="-1" {
                    h2 { "That conference could not be booked" }
                    p { (problem) }
                }
            }
            p { "Times are UK time. Each pair is offered on a few different days; booking asks both facilitators to accept." }
            @if found.candidates.is_empty() {
                p { "No slot and facilitator pair meets every rule before the deadline." }
            } @else {
                @for (day, options) in &days {
                    section class="day" aria-labelledby={ "day-" (day) } {
                        h2 id={ "day-" (day) } { (day_heading(&options[0].1.start)) }
                        ul class="options" { @for (rank, c) in options { (option(case, c, *rank == 0, ctx)) } }
                    }
                }
            }
            h2 { "Ruled out" }
            @if found.ruled_out.is_empty() {
                p { "Nobody is ruled out." }
            } @else {
                ul class="ruled-out" {
                    @for r in &found.ruled_out { li { strong { (r.name) } ": " (r.reason) } }
                }
            }
        },
    )
}

/// The case, read (and audited) like the API's, for coordinators only: anyone else gets
/// the not-found page, as for any case they may not see.
async fn coordinator_case(state: &AppState, user: &AuthUser, ip: &ClientIp, id: i64) -> AppResult<entity::case::Model> {
    if !user.role.is_coordinator() {
        return Err(AppError::NotFound);
    }
    super::service::read(&state.db, user, id, ip.0.as_deref()).await
}

pub async fn show(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    let found = coordinator_case(&state, &user, &ip, id).await?;
    let list = candidates::for_case(&state.db, &found, LIMIT).await?;
    Ok(candidates_page(&ctx, &found.reference, id, &list, None))
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct BookForm {
    pub start: String,
    pub lead_id: String,
    pub second_id: String,
}

pub async fn book(
    State(state): State<AppState>,
    RequireUser(user): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path(id): Path<i64>,
    Form(form): Form<BookForm>,
) -> AppResult<Response> {
    let found = coordinator_case(&state, &user, &ip, id).await?;
    let ids = (form.lead_id.trim().parse::<i64>(), form.second_id.trim().parse::<i64>());
    let outcome = match ids {
        (Ok(lead_id), Ok(second_id)) => match booking::parse_start(&form.start) {
            Ok(starts_at) => {
                let input = NewBooking { starts_at, pair: Some([lead_id, second_id]) };
                booking::book(&state.db, &state.settings.base_url, &user, id, input).await.map(|_| ())
            }
            Err(unreadable) => Err(unreadable),
        },
        _ => Err(AppError::field("lead_id", "Choose a candidate from the list.")),
    };
    let (status, problem) = match outcome {
        Ok(()) => {
            let message = format!(
                "Conference booked for {}. Both facilitators have been asked to accept.",
                wall_clock(&form.start)
            );
            return Ok(flash::redirect(&format!("/cases/{id}/candidates"), FlashKind::Success, message));
        }
        Err(AppError::Conflict(why)) => (StatusCode::CONFLICT, why),
        Err(AppError::Validation { fields, message }) => {
            (StatusCode::UNPROCESSABLE_ENTITY, fields.into_values().next().unwrap_or(message))
        }
        Err(other) => return Err(other),
    };
    let list = candidates::for_case(&state.db, &found, LIMIT).await?;
    Ok((status, candidates_page(&ctx, &found.reference, id, &list, Some(&problem))).into_response())
}
