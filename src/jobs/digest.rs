//! The coordinators' weekly digest: on Monday from 08:00 London (a sweep later that Monday
//! after downtime still sends it), counts of what waits for them, with links behind login.
//! Keyed per coordinator + ISO week. A week with nothing waiting sends nothing.

use chrono::{DateTime, Datelike, Days, Utc, Weekday};
use entity::application::{self, ApplicationStatus};
use entity::outbox_message;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};

use super::reminders::{PREFERENCES_PATH, WEEKLY_DIGEST, coordinators, send_time, unbooked_cases, url};
use crate::config::Settings;
use crate::domain::time::{london_today, long_date};
use crate::notifications::messages::{Item, weekly_digest as message};
use crate::notifications::outbox::{Extras, Outgoing, enqueue_with};
use crate::web::links::Links;

/// "Near" a deadline for the digest: this week's and next week's, and any already passed.
pub const DEADLINE_WITHIN_DAYS: u64 = 14;

/// What the digest counts, on `today`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Digest {
    pub applications_waiting: usize,
    pub checks_due: usize,
    pub supervision_overdue: usize,
    /// (case id, reference, deadline) of unbooked cases near or past their deadline.
    pub unbooked_cases: Vec<(i64, String, chrono::NaiveDate)>,
    pub claims_awaiting_approval: usize,
}

impl Digest {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

pub async fn gather(db: &impl ConnectionTrait, today: chrono::NaiveDate) -> Result<Digest, DbErr> {
    let applications_waiting = application::Entity::find()
        .filter(application::Column::Status.eq(ApplicationStatus::Submitted))
        .count(db)
        .await?;
    let checks = crate::checks::service::overview(db, today).await?;
    let claims = crate::expenses::service::awaiting_decision(db).await?;
    let horizon = today.checked_add_days(Days::new(DEADLINE_WITHIN_DAYS)).unwrap_or(today);
    let cases = unbooked_cases(db, None, horizon).await?;
    Ok(Digest {
        applications_waiting: usize::try_from(applications_waiting).unwrap_or(usize::MAX),
        checks_due: checks.overdue.len() + checks.due_soon.len(),
        supervision_overdue: crate::supervision::service::overdue(db, today).await?.len(),
        unbooked_cases: cases.into_iter().map(|c| (c.id, c.reference, c.deadline)).collect(),
        claims_awaiting_approval: usize::try_from(claims).unwrap_or(usize::MAX),
    })
}

/// Counts and links only: no names, no case details beyond the reference.
fn items(settings: &Settings, digest: &Digest) -> Vec<Item> {
    let line = |label: &str, count: usize, path: &str| Item {
        label: label.to_owned(),
        count,
        url: Some(url(settings, path)),
        links: Vec::new(),
    };
    let cases = Item {
        label: format!("Cases not booked with a deadline within {DEADLINE_WITHIN_DAYS} days or passed"),
        count: digest.unbooked_cases.len(),
        url: None,
        links: digest
            .unbooked_cases
            .iter()
            .map(|(id, reference, deadline)| {
                (
                    format!("{reference}, deadline {}", long_date(*deadline)),
                    Links::new(&settings.base_url).case_candidates(*id),
                )
            })
            .collect(),
    };
    vec![
        line("Applications waiting for review", digest.applications_waiting, "/applications?status=submitted"),
        line(
            &format!("Background checks overdue or due in the next {} days", crate::checks::service::DUE_WITHIN_DAYS),
            digest.checks_due,
            "/checks",
        ),
        line("Volunteers overdue for supervision", digest.supervision_overdue, "/volunteers"),
        cases,
        line("Expense claims awaiting approval", digest.claims_awaiting_approval, "/expenses?status=submitted"),
    ]
}

/// Queues the digest for each coordinator who wants it, on Monday from 08:00 London until
/// the day ends.
pub async fn weekly_digest(db: &impl ConnectionTrait, settings: &Settings, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let today = london_today(now);
    if today.weekday() != Weekday::Mon || send_time(today).is_none_or(|at| at > now) {
        return Ok(0);
    }
    let week = today.iso_week();
    let key = |user_id: i64| format!("{WEEKLY_DIGEST}:{}-W{:02}:{user_id}", week.year(), week.week());
    // The sweep runs every minute all Monday: count only while someone is still to be sent one.
    let mut waiting = Vec::new();
    for coordinator in coordinators(db, WEEKLY_DIGEST).await? {
        let sent = outbox_message::Entity::find()
            .filter(outbox_message::Column::IdempotencyKey.eq(key(coordinator.user_id)))
            .count(db)
            .await?;
        if sent == 0 {
            waiting.push(coordinator);
        }
    }
    if waiting.is_empty() {
        return Ok(0);
    }
    let digest = gather(db, today).await?;
    if digest.is_empty() {
        return Ok(0);
    }
    let items = items(settings, &digest);
    let preferences = url(settings, PREFERENCES_PATH);
    let home = url(settings, "/");
    let mut queued = 0;
    for coordinator in waiting {
        let outgoing = Outgoing {
            key: key(coordinator.user_id),
            kind: WEEKLY_DIGEST,
            to: coordinator.email,
            message: message(&coordinator.name, &long_date(today), &items, &home, &preferences),
            send_after: now,
        };
        let extras = Extras { list_unsubscribe: Some(format!("<{preferences}>")), attachment: None };
        queued += usize::from(enqueue_with(db, outgoing, extras).await?);
    }
    Ok(queued)
}
