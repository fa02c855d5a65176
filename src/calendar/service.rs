//! Which events each feed carries, the cheap fingerprint its ETag comes from, and the
//! secret feed tokens (32 random bytes, stored as their SHA-256, rotated by replacing).
//!
//! A feed is a function of the rows it shows and of `now` (anything cancelled — conferences,
//! training sessions, meetings, supervision — stays 30 days as CANCELLED; meetings still to
//! come). The fingerprint aggregates exactly those rows — count,
//! last change, ids and sequences — with the same filters, so two requests over unchanged
//! data get the same ETag, and a client holding it gets a 304 without the feed being built.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use entity::conference::{self, ConferenceStatus};
use entity::conference_facilitator::{self, FacilitatorRole};
use entity::{
    calendar_token, case, course, course_session, enrolment, establishment, intake, meeting_attendance,
    supervision_session, user, volunteer_meeting,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect,
    Set, Statement, Value,
};
use url::Url;

use crate::domain::time::{london_to_utc, london_today};
use crate::ics::{Event, Status, When};
use crate::secrets::{constant_time_eq, random_token, sha256_hex};
use crate::web::links::Links;

/// A cancelled event (a conference, training session, meeting or supervision session) stays
/// in feeds this long, as STATUS:CANCELLED, so subscribed calendars remove it; then it goes.
pub const CANCELLED_KEPT_DAYS: i64 = 30;
/// Bumped whenever what a feed shows for the same rows changes, so old ETags stop matching.
const FORMAT: &str = "feed-v2";
/// Bytes of randomness in a feed token.
const TOKEN_BYTES: usize = 32;

/// Whose events a feed carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Feed {
    /// Open training dates, for anyone.
    Public,
    /// A volunteer's own dates; `volunteer_id` is `None` for an account without a record.
    Volunteer { user_id: i64, volunteer_id: Option<i64> },
    /// Every booked conference and every training session.
    Coordinator { user_id: i64 },
}

impl Feed {
    /// The calendar's name (X-WR-CALNAME).
    pub fn name(self) -> &'static str {
        match self {
            Self::Public => "Convene — training and information sessions",
            Self::Volunteer { .. } => "Convene — my calendar",
            Self::Coordinator { .. } => "Convene — all bookings and training",
        }
    }

    pub fn is_personal(self) -> bool {
        !matches!(self, Self::Public)
    }
}

/// Creates or replaces the user's feed token and returns it (the only time it is seen).
/// The old token stops working in the same transaction.
pub async fn rotate(db: &impl ConnectionTrait, user_id: i64) -> Result<String, DbErr> {
    let token = random_token(TOKEN_BYTES);
    calendar_token::Entity::delete_many().filter(calendar_token::Column::UserId.eq(user_id)).exec(db).await?;
    calendar_token::ActiveModel {
        user_id: Set(user_id),
        token_hash: Set(sha256_hex(&token)),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// When the user's current feed token was made, if they have one.
pub async fn token_created_at(db: &impl ConnectionTrait, user_id: i64) -> Result<Option<DateTime<Utc>>, DbErr> {
    Ok(calendar_token::Entity::find()
        .filter(calendar_token::Column::UserId.eq(user_id))
        .one(db)
        .await?
        .map(|t| t.created_at))
}

/// The feed behind a secret token, or `None` for an unknown token or a disabled account.
pub async fn feed_for_token(db: &impl ConnectionTrait, token: &str) -> Result<Option<Feed>, DbErr> {
    // A real token is 43 base64url characters: anything else is not looked up.
    if token.len() != 43 || !token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        return Ok(None);
    }
    let hash = sha256_hex(token);
    let Some(found) =
        calendar_token::Entity::find().filter(calendar_token::Column::TokenHash.eq(hash.as_str())).one(db).await?
    else {
        return Ok(None);
    };
    if !constant_time_eq(&found.token_hash, &hash) {
        return Ok(None);
    }
    let Some(account) = user::Entity::find_by_id(found.user_id).one(db).await? else { return Ok(None) };
    if account.disabled_at.is_some() {
        return Ok(None);
    }
    feed_for_user(db, &account).await.map(Some)
}

pub async fn feed_for_user(db: &impl ConnectionTrait, account: &user::Model) -> Result<Feed, DbErr> {
    feed_for_account(db, account.id, account.role).await
}

/// The feed of an account with this role: every booking for coordinators and admins, the
/// volunteer's own dates otherwise.
pub async fn feed_for_account(db: &impl ConnectionTrait, user_id: i64, role: user::Role) -> Result<Feed, DbErr> {
    if role.is_coordinator() {
        return Ok(Feed::Coordinator { user_id });
    }
    let record = crate::volunteers::service::for_user(db, user_id).await?;
    Ok(Feed::Volunteer { user_id, volunteer_id: record.map(|v| v.id) })
}

/// The strong ETag of the feed as it would be rendered now: a digest of the fingerprint.
/// The bytes are a function of the same rows, so equal ETags mean equal bytes.
pub async fn etag(db: &impl ConnectionTrait, feed: Feed, base_url: &Url, now: DateTime<Utc>) -> Result<String, DbErr> {
    let print = fingerprint(db, feed, base_url, now).await?;
    Ok(format!("\"{}\"", &sha256_hex(&print)[..32]))
}

/// Count, last change and a checksum of ids and sequences, per kind of row the feed shows.
async fn fingerprint(
    db: &impl ConnectionTrait,
    feed: Feed,
    base_url: &Url,
    now: DateTime<Utc>,
) -> Result<String, DbErr> {
    let today = london_today(now);
    let cutoff = cancelled_cutoff(now);
    let mut parts = vec![FORMAT.to_owned(), base_url.to_string(), format!("{feed:?}")];
    // Names shown in events (course names, establishment names and addresses).
    parts.push(aggregate(db, "FROM courses x", vec![]).await?);
    match feed {
        Feed::Public => {
            parts.push(
                aggregate(
                    db,
                    "FROM course_sessions x WHERE x.date >= ? AND x.course_id IN \
                     (SELECT i.course_id FROM intakes i WHERE i.opens_on <= ? AND i.closes_on >= ?) \
                     AND (x.cancelled_at IS NULL OR x.cancelled_at >= ?)",
                    vec![today.into(), today.into(), today.into(), cutoff.into()],
                )
                .await?,
            );
        }
        Feed::Coordinator { .. } => {
            parts.push(aggregate(db, "FROM establishments x", vec![]).await?);
            parts.push(
                aggregate(
                    db,
                    "FROM course_sessions x WHERE (x.cancelled_at IS NULL OR x.cancelled_at >= ?)",
                    vec![cutoff.into()],
                )
                .await?,
            );
            parts.push(
                aggregate(
                    db,
                    "FROM conferences x WHERE (x.status <> 'cancelled' OR x.cancelled_at >= ?)",
                    vec![cutoff.into()],
                )
                .await?,
            );
        }
        Feed::Volunteer { volunteer_id: None, .. } => {}
        Feed::Volunteer { volunteer_id: Some(id), .. } => {
            parts.push(aggregate(db, "FROM establishments x", vec![]).await?);
            parts.push(
                aggregate(
                    db,
                    "FROM course_sessions x WHERE x.course_id IN \
                     (SELECT e.course_id FROM enrolments e WHERE e.volunteer_id = ?) \
                     AND (x.cancelled_at IS NULL OR x.cancelled_at >= ?)",
                    vec![id.into(), cutoff.into()],
                )
                .await?,
            );
            parts.push(
                aggregate(
                    db,
                    "FROM conferences x WHERE x.id IN \
                     (SELECT f.conference_id FROM conference_facilitators f WHERE f.volunteer_id = ?) \
                     AND (x.status <> 'cancelled' OR x.cancelled_at >= ?)",
                    vec![id.into(), cutoff.into()],
                )
                .await?,
            );
            parts.push(
                aggregate(
                    db,
                    "FROM supervision_sessions x WHERE x.volunteer_id = ? \
                     AND (x.cancelled_at IS NULL OR x.cancelled_at >= ?)",
                    vec![id.into(), cutoff.into()],
                )
                .await?,
            );
            parts.push(
                aggregate(
                    db,
                    "FROM volunteer_meetings x WHERE (x.held_on >= ? OR x.id IN \
                     (SELECT a.meeting_id FROM meeting_attendance a WHERE a.volunteer_id = ?)) \
                     AND (x.cancelled_at IS NULL OR x.cancelled_at >= ?)",
                    vec![today.into(), id.into(), cutoff.into()],
                )
                .await?,
            );
        }
    }
    Ok(parts.join("|"))
}

/// `COUNT`, `MAX(updated_at)` and a checksum of ids and sequences (when the table has
/// them) over the rows `from` selects, aliased `x`.
async fn aggregate(db: &impl ConnectionTrait, from: &str, values: Vec<Value>) -> Result<String, DbErr> {
    let checksum = if from.starts_with("FROM courses") || from.starts_with("FROM establishments") {
        "x.id"
    } else {
        "x.id * 1000 + x.sequence"
    };
    let sql = format!(
        "SELECT COUNT(*) AS n, CAST(MAX(x.updated_at) AS TEXT) AS changed, \
         CAST(COALESCE(SUM({checksum}), 0) AS BIGINT) AS checksum {from}"
    );
    let backend = db.get_database_backend();
    let row = db.query_one_raw(Statement::from_sql_and_values(backend, placeholders(backend, &sql), values)).await?;
    let Some(row) = row else { return Ok(String::new()) };
    let n: i64 = row.try_get("", "n")?;
    let changed: Option<String> = row.try_get("", "changed")?;
    let checksum: i64 = row.try_get("", "checksum")?;
    Ok(format!("{n}/{}/{checksum}", changed.unwrap_or_default()))
}

/// `?` placeholders as the backend writes them (`$1`, `$2`… on PostgreSQL).
fn placeholders(backend: DbBackend, sql: &str) -> String {
    if backend != DbBackend::Postgres {
        return sql.to_owned();
    }
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for c in sql.chars() {
        if c == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(c);
        }
    }
    out
}

/// Cancelled conferences stay until the end of the London day 30 days after they were
/// cancelled: what a feed shows changes with the date, never within a day.
fn cancelled_cutoff(now: DateTime<Utc>) -> DateTime<Utc> {
    let first_day = london_today(now) - Duration::days(CANCELLED_KEPT_DAYS);
    london(first_day, NaiveTime::MIN)
}

/// A London wall-clock date and time as an instant; a time in the spring-forward gap is
/// read an hour later (the clocks have gone forward by then).
fn london(date: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = NaiveDateTime::new(date, time);
    london_to_utc(local).or_else(|| london_to_utc(local + Duration::hours(1))).unwrap_or_else(|| local.and_utc())
}

/// The events of a feed at `now`, in no particular order (the renderer sorts them).
pub async fn events(
    db: &impl ConnectionTrait,
    feed: Feed,
    base_url: &Url,
    now: DateTime<Utc>,
) -> Result<Vec<Event>, DbErr> {
    let today = london_today(now);
    let cutoff = cancelled_cutoff(now);
    let mut out = Vec::new();
    match feed {
        Feed::Public => {
            let open: Vec<i64> = intake::Entity::find()
                .filter(intake::Column::OpensOn.lte(today))
                .filter(intake::Column::ClosesOn.gte(today))
                .all(db)
                .await?
                .into_iter()
                .map(|i| i.course_id)
                .collect();
            let sessions = course_session::Entity::find()
                .filter(course_session::Column::CourseId.is_in(open))
                .filter(course_session::Column::Date.gte(today))
                .filter(still_shown(course_session::Column::CancelledAt, cutoff))
                .all(db)
                .await?;
            let names = course_names(db).await?;
            let url = Some(Links::new(base_url).to("/volunteer"));
            out.extend(sessions.iter().map(|s| training_event(s, &names, "Volunteer training", url.clone())));
        }
        Feed::Coordinator { .. } => {
            let names = course_names(db).await?;
            for s in course_session::Entity::find()
                .filter(still_shown(course_session::Column::CancelledAt, cutoff))
                .all(db)
                .await?
            {
                let url = Some(Links::new(base_url).training_session(s.id));
                out.push(training_event(&s, &names, "Training", url));
            }
            let conferences = conference::Entity::find().filter(kept(cutoff)).all(db).await?;
            out.extend(conference_events(db, base_url, &conferences, &HashMap::new()).await?);
        }
        Feed::Volunteer { volunteer_id: None, .. } => {}
        Feed::Volunteer { volunteer_id: Some(id), .. } => {
            let names = course_names(db).await?;
            let courses: Vec<i64> = enrolment::Entity::find()
                .filter(enrolment::Column::VolunteerId.eq(id))
                .all(db)
                .await?
                .into_iter()
                .map(|e| e.course_id)
                .collect();
            let home = Some(Links::new(base_url).to("/"));
            for s in course_session::Entity::find()
                .filter(course_session::Column::CourseId.is_in(courses))
                .filter(still_shown(course_session::Column::CancelledAt, cutoff))
                .all(db)
                .await?
            {
                out.push(training_event(&s, &names, "Training", home.clone()));
            }

            let roles: HashMap<i64, FacilitatorRole> = conference_facilitator::Entity::find()
                .filter(conference_facilitator::Column::VolunteerId.eq(id))
                .all(db)
                .await?
                .into_iter()
                .map(|f| (f.conference_id, f.role))
                .collect();
            let conferences = conference::Entity::find()
                .filter(conference::Column::Id.is_in(roles.keys().copied().collect::<Vec<_>>()))
                .filter(kept(cutoff))
                .all(db)
                .await?;
            out.extend(conference_events(db, base_url, &conferences, &roles).await?);

            for s in supervision_session::Entity::find()
                .filter(supervision_session::Column::VolunteerId.eq(id))
                .filter(still_shown(supervision_session::Column::CancelledAt, cutoff))
                .all(db)
                .await?
            {
                out.push(Event {
                    uid: s.uid,
                    sequence: u32::try_from(s.sequence).unwrap_or(0),
                    dtstamp_utc: s.updated_at,
                    when: When::AllDay { start: s.held_on, end: s.held_on + Duration::days(1) },
                    summary: "One-to-one supervision".into(),
                    description: None,
                    location: None,
                    url: home.clone(),
                    status: status_of(s.cancelled_at),
                });
            }

            let attended: Vec<i64> = meeting_attendance::Entity::find()
                .filter(meeting_attendance::Column::VolunteerId.eq(id))
                .all(db)
                .await?
                .into_iter()
                .map(|a| a.meeting_id)
                .collect();
            for m in volunteer_meeting::Entity::find()
                .filter(
                    Condition::any()
                        .add(volunteer_meeting::Column::HeldOn.gte(today))
                        .add(volunteer_meeting::Column::Id.is_in(attended)),
                )
                .filter(still_shown(volunteer_meeting::Column::CancelledAt, cutoff))
                .all(db)
                .await?
            {
                // The topic and the case discussion stay on the site: feeds leave this machine.
                out.push(Event {
                    uid: m.uid,
                    sequence: u32::try_from(m.sequence).unwrap_or(0),
                    dtstamp_utc: m.updated_at,
                    when: When::Timed { start: london(m.held_on, m.starts_at), end: london(m.held_on, m.ends_at) },
                    summary: "Volunteer meeting".into(),
                    description: None,
                    location: None,
                    url: home.clone(),
                    status: status_of(m.cancelled_at),
                });
            }
        }
    }
    Ok(out)
}

/// Conferences a feed keeps: all but those cancelled before the cutoff.
fn kept(cutoff: DateTime<Utc>) -> Condition {
    Condition::any()
        .add(conference::Column::Status.ne(ConferenceStatus::Cancelled))
        .add(conference::Column::CancelledAt.gte(cutoff))
}

async fn course_names(db: &impl ConnectionTrait) -> Result<HashMap<i64, String>, DbErr> {
    Ok(course::Entity::find()
        .select_only()
        .column(course::Column::Id)
        .column(course::Column::Name)
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

fn training_event(s: &course_session::Model, names: &HashMap<i64, String>, what: &str, url: Option<String>) -> Event {
    let course = names.get(&s.course_id).map_or("", String::as_str);
    Event {
        uid: s.uid.clone(),
        sequence: u32::try_from(s.sequence).unwrap_or(0),
        dtstamp_utc: s.updated_at,
        when: When::Timed { start: london(s.date, s.starts_at), end: london(s.date, s.ends_at) },
        summary: format!("{what}: {course}, session {}", s.number),
        description: None,
        location: Some(s.venue.clone()),
        url,
        status: status_of(s.cancelled_at),
    }
}

/// Rows a feed shows: those not cancelled, and those cancelled since the cutoff (shown as
/// CANCELLED so subscribed calendars remove them).
fn still_shown(cancelled_at: impl ColumnTrait, cutoff: DateTime<Utc>) -> Condition {
    Condition::any().add(cancelled_at.is_null()).add(cancelled_at.gte(cutoff))
}

fn status_of(cancelled_at: Option<DateTime<Utc>>) -> Status {
    if cancelled_at.is_some() { Status::Cancelled } else { Status::Confirmed }
}

/// "Restorative conference (RJ-2027-0042) — HMP Example" and a link behind sign-in:
/// never a party's name, the offence or any notes. `roles` gives the reader's part.
async fn conference_events(
    db: &impl ConnectionTrait,
    base_url: &Url,
    conferences: &[conference::Model],
    roles: &HashMap<i64, FacilitatorRole>,
) -> Result<Vec<Event>, DbErr> {
    let case_ids: Vec<i64> = conferences.iter().map(|c| c.case_id).collect();
    let references: HashMap<i64, String> = case::Entity::find()
        .select_only()
        .column(case::Column::Id)
        .column(case::Column::Reference)
        .filter(case::Column::Id.is_in(case_ids))
        .into_tuple::<(i64, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let place_ids: Vec<i64> = conferences.iter().map(|c| c.establishment_id).collect();
    let places: HashMap<i64, establishment::Model> = establishment::Entity::find()
        .filter(establishment::Column::Id.is_in(place_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    Ok(conferences
        .iter()
        .map(|c| {
            let reference = references.get(&c.case_id).map_or("", String::as_str);
            let place = places.get(&c.establishment_id);
            let place_name = place.map_or("", |p| p.name.as_str());
            let url = Some(Links::new(base_url).conference(c.id));
            let role = match roles.get(&c.id) {
                Some(FacilitatorRole::Lead) => "You are the lead facilitator. ",
                Some(FacilitatorRole::Co) => "You are the co-facilitator. ",
                None => "",
            };
            Event {
                uid: c.uid.clone(),
                sequence: u32::try_from(c.sequence).unwrap_or(0),
                dtstamp_utc: c.updated_at,
                when: When::Timed { start: c.starts_at, end: c.ends_at },
                summary: format!("Restorative conference ({reference}) — {place_name}"),
                description: Some(format!(
                    "{role}Details for signed-in facilitators and coordinators: {}",
                    url.as_deref().unwrap_or("")
                )),
                location: place
                    .map(|p| if p.address.is_empty() { p.name.clone() } else { format!("{}, {}", p.name, p.address) }),
                url,
                status: match c.status {
                    ConferenceStatus::Proposed => Status::Tentative,
                    ConferenceStatus::Cancelled => Status::Cancelled,
                    ConferenceStatus::Confirmed | ConferenceStatus::Held | ConferenceStatus::NotHeld => {
                        Status::Confirmed
                    }
                },
            }
        })
        .collect())
}

/// The feed's ETag and bytes, consistent with each other: `before` is the ETag taken
/// just before (see [`etag`]); if a change lands before the rows are read, it is built again.
pub async fn render(
    db: &impl ConnectionTrait,
    feed: Feed,
    base_url: &Url,
    now: DateTime<Utc>,
    before: String,
) -> Result<(String, String), DbErr> {
    let mut before = before;
    loop {
        let body = crate::ics::render(feed.name(), &events(db, feed, base_url, now).await?);
        let after = etag(db, feed, base_url, now).await?;
        if after == before {
            return Ok((after, body));
        }
        before = after;
    }
}
