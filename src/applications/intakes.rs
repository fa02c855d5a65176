//! Intakes: a number of places leading to one core training course, open for applications
//! between two dates (inclusive, Europe/London).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::course::{self, CourseKind};
use entity::{course_session, intake};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::lenient_string;
use crate::error::{AppError, AppResult};
use crate::training::service::sessions;

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct IntakeInput {
    pub name: String,
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = i32)]
    pub places: String,
    /// The core training course this intake leads to.
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = i64)]
    pub course_id: String,
    /// YYYY-MM-DD
    pub opens_on: String,
    /// YYYY-MM-DD, inclusive
    pub closes_on: String,
}

pub fn is_open(intake: &intake::Model, today: NaiveDate) -> bool {
    intake.opens_on <= today && today <= intake.closes_on
}

pub async fn create(db: &impl ConnectionTrait, input: &IntakeInput) -> AppResult<intake::Model> {
    let mut errors = BTreeMap::new();
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        errors.insert("name".into(), "Enter a name of at most 200 characters, like “Spring 2027”.".into());
    }
    let places = input.places.trim().parse::<i32>().ok().filter(|p| (1..=500).contains(p));
    if places.is_none() {
        errors.insert("places".into(), "Enter the number of places, from 1 to 500.".into());
    }
    let course = match input.course_id.trim().parse::<i64>() {
        Ok(id) => course::Entity::find_by_id(id).one(db).await?,
        Err(_) => None,
    };
    match &course {
        None => {
            errors.insert("course_id".into(), "Choose the core training course this intake leads to.".into());
        }
        Some(c) if c.kind != CourseKind::Core => {
            errors.insert("course_id".into(), "An intake leads to a core training course.".into());
        }
        Some(_) => {}
    }
    let opens_on = NaiveDate::parse_from_str(input.opens_on.trim(), "%Y-%m-%d").ok();
    if opens_on.is_none() {
        errors.insert("opens_on".into(), "Enter the date applications open, as YYYY-MM-DD.".into());
    }
    let closes_on = NaiveDate::parse_from_str(input.closes_on.trim(), "%Y-%m-%d").ok();
    match (opens_on, closes_on) {
        (_, None) => {
            errors.insert("closes_on".into(), "Enter the date applications close, as YYYY-MM-DD.".into());
        }
        (Some(open), Some(close)) if close < open => {
            errors.insert("closes_on".into(), "Applications must close on or after the day they open.".into());
        }
        _ => {}
    }
    let (Some(places), Some(course), Some(opens_on), Some(closes_on), true) =
        (places, course, opens_on, closes_on, errors.is_empty())
    else {
        return Err(AppError::fields(errors));
    };
    let now = crate::clock::now();
    Ok(intake::ActiveModel {
        name: Set(name.to_owned()),
        places: Set(places),
        places_taken: Set(0),
        course_id: Set(course.id),
        opens_on: Set(opens_on),
        closes_on: Set(closes_on),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<intake::Model>, DbErr> {
    intake::Entity::find().order_by_desc(intake::Column::OpensOn).order_by_asc(intake::Column::Id).all(db).await
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<intake::Model>, DbErr> {
    intake::Entity::find_by_id(id).one(db).await
}

/// Intakes open today, each with its core training dates.
pub async fn open_with_dates(
    db: &impl ConnectionTrait,
    today: NaiveDate,
) -> Result<Vec<(intake::Model, Vec<course_session::Model>)>, DbErr> {
    let open = intake::Entity::find()
        .filter(intake::Column::OpensOn.lte(today))
        .filter(intake::Column::ClosesOn.gte(today))
        .order_by_asc(intake::Column::ClosesOn)
        .all(db)
        .await?;
    let mut result = Vec::with_capacity(open.len());
    for found in open {
        let dates = sessions(db, found.course_id).await?;
        result.push((found, dates));
    }
    Ok(result)
}

pub fn no_such_intake() -> AppError {
    AppError::field("intake_id", "Choose one of the intakes open for applications.")
}
