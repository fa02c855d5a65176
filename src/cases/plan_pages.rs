//! The coordinator's batch-planning page over the joint plan of `POST /api/v1/plan`: a
//! preview of the bookings it proposes (nothing booked yet) and of the ready cases it cannot
//! book with the reason, then the chosen proposals booked, each with every check a single
//! booking has.

use std::collections::{BTreeMap, HashMap};

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::batch::{self, PlanResult, Preview, Proposal, Unbooked};
use super::candidate_pages::wall_clock;
use crate::auth::RequireCoordinator;
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::layout::{PageContext, csrf_field, page};

/// A proposal as one checkbox value: "case|start|end|lead|second|reference".
fn encode(p: &Proposal) -> String {
    format!("{}|{}|{}|{}|{}|{}", p.case_id, p.start, p.end, p.lead_id, p.second_id, p.reference)
}

fn decode(value: &str) -> Option<Proposal> {
    let mut parts = value.splitn(6, '|');
    let case_id = parts.next()?.parse().ok()?;
    let (start, end) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let lead_id = parts.next()?.parse().ok()?;
    let second_id = parts.next()?.parse().ok()?;
    let reference = parts.next()?.to_owned();
    Some(Proposal { case_id, reference, start, end, lead_id, second_id })
}

fn unbooked_list(unbooked: &[Unbooked]) -> Markup {
    html! {
        ul class="ruled-out" {
            @for u in unbooked { li { a href={ "/cases/" (u.case_id) } { (u.reference) } ": " (u.reason) } }
        }
    }
}

fn preview_page(ctx: &PageContext, preview: &Preview, names: &HashMap<i64, String>) -> Markup {
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    page(
        ctx,
        "Plan the ready cases",
        html! {
            h1 { "Plan the ready cases" }
            p { "The planner books as many ready cases as it can together, then prefers facilitators already on a case, earlier dates and less travel. Nothing is booked until you choose." }
            @if preview.proposals.is_empty() && preview.unbooked.is_empty() {
                p { "No case is ready to book." }
            }
            @if !preview.proposals.is_empty() {
                h2 { "Proposed conferences" }
                form method="post" action="/plan" {
                    (csrf_field(ctx))
                    fieldset {
                        legend { "Choose the conferences to book (times are UK time)" }
                        @for (n, p) in preview.proposals.iter().enumerate() {
                            div class="field choice" {
                                input type="checkbox" id={ "book_" (n) } name={ "book_" (n) } value=(encode(p)) checked;
                                label for={ "book_" (n) } {
                                    strong { (p.reference) } ": " (wall_clock(&p.start)) " to " (p.end.get(11..).unwrap_or(&p.end))
                                    ", " (name(p.lead_id)) " (lead) and " (name(p.second_id))
                                }
                            }
                        }
                    }
                    button type="submit" { "Book the chosen conferences" }
                }
            }
            @if !preview.unbooked.is_empty() {
                h2 { "Not booked by the plan" }
                (unbooked_list(&preview.unbooked))
            }
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    RequireCoordinator(_): RequireCoordinator,
    ctx: PageContext,
) -> AppResult<Markup> {
    let preview = batch::preview(&state.db).await?;
    let ids: Vec<i64> = preview.proposals.iter().flat_map(|p| [p.lead_id, p.second_id]).collect();
    let names = crate::volunteers::service::names(&state.db, &ids).await?;
    Ok(preview_page(&ctx, &preview, &names))
}

fn result_page(ctx: &PageContext, result: &PlanResult, names: &HashMap<i64, String>) -> Markup {
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    page(
        ctx,
        "Planned",
        html! {
            h1 { "Planned" }
            @if result.bookings.is_empty() { p { "Nothing was booked." } } @else {
                div class="flash success" role="status" {
                    (result.bookings.len()) @if result.bookings.len() == 1 { " conference booked" } @else { " conferences booked" }
                    ". Each facilitator is asked to accept."
                }
                ul { @for b in &result.bookings {
                    li { a href={ "/cases/" (b.case_id) } { (b.reference) } ": " (wall_clock(&b.start)) ", " (name(b.lead_id)) " and " (name(b.second_id)) }
                } }
            }
            @if !result.unbooked.is_empty() {
                h2 { "Could not be booked" }
                (unbooked_list(&result.unbooked))
            }
            p { a href="/plan" { "Plan again" } " · " a href="/" { "Home" } }
        },
    )
}

pub async fn book(
    State(state): State<AppState>,
    RequireCoordinator(actor): RequireCoordinator,
    ctx: PageContext,
    Form(form): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    // In the order shown; anything that does not read as a proposal is ignored.
    let chosen: BTreeMap<usize, Proposal> = form
        .iter()
        .filter_map(|(key, value)| Some((key.strip_prefix("book_")?.parse().ok()?, decode(value)?)))
        .collect();
    let result =
        batch::book_chosen(&state.db, &state.settings.base_url, &actor, chosen.into_values().collect()).await?;
    let ids: Vec<i64> = result.bookings.iter().flat_map(|b| [b.lead_id, b.second_id]).collect();
    let names = crate::volunteers::service::names(&state.db, &ids).await?;
    Ok(result_page(&ctx, &result, &names).into_response())
}

#[cfg(test)]
mod tests {
    use super::{Proposal, decode, encode};

    #[test]
    fn a_proposal_survives_its_checkbox() {
        let p = Proposal {
            case_id: 7,
            reference: "RJ-2026-0007".into(),
            start: "2027-01-12T10:00".into(),
            end: "2027-01-12T12:00".into(),
            lead_id: 3,
            second_id: 9,
        };
        assert_eq!(decode(&encode(&p)), Some(p));
        assert_eq!(decode("7|x"), None);
    }
}
