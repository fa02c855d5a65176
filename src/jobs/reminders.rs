//! One fn per reminder kind: find what is due at `now`, queue one email per recipient with a
//! key of kind + subject record + occurrence + recipient, skip users who opted out.

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator::{self, Response};
use entity::dbs_check::{self, DbsStatus};
use entity::prison_vetting::{self, VettingStatus};
use entity::{case, course_session, email_opt_out, enrolment, establishment, user, volunteer};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::config::Settings;
use crate::domain::time::{london_display, london_to_utc, london_today, long_date};
use crate::notifications::messages::{Action, reminder};
use crate::notifications::outbox::{Extras, Outgoing, enqueue_with};

/// Reminder kinds a user can opt out of, with what the preferences page calls them.
pub const KINDS: [(&str, &str); 5] = [
    (CONFERENCE_IN_TWO_DAYS, "A restorative conference you facilitate is in two days"),
    (TRAINING_TOMORROW, "A training session you are enrolled on is tomorrow"),
    (CHECK_RENEWAL, "Your DBS check or prison vetting needs renewing in 60 and in 30 days"),
    (SUPERVISION_OVERDUE, "A one-to-one supervision (yours, or as a coordinator anyone's) is overdue"),
    (COMMITMENT_ENDING, "Your volunteering commitment ends in 30 days"),
];
pub const CONFERENCE_IN_TWO_DAYS: &str = "reminder.conference_2d";
pub const TRAINING_TOMORROW: &str = "reminder.training_1d";
pub const CHECK_RENEWAL: &str = "reminder.check_renewal";
pub const SUPERVISION_OVERDUE: &str = "reminder.supervision_overdue";
pub const COMMITMENT_ENDING: &str = "reminder.commitment_ending";

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

struct Recipient {
    user_id: i64,
    name: String,
    email: String,
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
async fn coordinators(db: &impl ConnectionTrait, kind: &str) -> Result<Vec<Recipient>, DbErr> {
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

fn url(settings: &Settings, path: &str) -> String {
    settings.base_url.join(path).map(|u| u.to_string()).unwrap_or_else(|_| path.to_owned())
}

/// One reminder to one recipient.
struct Reminder<'a> {
    kind: &'static str,
    /// kind + subject record + occurrence; the recipient is added.
    key: String,
    subject: String,
    paragraphs: &'a [String],
    action: (&'a str, &'a str),
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
    let message = reminder(&to.name, reminder_of.subject, reminder_of.paragraphs, action, &preferences);
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
    let mut queued = 0;
    for booked in conferences {
        if !is_due(london_today(booked.starts_at), 2, now) {
            continue;
        }
        let reference = case::Entity::find_by_id(booked.case_id).one(db).await?.map(|c| c.reference);
        let place = establishment::Entity::find_by_id(booked.establishment_id).one(db).await?.map(|e| e.name);
        let (Some(reference), Some(place)) = (reference, place) else { continue };
        let facilitators = conference_facilitator::Entity::find()
            .filter(conference_facilitator::Column::ConferenceId.eq(booked.id))
            .filter(conference_facilitator::Column::Response.ne(Response::Declined))
            .all(db)
            .await?;
        for facilitator in facilitators {
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
    let sessions =
        course_session::Entity::find().filter(course_session::Column::Date.between(today, tomorrow)).all(db).await?;
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
    use crate::settings::service::{SUPERVISION_INTERVAL_WEEKS, number};
    let interval = number(db, &SUPERVISION_INTERVAL_WEEKS).await?;
    let today = london_today(now);
    let trained = volunteer::Entity::find().filter(volunteer::Column::TrainedOn.is_not_null()).all(db).await?;
    let mut queued = 0;
    for record in trained {
        let held: Vec<NaiveDate> =
            crate::supervision::service::list(db, record.id).await?.into_iter().map(|(s, _)| s.held_on).collect();
        let Some(due) = crate::supervision::service::due(&record, &held, today, interval) else { continue };
        if !due.overdue || !due.due_on.succ_opt().is_some_and(|day| is_due(day, 0, now)) {
            continue;
        }
        let Some(name) = user::Entity::find_by_id(record.user_id).one(db).await?.map(|u| u.name) else { continue };
        let mut to: Vec<(Recipient, String, String)> = Vec::new();
        if let Some(own) = recipient(db, record.id, SUPERVISION_OVERDUE).await? {
            let text = format!(
                "Your one-to-one supervision was due on {}. Please arrange one with your coordinator.",
                long_date(due.due_on)
            );
            to.push((own, text, "/".into()));
        }
        for coordinator in coordinators(db, SUPERVISION_OVERDUE).await? {
            let text = format!(
                "{name}'s one-to-one supervision was due on {} and has not been recorded.",
                long_date(due.due_on)
            );
            to.push((coordinator, text, format!("/volunteers/{}", record.id)));
        }
        for (recipient, text, path) in to {
            let paragraphs = [text];
            let of = Reminder {
                kind: SUPERVISION_OVERDUE,
                key: format!("{SUPERVISION_OVERDUE}:{}:{}", record.id, due.due_on),
                subject: "Supervision overdue".into(),
                paragraphs: &paragraphs,
                action: ("See the volunteer", &path),
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
        };
        queued += usize::from(queue(db, settings, to, of, now).await?);
    }
    Ok(queued)
}
