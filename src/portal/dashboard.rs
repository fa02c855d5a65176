//! The volunteer's own dashboard: next dates, training progress, commitment left,
//! supervision due — one page, readable on a phone.

use entity::Code;
use entity::conference::ConferenceStatus;
use maud::{Markup, html};

use crate::commitment::service::commitment;
use crate::domain::time::{london_display, long_date};
use crate::error::AppResult;
use crate::portal::not_active_because;
use crate::settings::service::{DBS_RENEWAL_YEARS, SUPERVISION_INTERVAL_WEEKS, numbers};
use crate::state::AppState;
use crate::supervision;
use crate::volunteers::service;
use crate::web::identity::AuthUser;

/// Everything the dashboard shows comes from a fixed number of queries (about a dozen),
/// however long the volunteer's record: it is the page volunteers open most.
pub async fn render(state: &AppState, ctx: &crate::web::layout::PageContext, user: &AuthUser) -> AppResult<Markup> {
    let db = &state.db;
    let Some(record) = service::for_user(db, user.id).await? else {
        return Ok(html! { p { "There is no volunteer record for your account yet. A coordinator can help." } });
    };
    let today = crate::clock::today();
    let [renewal_years, interval] = numbers(db, [&DBS_RENEWAL_YEARS, &SUPERVISION_INTERVAL_WEEKS]).await?;
    let (training, sessions) = crate::training::service::record(db, record.id).await?;
    let checks = crate::checks::service::dbs_checks(db, record.id).await?;
    let dbs = crate::checks::clearance::dbs_clearance(&checks, today, renewal_years);
    // Checks lapse with time: bring the status up to date before showing it.
    let standing = crate::training::service::standing(&training, dbs.is_cleared());
    let record = crate::commitment::service::refresh_record(db, record, standing).await?;
    let upcoming_training: Vec<_> = sessions.into_iter().filter(|s| s.date >= today).collect();
    let meetings: Vec<_> =
        supervision::service::meetings_for(db, record.id).await?.into_iter().filter(|m| m.held_on >= today).collect();
    let held = supervision::service::held_on(db, record.id).await?;
    let due = supervision::service::due(&record, &held, today, interval);
    let commitment = commitment(&record, today);
    let claims = crate::expenses::service::latest_priced(db, record.id, 5).await?;
    let reasons = not_active_because(&record, &training, &dbs);
    let (awaiting, conferences) =
        crate::cases::conferences::awaiting_and_upcoming(db, record.id, crate::clock::now()).await?;
    Ok(html! {
        (crate::cases::response_pages::awaiting_section(ctx, &awaiting))
        section class="card" aria-labelledby="next-dates" {
            h2 id="next-dates" { "Next dates" }
            @if upcoming_training.is_empty() && meetings.is_empty() && conferences.is_empty() { p { "Nothing booked yet." } }
            ul {
                @for c in conferences.iter().take(5) {
                    li {
                        (london_display(c.conference.starts_at)) ": "
                        a href={ "/conferences/" (c.conference.id) } { "restorative conference " (c.reference) }
                        " at " (c.place) ", as " (crate::cases::response_pages::role_name(c.role))
                        @if c.conference.status == ConferenceStatus::Proposed { " (waiting for the other facilitator)" }
                    }
                }
                @for s in upcoming_training.iter().take(5) {
                    li { (long_date(s.date)) ", " (s.starts_at.format("%H:%M")) "–" (s.ends_at.format("%H:%M")) ": training session " (s.number) ", " (s.venue) }
                }
                @for m in meetings.iter().take(3) {
                    li { (long_date(m.held_on)) ", " (m.starts_at.format("%H:%M")) ": volunteer meeting — " (m.topic) }
                }
            }
        }
        section class="card" aria-labelledby="training" {
            h2 id="training" { "Core training" }
            @if training.needed.is_empty() { p { "You are not enrolled on a core training course yet." } }
            @else if let Some(done) = record.trained_on { p { "Completed on " (long_date(done)) ". Well done." } }
            @else {
                p { (training.needed.iter().filter(|n| training.attended.contains_key(n)).count()) " of " (training.needed.len()) " sessions attended." }
                @let missing: Vec<String> = training.missing().iter().map(i32::to_string).collect();
                p { "Still to attend: session " (missing.join(", ")) "." }
            }
        }
        section class="card" aria-labelledby="commitment" {
            h2 id="commitment" { "Your commitment" }
            @match commitment {
                None => p { "Your one-year commitment starts when you complete core training." },
                Some(c) => p { (c.left_days) " days left, until " (long_date(c.ends_on)) "." },
            }
            p { "Status: " strong { (record.status.code().replace('_', " ")) } ", level " (record.level.code().replace('_', " ")) "." }
            @if !reasons.is_empty() { ul { @for r in &reasons { li { (r) } } } }
        }
        section class="card" aria-labelledby="checks" {
            h2 id="checks" { "Background checks" }
            @match &dbs {
                crate::checks::clearance::Clearance::Cleared => p { "Your DBS check is clear and up to date." },
                crate::checks::clearance::Clearance::NotCleared(why) => ul { @for r in why { li { (r.to_string()) } } },
            }
            p { a href={ "/volunteers/" (record.id) "/checks" } { "See your checks" } }
        }
        section class="card" aria-labelledby="claims" {
            h2 id="claims" { "Expenses" }
            @if claims.is_empty() { p { "No claims yet." } }
            ul {
                @for c in claims.iter().take(5) {
                    li { (crate::expenses::service::reference(c.claim.id)) ": " (c.total.to_string()) " — " (c.claim.status.code()) }
                }
            }
            p { a href="/expenses" { "Claim expenses" } }
        }
        section class="card" aria-labelledby="supervision" {
            h2 id="supervision" { "Supervision" }
            @match due {
                None => p { "Supervision starts after core training." },
                Some(d) if d.overdue => p { strong { "Your one-to-one is overdue" } " (due " (long_date(d.due_on)) "). Your coordinator will be in touch." },
                Some(d) => p { "Next one-to-one due by " (long_date(d.due_on)) "." },
            }
        }
    })
}
