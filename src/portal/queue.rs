//! The coordinator's home: what needs a person today, each a count linking to the list it
//! counts, then the cases nearest their deadline and this week's conferences and training.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use entity::Code;
use entity::application::ApplicationStatus;
use entity::case::CaseStatus;
use maud::{Markup, html};

use crate::cases::queue::{self as cases, ActionDue, Listed};
use crate::checks::service::DUE_WITHIN_DAYS;
use crate::domain::time::{days_left, london_display, london_to_utc, london_today, long_date, short_date};
use crate::error::AppResult;
use crate::state::AppState;
use crate::web::identity::AuthUser;

/// Agreed actions due within this many days are shown with the overdue ones.
pub const ACTIONS_WITHIN_DAYS: u64 = 7;
/// How many cases the "nearest deadline" table shows.
const NEAREST: u64 = 8;

/// One line of the queue: how many, what, and the list behind it.
struct Count {
    n: i64,
    label: String,
    href: String,
}

/// A count with its label for one (`one`) or any other number (`many`).
fn count(n: impl TryInto<i64>, one: &str, many: &str, href: impl Into<String>) -> Count {
    let n = n.try_into().unwrap_or(i64::MAX);
    Count { n, label: if n == 1 { one } else { many }.to_owned(), href: href.into() }
}

fn words(code: &str) -> String {
    code.replace('_', " ")
}

fn application_stage(status: ApplicationStatus) -> &'static str {
    match status {
        ApplicationStatus::Submitted => "new, to review",
        ApplicationStatus::Shortlisted => "shortlisted, to invite to interview",
        ApplicationStatus::Interview => "invited to interview",
        ApplicationStatus::Offered => "offered a place, not yet accepted",
        ApplicationStatus::Waitlisted => "on the waiting list",
        ApplicationStatus::Accepted | ApplicationStatus::Rejected | ApplicationStatus::Withdrawn => "decided",
    }
}

fn case_stage(status: CaseStatus) -> &'static str {
    match status {
        CaseStatus::Referred => "referred, to allocate and assess",
        CaseStatus::Assessing => "being assessed and prepared",
        CaseStatus::Ready => "ready to book",
        CaseStatus::Booked => "booked",
        CaseStatus::Held => "held, outcome to record",
        CaseStatus::FollowUp => "following up the agreement",
        CaseStatus::Closed | CaseStatus::NotProceeding => "closed",
    }
}

/// Monday to Monday of the London week holding `today`, as instants.
fn week_of(today: NaiveDate) -> (NaiveDate, NaiveDate, DateTime<Utc>, DateTime<Utc>) {
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let next = monday + Days::new(7);
    let at = |day: NaiveDate| london_to_utc(day.and_time(chrono::NaiveTime::MIN)).unwrap_or_default();
    (monday, next, at(monday), at(next))
}

fn counts(heading: &str, id: &str, items: &[Count]) -> Markup {
    html! {
        section class="queue-group" aria-labelledby=(id) {
            h2 id=(id) { (heading) }
            ul class="queue" {
                @for item in items {
                    li class={ @if item.n == 0 { "none" } } {
                        a href=(item.href) { span class="n" { (item.n) } " " span class="what" { (item.label) } }
                    }
                }
            }
        }
    }
}

fn conference_line(c: &Listed) -> Markup {
    html! {
        a href={ "/conferences/" (c.conference.id) } { (c.reference) } ", " (london_display(c.conference.starts_at)) " at " (c.place)
        @if c.unanswered > 0 { " " span class="tag" { "waiting for " (c.unanswered) @if c.unanswered == 1 { " answer" } @else { " answers" } } }
    }
}

fn action_line(a: &ActionDue, today: NaiveDate) -> Markup {
    html! {
        a href={ "/cases/" (a.case_id) } { (a.reference) } ": " (a.action.description) " (" (a.action.owner) "), "
        (days_left(a.action.due_on, today))
    }
}

/// The queue for a coordinator or admin. The cases it names are audited as listed.
pub async fn render(state: &AppState, user: &AuthUser, ip: Option<&str>) -> AppResult<Markup> {
    let db = &state.db;
    let now = crate::clock::now();
    let today = london_today(now);
    let (monday, next_monday, week_start, week_end) = week_of(today);

    let mut applications: Vec<Count> = crate::applications::service::waiting_by_stage(db)
        .await?
        .into_iter()
        .map(|(status, n)| {
            count(
                n,
                application_stage(status),
                application_stage(status),
                format!("/applications?status={}", status.code()),
            )
        })
        .collect();
    let interviews = crate::applications::service::interviews_between(db, week_start, week_end).await?;
    applications.push(count(
        interviews,
        "interview this week",
        "interviews this week",
        "/applications?status=interview",
    ));

    let checks = crate::checks::service::overview(db, today).await?;
    let supervision = crate::supervision::service::overdue(db, today).await?.len();
    let volunteers = [
        count(checks.overdue.len(), "check overdue", "checks overdue", "/checks#overdue"),
        count(
            checks.due_soon.len(),
            &format!("check due in {DUE_WITHIN_DAYS} days"),
            &format!("checks due in {DUE_WITHIN_DAYS} days"),
            "/checks#due",
        ),
        count(
            checks.missing.len(),
            "volunteer without a DBS check",
            "volunteers without a DBS check",
            "/checks#missing",
        ),
        count(
            supervision,
            "volunteer overdue for supervision",
            "volunteers overdue for supervision",
            "/volunteers?supervision=overdue",
        ),
    ];

    let stages: Vec<Count> = cases::open_by_stage(db)
        .await?
        .into_iter()
        .map(|(status, n)| {
            count(n, case_stage(status), case_stage(status), format!("/cases?status={}&sort=deadline", status.code()))
        })
        .collect();
    let awaiting = cases::awaiting_answer(db, now).await?;
    let actions = cases::actions_due(db, today + Days::new(ACTIONS_WITHIN_DAYS)).await?;
    let claims = crate::expenses::service::awaiting_decision(db).await?;
    let mut other =
        vec![count(claims, "expense claim to approve", "expense claims to approve", "/expenses?status=submitted")];
    if user.role == entity::user::Role::Admin {
        let failed = crate::notifications::outbox::failed_count(db).await?;
        other.push(count(failed, "email failed", "emails failed", "/admin/outbox"));
    }

    let nearest = cases::nearest_deadlines(db, user, NEAREST, ip).await?;
    let places: std::collections::HashMap<i64, String> =
        crate::establishments::service::establishments(db).await?.into_iter().map(|e| (e.id, e.name)).collect();
    let conferences = cases::starting_between(db, week_start, week_end).await?;
    let sessions = crate::training::service::sessions_between(db, monday, next_monday).await?;

    Ok(html! {
        p class="lead" { (long_date(today)) }
        div class="queue-groups" {
            (counts("Applications", "q-applications", &applications))
            (counts("Volunteers", "q-volunteers", &volunteers))
            @if !stages.is_empty() { (counts("Cases", "q-cases", &stages)) }
            (counts(if other.len() > 1 { "Claims and email" } else { "Claims" }, "q-other", &other))
        }
        section aria-labelledby="q-awaiting" {
            h2 id="q-awaiting" { "Conferences waiting for an answer" }
            @if awaiting.is_empty() { p { "Every facilitator asked has answered." } } @else {
                ul { @for c in &awaiting { li { (conference_line(c)) } } }
            }
        }
        section aria-labelledby="q-actions" {
            h2 id="q-actions" { "Agreed actions due" }
            @if actions.is_empty() { p { "No agreed action is due in the next " (ACTIONS_WITHIN_DAYS) " days." } } @else {
                ul { @for a in &actions { li { (action_line(a, today)) } } }
            }
        }
        section aria-labelledby="q-deadlines" {
            h2 id="q-deadlines" { "Nearest deadlines" }
            @if nearest.is_empty() { p { "No open case is waiting to be held." } } @else {
                div class="table-wrap" role="region" aria-label="Nearest deadlines" tabindex="0" { table {
                    thead { tr { th scope="col" { "Case" } th scope="col" { "Stage" } th scope="col" { "Deadline" } } }
                    tbody { @for c in &nearest {
                        tr {
                            td { a class="nowrap" href={ "/cases/" (c.id) } { (c.reference) } br; span class="hint" { (places.get(&c.establishment_id).cloned().unwrap_or_default()) } }
                            td { (words(&c.status.code())) }
                            td { span class="nowrap" { (short_date(c.deadline)) } br; span class="hint" { (days_left(c.deadline, today)) } }
                        }
                    } }
                } }
                p { a href="/cases?sort=deadline" { "All cases by deadline" } }
            }
        }
        section aria-labelledby="q-week" {
            h2 id="q-week" { "This week" }
            @if conferences.is_empty() && sessions.is_empty() { p { "No conference or training session this week." } }
            @if !conferences.is_empty() {
                h3 { "Conferences" }
                ul { @for c in &conferences { li { (conference_line(c)) } } }
            }
            @if !sessions.is_empty() {
                h3 { "Training" }
                ul { @for (session, course) in &sessions {
                    li { a href={ "/sessions/" (session.id) } { (course.name) " session " (session.number) } ", " (long_date(session.date)) " " (session.starts_at.format("%H:%M")) " at " (session.venue) }
                } }
            }
        }
    })
}
