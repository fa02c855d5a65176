//! Establishments, and their regimes: weekly windows when a prisoner can be moved for a visit, and the
//! dates the regime is closed. Europe/London wall-clock; the matcher turns them into instants.

use entity::Code;
use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime};
use entity::{closure, establishment, regime_window};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::input::{EstablishmentInput, NewEstablishment};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

pub async fn create_establishment(
    db: &impl ConnectionTrait,
    new: NewEstablishment,
) -> Result<establishment::Model, DbErr> {
    let now = crate::clock::now();
    establishment::ActiveModel {
        name: Set(new.name),
        kind: Set(new.kind),
        address: Set(new.address),
        latitude: Set(new.latitude),
        longitude: Set(new.longitude),
        rooms: Set(new.rooms),
        requires_vetting: Set(new.requires_vetting),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await
}

pub async fn establishments(db: &impl ConnectionTrait) -> Result<Vec<establishment::Model>, DbErr> {
    establishment::Entity::find()
        .order_by_asc(establishment::Column::Name)
        .order_by_asc(establishment::Column::Id)
        .all(db)
        .await
}

pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Windows that share times, as in the planning instance: `{"days": ["mon", "tue"], "start": "09:00", "end": "11:30"}`.
#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema, PartialEq, Eq)]
pub struct WindowSpec {
    pub days: Vec<String>,
    /// HH:MM, Europe/London
    pub start: String,
    /// HH:MM, Europe/London
    pub end: String,
}

#[derive(Clone, Debug, Default, Deserialize, Serialize, ToSchema)]
pub struct Regime {
    pub windows: Vec<WindowSpec>,
}

/// One weekday's window, parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct DayWindow {
    pub weekday: i16,
    pub start: NaiveTime,
    pub end: NaiveTime,
}

/// Parses windows, one message per bad window; windows of one day must not overlap.
pub fn parse_windows(specs: &[WindowSpec]) -> Result<Vec<DayWindow>, BTreeMap<String, String>> {
    let mut errors = BTreeMap::new();
    let mut parsed = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let field = format!("windows[{i}]");
        let start = NaiveTime::parse_from_str(spec.start.trim(), "%H:%M").ok();
        let end = NaiveTime::parse_from_str(spec.end.trim(), "%H:%M").ok();
        let days: Vec<Option<i16>> = spec
            .days
            .iter()
            .map(|d| DAYS.iter().position(|x| x.eq_ignore_ascii_case(d.trim())).and_then(|p| i16::try_from(p).ok()))
            .collect();
        match (start, end) {
            _ if spec.days.is_empty() => {
                errors.insert(field, "Give the days of the week, e.g. [\"mon\", \"tue\"].".into());
            }
            _ if days.iter().any(Option::is_none) => {
                errors.insert(field, "Days are mon, tue, wed, thu, fri, sat or sun.".into());
            }
            (Some(start), Some(end)) if end > start => {
                parsed.extend(days.into_iter().flatten().map(|weekday| DayWindow { weekday, start, end }));
            }
            (Some(_), Some(_)) => {
                errors.insert(field, "The end must be after the start.".into());
            }
            _ => {
                errors.insert(field, "Give start and end as HH:MM.".into());
            }
        }
    }
    parsed.sort();
    parsed.dedup();
    for pair in parsed.windows(2) {
        if pair[0].weekday == pair[1].weekday && pair[1].start < pair[0].end {
            errors.insert(
                "windows".into(),
                format!(
                    "Two windows overlap on {}; make them one window.",
                    DAYS[usize::try_from(pair[0].weekday).unwrap_or(0)]
                ),
            );
        }
    }
    if errors.is_empty() { Ok(parsed) } else { Err(errors) }
}

/// Groups weekday windows that share times back into specs.
pub fn to_specs(windows: &[regime_window::Model]) -> Vec<WindowSpec> {
    group(windows.iter().map(|w| (w.weekday, w.starts_at, w.ends_at)))
}

/// Groups (weekday, start, end) windows that share times into specs, days in week order.
pub fn group(windows: impl IntoIterator<Item = (i16, NaiveTime, NaiveTime)>) -> Vec<WindowSpec> {
    let mut grouped: BTreeMap<(NaiveTime, NaiveTime), Vec<i16>> = BTreeMap::new();
    for (weekday, start, end) in windows {
        grouped.entry((start, end)).or_default().push(weekday);
    }
    grouped
        .into_iter()
        .map(|((start, end), mut days)| {
            days.sort_unstable();
            WindowSpec {
                days: days
                    .into_iter()
                    .filter_map(|d| DAYS.get(usize::try_from(d).ok()?).map(|s| (*s).to_owned()))
                    .collect(),
                start: start.format("%H:%M").to_string(),
                end: end.format("%H:%M").to_string(),
            }
        })
        .collect()
}

pub async fn find(db: &impl ConnectionTrait, id: i64) -> Result<Option<establishment::Model>, DbErr> {
    establishment::Entity::find_by_id(id).one(db).await
}

pub async fn windows(db: &impl ConnectionTrait, establishment_id: i64) -> Result<Vec<regime_window::Model>, DbErr> {
    regime_window::Entity::find()
        .filter(regime_window::Column::EstablishmentId.eq(establishment_id))
        .order_by_asc(regime_window::Column::Weekday)
        .order_by_asc(regime_window::Column::StartsAt)
        .all(db)
        .await
}

/// Replaces the weekly regime, in the caller's transaction.
pub async fn set_regime(
    db: &impl ConnectionTrait,
    establishment_id: i64,
    regime: &Regime,
) -> AppResult<Vec<regime_window::Model>> {
    find(db, establishment_id).await?.ok_or(AppError::NotFound)?;
    let parsed = parse_windows(&regime.windows).map_err(AppError::fields)?;
    regime_window::Entity::delete_many()
        .filter(regime_window::Column::EstablishmentId.eq(establishment_id))
        .exec(db)
        .await?;
    for w in parsed {
        regime_window::ActiveModel {
            establishment_id: Set(establishment_id),
            weekday: Set(w.weekday),
            starts_at: Set(w.start),
            ends_at: Set(w.end),
            ..Default::default()
        }
        .insert(db)
        .await?;
    }
    Ok(windows(db, establishment_id).await?)
}

#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ClosureInput {
    /// YYYY-MM-DD, inclusive
    pub from: String,
    /// YYYY-MM-DD, inclusive
    pub to: String,
    /// e.g. lockdown, staff training
    pub reason: String,
}

pub async fn closures(db: &impl ConnectionTrait, establishment_id: i64) -> Result<Vec<closure::Model>, DbErr> {
    closure::Entity::find()
        .filter(closure::Column::EstablishmentId.eq(establishment_id))
        .order_by_asc(closure::Column::FromDate)
        .all(db)
        .await
}

/// Records a closure and, in the same transaction, has the case room stop every live
/// conference there on those days (`state.guards`); returns the closure and how many stopped.
pub async fn add_closure(
    state: &AppState,
    establishment_id: i64,
    input: &ClosureInput,
) -> AppResult<(closure::Model, usize)> {
    let txn = crate::db::begin_write(&state.db).await?;
    // Bookings there lock the establishment too: none can slip in beside this closure.
    establishment::Entity::find_by_id(establishment_id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound)?;
    let closure = insert_closure(&txn, establishment_id, input).await?;
    let stopped = (state.guards.closure_added)(
        &txn,
        &state.settings.base_url,
        establishment_id,
        closure.from_date,
        closure.to_date,
    )
    .await?;
    txn.commit().await?;
    Ok((closure, stopped))
}

/// Removes a closure of `establishment_id` (conferences it stopped stay cancelled; the days
/// are offered again).
pub async fn remove_closure(db: &impl ConnectionTrait, establishment_id: i64, closure_id: i64) -> AppResult<()> {
    let gone = closure::Entity::delete_many()
        .filter(closure::Column::Id.eq(closure_id))
        .filter(closure::Column::EstablishmentId.eq(establishment_id))
        .exec(db)
        .await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The closure row alone, without the guard on live bookings: for places with nothing booked
/// yet (the demo loads its closures first).
pub async fn insert_closure(
    db: &impl ConnectionTrait,
    establishment_id: i64,
    input: &ClosureInput,
) -> AppResult<closure::Model> {
    let mut errors = BTreeMap::new();
    let from = NaiveDate::parse_from_str(input.from.trim(), "%Y-%m-%d").ok();
    if from.is_none() {
        errors.insert("from".into(), "Enter the first closed date as YYYY-MM-DD.".into());
    }
    let to = NaiveDate::parse_from_str(input.to.trim(), "%Y-%m-%d").ok();
    match (from, to) {
        (_, None) => {
            errors.insert("to".into(), "Enter the last closed date as YYYY-MM-DD.".into());
        }
        (Some(f), Some(t)) if t < f => {
            errors.insert("to".into(), "The last closed date cannot be before the first.".into());
        }
        _ => {}
    }
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > 200 {
        errors.insert("reason".into(), "Give the reason (at most 200 characters).".into());
    }
    let (Some(from), Some(to), true) = (from, to, errors.is_empty()) else {
        return Err(AppError::fields(errors));
    };
    Ok(closure::ActiveModel {
        establishment_id: Set(establishment_id),
        from_date: Set(from),
        to_date: Set(to),
        reason: Set(reason.to_owned()),
        ..Default::default()
    }
    .insert(db)
    .await?)
}

/// Fields of an establishment to change; absent fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct EstablishmentPatch {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub address: Option<String>,
    #[serde(deserialize_with = "lenient_option")]
    #[schema(value_type = Option<f64>)]
    pub latitude: Option<String>,
    #[serde(deserialize_with = "lenient_option")]
    #[schema(value_type = Option<f64>)]
    pub longitude: Option<String>,
    #[serde(deserialize_with = "lenient_option")]
    #[schema(value_type = Option<i32>)]
    pub rooms: Option<String>,
    #[serde(deserialize_with = "lenient_option")]
    #[schema(value_type = Option<bool>)]
    pub requires_vetting: Option<String>,
}

fn lenient_option<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    crate::domain::lenient_string(deserializer).map(Some)
}

fn yes(value: bool) -> String {
    if value { "yes".into() } else { String::new() }
}

/// An establishment as its form's fields hold it.
pub fn input_of(current: &establishment::Model) -> EstablishmentInput {
    EstablishmentInput {
        name: current.name.clone(),
        kind: current.kind.code(),
        address: current.address.clone(),
        latitude: current.latitude.map(|v| v.to_string()).unwrap_or_default(),
        longitude: current.longitude.map(|v| v.to_string()).unwrap_or_default(),
        rooms: current.rooms.to_string(),
        requires_vetting: yes(current.requires_vetting),
    }
}

/// Applies a patch through the same parsing as creation, so the rules cannot drift.
pub async fn update(db: &impl ConnectionTrait, id: i64, patch: &EstablishmentPatch) -> AppResult<establishment::Model> {
    let current = find(db, id).await?.ok_or(AppError::NotFound)?;
    let now = input_of(&current);
    let merged = EstablishmentInput {
        name: patch.name.clone().unwrap_or(now.name),
        kind: patch.kind.clone().unwrap_or(now.kind),
        address: patch.address.clone().unwrap_or(now.address),
        latitude: patch.latitude.clone().unwrap_or(now.latitude),
        longitude: patch.longitude.clone().unwrap_or(now.longitude),
        rooms: patch.rooms.clone().unwrap_or(now.rooms),
        requires_vetting: patch.requires_vetting.clone().unwrap_or(now.requires_vetting),
    };
    let new = merged.parse().map_err(AppError::fields)?;
    Ok(establishment::ActiveModel {
        id: Set(current.id),
        name: Set(new.name),
        kind: Set(new.kind),
        address: Set(new.address),
        latitude: Set(new.latitude),
        longitude: Set(new.longitude),
        rooms: Set(new.rooms),
        requires_vetting: Set(new.requires_vetting),
        updated_at: Set(crate::clock::now()),
        ..Default::default()
    }
    .update(db)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(days: &[&str], start: &str, end: &str) -> WindowSpec {
        WindowSpec { days: days.iter().map(|d| (*d).to_owned()).collect(), start: start.into(), end: end.into() }
    }

    #[test]
    fn windows_parse_per_day_and_refuse_overlaps() {
        let parsed =
            parse_windows(&[spec(&["mon", "tue"], "09:00", "11:30"), spec(&["mon"], "14:00", "16:30")]).unwrap();
        assert_eq!(parsed.len(), 3);
        assert!(parse_windows(&[spec(&["mon"], "09:00", "11:30"), spec(&["mon"], "11:00", "12:00")]).is_err());
        assert!(
            parse_windows(&[spec(&["mon"], "09:00", "11:30"), spec(&["mon"], "11:30", "12:00")]).is_ok(),
            "touching is fine"
        );
        assert!(parse_windows(&[spec(&["funday"], "09:00", "10:00")]).is_err());
        assert!(parse_windows(&[spec(&["sat"], "10:00", "09:00")]).is_err());
        assert!(parse_windows(&[spec(&[], "09:00", "10:00")]).is_err());
    }
}
