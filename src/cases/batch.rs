//! Batch planning of every case ready to book (`POST /api/v1/plan`): the matcher's joint plan
//! (the same planner as `convene plan`), each of its bookings made through `booking::book` —
//! the same transactional checks as a coordinator's single booking — so a plan can never
//! hold an infeasible or double booking, then any case left over on its own candidates.

use std::time::Duration;

use entity::case::CaseStatus;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use url::Url;
use utoipa::ToSchema;

use super::booking::{self, NewBooking};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::scheduling::candidates;
use crate::scheduling::instance::{self, volunteer_of};
use crate::scheduling::matcher::{self, PlanOptions, Problem};
use crate::web::identity::AuthUser;

/// How many of a case's best candidates are tried before it is reported unbooked (a
/// candidate can be taken by an earlier case of the same plan, or by a concurrent booking).
const TRIES_PER_CASE: usize = 20;

#[derive(Debug, Serialize, ToSchema)]
pub struct PlannedBooking {
    pub case_id: i64,
    pub reference: String,
    pub conference_id: i64,
    /// UK wall-clock YYYY-MM-DDTHH:MM
    pub start: String,
    pub end: String,
    pub lead_id: i64,
    pub second_id: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Unbooked {
    pub case_id: i64,
    pub reference: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanResult {
    pub bookings: Vec<PlannedBooking>,
    pub unbooked: Vec<Unbooked>,
}

/// How long the joint plan may search: well inside a request's 30-second timeout.
const PLAN_BUDGET: Duration = Duration::from_secs(3);

/// The cases ready to book, earliest deadline first.
async fn ready_cases(db: &impl Db) -> AppResult<Vec<entity::case::Model>> {
    Ok(entity::case::Entity::find()
        .filter(entity::case::Column::Status.eq(CaseStatus::Ready))
        .order_by_asc(entity::case::Column::Deadline)
        .order_by_asc(entity::case::Column::Id)
        .all(db)
        .await?)
}

/// One booking the joint plan proposes: a case, its start and end (UK wall-clock), its pair.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Proposal {
    pub case_id: i64,
    pub reference: String,
    pub start: String,
    pub end: String,
    pub lead_id: i64,
    pub second_id: i64,
}

/// The matcher's joint plan of `ready` (the planner `convene plan` runs: most cases booked,
/// then the best objective), from one read of everything it needs. Nothing is booked.
async fn joint_plan(db: &impl Db, ready: &[entity::case::Model]) -> AppResult<Vec<Proposal>> {
    let snapshot = instance::Snapshot::load(db, ready, crate::clock::today(), None, None).await?;
    let parts = ready.iter().map(|case| snapshot.instance(case)).collect::<Result<Vec<_>, _>>()?;
    let Some(joint) = instance::merge(parts) else { return Ok(Vec::new()) };
    let problem =
        Problem::compile(&joint).map_err(|e| AppError::Internal(anyhow::anyhow!("planning instance: {e}")))?;
    let options = PlanOptions { time_budget: PLAN_BUDGET, seed: 0 };
    let plan = tokio::task::spawn_blocking(move || matcher::plan(&problem, &options))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("planner: {e}")))?;
    Ok(plan
        .bookings
        .into_iter()
        .filter_map(|planned| {
            let case = ready.iter().find(|c| instance::case_id(c.id) == planned.case)?;
            let [lead, second] = &planned.facilitators;
            Some(Proposal {
                case_id: case.id,
                reference: case.reference.clone(),
                start: planned.start,
                end: planned.end,
                lead_id: volunteer_of(lead)?,
                second_id: volunteer_of(second)?,
            })
        })
        .collect())
}

/// Books one proposal through `booking::book`, with every check a single booking has.
async fn book_proposal(
    db: &impl Db,
    base_url: &Url,
    actor: &AuthUser,
    proposal: Proposal,
) -> AppResult<Result<PlannedBooking, AppError>> {
    let starts_at = match booking::parse_start(&proposal.start) {
        Ok(at) => at,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let input = NewBooking { starts_at, pair: Some([proposal.lead_id, proposal.second_id]) };
    match booking::book(db, base_url, actor, proposal.case_id, input).await {
        Ok((conference, _)) => Ok(Ok(PlannedBooking {
            case_id: proposal.case_id,
            reference: proposal.reference,
            conference_id: conference.id,
            start: proposal.start,
            end: proposal.end,
            lead_id: proposal.lead_id,
            second_id: proposal.second_id,
        })),
        // Taken by a concurrent booking since the plan was made, or no longer ready.
        Err(refusal @ (AppError::Conflict(_) | AppError::Validation { .. } | AppError::NotFound)) => Ok(Err(refusal)),
        Err(other) => Err(other),
    }
}

/// Books as many `ready` cases as it can: first the joint plan of all of them, then, for any
/// case the plan left out or whose slot was taken meanwhile, its own candidates, fewest
/// first.
pub async fn plan_ready(db: &impl Db, base_url: &Url, actor: &AuthUser) -> AppResult<PlanResult> {
    let ready = ready_cases(db).await?;
    let mut result = PlanResult { bookings: Vec::new(), unbooked: Vec::new() };
    let mut left = ready.clone();
    for proposal in joint_plan(db, &ready).await? {
        if let Ok(booked) = book_proposal(db, base_url, actor, proposal).await? {
            left.retain(|c| c.id != booked.case_id);
            result.bookings.push(booked);
        }
    }
    book_one_by_one(db, base_url, actor, left, &mut result).await?;
    Ok(result)
}

/// What the joint plan would book, and why each other ready case would not be, for a
/// coordinator to choose from. Nothing is booked.
#[derive(Debug, Default)]
pub struct Preview {
    pub proposals: Vec<Proposal>,
    pub unbooked: Vec<Unbooked>,
}

pub async fn preview(db: &impl Db) -> AppResult<Preview> {
    let ready = ready_cases(db).await?;
    let proposals = joint_plan(db, &ready).await?;
    let mut unbooked = Vec::new();
    for case in ready.iter().filter(|c| !proposals.iter().any(|p| p.case_id == c.id)) {
        let found = candidates::for_case(db, case, TRIES_PER_CASE).await?;
        let reason = if found.candidates.is_empty() {
            unbooked_reason(case, &found, None)
        } else {
            format!(
                "its {} candidate slots are all wanted by cases the plan books; book it on its own from its candidates",
                found.candidates.len()
            )
        };
        unbooked.push(Unbooked { case_id: case.id, reference: case.reference.clone(), reason });
    }
    Ok(Preview { proposals, unbooked })
}

/// Books the proposals a coordinator chose, each with every check of a single booking; a
/// proposal that can no longer be booked is reported with the reason.
pub async fn book_chosen(
    db: &impl Db,
    base_url: &Url,
    actor: &AuthUser,
    chosen: Vec<Proposal>,
) -> AppResult<PlanResult> {
    let mut result = PlanResult { bookings: Vec::new(), unbooked: Vec::new() };
    for proposal in chosen {
        let (case_id, reference) = (proposal.case_id, proposal.reference.clone());
        match book_proposal(db, base_url, actor, proposal).await? {
            Ok(booked) => result.bookings.push(booked),
            Err(refusal) => result.unbooked.push(Unbooked { case_id, reference, reason: refusal_words(&refusal) }),
        }
    }
    Ok(result)
}

/// Each case on its own candidates, most constrained first, each seeing the bookings before it.
async fn book_one_by_one(
    db: &impl Db,
    base_url: &Url,
    actor: &AuthUser,
    cases: Vec<entity::case::Model>,
    result: &mut PlanResult,
) -> AppResult<()> {
    let counts = candidates::counts(db, &cases, TRIES_PER_CASE).await?;
    let mut order: Vec<(usize, entity::case::Model)> = counts.into_iter().zip(cases).collect();
    // Most constrained first; the sort is stable, so ties keep the earliest deadline first.
    order.sort_by_key(|(count, _)| *count);

    for (_, case) in order {
        let found = candidates::for_case(db, &case, TRIES_PER_CASE).await?;
        let mut last_refusal = None;
        let mut booked = None;
        for candidate in &found.candidates {
            let Ok(starts_at) = booking::parse_start(&candidate.start) else { continue };
            let input =
                NewBooking { starts_at, pair: Some([candidate.lead.volunteer_id, candidate.second.volunteer_id]) };
            match booking::book(db, base_url, actor, case.id, input).await {
                Ok((conference, _)) => {
                    booked = Some(PlannedBooking {
                        case_id: case.id,
                        reference: case.reference.clone(),
                        conference_id: conference.id,
                        start: candidate.start.clone(),
                        end: candidate.end.clone(),
                        lead_id: candidate.lead.volunteer_id,
                        second_id: candidate.second.volunteer_id,
                    });
                    break;
                }
                Err(refusal @ (AppError::Conflict(_) | AppError::Validation { .. })) => last_refusal = Some(refusal),
                Err(other) => return Err(other),
            }
        }
        match booked {
            Some(booking) => result.bookings.push(booking),
            None => result.unbooked.push(Unbooked {
                case_id: case.id,
                reference: case.reference.clone(),
                reason: unbooked_reason(&case, &found, last_refusal.as_ref()),
            }),
        }
    }
    Ok(())
}

/// Why a booking was refused, in words: the messages of the fields, or the conflict.
fn refusal_words(refusal: &AppError) -> String {
    match refusal {
        AppError::Validation { fields, .. } if !fields.is_empty() => {
            fields.values().cloned().collect::<Vec<_>>().join("; ")
        }
        AppError::NotFound => "the case is no longer there to book".into(),
        other => other.to_string(),
    }
}

fn unbooked_reason(case: &entity::case::Model, found: &candidates::Candidates, refusal: Option<&AppError>) -> String {
    if let Some(refusal) = refusal {
        return format!("every candidate slot was taken by another booking ({refusal})");
    }
    // The rule that ruled out the most volunteers says most about what is missing.
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for ruled_out in &found.ruled_out {
        *counts.entry(ruled_out.reason.as_str()).or_default() += 1;
    }
    let mut reason = format!("no slot with two available facilitators (one a lead) by the deadline {}", case.deadline);
    if let Some((common, _)) = counts.iter().max_by_key(|(_, count)| **count) {
        reason.push_str(&format!("; most often ruled out: {common}"));
    }
    reason
}
