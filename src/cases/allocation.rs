//! Allocation: the lead and the co-facilitator who work a case from first contact to
//! follow-up. A coordinator picks the pair from a ranked list (the matcher's pairs for the
//! case, re-ranked by workload and development) and allocates or re-allocates it; both are
//! emailed (reference and place only). Booking another pair re-allocates in the booking's
//! own transaction. Who is allocated is who may see and work the case.

use entity::Code;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::case::{self, CaseStatus};
use entity::case_facilitator::{self, FacilitatorRole};
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator;
use entity::volunteer::{self, FacilitationLevel, VolunteerStatus};
use entity::{establishment, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Set,
};
use serde::{Deserialize, Serialize};
use url::Url;
use utoipa::ToSchema;

use crate::audit::{self, AuditEntry};
use crate::db::{Db, begin_write};
use crate::error::{AppError, AppResult};
use crate::notifications::messages;
use crate::notifications::outbox::{self, Outgoing};
use crate::scheduling::candidates::{self, Person, RuledOut};
use crate::web::identity::AuthUser;
use crate::web::links::Links;

/// Points off a pair for each open case either facilitator already carries.
const WORKLOAD_WEIGHT: i64 = 15;
/// Points for a co-facilitator still short of the conferences needed to become a lead.
const DEVELOPMENT_BONUS: i64 = 10;
/// Pairs asked of the matcher before re-ranking.
const POOL: usize = 60;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PairScore {
    pub total: i64,
    /// The matcher's score of the pair's best slot: continuity, days to the deadline,
    /// travel and recent conferences.
    pub matcher: i64,
    /// Minus 15 per open case the two carry now.
    pub workload: i64,
    /// Plus 10 when the co-facilitator needs conferences towards lead.
    pub development: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PairCandidate {
    pub lead: Person,
    pub co_facilitator: Person,
    /// Open cases now (lead, co-facilitator).
    pub open_cases: [u64; 2],
    /// The pair's best slot, UK wall-clock YYYY-MM-DDTHH:MM.
    pub first_slot: String,
    pub score: PairScore,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FacilitatorCandidates {
    pub candidates: Vec<PairCandidate>,
    pub ruled_out: Vec<RuledOut>,
}

/// Open cases (allocated, not closed or not proceeding) of each volunteer, leaving out `except`.
async fn open_cases(db: &impl ConnectionTrait, except: i64) -> AppResult<HashMap<i64, u64>> {
    let open: Vec<i64> = case::Entity::find()
        .filter(case::Column::Status.is_not_in([CaseStatus::Closed, CaseStatus::NotProceeding]))
        .filter(case::Column::Id.ne(except))
        .select_only()
        .column(case::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = HashMap::new();
    for a in case_facilitator::Entity::find().filter(case_facilitator::Column::CaseId.is_in(open)).all(db).await? {
        *counts.entry(a.volunteer_id).or_default() += 1;
    }
    Ok(counts)
}

/// The pairs a coordinator may allocate to case `id`, best first: the matcher's pairs (each
/// active, cleared for the establishment through the deadline, without a conflict, under
/// their monthly cap and available in the case's window), re-ranked by workload and
/// development; and everyone ruled out, with the first reason in a coordinator's words.
pub async fn candidates(db: &impl ConnectionTrait, id: i64, limit: usize) -> AppResult<FacilitatorCandidates> {
    let found = case::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound)?;
    let found = candidates::search(db, &found, POOL, 1).await?;
    let load = open_cases(db, id).await?;
    let needed =
        u64::try_from(crate::settings::service::number(db, &crate::settings::service::LEAD_AFTER_CONFERENCES).await?)
            .unwrap_or(u64::MAX);
    // Co-facilitators (by level) still short of the conferences needed for lead.
    let seconds: Vec<i64> = found.candidates.iter().map(|c| c.second.volunteer_id).collect();
    let co_level: Vec<i64> = volunteer::Entity::find()
        .filter(volunteer::Column::Id.is_in(seconds))
        .filter(volunteer::Column::Level.eq(FacilitationLevel::CoFacilitator))
        .all(db)
        .await?
        .into_iter()
        .map(|v| v.id)
        .collect();
    let mut short = Vec::new();
    for &id in &co_level {
        if crate::commitment::service::held_as_co_facilitator(db, id).await? < needed {
            short.push(id);
        }
    }
    let developing = |id: i64| short.contains(&id);
    let mut pairs: Vec<PairCandidate> = Vec::new();
    for slot in found.candidates {
        if pairs.iter().any(|p| {
            p.lead.volunteer_id == slot.lead.volunteer_id && p.co_facilitator.volunteer_id == slot.second.volunteer_id
        }) {
            continue;
        }
        let co = slot.second.volunteer_id;
        let development = if developing(co) { DEVELOPMENT_BONUS } else { 0 };
        let open_cases = [load.get(&slot.lead.volunteer_id).copied().unwrap_or(0), load.get(&co).copied().unwrap_or(0)];
        let workload = -WORKLOAD_WEIGHT * i64::try_from(open_cases[0] + open_cases[1]).unwrap_or(i64::MAX / 32);
        let matcher = slot.score.total;
        pairs.push(PairCandidate {
            lead: slot.lead,
            co_facilitator: slot.second,
            open_cases,
            first_slot: slot.start,
            score: PairScore { total: matcher + workload + development, matcher, workload, development },
        });
    }
    pairs.sort_by(|a, b| {
        b.score
            .total
            .cmp(&a.score.total)
            .then(a.lead.name.cmp(&b.lead.name))
            .then(a.co_facilitator.name.cmp(&b.co_facilitator.name))
    });
    pairs.truncate(limit);
    Ok(FacilitatorCandidates { candidates: pairs, ruled_out: found.ruled_out })
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AllocationInput {
    pub lead_id: Option<i64>,
    pub co_facilitator_id: Option<i64>,
}

/// The case's allocated pair: (lead, co-facilitator) volunteer ids, when allocated.
pub async fn pair(db: &impl ConnectionTrait, case_id: i64) -> Result<Option<[i64; 2]>, sea_orm::DbErr> {
    let rows = case_facilitator::Entity::find()
        .filter(case_facilitator::Column::CaseId.eq(case_id))
        .order_by_asc(case_facilitator::Column::Id)
        .all(db)
        .await?;
    let lead = rows.iter().find(|r| r.role == FacilitatorRole::Lead).map(|r| r.volunteer_id);
    let co = rows.iter().find(|r| r.role == FacilitatorRole::Co).map(|r| r.volunteer_id);
    Ok(lead.zip(co).map(|(l, c)| [l, c]))
}

/// The allocation rows of a case (lead first).
pub async fn facilitators(
    db: &impl ConnectionTrait,
    case_id: i64,
) -> Result<Vec<case_facilitator::Model>, sea_orm::DbErr> {
    let mut rows =
        case_facilitator::Entity::find().filter(case_facilitator::Column::CaseId.eq(case_id)).all(db).await?;
    rows.sort_by_key(|r| (r.role != FacilitatorRole::Lead, r.id));
    Ok(rows)
}

/// Whether `viewer` is allocated to the case (coordinators need not be).
pub async fn is_allocated(db: &impl ConnectionTrait, viewer: &AuthUser, case_id: i64) -> Result<bool, sea_orm::DbErr> {
    let Some(record) = crate::volunteers::service::for_user(db, viewer.id).await? else { return Ok(false) };
    Ok(case_facilitator::Entity::find()
        .filter(case_facilitator::Column::CaseId.eq(case_id))
        .filter(case_facilitator::Column::VolunteerId.eq(record.id))
        .count(db)
        .await?
        > 0)
}

/// A coordinator allocates (or re-allocates) the case to a lead and a co-facilitator. Both
/// must be able to facilitate it now: active, the lead at lead level, cleared for the
/// establishment through the deadline, without a conflict of interest. Refused while a
/// live conference of the case is booked with another pair (cancel or rebook it first).
pub async fn allocate(
    db: &impl Db,
    base_url: &Url,
    actor: &AuthUser,
    case_id: i64,
    input: &AllocationInput,
) -> AppResult<Vec<case_facilitator::Model>> {
    let mut errors = std::collections::BTreeMap::new();
    if input.lead_id.is_none() {
        errors.insert("lead_id".to_owned(), "Choose the lead facilitator.".to_owned());
    }
    if input.co_facilitator_id.is_none() {
        errors.insert("co_facilitator_id".to_owned(), "Choose the co-facilitator.".to_owned());
    }
    let (Some(lead), Some(co)) = (input.lead_id, input.co_facilitator_id) else { return Err(AppError::fields(errors)) };
    if lead == co {
        return Err(AppError::field("co_facilitator_id", "Choose two different facilitators."));
    }
    let txn = begin_write(db).await?;
    let found = super::guards::lock_case(&txn, case_id).await?.ok_or(AppError::NotFound)?;
    if matches!(found.status, CaseStatus::Closed | CaseStatus::NotProceeding) {
        return Err(AppError::Conflict(format!(
            "The case is {}; it cannot be allocated.",
            found.status.code().replace('_', " ")
        )));
    }
    let live = conference::Entity::find()
        .filter(conference::Column::CaseId.eq(case_id))
        .filter(conference::Column::Status.is_in([ConferenceStatus::Proposed, ConferenceStatus::Confirmed]))
        .all(&txn)
        .await?;
    for c in &live {
        let on: Vec<i64> = conference_facilitator::Entity::find()
            .filter(conference_facilitator::Column::ConferenceId.eq(c.id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|f| f.volunteer_id)
            .collect();
        if !(on.contains(&lead) && on.contains(&co)) {
            return Err(AppError::Conflict(format!(
                "Conference {} is booked with another pair: cancel or reschedule it before re-allocating.",
                c.id
            )));
        }
    }
    eligible(&txn, &found, lead, co).await?;
    let changed = set_pair(&txn, base_url, &found, [lead, co], Tell::Everyone).await?;
    if changed {
        audit::record(
            &txn,
            AuditEntry {
                actor_user_id: Some(actor.id),
                actor: &actor.email,
                action: "case.allocated",
                target_type: Some("case"),
                target_id: Some(found.reference.clone()),
                detail: Some(format!("lead {lead}, co-facilitator {co}")),
                ..Default::default()
            },
        )
        .await?;
    }
    let rows = facilitators(&txn, case_id).await?;
    txn.commit().await?;
    Ok(rows)
}

/// Checks that the two can be allocated the case now (409 with the first reason in words).
async fn eligible(db: &impl ConnectionTrait, found: &case::Model, lead: i64, co: i64) -> AppResult<()> {
    let people =
        volunteer::Entity::find().filter(volunteer::Column::Id.is_in([lead, co])).lock_exclusive().all(db).await?;
    for (id, field) in [(lead, "lead_id"), (co, "co_facilitator_id")] {
        let Some(v) = people.iter().find(|v| v.id == id) else {
            return Err(AppError::field(field, "No such volunteer."));
        };
        if v.status != VolunteerStatus::Active || v.level == FacilitationLevel::Trainee {
            return Err(AppError::Conflict(format!(
                "Volunteer {id} cannot facilitate: not an active, trained facilitator."
            )));
        }
        if id == lead && v.level != FacilitationLevel::Lead {
            return Err(AppError::field("lead_id", "The lead must be a volunteer signed off as lead facilitator."));
        }
    }
    let today = crate::clock::today();
    let rule_outs = candidates::ruled_out_of(db, found, &[lead, co], today).await?;
    if let Some(r) = rule_outs.first() {
        return Err(AppError::Conflict(format!("{} cannot take this case: {}.", r.name, r.reason)));
    }
    Ok(())
}

/// Whom [`set_pair`] emails.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Tell {
    /// Whoever joins, changes role or leaves.
    Everyone,
    /// Only whoever leaves: a booking's "asked to facilitate" email tells the others.
    Leaving,
}

/// Makes `[lead, co]` the case's allocated pair in the caller's transaction, emailing as
/// `tell` says. Returns whether anything changed.
pub(super) async fn set_pair(
    db: &impl ConnectionTrait,
    base_url: &Url,
    found: &case::Model,
    [lead, co]: [i64; 2],
    tell: Tell,
) -> AppResult<bool> {
    let before = facilitators(db, found.id).await?;
    let wanted = [(lead, FacilitatorRole::Lead), (co, FacilitatorRole::Co)];
    if before.len() == 2 && wanted.iter().all(|(v, r)| before.iter().any(|b| b.volunteer_id == *v && b.role == *r)) {
        return Ok(false);
    }
    case_facilitator::Entity::delete_many().filter(case_facilitator::Column::CaseId.eq(found.id)).exec(db).await?;
    let place =
        establishment::Entity::find_by_id(found.establishment_id).one(db).await?.map(|p| p.name).unwrap_or_default();
    let notice = Notice { found, place: &place, url: Links::new(base_url).case(found.id), now: crate::clock::now() };
    let now = notice.now;
    for (volunteer_id, role) in wanted {
        let row = case_facilitator::ActiveModel {
            case_id: Set(found.id),
            volunteer_id: Set(volunteer_id),
            role: Set(role),
            allocated_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await?;
        if tell == Tell::Everyone && !before.iter().any(|b| b.volunteer_id == volunteer_id && b.role == role) {
            let role_words = if role == FacilitatorRole::Lead { "lead facilitator" } else { "co-facilitator" };
            notice.tell(db, volunteer_id, Some(role_words), format!("case.allocated:{}", row.id)).await?;
        }
    }
    for gone in before.iter().filter(|b| b.volunteer_id != lead && b.volunteer_id != co) {
        notice.tell(db, gone.volunteer_id, None, format!("case.deallocated:{}", gone.id)).await?;
    }
    Ok(true)
}

/// What an allocation email says about the case.
struct Notice<'a> {
    found: &'a case::Model,
    place: &'a str,
    url: String,
    now: DateTime<Utc>,
}

impl Notice<'_> {
    /// Queues the email to one facilitator: joining as `role`, or (None) taken off the case.
    async fn tell(
        &self,
        db: &impl ConnectionTrait,
        volunteer_id: i64,
        role: Option<&str>,
        key: String,
    ) -> AppResult<()> {
        let Some(v) = volunteer::Entity::find_by_id(volunteer_id).one(db).await? else { return Ok(()) };
        let Some(account) = user::Entity::find_by_id(v.user_id).one(db).await? else { return Ok(()) };
        let message = messages::allocation_changed(&account.name, &self.found.reference, self.place, role, &self.url);
        outbox::enqueue(
            db,
            Outgoing {
                key: format!("{key}:{volunteer_id}"),
                kind: if role.is_some() { "case.allocated" } else { "case.deallocated" },
                to: account.email,
                message,
                send_after: self.now,
            },
        )
        .await?;
        Ok(())
    }
}
