//! A booked conference after booking: the facilitators' answers, cancelling and
//! rescheduling (each bumps the calendar SEQUENCE), and recording the outcome.

use entity::Code;
use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::case::{self, CaseStatus};
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator::{self, FacilitatorRole, Response};
use entity::outcome_action;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect, Set};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::audit::{self, AuditEntry};
use crate::db::{Db, begin_write};
use crate::domain::time::london_display;
use crate::error::{AppError, AppResult};
use crate::ics;
use crate::notifications::outbox::{self, Outgoing};
use crate::notifications::{messages, sender};
use crate::web::identity::AuthUser;
use crate::web::links::Links;

/// The conference and its facilitators, as `viewer` may see it: coordinators, or one of its
/// facilitators; anyone else finds nothing. Audited as a read of the case.
pub async fn read(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    id: i64,
) -> AppResult<(conference::Model, Vec<conference_facilitator::Model>)> {
    let found = conference::Entity::find_by_id(id).one(db).await?;
    let facilitators = conference_facilitator::Entity::find()
        .filter(conference_facilitator::Column::ConferenceId.eq(id))
        .all(db)
        .await?;
    let own = crate::volunteers::service::for_user(db, viewer.id).await?;
    let visible =
        viewer.role.is_coordinator() || own.is_some_and(|v| facilitators.iter().any(|f| f.volunteer_id == v.id));
    let found = found.filter(|_| visible);
    audit::record(
        db,
        AuditEntry {
            actor_user_id: Some(viewer.id),
            actor: &viewer.email,
            action: if found.is_some() { "conference.viewed" } else { "conference.view_refused" },
            target_type: Some("conference"),
            target_id: Some(id.to_string()),
            ..Default::default()
        },
    )
    .await?;
    Ok((found.ok_or(AppError::NotFound)?, facilitators))
}

/// Locks the conference's case and then the conference (the guards' order), and reads the
/// conference as it is now.
async fn lock(db: &impl ConnectionTrait, id: i64) -> Result<Option<conference::Model>, DbErr> {
    let Some(case_id) = conference::Entity::find_by_id(id).one(db).await?.map(|c| c.case_id) else {
        return Ok(None);
    };
    super::guards::lock_case(db, case_id).await?;
    conference::Entity::find_by_id(id).lock_exclusive().one(db).await
}

async fn bump(
    db: &impl ConnectionTrait,
    found: &conference::Model,
    status: ConferenceStatus,
    extra: Vec<(conference::Column, sea_orm::sea_query::SimpleExpr)>,
) -> AppResult<conference::Model> {
    let mut update = conference::Entity::update_many()
        .col_expr(conference::Column::Status, Expr::value(status))
        .col_expr(conference::Column::Sequence, Expr::value(found.sequence + 1))
        .col_expr(conference::Column::UpdatedAt, Expr::value(crate::clock::now()));
    for (column, value) in extra {
        update = update.col_expr(column, value);
    }
    let update =
        update.filter(conference::Column::Id.eq(found.id)).filter(conference::Column::Sequence.eq(found.sequence));
    if !crate::db::changed_one(db, update).await? {
        return Err(AppError::changed_elsewhere("The conference"));
    }
    conference::Entity::find_by_id(found.id).one(db).await?.ok_or(AppError::NotFound)
}

async fn set_case_status(db: &impl ConnectionTrait, case_id: i64, status: CaseStatus) -> Result<(), DbErr> {
    case::Entity::update_many()
        .col_expr(case::Column::Status, Expr::value(status))
        .col_expr(case::Column::UpdatedAt, Expr::value(crate::clock::now()))
        .filter(case::Column::Id.eq(case_id))
        .exec(db)
        .await?;
    Ok(())
}

/// The calendar invitation emailed to one facilitator of `conference`, as it is now: a
/// REQUEST (tentative until both accept, then confirmed) or, once cancelled, a CANCEL. It
/// keeps the conference's UID and carries its SEQUENCE, so the facilitator's calendar app
/// adds, moves or removes the one event it holds. Like a feed it says "Restorative
/// conference (RJ-…) — place" and nothing about the parties.
#[allow(clippy::too_many_arguments)]
pub(super) fn invitation(
    conference: &conference::Model,
    reference: &str,
    place: &str,
    role: FacilitatorRole,
    attendee: &entity::user::Model,
    accepted: bool,
    url: &str,
    now: DateTime<Utc>,
) -> outbox::Attachment {
    let (status, method) = match conference.status {
        ConferenceStatus::Proposed => (ics::Status::Tentative, ics::Method::Request),
        ConferenceStatus::Cancelled => (ics::Status::Cancelled, ics::Method::Cancel),
        ConferenceStatus::Confirmed | ConferenceStatus::Held | ConferenceStatus::NotHeld => {
            (ics::Status::Confirmed, ics::Method::Request)
        }
    };
    let part = match (conference.status, role) {
        (ConferenceStatus::Proposed, FacilitatorRole::Lead) => "You are asked to lead.",
        (ConferenceStatus::Proposed, FacilitatorRole::Co) => "You are asked to co-facilitate.",
        (_, FacilitatorRole::Lead) => "You are the lead facilitator.",
        (_, FacilitatorRole::Co) => "You are the co-facilitator.",
    };
    let event = ics::Event {
        uid: conference.uid.clone(),
        sequence: u32::try_from(conference.sequence).unwrap_or(0),
        dtstamp_utc: now,
        when: ics::When::Timed { start: conference.starts_at, end: conference.ends_at },
        summary: format!("Restorative conference ({reference}) — {place}"),
        description: Some(format!("{part} Details for signed-in facilitators and coordinators: {url}")),
        location: Some(place.to_owned()),
        url: (!url.is_empty()).then(|| url.to_owned()),
        status,
    };
    let facilitator = ics::CalendarUser { email: attendee.email.clone(), name: attendee.name.clone() };
    outbox::Attachment {
        filename: "conference.ics".into(),
        content_type: format!("text/calendar; method={}; charset=UTF-8", method.as_str()),
        body: ics::invitation(&event, method, sender::service(), &facilitator, accepted),
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ResponseInput {
    /// accept or decline
    pub response: String,
}

/// Emails each facilitator who has not declined that `now_is` (confirmed, changed or
/// cancelled) happened to the conference, with the updated invitation (REQUEST, or CANCEL),
/// in the caller's transaction. The key carries the new sequence, so each change is one
/// email per facilitator.
pub(super) async fn notify_facilitators(
    db: &impl ConnectionTrait,
    base_url: &url::Url,
    now_is: &'static str,
    updated: &conference::Model,
) -> Result<(), DbErr> {
    let reference = case::Entity::find_by_id(updated.case_id).one(db).await?.map(|c| c.reference);
    let place = entity::establishment::Entity::find_by_id(updated.establishment_id).one(db).await?.map(|e| e.name);
    let (Some(reference), Some(place)) = (reference, place) else { return Ok(()) };
    let url = Links::new(base_url).conference(updated.id);
    let kind = match now_is {
        "confirmed" => "conference.confirmed",
        "cancelled" => "conference.cancelled",
        _ => "conference.changed",
    };
    let facilitators = conference_facilitator::Entity::find()
        .filter(conference_facilitator::Column::ConferenceId.eq(updated.id))
        .filter(conference_facilitator::Column::Response.ne(Response::Declined))
        .all(db)
        .await?;
    for facilitator in facilitators {
        let Some(person) = entity::volunteer::Entity::find_by_id(facilitator.volunteer_id).one(db).await? else {
            continue;
        };
        let Some(account) = entity::user::Entity::find_by_id(person.user_id).one(db).await? else { continue };
        let when = london_display(updated.starts_at);
        let why = updated.cancel_reason.as_deref().and_then(super::guards::StopReason::parse).map(|r| r.words());
        let message = messages::booking_changed(&account.name, &reference, &place, &when, now_is, why, &url);
        let key = format!("{kind}:{}:{}:{}", updated.id, updated.sequence, facilitator.volunteer_id);
        let now = crate::clock::now();
        let accepted = facilitator.response == Response::Accepted;
        let invite = invitation(updated, &reference, &place, facilitator.role, &account, accepted, &url, now);
        outbox::enqueue_with(
            db,
            Outgoing { key, kind, to: account.email, message, send_after: now },
            outbox::Extras { list_unsubscribe: None, attachment: Some(invite) },
        )
        .await?;
    }
    Ok(())
}

/// The asked facilitator answers. Both accepting confirms the conference; a decline
/// cancels it and the case is ready again — the other facilitator stays on the case, and the
/// next search prefers them (continuity).
pub async fn respond(
    db: &impl Db,
    base_url: &url::Url,
    viewer: &AuthUser,
    id: i64,
    input: &ResponseInput,
) -> AppResult<conference::Model> {
    let answer = match input.response.trim() {
        "accept" => Response::Accepted,
        "decline" => Response::Declined,
        _ => return Err(AppError::field("response", "Answer accept or decline.")),
    };
    let txn = begin_write(db).await?;
    lock(&txn, id).await?;
    let (found, facilitators) = read(&txn, viewer, id).await?;
    let own = crate::volunteers::service::for_user(&txn, viewer.id).await?.ok_or(AppError::NotFound)?;
    let mine = facilitators.iter().find(|f| f.volunteer_id == own.id).ok_or(AppError::NotFound)?;
    if found.status != ConferenceStatus::Proposed || mine.response != Response::Asked {
        return Err(AppError::Conflict(format!(
            "This conference is {} and you have already answered or it has moved on.",
            found.status.code()
        )));
    }
    conference_facilitator::ActiveModel {
        id: Set(mine.id),
        response: Set(answer),
        responded_at: Set(Some(crate::clock::now())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let updated = if answer == Response::Declined {
        let cancelled = bump(
            &txn,
            &found,
            ConferenceStatus::Cancelled,
            vec![(conference::Column::CancelledAt, Expr::value(Some(crate::clock::now())))],
        )
        .await?;
        set_case_status(&txn, found.case_id, CaseStatus::Ready).await?;
        notify_facilitators(&txn, base_url, "cancelled", &cancelled).await?;
        cancelled
    } else if facilitators.iter().all(|f| f.id == mine.id || f.response == Response::Accepted) {
        let confirmed = bump(&txn, &found, ConferenceStatus::Confirmed, vec![]).await?;
        notify_facilitators(&txn, base_url, "confirmed", &confirmed).await?;
        confirmed
    } else {
        found
    };
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(viewer.id),
            actor: &viewer.email,
            action: if answer == Response::Accepted { "conference.accepted" } else { "conference.declined" },
            target_type: Some("conference"),
            target_id: Some(id.to_string()),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ConferencePatch {
    /// `cancelled` to cancel
    pub status: Option<String>,
    /// A new start, UK wall-clock YYYY-MM-DDTHH:MM (same facilitators; every rule rechecked)
    pub start: Option<String>,
}

impl ConferencePatch {
    /// The change in typed terms, or a message for the field that cannot be read.
    pub fn parse(&self) -> AppResult<ConferenceChange> {
        if self.status.as_deref() == Some("cancelled") {
            return Ok(ConferenceChange::Cancel);
        }
        match &self.start {
            Some(start) => Ok(ConferenceChange::Move(super::booking::parse_start(start)?)),
            None => Ok(ConferenceChange::Nothing),
        }
    }
}

/// What [`update`] does to a conference.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConferenceChange {
    Cancel,
    /// To this start, with the same facilitators, every rule rechecked.
    Move(DateTime<Utc>),
    Nothing,
}

pub async fn update(
    db: &impl Db,
    base_url: &url::Url,
    actor: &AuthUser,
    id: i64,
    change: ConferenceChange,
) -> AppResult<conference::Model> {
    let txn = begin_write(db).await?;
    let found = lock(&txn, id).await?.ok_or(AppError::NotFound)?;
    if matches!(found.status, ConferenceStatus::Cancelled | ConferenceStatus::Held | ConferenceStatus::NotHeld) {
        return Err(AppError::Conflict(format!("The conference is {}; it can no longer change.", found.status.code())));
    }
    let updated = if change == ConferenceChange::Cancel {
        let cancelled = bump(
            &txn,
            &found,
            ConferenceStatus::Cancelled,
            vec![(conference::Column::CancelledAt, Expr::value(Some(crate::clock::now())))],
        )
        .await?;
        set_case_status(&txn, found.case_id, CaseStatus::Ready).await?;
        cancelled
    } else if let ConferenceChange::Move(starts_at) = change {
        let facilitators = conference_facilitator::Entity::find()
            .filter(conference_facilitator::Column::ConferenceId.eq(id))
            .all(&txn)
            .await?;
        let lead = facilitators.iter().find(|f| f.role == FacilitatorRole::Lead).ok_or(AppError::NotFound)?;
        let second = facilitators.iter().find(|f| f.role == FacilitatorRole::Co).ok_or(AppError::NotFound)?;
        entity::volunteer::Entity::find()
            .filter(entity::volunteer::Column::Id.is_in([lead.volunteer_id, second.volunteer_id]))
            .lock_exclusive()
            .all(&txn)
            .await?;
        let place = entity::establishment::Entity::find_by_id(found.establishment_id)
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or(AppError::NotFound)?;
        let the_case = case::Entity::find_by_id(found.case_id).one(&txn).await?.ok_or(AppError::NotFound)?;
        let pair = [lead.volunteer_id, second.volunteer_id];
        let ends_at = super::booking::check_slot(&txn, &the_case, &place, pair, starts_at, Some(id)).await.map_err(
            |e| match e {
                AppError::Conflict(m) => {
                    AppError::Conflict(m.replace("This slot cannot be booked", "The new time cannot be booked"))
                }
                other => other,
            },
        )?;
        bump(
            &txn,
            &found,
            found.status,
            vec![
                (conference::Column::StartsAt, Expr::value(starts_at)),
                (conference::Column::EndsAt, Expr::value(ends_at)),
            ],
        )
        .await?
    } else {
        return Err(AppError::field("status", "Send status “cancelled” or a new start."));
    };
    let now_is = if updated.status == ConferenceStatus::Cancelled { "cancelled" } else { "changed" };
    notify_facilitators(&txn, base_url, now_is, &updated).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action: if updated.status == ConferenceStatus::Cancelled {
                "conference.cancelled"
            } else {
                "conference.rescheduled"
            },
            target_type: Some("conference"),
            target_id: Some(id.to_string()),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

#[derive(Clone, Debug, Default, Deserialize, serde::Serialize, ToSchema)]
pub struct ActionInput {
    pub description: String,
    pub owner: String,
    /// YYYY-MM-DD
    pub due_on: String,
}

#[derive(Clone, Debug, Default, Deserialize, serde::Serialize, ToSchema)]
#[serde(default)]
pub struct OutcomeInput {
    pub held: bool,
    /// Not held: a code from the not-held list (`other` needs the notes to say why).
    pub not_held_code: Option<String>,
    pub notes: String,
    /// The outcome agreement's actions.
    pub actions: Vec<ActionInput>,
}

/// Records whether the conference was held and its outcome agreement (coordinators or the
/// conference's lead facilitator).
pub async fn record_outcome(
    db: &impl Db,
    viewer: &AuthUser,
    id: i64,
    input: &OutcomeInput,
) -> AppResult<conference::Model> {
    let txn = begin_write(db).await?;
    lock(&txn, id).await?;
    let (found, facilitators) = read(&txn, viewer, id).await?;
    if !viewer.role.is_coordinator() {
        let own = crate::volunteers::service::for_user(&txn, viewer.id).await?.ok_or(AppError::NotFound)?;
        if !facilitators.iter().any(|f| f.volunteer_id == own.id && f.role == FacilitatorRole::Lead) {
            return Err(AppError::Forbidden);
        }
    }
    if found.status != ConferenceStatus::Confirmed {
        return Err(AppError::Conflict(format!(
            "Only a confirmed conference has an outcome (this one is {}).",
            found.status.code()
        )));
    }
    if crate::clock::now() < found.starts_at {
        return Err(AppError::Conflict(format!(
            "The conference starts {}; record its outcome once it has started.",
            london_display(found.starts_at)
        )));
    }
    let mut errors = std::collections::BTreeMap::new();
    let mut actions = Vec::new();
    for (i, a) in input.actions.iter().enumerate() {
        let due = NaiveDate::parse_from_str(a.due_on.trim(), "%Y-%m-%d").ok();
        if a.description.trim().is_empty() || a.owner.trim().is_empty() || due.is_none() {
            errors.insert(
                format!("actions[{i}]"),
                "Each action needs a description, an owner and a due date (YYYY-MM-DD).".into(),
            );
        } else if let Some(due) = due {
            actions.push((a.description.trim().to_owned(), a.owner.trim().to_owned(), due));
        }
    }
    if !errors.is_empty() {
        return Err(crate::error::AppError::fields(errors));
    }
    let not_held_code = if input.held {
        None
    } else {
        let (kind, fields) = (super::reasons::Kind::NotHeld, ["not_held_code", "notes"]);
        Some(super::reasons::check(&txn, kind, input.not_held_code.as_deref(), Some(&input.notes), fields).await?.0)
    };
    let status = if input.held { ConferenceStatus::Held } else { ConferenceStatus::NotHeld };
    // Held with nothing agreed: there is nothing to follow up.
    let follow_up_done = (input.held && actions.is_empty()).then(crate::clock::now);
    let updated = bump(
        &txn,
        &found,
        status,
        vec![
            (conference::Column::OutcomeNotes, Expr::value(Some(input.notes.trim().to_owned()))),
            (conference::Column::NotHeldCode, Expr::value(not_held_code)),
            (conference::Column::FollowUpDoneAt, Expr::value(follow_up_done)),
        ],
    )
    .await?;
    for (description, owner, due_on) in actions {
        outcome_action::ActiveModel {
            conference_id: Set(id),
            description: Set(description),
            owner: Set(owner),
            due_on: Set(due_on),
            completed_on: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
    }
    set_case_status(&txn, found.case_id, if input.held { CaseStatus::Held } else { CaseStatus::Ready }).await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(viewer.id),
            actor: &viewer.email,
            action: if input.held { "conference.held" } else { "conference.not_held" },
            target_type: Some("conference"),
            target_id: Some(id.to_string()),
            ..Default::default()
        },
    )
    .await?;
    // Lead progression counts held conferences: the co-facilitator may now be ready.
    txn.commit().await?;
    Ok(updated)
}

/// A conference one facilitator is on, with their role and what a list of it may say.
pub struct Assignment {
    pub conference: conference::Model,
    pub reference: String,
    pub place: String,
    pub role: FacilitatorRole,
}

/// The conferences `volunteer_id` has answered one of `responses` to that `keep` admits,
/// soonest first, each with its case reference and place: one query however many there are.
async fn assignments(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
    responses: &[Response],
    keep: impl Fn(&conference_facilitator::Model, &conference::Model) -> bool,
) -> Result<Vec<(Response, Assignment)>, DbErr> {
    let rows = conference_facilitator::Entity::find()
        .find_also_related(conference::Entity)
        .find_also(conference::Entity, case::Entity)
        .find_also(conference::Entity, entity::establishment::Entity)
        .filter(conference_facilitator::Column::VolunteerId.eq(volunteer_id))
        .filter(conference_facilitator::Column::Response.is_in(responses.to_vec()))
        .all(db)
        .await?;
    let mut found: Vec<(Response, Assignment)> = rows
        .into_iter()
        .filter_map(|(f, c, found, place)| {
            let c = c.filter(|c| keep(&f, c))?;
            let assignment = Assignment {
                conference: c,
                reference: found.map(|found| found.reference).unwrap_or_default(),
                place: place.map(|p| p.name).unwrap_or_default(),
                role: f.role,
            };
            Some((f.response, assignment))
        })
        .collect();
    found.sort_by_key(|(_, a)| (a.conference.starts_at, a.conference.id));
    Ok(found)
}

fn asked(f: &conference_facilitator::Model, c: &conference::Model) -> bool {
    f.response == Response::Asked && c.status == ConferenceStatus::Proposed
}

fn accepted_and_ahead(f: &conference_facilitator::Model, c: &conference::Model, now: DateTime<Utc>) -> bool {
    f.response == Response::Accepted
        && matches!(c.status, ConferenceStatus::Proposed | ConferenceStatus::Confirmed)
        && c.starts_at > now
}

fn without_responses(found: Vec<(Response, Assignment)>) -> Vec<Assignment> {
    found.into_iter().map(|(_, a)| a).collect()
}

/// The proposed conferences `volunteer_id` is asked to and has not answered, soonest first.
pub async fn awaiting_answer(db: &impl ConnectionTrait, volunteer_id: i64) -> Result<Vec<Assignment>, DbErr> {
    Ok(without_responses(assignments(db, volunteer_id, &[Response::Asked], asked).await?))
}

/// The conferences `volunteer_id` has accepted that have not started yet (confirmed, or
/// waiting for the other facilitator), soonest first.
pub async fn accepted_upcoming(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<Assignment>, DbErr> {
    let keep = |f: &conference_facilitator::Model, c: &conference::Model| accepted_and_ahead(f, c, now);
    Ok(without_responses(assignments(db, volunteer_id, &[Response::Accepted], keep).await?))
}

/// [`awaiting_answer`] and [`accepted_upcoming`] together, in one query (the dashboard).
pub async fn awaiting_and_upcoming(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
    now: DateTime<Utc>,
) -> Result<(Vec<Assignment>, Vec<Assignment>), DbErr> {
    let keep = |f: &conference_facilitator::Model, c: &conference::Model| asked(f, c) || accepted_and_ahead(f, c, now);
    let (awaiting, upcoming): (Vec<_>, Vec<_>) =
        assignments(db, volunteer_id, &[Response::Asked, Response::Accepted], keep)
            .await?
            .into_iter()
            .partition(|(response, _)| *response == Response::Asked);
    Ok((without_responses(awaiting), without_responses(upcoming)))
}

/// The case reference and the establishment's name of a conference: all a feed, an email or
/// a list of conferences may say about it.
pub async fn reference_and_place(db: &impl ConnectionTrait, c: &conference::Model) -> Result<(String, String), DbErr> {
    Ok(references_and_places(db, [c]).await?.remove(&c.id).unwrap_or_default())
}

/// [`reference_and_place`] for many conferences, by conference id, in two queries.
pub async fn references_and_places<'a>(
    db: &impl ConnectionTrait,
    conferences: impl IntoIterator<Item = &'a conference::Model>,
) -> Result<HashMap<i64, (String, String)>, DbErr> {
    let conferences: Vec<&conference::Model> = conferences.into_iter().collect();
    if conferences.is_empty() {
        return Ok(HashMap::new());
    }
    let references: HashMap<i64, String> = case::Entity::find()
        .filter(case::Column::Id.is_in(conferences.iter().map(|c| c.case_id).collect::<Vec<_>>()))
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c.reference))
        .collect();
    let places: HashMap<i64, String> = entity::establishment::Entity::find()
        .filter(
            entity::establishment::Column::Id.is_in(conferences.iter().map(|c| c.establishment_id).collect::<Vec<_>>()),
        )
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e.name))
        .collect();
    Ok(conferences
        .iter()
        .map(|c| {
            let reference = references.get(&c.case_id).cloned().unwrap_or_default();
            (c.id, (reference, places.get(&c.establishment_id).cloned().unwrap_or_default()))
        })
        .collect())
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct CompletionInput {
    /// true: done; false: settled as not done
    pub completed: bool,
    /// YYYY-MM-DD (default today): not in the future, not before the conference
    pub on: String,
    pub note: String,
}

/// Settles an outcome agreement's action as completed or not (coordinators, or the case's
/// allocated facilitators), once; a held case moves to follow-up.
pub async fn settle_action(
    db: &impl Db,
    viewer: &AuthUser,
    action_id: i64,
    input: &CompletionInput,
) -> AppResult<outcome_action::Model> {
    let txn = begin_write(db).await?;
    let action = outcome_action::Entity::find_by_id(action_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    lock(&txn, action.conference_id).await?;
    // Coordinators and the case's allocated pair (not whoever was once on the conference).
    let found = conference::Entity::find_by_id(action.conference_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    super::service::workable(&txn, viewer, found.case_id).await?;
    let action = outcome_action::Entity::find_by_id(action_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    if action.completed_on.is_some() || action.not_completed_on.is_some() {
        return Err(AppError::Conflict("This action has already been settled.".into()));
    }
    let today = crate::clock::today();
    let held_on = crate::domain::time::london_today(found.starts_at);
    let on = match input.on.trim() {
        "" => Some(today),
        raw => NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok(),
    }
    .filter(|d| *d <= today && *d >= held_on)
    .ok_or_else(|| {
        AppError::field("on", "Enter the date as YYYY-MM-DD: not in the future, not before the conference.")
    })?;
    let note = input.note.trim();
    if note.chars().count() > 2000 {
        return Err(AppError::field("note", "Keep the note to 2,000 characters."));
    }
    let updated = outcome_action::ActiveModel {
        id: Set(action.id),
        completed_on: Set(input.completed.then_some(on)),
        not_completed_on: Set((!input.completed).then_some(on)),
        completion_note: Set((!note.is_empty()).then(|| note.to_owned())),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    // The last action settled completes the follow-up of the outcome agreement.
    let open = outcome_action::Entity::find()
        .filter(outcome_action::Column::ConferenceId.eq(found.id))
        .filter(outcome_action::Column::CompletedOn.is_null())
        .filter(outcome_action::Column::NotCompletedOn.is_null());
    if sea_orm::PaginatorTrait::count(open, &txn).await? == 0 {
        conference::Entity::update_many()
            .col_expr(conference::Column::FollowUpDoneAt, Expr::value(Some(crate::clock::now())))
            .filter(conference::Column::Id.eq(found.id))
            .filter(conference::Column::FollowUpDoneAt.is_null())
            .exec(&txn)
            .await?;
    }
    case::Entity::update_many()
        .col_expr(case::Column::Status, Expr::value(CaseStatus::FollowUp))
        .col_expr(case::Column::UpdatedAt, Expr::value(crate::clock::now()))
        .filter(case::Column::Id.eq(found.case_id))
        .filter(case::Column::Status.eq(CaseStatus::Held))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(viewer.id),
            actor: &viewer.email,
            action: if input.completed { "outcome_action.completed" } else { "outcome_action.not_completed" },
            target_type: Some("conference"),
            target_id: Some(found.id.to_string()),
            detail: Some(format!("action {action_id}")),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

/// How many of the case's agreed actions are not settled yet.
pub async fn open_actions(db: &impl ConnectionTrait, case_id: i64) -> Result<usize, DbErr> {
    let conferences: Vec<i64> = conference::Entity::find()
        .select_only()
        .column(conference::Column::Id)
        .filter(conference::Column::CaseId.eq(case_id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(outcome_action::Entity::find()
        .filter(outcome_action::Column::ConferenceId.is_in(conferences))
        .filter(outcome_action::Column::CompletedOn.is_null())
        .filter(outcome_action::Column::NotCompletedOn.is_null())
        .all(db)
        .await?
        .len())
}
