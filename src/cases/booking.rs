//! Booking a conference: a slot and two facilitators for a ready case. Every hard rule is
//! checked by the matcher's own `verify` on an instance read inside the booking's write
//! transaction, after locking the facilitators' and the establishment's rows, so two
//! bookings can never both pass (no double-booked facilitator, room or harmer).

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use entity::Code;
use entity::case::{self, CaseStatus};
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator::{self, FacilitatorRole, Response};
use entity::volunteer::{self, FacilitationLevel};
use entity::{establishment, user};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter, QuerySelect, Set};
use serde::Deserialize;
use url::Url;
use utoipa::ToSchema;

use crate::audit::{self, AuditEntry};
use crate::db::{Db, begin_write};
use crate::domain::time::{london_display, london_to_utc};
use crate::error::{AppError, AppResult};
use crate::notifications::messages;
use crate::notifications::outbox::{self, Outgoing};
use crate::scheduling::instance::{self, case_id, facilitator_id};
use crate::scheduling::matcher::model::instant_of;
use crate::scheduling::matcher::{Placed, Problem, check_placed};
use crate::secrets::random_token;
use crate::web::identity::AuthUser;
use crate::web::links::Links;

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct BookingInput {
    /// Start, UK wall-clock YYYY-MM-DDTHH:MM; the conference lasts the case's duration.
    pub start: String,
    /// The lead facilitator (a volunteer at level lead). Leave out both facilitators to book
    /// the case's allocated pair; another pair is allocated to the case with the booking.
    #[serde(default)]
    pub lead_id: Option<i64>,
    /// The second facilitator (lead or co-facilitator).
    #[serde(default)]
    pub second_id: Option<i64>,
}

impl BookingInput {
    /// The booking in typed terms, or a message for the field that cannot be read.
    pub fn parse(&self) -> AppResult<NewBooking> {
        let pair = match (self.lead_id, self.second_id) {
            (Some(lead), Some(second)) => Some([lead, second]),
            (None, None) => None,
            (None, Some(_)) => return Err(AppError::field("lead_id", "Choose the lead facilitator too.")),
            (Some(_), None) => return Err(AppError::field("second_id", "Choose the second facilitator too.")),
        };
        Ok(NewBooking { starts_at: parse_start(&self.start)?, pair })
    }
}

/// What [`book`] takes: a conference start and, unless the case's allocated pair is meant,
/// the two facilitators (lead first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NewBooking {
    pub starts_at: DateTime<Utc>,
    pub pair: Option<[i64; 2]>,
}

/// A conference start as people type it (UK wall-clock YYYY-MM-DDTHH:MM), as an instant; a
/// message on the `start` field otherwise.
pub fn parse_start(raw: &str) -> AppResult<DateTime<Utc>> {
    let start_local = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%dT%H:%M")
        .map_err(|_| AppError::field("start", "Give the start as YYYY-MM-DDTHH:MM, UK time."))?;
    london_to_utc(start_local)
        .ok_or_else(|| AppError::field("start", "That time does not exist on that day (the clocks go forward)."))
}

/// Checks a slot for a case with these two facilitators (lead first) against every hard rule:
/// the matcher's `verify` on the case's planning instance (read in the caller's transaction,
/// leaving out the conference being moved, if any), then the establishment's rooms. Returns
/// when the conference would end.
pub async fn check_slot(
    db: &impl sea_orm::ConnectionTrait,
    found: &case::Model,
    place: &establishment::Model,
    [lead, second]: [i64; 2],
    starts_at: chrono::DateTime<Utc>,
    moving: Option<i64>,
) -> AppResult<chrono::DateTime<Utc>> {
    let spec = instance::for_case(db, found, crate::clock::today(), Some(&[lead, second]), moving).await?;
    for id in [lead, second] {
        if !spec.facilitators.iter().any(|f| f.id == facilitator_id(id)) {
            return Err(AppError::Conflict(format!("Volunteer {id} is not an active, trained facilitator.")));
        }
    }
    let problem = Problem::compile(&spec).map_err(|e| AppError::Internal(anyhow::anyhow!("planning instance: {e}")))?;
    let ends_at = starts_at + Duration::minutes(i64::from(found.duration_minutes));
    let index = |id: &str| problem.facilitator_by_id.get(id).copied().unwrap_or(usize::MAX);
    let conference = Placed {
        case: problem
            .case_index(&case_id(found.id))
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("the case is not in its own instance")))?,
        start: instant_of(starts_at),
        facilitators: [index(&facilitator_id(lead)), index(&facilitator_id(second))],
    };
    let violations = check_placed(&problem, &[conference]);
    if !violations.is_empty() {
        let reasons: Vec<String> = violations.into_iter().map(|v| v.message).collect();
        return Err(AppError::Conflict(format!("This slot cannot be booked: {}", reasons.join("; "))));
    }
    let mut in_room = conference::Entity::find()
        .filter(conference::Column::EstablishmentId.eq(place.id))
        .filter(conference::Column::Status.ne(ConferenceStatus::Cancelled))
        .filter(conference::Column::StartsAt.lt(ends_at))
        .filter(conference::Column::EndsAt.gt(starts_at));
    if let Some(id) = moving {
        in_room = in_room.filter(conference::Column::Id.ne(id));
    }
    if in_room.count(db).await? >= u64::try_from(std::cmp::max(place.rooms, 1)).unwrap_or(1) {
        return Err(AppError::Conflict(format!("Every room at {} is in use at that time.", place.name)));
    }
    Ok(ends_at)
}

pub async fn book(
    db: &impl Db,
    base_url: &Url,
    actor: &AuthUser,
    case_id_: i64,
    booking: NewBooking,
) -> AppResult<(conference::Model, Vec<conference_facilitator::Model>)> {
    let starts_at = booking.starts_at;
    let txn = begin_write(db).await?;
    // The case first (the guards' lock order): a consent withdrawn meanwhile waits, or is seen.
    let found = super::guards::lock_case(&txn, case_id_).await?.ok_or(AppError::NotFound)?;
    let [lead_id, second_id] = match booking.pair {
        Some(pair) => pair,
        None => super::allocation::pair(&txn, found.id).await?.ok_or_else(|| {
            AppError::field("lead_id", "Choose the two facilitators: no pair is allocated to this case yet.")
        })?,
    };
    if lead_id == second_id {
        return Err(AppError::field("second_id", "Choose two different facilitators."));
    }
    // Lock the two facilitators and the establishment (PostgreSQL; SQLite's write lock
    // already serialises the transaction) before reading what they are booked for.
    let people = volunteer::Entity::find()
        .filter(volunteer::Column::Id.is_in([lead_id, second_id]))
        .lock_exclusive()
        .all(&txn)
        .await?;
    let place = establishment::Entity::find_by_id(found.establishment_id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if found.status != CaseStatus::Ready {
        return Err(AppError::Conflict(format!(
            "The case is {}; only a ready case can be booked.",
            found.status.code()
        )));
    }
    if let Err(why) = super::service::ready_to_book(&txn, found.id).await? {
        return Err(AppError::Conflict(why));
    }
    let lead =
        people.iter().find(|v| v.id == lead_id).ok_or_else(|| AppError::field("lead_id", "No such volunteer."))?;
    people.iter().find(|v| v.id == second_id).ok_or_else(|| AppError::field("second_id", "No such volunteer."))?;
    if lead.level != FacilitationLevel::Lead {
        return Err(AppError::Conflict("The first facilitator must be a lead.".into()));
    }

    let ends_at = check_slot(&txn, &found, &place, [lead_id, second_id], starts_at, None).await?;

    let now = crate::clock::now();
    let created = conference::ActiveModel {
        case_id: Set(found.id),
        establishment_id: Set(place.id),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        status: Set(ConferenceStatus::Proposed),
        uid: Set(format!("{}@convene", random_token(18))),
        sequence: Set(0),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let mut facilitators = Vec::new();
    for (volunteer_id, role) in [(lead_id, FacilitatorRole::Lead), (second_id, FacilitatorRole::Co)] {
        facilitators.push(
            conference_facilitator::ActiveModel {
                conference_id: Set(created.id),
                volunteer_id: Set(volunteer_id),
                role: Set(role),
                response: Set(Response::Asked),
                responded_at: Set(None),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        );
        let person = people.iter().find(|v| v.id == volunteer_id);
        if let Some(account) = match person {
            Some(v) => user::Entity::find_by_id(v.user_id).one(&txn).await?,
            None => None,
        } {
            let url = Links::new(base_url).conference(created.id);
            let message = messages::asked_to_facilitate(
                &account.name,
                &found.reference,
                &place.name,
                &london_display(starts_at),
                role == FacilitatorRole::Lead,
                &url,
            );
            let invite = super::conferences::invitation(
                &created,
                &found.reference,
                &place.name,
                role,
                &account,
                false,
                &url,
                now,
            );
            outbox::enqueue_with(
                &txn,
                Outgoing {
                    key: format!("conference.asked:{}:{volunteer_id}", created.id),
                    kind: "conference.asked",
                    to: account.email,
                    message,
                    send_after: now,
                },
                outbox::Extras { list_unsubscribe: None, attachment: Some(invite) },
            )
            .await?;
        }
    }
    // Booking another pair allocates it to the case (the previous pair is told).
    let reallocated =
        super::allocation::set_pair(&txn, base_url, &found, [lead_id, second_id], super::allocation::Tell::Leaving)
            .await?;
    case::Entity::update_many()
        .col_expr(case::Column::Status, sea_orm::sea_query::Expr::value(CaseStatus::Booked))
        .col_expr(case::Column::Version, sea_orm::sea_query::Expr::col(case::Column::Version).add(1))
        .filter(case::Column::Id.eq(found.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        AuditEntry {
            actor_user_id: Some(actor.id),
            actor: &actor.email,
            action: "conference.booked",
            target_type: Some("case"),
            target_id: Some(found.reference.clone()),
            detail: Some(format!(
                "conference {} at {}{}",
                created.id,
                instance::local(starts_at),
                if reallocated {
                    format!("; allocated lead {lead_id}, co-facilitator {second_id}")
                } else {
                    String::new()
                }
            )),
            ..Default::default()
        },
    )
    .await?;
    txn.commit().await?;
    Ok((created, facilitators))
}
