//! Course rules: a course has numbered sessions (one per number), each on a date with a
//! Europe/London start and end; volunteers are enrolled once per course.

use entity::Code;
use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use entity::course::{self, CourseKind};
use entity::{course_session, enrolment};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::db::{Db, is_unique_violation};
use crate::error::{AppError, AppResult};

/// Raw course fields from a form or the API.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CourseInput {
    #[serde(default)]
    pub name: String,
    /// `core` or `further`
    #[serde(default)]
    pub kind: String,
}

/// Raw session fields from a form or the API.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct SessionInput {
    /// Session number within the course, from 1.
    #[serde(default, deserialize_with = "crate::domain::lenient_string")]
    #[schema(value_type = i32)]
    pub number: String,
    /// YYYY-MM-DD
    #[serde(default)]
    pub date: String,
    /// HH:MM, Europe/London
    #[serde(default)]
    pub starts_at: String,
    /// HH:MM, Europe/London
    #[serde(default)]
    pub ends_at: String,
    #[serde(default)]
    pub venue: String,
}

pub async fn create_course(db: &impl ConnectionTrait, input: &CourseInput) -> AppResult<course::Model> {
    let mut errors = BTreeMap::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.insert("name".into(), "Enter a course name of at most 200 characters.".into());
    }
    let kind = match input.kind.trim() {
        "core" => Some(CourseKind::Core),
        "further" => Some(CourseKind::Further),
        _ => {
            errors.insert("kind".into(), "Choose core training or further training.".into());
            None
        }
    };
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    let now = crate::clock::now();
    Ok(course::ActiveModel {
        name: Set(name.to_owned()),
        kind: Set(kind),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn courses_with_sessions(
    db: &impl ConnectionTrait,
) -> Result<Vec<(course::Model, Vec<course_session::Model>)>, DbErr> {
    let mut rows = course::Entity::find()
        .order_by_asc(course::Column::Id)
        .find_with_related(course_session::Entity)
        .all(db)
        .await?;
    for (_, sessions) in &mut rows {
        sessions.sort_by_key(|s| (s.number, s.date));
    }
    Ok(rows)
}

pub async fn course(
    db: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<(course::Model, Vec<course_session::Model>)>, DbErr> {
    let Some(found) = course::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    Ok(Some((found, sessions(db, id).await?)))
}

pub async fn sessions(db: &impl ConnectionTrait, course_id: i64) -> Result<Vec<course_session::Model>, DbErr> {
    course_session::Entity::find()
        .filter(course_session::Column::CourseId.eq(course_id))
        .order_by_asc(course_session::Column::Number)
        .all(db)
        .await
}

/// A session's date, London times and venue, parsed from the form's strings.
struct SessionTimes {
    date: NaiveDate,
    starts_at: NaiveTime,
    ends_at: NaiveTime,
    venue: String,
}

/// The date, times and venue of `input`, each field's problem added to `errors`.
fn session_times(input: &SessionInput, errors: &mut BTreeMap<String, String>) -> Option<SessionTimes> {
    let date = NaiveDate::parse_from_str(input.date.trim(), "%Y-%m-%d").ok();
    if date.is_none() {
        errors.insert("date".into(), "Enter the date as YYYY-MM-DD.".into());
    }
    let starts_at = NaiveTime::parse_from_str(input.starts_at.trim(), "%H:%M").ok();
    if starts_at.is_none() {
        errors.insert("starts_at".into(), "Enter the start time as HH:MM.".into());
    }
    let ends_at = NaiveTime::parse_from_str(input.ends_at.trim(), "%H:%M").ok();
    match (starts_at, ends_at) {
        (_, None) => {
            errors.insert("ends_at".into(), "Enter the end time as HH:MM.".into());
        }
        (Some(start), Some(end)) if end <= start => {
            errors.insert("ends_at".into(), "The end must be after the start.".into());
        }
        _ => {}
    }
    let venue = input.venue.trim();
    if venue.is_empty() || venue.chars().count() > 200 {
        errors.insert("venue".into(), "Enter the venue (at most 200 characters).".into());
    }
    Some(SessionTimes { date: date?, starts_at: starts_at?, ends_at: ends_at?, venue: venue.to_owned() })
}

pub async fn add_session(
    db: &impl ConnectionTrait,
    course_id: i64,
    input: &SessionInput,
) -> AppResult<course_session::Model> {
    course::Entity::find_by_id(course_id).one(db).await?.ok_or(AppError::NotFound)?;
    let mut errors = BTreeMap::new();
    let number = match input.number.trim().parse::<i32>() {
        Ok(n) if (1..=50).contains(&n) => Some(n),
        _ => {
            errors.insert("number".into(), "Enter the session number, from 1.".into());
            None
        }
    };
    let times = session_times(input, &mut errors);
    let (Some(number), Some(times), true) = (number, times, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    let now = crate::clock::now();
    course_session::ActiveModel {
        course_id: Set(course_id),
        number: Set(number),
        date: Set(times.date),
        starts_at: Set(times.starts_at),
        ends_at: Set(times.ends_at),
        venue: Set(times.venue),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
    .map_err(|error| {
        if is_unique_violation(&error) {
            AppError::field("number", format!("This course already has a session {number}."))
        } else {
            error.into()
        }
    })
}

/// Moves a session to a new date, time or venue (its number stays). A change bumps its
/// calendar SEQUENCE, so subscribed calendars move the event; an unchanged form changes
/// nothing. A cancelled session cannot change (409).
pub async fn change_session(db: &impl Db, id: i64, input: &SessionInput) -> AppResult<course_session::Model> {
    let mut errors = BTreeMap::new();
    let times = session_times(input, &mut errors);
    let (Some(times), true) = (times, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    let txn = crate::db::begin_write(db).await?;
    let found = course_session::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    if found.cancelled_at.is_some() {
        return Err(AppError::Conflict(format!("Session {} is cancelled; add a new one instead.", found.number)));
    }
    if (found.date, found.starts_at, found.ends_at, found.venue.as_str())
        == (times.date, times.starts_at, times.ends_at, times.venue.as_str())
    {
        return Ok(found);
    }
    let changed = course_session::ActiveModel {
        date: Set(times.date),
        starts_at: Set(times.starts_at),
        ends_at: Set(times.ends_at),
        venue: Set(times.venue),
        ..Default::default()
    };
    let updated = bump_session(&txn, &found, changed).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Cancels a session: it stays, shown as CANCELLED in feeds for 30 days, and is no longer
/// reminded or registered. A session with a register recorded has happened (409).
pub async fn cancel_session(db: &impl Db, id: i64) -> AppResult<course_session::Model> {
    use entity::attendance;
    let txn = crate::db::begin_write(db).await?;
    let found = course_session::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    if found.cancelled_at.is_some() {
        return Err(AppError::Conflict(format!("Session {} is already cancelled.", found.number)));
    }
    if attendance::Entity::find().filter(attendance::Column::SessionId.eq(id)).one(&txn).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "Session {} has a register recorded, so it took place and cannot be cancelled.",
            found.number
        )));
    }
    let cancelled = course_session::ActiveModel { cancelled_at: Set(Some(crate::clock::now())), ..Default::default() };
    let updated = bump_session(&txn, &found, cancelled).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Writes `changes` to `found` with its SEQUENCE one higher, if nobody changed it since it
/// was read (409 otherwise).
async fn bump_session(
    txn: &impl ConnectionTrait,
    found: &course_session::Model,
    changes: course_session::ActiveModel,
) -> AppResult<course_session::Model> {
    let changes = course_session::ActiveModel {
        sequence: Set(found.sequence + 1),
        updated_at: Set(crate::clock::now()),
        ..changes
    };
    let unchanged = Condition::all()
        .add(course_session::Column::Id.eq(found.id))
        .add(course_session::Column::Sequence.eq(found.sequence));
    if !crate::db::compare_and_set::<course_session::Entity>(txn, changes, unchanged).await? {
        return Err(AppError::changed_elsewhere("The session"));
    }
    course_session::Entity::find_by_id(found.id).one(txn).await?.ok_or(AppError::NotFound)
}

/// Enrols a volunteer on a course; enrolling twice is a no-op.
pub async fn enrol(db: &impl ConnectionTrait, course_id: i64, volunteer_id: i64) -> Result<(), DbErr> {
    enrolment::Entity::insert(enrolment::ActiveModel {
        course_id: Set(course_id),
        volunteer_id: Set(volunteer_id),
        created_at: Set(crate::clock::now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([enrolment::Column::CourseId, enrolment::Column::VolunteerId])
    .exec(db)
    .await?;
    Ok(())
}

/// Where a volunteer stands with core training.
#[derive(Clone, Debug, Default)]
pub struct TrainingProgress {
    /// Session numbers of the core course they are enrolled on.
    pub needed: std::collections::BTreeSet<i32>,
    /// Core session numbers attended, with the first date each was attended.
    pub attended: std::collections::BTreeMap<i32, NaiveDate>,
    /// The day the last needed session was attended, once all are.
    pub completed_on: Option<NaiveDate>,
}

impl TrainingProgress {
    pub fn missing(&self) -> Vec<i32> {
        self.needed.iter().copied().filter(|n| !self.attended.contains_key(n)).collect()
    }
}

/// Works out core training progress. A session missed on one run of the core course is
/// made up by attending the same session number at a later run (on or after the day it was
/// missed).
pub fn progress_from(
    enrolled_core_sessions: &[course_session::Model],
    present_at_core_sessions: &[course_session::Model],
) -> TrainingProgress {
    let needed: std::collections::BTreeSet<i32> = enrolled_core_sessions.iter().map(|s| s.number).collect();
    let first_run = |number: i32| enrolled_core_sessions.iter().filter(|s| s.number == number).map(|s| s.date).min();
    let mut attended = std::collections::BTreeMap::new();
    for session in present_at_core_sessions {
        if first_run(session.number).is_some_and(|own| session.date < own) {
            continue;
        }
        attended
            .entry(session.number)
            .and_modify(|d: &mut NaiveDate| *d = (*d).min(session.date))
            .or_insert(session.date);
    }
    let completed_on = if !needed.is_empty() && needed.iter().all(|n| attended.contains_key(n)) {
        needed.iter().filter_map(|n| attended.get(n)).max().copied()
    } else {
        None
    };
    TrainingProgress { needed, attended, completed_on }
}

/// Works a volunteer's status out again from their whole record: training here, the DBS
/// check from checks, the rules in commitment.
pub async fn refresh_standing(db: &impl ConnectionTrait, volunteer_id: i64) -> AppResult<entity::volunteer::Model> {
    let training = progress(db, volunteer_id).await?;
    let cleared = crate::checks::service::dbs_clearance(db, volunteer_id, crate::clock::today()).await?.is_cleared();
    crate::commitment::service::refresh(db, volunteer_id, standing(&training, cleared)).await
}

/// Where a volunteer stands for the commitment rules, from their training and DBS clearance.
pub fn standing(training: &TrainingProgress, cleared: bool) -> crate::commitment::service::Standing {
    crate::commitment::service::Standing {
        attended_any: !training.attended.is_empty(),
        completed_on: training.completed_on,
        cleared,
    }
}

pub async fn progress(db: &impl ConnectionTrait, volunteer_id: i64) -> Result<TrainingProgress, DbErr> {
    Ok(record(db, volunteer_id).await?.0)
}

/// A volunteer's core-training progress and every live session of the courses they are
/// enrolled on, by date: two queries.
pub async fn record(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
) -> Result<(TrainingProgress, Vec<course_session::Model>), DbErr> {
    use entity::attendance::{self, Mark};
    use sea_orm::sea_query::Query;
    let enrolled = Query::select()
        .column(enrolment::Column::CourseId)
        .from(enrolment::Entity)
        .and_where(enrolment::Column::VolunteerId.eq(volunteer_id))
        .to_owned();
    let present = Query::select()
        .column(attendance::Column::SessionId)
        .from(attendance::Entity)
        .and_where(attendance::Column::VolunteerId.eq(volunteer_id))
        .and_where(attendance::Column::Mark.eq(Mark::Present))
        .to_owned();
    let sessions = |within: sea_orm::Condition| {
        course_session::Entity::find()
            .find_also_related(course::Entity)
            .filter(within)
            .order_by_asc(course_session::Column::Date)
            .order_by_asc(course_session::Column::StartsAt)
            .order_by_asc(course_session::Column::Id)
            .all(db)
    };
    let enrolled =
        sessions(sea_orm::Condition::all().add(course_session::Column::CourseId.in_subquery(enrolled))).await?;
    let attended = sessions(sea_orm::Condition::all().add(course_session::Column::Id.in_subquery(present))).await?;
    let core = |rows: &[(course_session::Model, Option<course::Model>)]| -> Vec<course_session::Model> {
        rows.iter()
            .filter(|(_, c)| c.as_ref().is_some_and(|c| c.kind == CourseKind::Core))
            .map(|(s, _)| s.clone())
            .collect()
    };
    let progress = progress_from(&core(&enrolled), &core(&attended));
    let live = enrolled.into_iter().map(|(s, _)| s).filter(|s| s.cancelled_at.is_none()).collect();
    Ok((progress, live))
}

/// Every session of the courses a volunteer is enrolled on, by date.
pub async fn sessions_for_volunteer(
    db: &impl ConnectionTrait,
    volunteer_id: i64,
) -> Result<Vec<course_session::Model>, DbErr> {
    let courses: Vec<i64> = enrolment::Entity::find()
        .filter(enrolment::Column::VolunteerId.eq(volunteer_id))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.course_id)
        .collect();
    course_session::Entity::find()
        .filter(course_session::Column::CourseId.is_in(courses))
        .filter(course_session::Column::CancelledAt.is_null())
        .order_by_asc(course_session::Column::Date)
        .order_by_asc(course_session::Column::StartsAt)
        .all(db)
        .await
}

/// One mark on a register, as sent by the form or the API.
#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct MarkInput {
    pub volunteer_id: i64,
    /// present, absent or excused
    pub mark: String,
}

#[derive(Clone, Debug, serde::Deserialize, utoipa::ToSchema)]
pub struct RegisterInput {
    pub marks: Vec<MarkInput>,
}

/// Records a session's register and moves each volunteer on: into training at their first
/// session, to `trained` (level co-facilitator, commitment started) when every core
/// session number has been attended.
pub async fn record_attendance(
    db: &sea_orm::DatabaseConnection,
    recorded_by: i64,
    session_id: i64,
    input: &RegisterInput,
) -> AppResult<()> {
    use entity::attendance::{self, Mark};
    let mut errors = BTreeMap::new();
    let mut marks = Vec::new();
    for (i, m) in input.marks.iter().enumerate() {
        match Mark::from_code(m.mark.trim()) {
            Some(mark) => marks.push((m.volunteer_id, mark)),
            None => {
                errors.insert(format!("marks[{i}].mark"), "Choose present, absent or excused.".into());
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::fields(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    // Locked: a cancellation checks for a register under the same lock.
    let session =
        course_session::Entity::find_by_id(session_id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    if session.cancelled_at.is_some() {
        return Err(AppError::Conflict(format!("Session {} was cancelled: there is no register.", session.number)));
    }
    let now = crate::clock::now();
    if session.date > crate::domain::time::london_today(now) {
        return Err(AppError::Conflict(format!(
            "Session {} is on {}: record its register on or after the day.",
            session.number, session.date
        )));
    }
    for (volunteer_id, mark) in &marks {
        entity::volunteer::Entity::find_by_id(*volunteer_id)
            .one(&txn)
            .await?
            .ok_or_else(|| AppError::field("volunteer_id", format!("There is no volunteer {volunteer_id}.")))?;
        attendance::Entity::insert(attendance::ActiveModel {
            session_id: Set(session_id),
            volunteer_id: Set(*volunteer_id),
            mark: Set(*mark),
            recorded_by: Set(recorded_by),
            recorded_at: Set(now),
            ..Default::default()
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([attendance::Column::SessionId, attendance::Column::VolunteerId])
                .update_columns([
                    attendance::Column::Mark,
                    attendance::Column::RecordedBy,
                    attendance::Column::RecordedAt,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
        refresh_standing(&txn, *volunteer_id).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A session's register: the volunteers enrolled on its course and anyone else marked,
/// with their marks.
pub async fn register(
    db: &impl ConnectionTrait,
    session_id: i64,
) -> AppResult<(course_session::Model, Vec<(i64, String, Option<entity::attendance::Mark>)>)> {
    use entity::attendance;
    let session = course_session::Entity::find_by_id(session_id).one(db).await?.ok_or(AppError::NotFound)?;
    let marks = attendance::Entity::find().filter(attendance::Column::SessionId.eq(session_id)).all(db).await?;
    let mut ids: Vec<i64> = enrolment::Entity::find()
        .filter(enrolment::Column::CourseId.eq(session.course_id))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.volunteer_id)
        .collect();
    ids.extend(marks.iter().map(|m| m.volunteer_id));
    ids.sort_unstable();
    ids.dedup();
    let people = crate::volunteers::service::names(db, &ids).await?;
    let rows = ids
        .into_iter()
        .map(|id| {
            let name = people.get(&id).cloned().unwrap_or_default();
            (id, name, marks.iter().find(|m| m.volunteer_id == id).map(|m| m.mark))
        })
        .collect();
    Ok((session, rows))
}

/// The volunteers enrolled on a course, with their names.
pub async fn enrolled(db: &impl ConnectionTrait, course_id: i64) -> Result<Vec<(i64, String)>, DbErr> {
    let ids: Vec<i64> = enrolment::Entity::find()
        .filter(enrolment::Column::CourseId.eq(course_id))
        .all(db)
        .await?
        .into_iter()
        .map(|e| e.volunteer_id)
        .collect();
    let names = crate::volunteers::service::names(db, &ids).await?;
    Ok(ids.into_iter().map(|id| (id, names.get(&id).cloned().unwrap_or_default())).collect())
}

/// Sessions not cancelled on days in `[from, to)`, in order, each with its course.
pub async fn sessions_between(
    db: &impl ConnectionTrait,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(course_session::Model, course::Model)>, DbErr> {
    let found = course_session::Entity::find()
        .filter(course_session::Column::Date.gte(from))
        .filter(course_session::Column::Date.lt(to))
        .filter(course_session::Column::CancelledAt.is_null())
        .order_by_asc(course_session::Column::Date)
        .order_by_asc(course_session::Column::StartsAt)
        .find_also_related(course::Entity)
        .all(db)
        .await?;
    Ok(found.into_iter().filter_map(|(session, course)| course.map(|c| (session, c))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(id: i64, course_id: i64, number: i32, date: &str) -> course_session::Model {
        course_session::Model {
            id,
            course_id,
            number,
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            starts_at: NaiveTime::from_hms_opt(9, 30, 0).unwrap(),
            ends_at: NaiveTime::from_hms_opt(16, 30, 0).unwrap(),
            venue: "Gloucester".into(),
            uid: format!("{id}@test"),
            sequence: 0,
            cancelled_at: None,
            created_at: crate::clock::now(),
            updated_at: crate::clock::now(),
        }
    }

    #[test]
    fn a_missed_session_is_made_up_at_a_later_run_only() {
        let own = [session(1, 1, 1, "2027-03-02"), session(2, 1, 2, "2027-03-09"), session(3, 1, 3, "2027-03-16")];
        let earlier_run_2 = session(4, 2, 2, "2026-11-10");
        let later_run_2 = session(5, 3, 2, "2027-06-08");
        let attended = [own[0].clone(), own[2].clone(), earlier_run_2];
        let without = progress_from(&own, &attended);
        assert_eq!(without.missing(), vec![2], "an earlier run does not make up a session");
        assert_eq!(without.completed_on, None);
        let with = progress_from(&own, &[own[0].clone(), own[2].clone(), later_run_2]);
        assert!(with.missing().is_empty());
        assert_eq!(with.completed_on, NaiveDate::from_ymd_opt(2027, 6, 8), "completed on the make-up day");
        let all_own = progress_from(&own, &own);
        assert_eq!(all_own.completed_on, NaiveDate::from_ymd_opt(2027, 3, 16));
        assert!(progress_from(&[], &own).completed_on.is_none(), "not enrolled: never complete");
    }
}
