//! The planning-instance JSON exactly as `docs/API.md` ("Planning instance") defines it, and the
//! typed error every parsing or validation failure becomes.
//!
//! These types are the wire format only: strings stay strings here, and
//! [`crate::matcher::Problem::compile`] turns them into instants, dates and indices.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why an instance cannot be planned. Every message names the offending item so a coordinator
/// (or the engineer feeding the CLI) can find it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InstanceError {
    #[error("the instance is not valid JSON for a planning instance: {0}")]
    Json(String),
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    #[error("{field}: {value:?} is not a date (expected YYYY-MM-DD)")]
    BadDate { field: String, value: String },
    #[error("{field}: {value:?} is not a local time (expected HH:MM)")]
    BadTime { field: String, value: String },
    #[error("{field}: {value:?} is not a local date-time (expected YYYY-MM-DDTHH:MM)")]
    BadDateTime { field: String, value: String },
    #[error("{field}: {value} does not exist in {tz} (it falls in the spring-forward gap)")]
    NonexistentLocalTime { field: String, value: String, tz: String },
    #[error("{field}: {detail}")]
    Invalid { field: String, detail: String },
    #[error("case {case}: unknown venue id {venue:?}")]
    UnknownVenue { case: String, venue: String },
    #[error("facilitator {facilitator}: vetted_at names unknown venue {venue:?}")]
    UnknownVettingVenue { facilitator: String, venue: String },
    #[error("duplicate {kind} id {id:?}")]
    DuplicateId { kind: &'static str, id: String },
    #[error("unknown case id {0:?}")]
    UnknownCase(String),
}

impl InstanceError {
    pub(crate) fn invalid(field: impl Into<String>, detail: impl Into<String>) -> Self {
        InstanceError::Invalid { field: field.into(), detail: detail.into() }
    }
}

/// A whole planning instance (`convene plan` input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Instance {
    pub timezone: String,
    pub horizon: Horizon,
    pub granularity_minutes: u32,
    pub travel_buffer_minutes: u32,
    #[serde(default)]
    pub venues: Vec<VenueSpec>,
    #[serde(default)]
    pub facilitators: Vec<FacilitatorSpec>,
    #[serde(default)]
    pub cases: Vec<CaseSpec>,
}

impl Instance {
    /// Parses the JSON text of an instance; structural errors (missing fields, a `level` that is
    /// neither `lead` nor `co`, an unknown weekday) come back as [`InstanceError::Json`].
    pub fn from_json(text: &str) -> Result<Instance, InstanceError> {
        serde_json::from_str(text).map_err(|e| InstanceError::Json(e.to_string()))
    }

    /// The instance as JSON text (pretty-printed, for fixtures and the generator).
    pub fn to_json(&self) -> String {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Planning horizon, both dates inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Horizon {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// Monday = 0 … Sunday = 6, matching `chrono::Weekday::num_days_from_monday`.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// A weekly wall-clock window (`"days"`, `"start"`, `"end"`), used by venue regimes and by
/// facilitators' availability patterns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeeklyWindow {
    pub days: Vec<Weekday>,
    pub start: String,
    pub end: String,
}

/// A closed date range of a venue, both ends inclusive.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DateRange {
    pub from: String,
    pub to: String,
}

/// A facilitator's unavailability (`from`/`to` local date-times, half-open, no buffer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalPeriod {
    pub from: String,
    pub to: String,
}

/// An existing commitment (`booked` of a facilitator or `blocked` of a case's harmer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalInterval {
    pub start: String,
    pub end: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VenueSpec {
    pub id: String,
    pub rooms: u32,
    #[serde(default)]
    pub requires_vetting: bool,
    #[serde(default)]
    pub windows: Vec<WeeklyWindow>,
    #[serde(default)]
    pub closed: Vec<DateRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<[f64; 2]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Lead,
    Co,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FacilitatorSpec {
    pub id: String,
    pub level: Level,
    pub max_per_month: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checks_valid_until: Option<String>,
    #[serde(default)]
    pub vetted_at: Vec<String>,
    #[serde(default)]
    pub availability: Vec<WeeklyWindow>,
    #[serde(default)]
    pub unavailable: Vec<LocalPeriod>,
    #[serde(default)]
    pub booked: Vec<LocalInterval>,
    #[serde(default)]
    pub conflicts: Vec<String>,
    #[serde(default)]
    pub recent_conferences: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<[f64; 2]>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSpec {
    pub id: String,
    pub venue: String,
    pub duration_minutes: u32,
    pub earliest: String,
    pub deadline: String,
    #[serde(default)]
    pub blocked: Vec<LocalInterval>,
    #[serde(default)]
    pub continuity: Vec<String>,
}
