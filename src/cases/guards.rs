//! Safety first: when a case may no longer go ahead — a party withdraws consent, an
//! assessment finds it not suitable, it stops proceeding, the place closes on the day, or a
//! facilitator's clearance lapses before it — every live booking of the case is cancelled in
//! the same transaction as the change, with a coded reason. Both facilitators are emailed
//! (reference, place, time, reason; never a name), the feeds show the conference CANCELLED
//! with its SEQUENCE moved on, and an answer to it is refused.
//!
//! Lock order, shared with booking and answering: the case row, then its conferences.

use chrono::NaiveDate;
use entity::case::{self, CaseStatus};
use entity::conference::{self, ConferenceStatus};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, ExprTrait, QueryFilter, QuerySelect,
};
use url::Url;

use crate::audit::{self, AuditEntry};
use crate::error::AppResult;

/// Why the service stopped a booking, as stored on the conference (`cancel_reason`) and said
/// in the facilitators' email and on the case page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    ConsentWithdrawn,
    NotSuitable,
    NotProceeding,
    Closure,
    ClearanceLapsed,
}

impl StopReason {
    pub const ALL: [Self; 5] =
        [Self::ConsentWithdrawn, Self::NotSuitable, Self::NotProceeding, Self::Closure, Self::ClearanceLapsed];

    pub fn code(self) -> &'static str {
        match self {
            Self::ConsentWithdrawn => "consent_withdrawn",
            Self::NotSuitable => "not_suitable",
            Self::NotProceeding => "not_proceeding",
            Self::Closure => "closure",
            Self::ClearanceLapsed => "clearance_lapsed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.code() == code)
    }

    /// The reason in words, safe for an email: it names nobody.
    pub fn words(self) -> &'static str {
        match self {
            Self::ConsentWithdrawn => "a party has withdrawn consent",
            Self::NotSuitable => "an assessment found the case not suitable",
            Self::NotProceeding => "the case is not proceeding",
            Self::Closure => "the establishment is closed that day",
            Self::ClearanceLapsed => "a facilitator's clearance lapses before the conference",
        }
    }
}

/// Locks the case row (PostgreSQL; SQLite's write transaction already holds the database),
/// so that a booking or an answer to one of its conferences waits for this transaction.
pub async fn lock_case(db: &impl ConnectionTrait, case_id: i64) -> Result<Option<case::Model>, DbErr> {
    case::Entity::find_by_id(case_id).lock_exclusive().one(db).await
}

/// Cancels every proposed or confirmed conference of the case for `reason`, emails their
/// facilitators and audits each, in the caller's transaction; returns those cancelled. A
/// ready or booked case goes back to `back_to` (the caller's next stage for it).
pub async fn stop_live_bookings(
    txn: &DatabaseTransaction,
    base_url: &Url,
    case_id: i64,
    reason: StopReason,
    back_to: Option<CaseStatus>,
) -> AppResult<Vec<conference::Model>> {
    lock_case(txn, case_id).await?;
    let live = conference::Entity::find()
        .filter(conference::Column::CaseId.eq(case_id))
        .filter(conference::Column::Status.is_in([ConferenceStatus::Proposed, ConferenceStatus::Confirmed]))
        .lock_exclusive()
        .all(txn)
        .await?;
    let now = crate::clock::now();
    let mut cancelled = Vec::with_capacity(live.len());
    for found in live {
        conference::Entity::update_many()
            .col_expr(conference::Column::Status, Expr::value(ConferenceStatus::Cancelled))
            .col_expr(conference::Column::Sequence, Expr::col(conference::Column::Sequence).add(1))
            .col_expr(conference::Column::CancelledAt, Expr::value(Some(now)))
            .col_expr(conference::Column::CancelReason, Expr::value(Some(reason.code())))
            .col_expr(conference::Column::UpdatedAt, Expr::value(now))
            .filter(conference::Column::Id.eq(found.id))
            .exec(txn)
            .await?;
        let updated = conference::Entity::find_by_id(found.id).one(txn).await?.unwrap_or(found);
        super::conferences::notify_facilitators(txn, base_url, "cancelled", &updated).await?;
        audit::record(
            txn,
            AuditEntry {
                actor: "service",
                action: "conference.stopped",
                target_type: Some("conference"),
                target_id: Some(updated.id.to_string()),
                detail: Some(reason.code().to_owned()),
                ..Default::default()
            },
        )
        .await?;
        cancelled.push(updated);
    }
    if let Some(back_to) = back_to {
        case::Entity::update_many()
            .col_expr(case::Column::Status, Expr::value(back_to))
            .col_expr(case::Column::Version, Expr::col(case::Column::Version).add(1))
            .col_expr(case::Column::UpdatedAt, Expr::value(now))
            .filter(case::Column::Id.eq(case_id))
            .filter(case::Column::Status.is_in([CaseStatus::Ready, CaseStatus::Booked]))
            .filter(case::Column::Status.ne(back_to))
            .exec(txn)
            .await?;
    }
    Ok(cancelled)
}

/// A closure was added at `establishment_id` from `from` to `to` (London dates, inclusive):
/// every live conference there on those days is stopped, and its case is ready to book again.
/// Called by the establishments room through [`crate::state::Guards`], in its transaction.
pub async fn closure_added(
    txn: &DatabaseTransaction,
    base_url: &Url,
    establishment_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> AppResult<usize> {
    let (Some(first), Some(after)) = (
        crate::domain::time::london_to_utc(from.and_hms_opt(0, 0, 0).unwrap_or_default()),
        to.succ_opt().and_then(|d| crate::domain::time::london_to_utc(d.and_hms_opt(0, 0, 0).unwrap_or_default())),
    ) else {
        return Ok(0);
    };
    let cases: Vec<i64> = conference::Entity::find()
        .select_only()
        .column(conference::Column::CaseId)
        .distinct()
        .filter(conference::Column::EstablishmentId.eq(establishment_id))
        .filter(conference::Column::Status.is_in([ConferenceStatus::Proposed, ConferenceStatus::Confirmed]))
        .filter(conference::Column::StartsAt.lt(after))
        .filter(conference::Column::EndsAt.gt(first))
        .into_tuple()
        .all(txn)
        .await?;
    let mut stopped = 0;
    for case_id in cases {
        stopped +=
            stop_live_bookings(txn, base_url, case_id, StopReason::Closure, Some(CaseStatus::Ready)).await?.len();
    }
    Ok(stopped)
}

/// A volunteer's checks changed (in the caller's transaction): each live conference they are
/// still on whose day they are no longer cleared for at its establishment is stopped, and its
/// case is ready to book again.
pub async fn clearance_changed(txn: &DatabaseTransaction, base_url: &Url, volunteer_id: i64) -> AppResult<usize> {
    use entity::conference_facilitator::{self, Response};
    let theirs: Vec<i64> = conference_facilitator::Entity::find()
        .select_only()
        .column(conference_facilitator::Column::ConferenceId)
        .filter(conference_facilitator::Column::VolunteerId.eq(volunteer_id))
        .filter(conference_facilitator::Column::Response.ne(Response::Declined))
        .into_tuple()
        .all(txn)
        .await?;
    let live = conference::Entity::find()
        .filter(conference::Column::Id.is_in(theirs))
        .filter(conference::Column::Status.is_in([ConferenceStatus::Proposed, ConferenceStatus::Confirmed]))
        .all(txn)
        .await?;
    let mut stopped = 0;
    for found in live {
        let day = crate::domain::time::london_today(found.starts_at);
        let cleared = crate::checks::service::clearance(txn, volunteer_id, found.establishment_id, day).await?;
        if !cleared.is_cleared() {
            stopped +=
                stop_live_bookings(txn, base_url, found.case_id, StopReason::ClearanceLapsed, Some(CaseStatus::Ready))
                    .await?
                    .len();
        }
    }
    Ok(stopped)
}
