//! Course rules: a course has numbered sessions (one per number), each on a date with a
//! Europe/London start and end; volunteers are enrolled once per course.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime, Utc};
use entity::course::{self, CourseKind};
use entity::{course_session, enrolment};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::db::is_unique_violation;
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

pub fn validation(fields: BTreeMap<String, String>) -> AppError {
    AppError::Validation { message: "Some values are not valid.".into(), fields }
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
        return Err(validation(errors));
    };
    let now = Utc::now();
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
    let (Some(number), Some(date), Some(starts_at), Some(ends_at), true) =
        (number, date, starts_at, ends_at, errors.is_empty())
    else {
        return Err(validation(errors));
    };
    let now = Utc::now();
    course_session::ActiveModel {
        course_id: Set(course_id),
        number: Set(number),
        date: Set(date),
        starts_at: Set(starts_at),
        ends_at: Set(ends_at),
        venue: Set(venue.to_owned()),
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

/// Enrols a volunteer on a course; enrolling twice is a no-op.
pub async fn enrol(db: &impl ConnectionTrait, course_id: i64, volunteer_id: i64) -> Result<(), DbErr> {
    enrolment::Entity::insert(enrolment::ActiveModel {
        course_id: Set(course_id),
        volunteer_id: Set(volunteer_id),
        created_at: Set(Utc::now()),
        ..Default::default()
    })
    .on_conflict_do_nothing_on([enrolment::Column::CourseId, enrolment::Column::VolunteerId])
    .exec(db)
    .await?;
    Ok(())
}
