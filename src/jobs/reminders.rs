//! One fn per reminder kind: find what is due at `now`, queue one email per recipient with a
//! key of kind + subject record + occurrence + recipient, skip users who opted out.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use entity::case::CaseStatus;
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator::{self, Response};
use entity::dbs_check::{self, DbsStatus};
use entity::prison_vetting::{self, VettingStatus};
use entity::{case, course_session, email_opt_out, enrolment, establishment, outcome_action, user, volunteer};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

use crate::config::Settings;
use crate::domain::time::{london_display, london_to_utc, london_today, long_date};
use crate::notifications::messages::{Action, reminder};
use crate::notifications::outbox::{Extras, Outgoing, enqueue_with};
use crate::web::links::Links;

/// Who a reminder kind goes to, so the preferences page offers each user only their own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    Volunteers,
    Coordinators,
    Both,
}

impl Audience {
    pub fn includes(self, role: user::Role) -> bool {
        match self {
            Self::Both => true,
            Self::Volunteers => role == user::Role::Volunteer,
            Self::Coordinators => role.is_coordinator(),
        }
    }
}

/// Reminder kinds a user can opt out of, with what the preferences page calls them.
pub const KINDS: [(&str, &str, Audience); 8] = [
    (CONFERENCE_IN_TWO_DAYS, "A restorative conference you facilitate is in two days", Audience::Volunteers),
    (TRAINING_TOMORROW, "A training session you are enrolled on is tomorrow", Audience::Volunteers),
    (CHECK_RENEWAL, "Your DBS check or prison vetting needs renewing in 60 and in 30 days", Audience::Volunteers),
    (SUPERVISION_OVERDUE, "A one-to-one supervision (yours, or as a coordinator anyone's) is overdue", Audience::Both),
    (COMMITMENT_ENDING, "Your volunteering commitment ends in 30 days", Audience::Volunteers),
    (
        OUTCOME_ACTION_DUE,
        "An outcome agreement action (of a conference you facilitated, or as a coordinator any) is due today",
        Audience::Both,
    ),
    (CASE_DEADLINE, "A case's deadline is 7 days away and no conference is booked", Audience::Coordinators),
    (WEEKLY_DIGEST, "The weekly digest on Monday morning: what is waiting for coordinators", Audience::Coordinators),
];
pub const CONFERENCE_IN_TWO_DAYS: &str = "reminder.conference_2d";
pub const TRAINING_TOMORROW: &str = "reminder.training_1d";
pub const CHECK_RENEWAL: &str = "reminder.check_renewal";
pub const SUPERVISION_OVERDUE: &str = "reminder.supervision_overdue";
pub const COMMITMENT_ENDING: &str = "reminder.commitment_ending";
pub const OUTCOME_ACTION_DUE: &str = "reminder.outcome_action_due";
pub const CASE_DEADLINE: &str = "reminder.case_deadline";
pub const WEEKLY_DIGEST: &str = "reminder.weekly_digest";

/// The kinds `role` receives (and may turn off).
pub fn kinds_for(role: user::Role) -> impl Iterator<Item = (&'static str, &'static str)> {
    KINDS.into_iter().filter(move |(_, _, audience)| audience.includes(role)).map(|(kind, label, _)| (kind, label))
}

/// Why a recipient gets a reminder, for its footer.
pub const WHY_VOLUNTEER: &str = "You are getting this reminder because you volunteer with us.";
pub const WHY_COORDINATOR: &str = "You are getting this reminder because you are a coordinator.";
pub const WHY_FACILITATOR: &str = "You are getting this reminder because you facilitated this conference.";

/// Days before a case's deadline that coordinators hear it is still unbooked.
pub const DEADLINE_WARNING_DAYS: u64 = 7;
/// How long after an action's due day a sweep that missed it (downtime) still sends it.
pub const ACTION_CATCH_UP_DAYS: u64 = 7;

/// Days before a check's renewal or expiry date that its holder is reminded, furthest first.
pub const RENEWAL_THRESHOLDS: [u64; 2] = [60, 30];

/// Reminders go out at this London wall-clock hour.
const SEND_AT: NaiveTime = match NaiveTime::from_hms_opt(8, 0, 0) {
    Some(time) => time,
    None => unreachable!(),
};

pub const PREFERENCES_PATH: &str = "/me/email-preferences";

/// 08:00 London on `date`, as a UTC instant (08:00 exists on both clock-change days).
pub fn send_time(date: NaiveDate) -> Option<DateTime<Utc>> {
    london_to_utc(date.and_time(SEND_AT))
}

/// True once `now` has reached the send time `days_before` the London date `on`.
fn is_due(on: NaiveDate, days_before: u64, now: DateTime<Utc>) -> bool {
    on.checked_sub_days(Days::new(days_before)).and_then(send_time).is_some_and(|at| at <= now)
}

pub(super) struct Recipient {
    pub(super) user_id: i64,
    pub(super) name: String,
    pub(super) email: String,
}

/// The user behind a volunteer, unless they opted out of `kind` or are disabled.
async fn recipient(db: &impl ConnectionTrait, volunteer_id: i64, kind: &str) -> Result<Option<Recipient>, DbErr> {
    let Some(record) = volunteer::Entity::find_by_id(volunteer_id).one(db).await? else { return Ok(None) };
    let Some(account) = user::Entity::find_by_id(record.user_id).one(db).await? else { return Ok(None) };
    user_recipient(db, account, kind).await
}

/// `account`, unless they opted out of `kind` or are disabled.
async fn user_recipient(
    db: &impl ConnectionTrait,
    account: user::Model,
    kind: &str,
) -> Result<Option<Recipient>, DbErr> {
    if account.disabled_at.is_some() || opted_out(db, account.id, kind).await? {
        return Ok(None);
    }
    Ok(Some(Recipient { user_id: account.id, name: account.name, email: account.email }))
}

/// Every coordinator (and admin) who has not opted out of `kind`.
pub(super) async fn coordinators(db: &impl ConnectionTrait, kind: &str) -> Result<Vec<Recipient>, DbErr> {
    let accounts = user::Entity::find()
        .filter(user::Column::Role.is_in([user::Role::Coordinator, user::Role::Admin]))
        .all(db)
        .await?;
    let mut found = Vec::with_capacity(accounts.len());
    for account in accounts {
        found.extend(user_recipient(db, account, kind).await?);
    }
    Ok(found)
}

pub async fn opted_out(db: &impl ConnectionTrait, user_id: i64, kind: &str) -> Result<bool, DbErr> {
    Ok(email_opt_out::Entity::find()
        .filter(email_opt_out::Column::UserId.eq(user_id))
        .filter(email_opt_out::Column::Kind.eq(kind))
        .one(db)
        .await?
        .is_some())
}

pub(super) fn url(settings: &Settings, path: &str) -> String {
    Links::new(&settings.base_url).to(path)
}

/// One reminder to one recipient.
struct Reminder<'a> {
    kind: &'static str,
    /// kind + subject record + occurrence; the recipient is added.
    key: String,
    subject: String,
    paragraphs: &'a [String],
    action: (&'a str, &'a str),
    /// The footer's first sentence: why this recipient gets it.
    why: &'a str,
}

async fn queue(
    db: &impl ConnectionTrait,
    settings: &Settings,
    to: Recipient,
    reminder_of: Reminder<'_>,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let preferences = url(settings, PREFERENCES_PATH);
    let target = url(settings, reminder_of.action.1);
    let action = Action { label: reminder_of.action.0, url: &target };
    let message =
        reminder(&to.name, reminder_of.subject, reminder_of.paragraphs, action, reminder_of.why, &preferences);
    let key = format!("{}:{}", reminder_of.key, to.user_id);
    let outgoing = Outgoing { key, kind: reminder_of.kind, to: to.email, message, send_after: now };
    enqueue_with(db, outgoing, Extras { list_unsubscribe: Some(format!("<{preferences}>")), attachment: None }).await
}

/// Each facilitator of a confirmed conference, from 08:00 London two days before its London
/// date until it starts. A rescheduled conference (new sequence) is reminded again.
pub async fn conference_in_two_days(
    db: &impl ConnectionTrait,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let Some(horizon) = london_today(now).checked_add_days(Days::new(3)).and_then(|d| london_to_utc(d.into())) else {
        return Ok(0);
    };
    let conferences = conference::Entity::find()
        .filter(conference::Column::Status.eq(ConferenceStatus::Confirmed))
        .filter(conference::Column::StartsAt.gt(now))
        .filter(conference::Column::StartsAt.lt(horizon))
        .all(db)
        .await?;
    let conferences: Vec<conference::Model> =
        conferences.into_iter().filter(|c| is_due(london_today(c.starts_at), 2, now)).collect();
    // The labels and the facilitators of every due conference, in three queries.
    let mut labels = crate::cases::conferences::references_and_places(db, &conferences).await?;
    let mut on: HashMap<i64, Vec<conference_facilitator::Model>> = HashMap::new();
    if !conferences.is_empty() {
        for f in conference_facilitator::Entity::find()
            .filter(
                conference_facilitator::Column::ConferenceId
                    .is_in(conferences.iter().map(|c| c.id).collect::<Vec<_>>()),
            )
            .filter(conference_facilitator::Column::Response.ne(Response::Declined))
            .order_by_asc(conference_facilitator::Column::Id)
            .all(db)
            .await?
        {
            on.entry(f.conference_id).or_default().push(f);
        }
    }
    let mut queued = 0;
    for booked in conferences {
        let Some((reference, place)) = labels.remove(&booked.id).filter(|(r, p)| !r.is_empty() && !p.is_empty()) else {
            continue;
        };
        for facilitator in on.remove(&booked.id).unwrap_or_default() {
            let Some(to) = recipient(db, facilitator.volunteer_id, CONFERENCE_IN_TWO_DAYS).await? else { continue };
            let paragraphs = [format!(
                "A reminder that you are facilitating a restorative conference ({reference}) at {place}, {}.",
                london_display(booked.starts_at)
            )];
            let of = Reminder {
                kind: CONFERENCE_IN_TWO_DAYS,
                key: format!("{CONFERENCE_IN_TWO_DAYS}:{}:{}", booked.id, booked.sequence),
                subject: format!("In two days: restorative conference ({reference})"),
                paragraphs: &paragraphs,
                action: ("See your assignments", "/"),
                why: WHY_VOLUNTEER,
            };
            let sent = queue(db, settings, to, of, now).await?;
            queued += usize::from(sent);
        }
    }
    Ok(queued)
}

/// Each volunteer enrolled on the course, from 08:00 London the day before a session.
pub async fn training_tomorrow(
    db: &impl ConnectionTrait,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let today = london_today(now);
    let Some(tomorrow) = today.succ_opt() else { return Ok(0) };
    let sessions = course_session::Entity::find()
        .filter(course_session::Column::Date.between(today, tomorrow))
        .filter(course_session::Column::CancelledAt.is_null())
        .all(db)
        .await?;
    let mut queued = 0;
    for session in sessions {
        let started = london_to_utc(session.date.and_time(session.starts_at)).is_some_and(|at| at <= now);
        if started || !is_due(session.date, 1, now) {
            continue;
        }
        let enrolled =
            enrolment::Entity::find().filter(enrolment::Column::CourseId.eq(session.course_id)).all(db).await?;
        for enrolment in enrolled {
            let Some(to) = recipient(db, enrolment.volunteer_id, TRAINING_TOMORROW).await? else { continue };
            let paragraphs = [format!(
                "A reminder that training session {} is tomorrow, {}, {}–{}, at {}.",
                session.number,
                long_date(session.date),
                session.starts_at.format("%H:%M"),
                session.ends_at.format("%H:%M"),
                session.venue
            )];
            let of = Reminder {
                kind: TRAINING_TOMORROW,
                key: format!("{TRAINING_TOMORROW}:{}:{}", session.id, session.date),
                subject: format!("Tomorrow: training session {}", session.number),
                paragraphs: &paragraphs,
                action: ("See your training", "/"),
                why: WHY_VOLUNTEER,
            };
            let sent = queue(db, settings, to, of, now).await?;
            queued += usize::from(sent);
        }
    }
    Ok(queued)
}

/// The threshold (days before `due`) whose window holds `now`: from 08:00 London that many
/// days before until the next threshold's send time (the last one until `due`), so a
/// catch-up sends only the nearest one.
fn renewal_threshold(due: NaiveDate, now: DateTime<Utc>) -> Option<u64> {
    let until = |days: u64| due.checked_sub_days(Days::new(days)).and_then(send_time);
    RENEWAL_THRESHOLDS.iter().enumerate().find_map(|(i, days)| {
        let next = RENEWAL_THRESHOLDS.get(i + 1).copied().unwrap_or(0);
        let open = is_due(due, *days, now) && until(next).is_some_and(|end| now < end);
        open.then_some(*days)
    })
}

/// Each holder of a clear DBS check (not on the Update Service) or cleared prison vetting
/// whose renewal/expiry date is 60 or 30 days off; a later check of the same kind (a renewal
/// under way or done) stops the reminders. Keyed per check + threshold.
pub async fn check_renewal(db: &impl ConnectionTrait, settings: &Settings, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let years = crate::checks::service::renewal_years(db).await?;
    let mut due: Vec<(i64, String, NaiveDate, String)> = Vec::new();
    let dbs = dbs_check::Entity::find().all(db).await?;
    for check in dbs.iter().filter(|c| c.status == DbsStatus::Clear) {
        let renewed = dbs.iter().any(|o| o.volunteer_id == check.volunteer_id && o.id > check.id);
        let Some(on) = crate::checks::clearance::renewal_due(check.issued_on, check.update_service, years) else {
            continue;
        };
        if !renewed {
            due.push((check.volunteer_id, format!("dbs:{}", check.id), on, "Your DBS check is due for renewal".into()));
        }
    }
    let vettings = prison_vetting::Entity::find().all(db).await?;
    for vetting in vettings.iter().filter(|v| v.status == VettingStatus::Cleared) {
        let renewed = vettings.iter().any(|o| {
            o.volunteer_id == vetting.volunteer_id
                && o.establishment_id == vetting.establishment_id
                && o.id > vetting.id
        });
        let (Some(on), false) = (vetting.expires_on, renewed) else { continue };
        let place = establishment::Entity::find_by_id(vetting.establishment_id).one(db).await?.map(|e| e.name);
        let what = format!("Your prison vetting at {} expires", place.unwrap_or_else(|| "a prison".into()));
        due.push((vetting.volunteer_id, format!("vetting:{}", vetting.id), on, what));
    }
    let mut queued = 0;
    for (volunteer_id, check, on, what) in due {
        let Some(days) = renewal_threshold(on, now) else { continue };
        let Some(to) = recipient(db, volunteer_id, CHECK_RENEWAL).await? else { continue };
        let paragraphs = [
            format!("{what} on {}, in {days} days or less.", long_date(on)),
            "Please start the renewal now so you can keep facilitating.".to_owned(),
        ];
        let of = Reminder {
            kind: CHECK_RENEWAL,
            key: format!("{CHECK_RENEWAL}:{check}:{on}:{days}"),
            subject: format!("Renewal due: {}", long_date(on)),
            paragraphs: &paragraphs,
            action: ("See your checks", "/"),
            why: WHY_VOLUNTEER,
        };
        queued += usize::from(queue(db, settings, to, of, now).await?);
    }
    Ok(queued)
}

/// From 08:00 London the day after a volunteer's supervision due date (the logic of
/// `supervision::service::due`), to the volunteer and every coordinator; keyed per volunteer
/// + due date, so a new one-to-one (a new due date) starts afresh.
pub async fn supervision_overdue(
    db: &impl ConnectionTrait,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let mut queued = 0;
    for (record, due) in crate::supervision::service::overdue(db, london_today(now)).await? {
        if !due.due_on.succ_opt().is_some_and(|day| is_due(day, 0, now)) {
            continue;
        }
        let Some(name) = user::Entity::find_by_id(record.user_id).one(db).await?.map(|u| u.name) else { continue };
        let mut to: Vec<(Recipient, String, String, &str)> = Vec::new();
        if let Some(own) = recipient(db, record.id, SUPERVISION_OVERDUE).await? {
            let text = format!(
                "Your one-to-one supervision was due on {}. Please arrange one with your coordinator.",
                long_date(due.due_on)
            );
            to.push((own, text, "/".into(), WHY_VOLUNTEER));
        }
        for coordinator in coordinators(db, SUPERVISION_OVERDUE).await? {
            let text = format!(
                "{name}'s one-to-one supervision was due on {} and has not been recorded.",
                long_date(due.due_on)
            );
            to.push((coordinator, text, format!("/volunteers/{}", record.id), WHY_COORDINATOR));
        }
        for (recipient, text, path, why) in to {
            let paragraphs = [text];
            let of = Reminder {
                kind: SUPERVISION_OVERDUE,
                key: format!("{SUPERVISION_OVERDUE}:{}:{}", record.id, due.due_on),
                subject: "Supervision overdue".into(),
                paragraphs: &paragraphs,
                action: ("See the volunteer", &path),
                why,
            };
            queued += usize::from(queue(db, settings, recipient, of, now).await?);
        }
    }
    Ok(queued)
}

/// Each volunteer whose commitment (`commitment::service::commitment`) ends in 30 days, from
/// 08:00 London that day until it ends; keyed per volunteer + end date, so an extension
/// (a new end date) is reminded again.
pub async fn commitment_ending(
    db: &impl ConnectionTrait,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let today = london_today(now);
    let Some(horizon) = today.checked_add_days(Days::new(30)) else { return Ok(0) };
    let ending = volunteer::Entity::find()
        .filter(volunteer::Column::CommitmentEndsOn.gt(today))
        .filter(volunteer::Column::CommitmentEndsOn.lte(horizon))
        .filter(volunteer::Column::Status.ne(volunteer::VolunteerStatus::Left))
        .all(db)
        .await?;
    let mut queued = 0;
    for record in ending {
        let Some(term) = crate::commitment::service::commitment(&record, today) else { continue };
        if !is_due(term.ends_on, 30, now) {
            continue;
        }
        let Some(to) = recipient(db, record.id, COMMITMENT_ENDING).await? else { continue };
        let paragraphs = [format!(
            "Your volunteering commitment ends on {} ({} days from now). Thank you for your time with us: \
             please talk to your coordinator if you would like to extend it.",
            long_date(term.ends_on),
            term.left_days
        )];
        let of = Reminder {
            kind: COMMITMENT_ENDING,
            key: format!("{COMMITMENT_ENDING}:{}:{}", record.id, term.ends_on),
            subject: format!("Your commitment ends on {}", long_date(term.ends_on)),
            paragraphs: &paragraphs,
            action: ("See your dashboard", "/"),
            why: WHY_VOLUNTEER,
        };
        queued += usize::from(queue(db, settings, to, of, now).await?);
    }
    Ok(queued)
}

/// Outcome-agreement actions not yet completed, from 08:00 London on their due day (the day
/// the parties agreed, when a follow-up call is what a coordinator expects to make; earlier
/// would chase a party before their own date) for up to a week, so a sweep after downtime
/// still sends it but a late-recorded outcome does not bring back old actions. Keyed per
/// action + due date (a new date is reminded again). To the facilitators assigned to the
/// conference that agreed it — they met the parties and follow the agreement up with them —
/// and to every coordinator, who owns the case until it closes. The email names only the
/// case reference: an action's description and owner may name a party.
pub async fn outcome_action_due(
    db: &impl ConnectionTrait,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<usize, DbErr> {
    let today = london_today(now);
    let Some(oldest) = today.checked_sub_days(Days::new(ACTION_CATCH_UP_DAYS)) else { return Ok(0) };
    let actions = outcome_action::Entity::find()
        .filter(outcome_action::Column::CompletedOn.is_null())
        .filter(outcome_action::Column::DueOn.between(oldest, today))
        .all(db)
        .await?;
    let mut queued = 0;
    for action in actions {
        let until = action.due_on.checked_add_days(Days::new(ACTION_CATCH_UP_DAYS)).and_then(send_time);
        if !is_due(action.due_on, 0, now) || until.is_none_or(|end| now >= end) {
            continue;
        }
        let Some(held) = conference::Entity::find_by_id(action.conference_id).one(db).await? else { continue };
        let Some(found) = case::Entity::find_by_id(held.case_id).one(db).await? else { continue };
        if matches!(found.status, CaseStatus::Closed | CaseStatus::NotProceeding) {
            continue;
        }
        let reference = &found.reference;
        let due = long_date(action.due_on);
        let mut to: Vec<(Recipient, &str)> = Vec::new();
        let facilitators = conference_facilitator::Entity::find()
            .filter(conference_facilitator::Column::ConferenceId.eq(held.id))
            .filter(conference_facilitator::Column::Response.ne(Response::Declined))
            .all(db)
            .await?;
        for facilitator in facilitators {
            to.extend(recipient(db, facilitator.volunteer_id, OUTCOME_ACTION_DUE).await?.map(|r| (r, WHY_FACILITATOR)));
        }
        to.extend(coordinators(db, OUTCOME_ACTION_DUE).await?.into_iter().map(|r| (r, WHY_COORDINATOR)));
        let path = format!("/conferences/{}", held.id);
        for (recipient, why) in to {
            let paragraphs = [
                format!(
                    "An action of the outcome agreement of restorative conference ({reference}) is due on {due} \
                     and is not recorded as completed."
                ),
                "Please check with the person responsible and record it when it is done.".to_owned(),
            ];
            let of = Reminder {
                kind: OUTCOME_ACTION_DUE,
                key: format!("{OUTCOME_ACTION_DUE}:{}:{}", action.id, action.due_on),
                subject: format!("Outcome agreement action due: {reference}"),
                paragraphs: &paragraphs,
                action: ("See the conference", &path),
                why,
            };
            queued += usize::from(queue(db, settings, recipient, of, now).await?);
        }
    }
    Ok(queued)
}

/// Cases still to be held (referred, assessing, ready or booked) whose deadline is between
/// `from` and `to` and that have no conference proposed or confirmed, soonest first.
pub(super) async fn unbooked_cases(
    db: &impl ConnectionTrait,
    from: Option<NaiveDate>,
    to: NaiveDate,
) -> Result<Vec<case::Model>, DbErr> {
    let mut query = case::Entity::find()
        .filter(case::Column::Status.is_in([
            CaseStatus::Referred,
            CaseStatus::Assessing,
            CaseStatus::Ready,
            CaseStatus::Booked,
        ]))
        .filter(case::Column::Deadline.lte(to));
    if let Some(from) = from {
        query = query.filter(case::Column::Deadline.gte(from));
    }
    let open = query.order_by_asc(case::Column::Deadline).order_by_asc(case::Column::Id).all(db).await?;
    if open.is_empty() {
        return Ok(open);
    }
    let booked: std::collections::HashSet<i64> = conference::Entity::find()
        .filter(conference::Column::CaseId.is_in(open.iter().map(|c| c.id)))
        .filter(conference::Column::Status.is_in([ConferenceStatus::Proposed, ConferenceStatus::Confirmed]))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.case_id)
        .collect();
    Ok(open.into_iter().filter(|c| !booked.contains(&c.id)).collect())
}

/// To every coordinator, from 08:00 London 7 days before a case's deadline until the
/// deadline day ends, when no conference is proposed or confirmed for it; keyed per case +
/// deadline (a new deadline is warned again). A booking made in the meantime stops it.
pub async fn case_deadline(db: &impl ConnectionTrait, settings: &Settings, now: DateTime<Utc>) -> Result<usize, DbErr> {
    let today = london_today(now);
    let Some(horizon) = today.checked_add_days(Days::new(DEADLINE_WARNING_DAYS)) else { return Ok(0) };
    let mut queued = 0;
    for found in unbooked_cases(db, Some(today), horizon).await? {
        if !is_due(found.deadline, DEADLINE_WARNING_DAYS, now) {
            continue;
        }
        let reference = &found.reference;
        let deadline = long_date(found.deadline);
        let path = format!("/cases/{}/candidates", found.id);
        for coordinator in coordinators(db, CASE_DEADLINE).await? {
            let paragraphs =
                [format!("Case {reference} has a deadline of {deadline} and no conference is booked for it yet.")];
            let of = Reminder {
                kind: CASE_DEADLINE,
                key: format!("{CASE_DEADLINE}:{}:{}", found.id, found.deadline),
                subject: format!("Not booked yet: {reference}, deadline {deadline}"),
                paragraphs: &paragraphs,
                action: ("Find a slot", &path),
                why: WHY_COORDINATOR,
            };
            queued += usize::from(queue(db, settings, coordinator, of, now).await?);
        }
    }
    Ok(queued)
}
