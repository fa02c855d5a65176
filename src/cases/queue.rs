//! What casework needs from a coordinator today, for their home page: open cases by stage,
//! the cases nearest their deadline, conferences still waiting for a facilitator's answer,
//! agreed actions falling due, and the week's conferences. Coordinators see every case, and
//! the cases named here are audited as listed, like any list of cases.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::case::{self, CaseStatus};
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator::{self, Response};
use entity::outcome_action;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::conferences::references_and_places;
use crate::error::AppResult;
use crate::web::identity::AuthUser;

/// The stages a case is worked in, in order.
pub const OPEN: [CaseStatus; 6] = [
    CaseStatus::Referred,
    CaseStatus::Assessing,
    CaseStatus::Ready,
    CaseStatus::Booked,
    CaseStatus::Held,
    CaseStatus::FollowUp,
];

/// How many cases are at each open stage (stages with none are left out).
pub async fn open_by_stage(db: &impl ConnectionTrait) -> Result<Vec<(CaseStatus, i64)>, DbErr> {
    let open = case::Entity::find().filter(case::Column::Status.is_in(OPEN));
    let counts = crate::db::count_by::<_, CaseStatus>(db, open, case::Column::Status).await?;
    Ok(OPEN.iter().filter_map(|s| counts.get(s).map(|n| (*s, *n))).collect())
}

/// The open cases not yet held, nearest their deadline first (the listing is audited).
pub async fn nearest_deadlines(
    db: &impl ConnectionTrait,
    viewer: &AuthUser,
    limit: u64,
    ip: Option<&str>,
) -> AppResult<Vec<case::Model>> {
    let cases = case::Entity::find()
        .filter(case::Column::Status.is_in(OPEN[..4].iter().copied()))
        .order_by_asc(case::Column::Deadline)
        .order_by_asc(case::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    super::service::audit_listed(db, viewer, &cases, ip).await?;
    Ok(cases)
}

/// A conference named on the home page: when, where, for which case.
#[derive(Clone, Debug)]
pub struct Listed {
    pub conference: conference::Model,
    pub reference: String,
    pub place: String,
    /// Facilitators asked who have not answered yet.
    pub unanswered: usize,
}

async fn listed(db: &impl ConnectionTrait, conferences: Vec<conference::Model>) -> Result<Vec<Listed>, DbErr> {
    let names = references_and_places(db, &conferences).await?;
    let ids: Vec<i64> = conferences.iter().map(|c| c.id).collect();
    let mut unanswered: HashMap<i64, usize> = HashMap::new();
    for asked in conference_facilitator::Entity::find()
        .filter(conference_facilitator::Column::ConferenceId.is_in(ids))
        .filter(conference_facilitator::Column::Response.eq(Response::Asked))
        .all(db)
        .await?
    {
        *unanswered.entry(asked.conference_id).or_default() += 1;
    }
    Ok(conferences
        .into_iter()
        .map(|conference| {
            let (reference, place) = names.get(&conference.id).cloned().unwrap_or_default();
            let unanswered = unanswered.get(&conference.id).copied().unwrap_or_default();
            Listed { conference, reference, place, unanswered }
        })
        .collect())
}

/// Proposed conferences still ahead that a facilitator has not answered, soonest first.
pub async fn awaiting_answer(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<Listed>, DbErr> {
    let waiting: Vec<i64> = conference_facilitator::Entity::find()
        .select_only()
        .column(conference_facilitator::Column::ConferenceId)
        .filter(conference_facilitator::Column::Response.eq(Response::Asked))
        .into_tuple()
        .all(db)
        .await?;
    let conferences = conference::Entity::find()
        .filter(conference::Column::Id.is_in(waiting))
        .filter(conference::Column::Status.eq(ConferenceStatus::Proposed))
        .filter(conference::Column::StartsAt.gt(now))
        .order_by_asc(conference::Column::StartsAt)
        .all(db)
        .await?;
    listed(db, conferences).await
}

/// Conferences proposed or confirmed to start in `[from, to)`, soonest first.
pub async fn starting_between(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Listed>, DbErr> {
    let conferences = conference::Entity::find()
        .filter(conference::Column::Status.is_in([ConferenceStatus::Proposed, ConferenceStatus::Confirmed]))
        .filter(conference::Column::StartsAt.gte(from))
        .filter(conference::Column::StartsAt.lt(to))
        .order_by_asc(conference::Column::StartsAt)
        .all(db)
        .await?;
    listed(db, conferences).await
}

/// An agreed action not yet settled, due on or before the day asked about.
#[derive(Clone, Debug)]
pub struct ActionDue {
    pub action: outcome_action::Model,
    pub case_id: i64,
    pub reference: String,
}

/// Unsettled agreed actions due on or before `by`, earliest first.
pub async fn actions_due(db: &impl ConnectionTrait, by: NaiveDate) -> Result<Vec<ActionDue>, DbErr> {
    let actions = outcome_action::Entity::find()
        .filter(outcome_action::Column::CompletedOn.is_null())
        .filter(outcome_action::Column::NotCompletedOn.is_null())
        .filter(outcome_action::Column::DueOn.lte(by))
        .order_by_asc(outcome_action::Column::DueOn)
        .order_by_asc(outcome_action::Column::Id)
        .all(db)
        .await?;
    let conferences = conference::Entity::find()
        .filter(conference::Column::Id.is_in(actions.iter().map(|a| a.conference_id).collect::<Vec<_>>()))
        .all(db)
        .await?;
    let names = references_and_places(db, &conferences).await?;
    let case_of: HashMap<i64, i64> = conferences.iter().map(|c| (c.id, c.case_id)).collect();
    Ok(actions
        .into_iter()
        .map(|action| {
            let reference = names.get(&action.conference_id).map(|(r, _)| r.clone()).unwrap_or_default();
            let case_id = case_of.get(&action.conference_id).copied().unwrap_or_default();
            ActionDue { action, case_id, reference }
        })
        .collect())
}
