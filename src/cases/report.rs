//! The completion report for the referrer: one page (and `GET /api/v1/cases/{id}/report`)
//! with the reference, the offence category and the dates — referral, first contact, the
//! conference, follow-up, closure — the outcome, and how many agreed actions were completed.
//! No narrative, no names, no offence details beyond the category. Coordinators and the
//! allocated pair; the read is audited like any read of the case.

use axum::Json;
use axum::extract::{Path, State};
use chrono::NaiveDate;
use entity::Code;
use entity::conference::ConferenceStatus;
use maud::{Markup, html};
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::RequireUser;
use crate::domain::time::{london_today, long_date};
use crate::error::{AppResult, ErrorResponse};
use crate::state::AppState;
use crate::web::identity::{AuthUser, ClientIp};
use crate::web::layout::{PageContext, page};

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CompletionReport {
    pub reference: String,
    pub offence_category: String,
    /// Who referred: police, probation, prison, youth_offending, community or self
    pub source: String,
    #[schema(value_type = String)]
    pub referred_on: NaiveDate,
    /// The first preparation meeting or call logged.
    #[schema(value_type = Option<String>)]
    pub first_contact_on: Option<NaiveDate>,
    /// The day of the conference held (or, if none was held, the last one that did not go ahead).
    #[schema(value_type = Option<String>)]
    pub conference_on: Option<NaiveDate>,
    /// held, not_held, or none (no conference took place)
    pub outcome: String,
    pub actions_agreed: usize,
    pub actions_completed: usize,
    pub actions_not_completed: usize,
    pub actions_open: usize,
    #[schema(value_type = Option<String>)]
    pub follow_up_on: Option<NaiveDate>,
    /// The case's status now.
    pub status: String,
    #[schema(value_type = Option<String>)]
    pub closed_on: Option<NaiveDate>,
}

/// The report on case `id`, if `viewer` may work it (404 otherwise); the read is audited.
pub async fn build(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    id: i64,
    ip: Option<&str>,
) -> AppResult<CompletionReport> {
    let found = super::service::read(db, viewer, id, ip).await?;
    let contacts = super::contacts::for_case(db, id).await?;
    let conferences = super::service::conferences(db, id).await?;
    let held = conferences.iter().rev().find(|r| r.conference.status == ConferenceStatus::Held);
    let not_held = conferences.iter().rev().find(|r| r.conference.status == ConferenceStatus::NotHeld);
    let (outcome, chosen) = match (held, not_held) {
        (Some(r), _) => ("held", Some(r)),
        (None, Some(r)) => ("not_held", Some(r)),
        (None, None) => ("none", None),
    };
    let actions: Vec<_> = chosen.map(|r| r.actions.iter().collect()).unwrap_or_default();
    let completed = actions.iter().filter(|a| a.completed_on.is_some()).count();
    let not_completed = actions.iter().filter(|a| a.not_completed_on.is_some()).count();
    Ok(CompletionReport {
        reference: found.reference,
        offence_category: found.offence_category,
        source: super::service::source_name(found.source).to_owned(),
        referred_on: found.referred_on,
        first_contact_on: contacts.iter().map(|c| c.contact.contact_on).min(),
        conference_on: chosen.map(|r| london_today(r.conference.starts_at)),
        outcome: outcome.to_owned(),
        actions_agreed: actions.len(),
        actions_completed: completed,
        actions_not_completed: not_completed,
        actions_open: actions.len() - completed - not_completed,
        follow_up_on: chosen.and_then(|r| r.conference.follow_up_done_at).map(london_today),
        status: found.status.code(),
        closed_on: found.closed_at.map(london_today),
    })
}

/// The completion report for the referrer: dates, outcome and actions, nothing more.
#[utoipa::path(get, path = "/api/v1/cases/{id}/report", tag = "cases", params(("id" = i64, Path)),
    responses((status = 200, body = CompletionReport), (status = 404, body = ErrorResponse)), security(("bearer" = [])))]
pub async fn api(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    Path(id): Path<i64>,
) -> AppResult<Json<CompletionReport>> {
    Ok(Json(build(&state.db, &viewer, id, ip.0.as_deref()).await?))
}

fn date(day: Option<NaiveDate>) -> String {
    day.map_or_else(|| "—".to_owned(), long_date)
}

pub async fn show(
    State(state): State<AppState>,
    RequireUser(viewer): RequireUser,
    axum::Extension(ip): axum::Extension<ClientIp>,
    ctx: PageContext,
    Path(id): Path<i64>,
) -> AppResult<Markup> {
    let report = build(&state.db, &viewer, id, ip.0.as_deref()).await?;
    let outcome = match report.outcome.as_str() {
        "held" => "Conference held",
        "not_held" => "Conference did not go ahead",
        _ => "No conference took place",
    };
    Ok(page(
        &ctx,
        &format!("Completion report {}", report.reference),
        html! {
            p class="no-print" { a href={ "/cases/" (id) } { "Case " (report.reference) } }
            h1 { "Completion report" }
            p class="lead" { "Restorative justice case " strong { (report.reference) } }
            dl class="report" {
                dt { "Offence category" } dd { (report.offence_category) }
                dt { "Referred" } dd { (long_date(report.referred_on)) }
                dt { "First contact" } dd { (date(report.first_contact_on)) }
                dt { "Conference" } dd { (date(report.conference_on)) }
                dt { "Outcome" } dd { (outcome) }
                dt { "Agreed actions" } dd {
                    (report.actions_agreed) " agreed: " (report.actions_completed) " completed, "
                    (report.actions_not_completed) " not completed, " (report.actions_open) " open"
                }
                dt { "Follow-up" } dd { (date(report.follow_up_on)) }
                dt { "Case closed" } dd { (date(report.closed_on)) }
            }
            p class="hint" { "This report holds dates and outcomes only: no names, accounts or offence details." }
        },
    ))
}
