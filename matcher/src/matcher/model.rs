//! The compiled problem: every string of the instance parsed once into UTC instants, local dates
//! and indices, and every case's candidate conference slots enumerated from its venue's regime.
//!
//! Everything time-zone related goes through `chrono-tz`; instants are whole minutes since the
//! Unix epoch (UTC), which is all the precision the instance format has.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;

use super::instance::{Instance, InstanceError, Level, LocalInterval, WeeklyWindow};

/// Minutes since 1970-01-01T00:00Z.
pub type Instant = i64;

/// A half-open interval `[start, end)` of instants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Interval {
    pub start: Instant,
    pub end: Instant,
}

impl Interval {
    /// Half-open overlap: touching intervals do not overlap.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// The interval grown by `buffer` minutes on both sides.
    pub fn widened(&self, buffer: i64) -> Interval {
        Interval { start: self.start - buffer, end: self.end + buffer }
    }
}

/// Wall-clock minutes within one local day, `[start, end)`; `end` may be 1440 ("24:00").
pub type DayWindow = (u32, u32);

#[derive(Debug, Clone)]
pub struct Venue {
    pub id: String,
    pub rooms: u32,
    pub requires_vetting: bool,
    /// Regime windows per weekday (Monday = 0), kept separate: a window must hold a conference
    /// on its own, and each window has its own grid.
    pub windows: [Vec<DayWindow>; 7],
    /// Closed date ranges, both ends inclusive.
    pub closed: Vec<(NaiveDate, NaiveDate)>,
    pub location: Option<[f64; 2]>,
}

impl Venue {
    pub fn is_closed_on(&self, date: NaiveDate) -> bool {
        self.closed.iter().any(|&(from, to)| from <= date && date <= to)
    }
}

#[derive(Debug, Clone)]
pub struct Facilitator {
    pub id: String,
    pub lead: bool,
    pub max_per_month: u32,
    /// Last date on which checks are valid (inclusive); `None` means no valid checks.
    pub checks_valid_until: Option<NaiveDate>,
    /// Indexed by venue.
    pub vetted: Vec<bool>,
    /// Weekly availability per weekday, the union of that weekday's entries (merged, sorted).
    /// An empty pattern means the facilitator is never available: `docs/API.md` says missing arrays
    /// are empty, and "available for the whole conference by their weekly pattern" cannot hold
    /// against an empty pattern. (Every facilitator in the shared examples has a pattern, so
    /// they do not contradict this reading.)
    pub availability: [Vec<DayWindow>; 7],
    /// Unavailable periods (no buffer), sorted by start.
    pub unavailable: Vec<Interval>,
    /// Existing bookings as given (the buffer is applied when checking), sorted by start.
    pub booked: Vec<Interval>,
    /// Existing bookings per local calendar month `(year, month)`, including months outside the
    /// horizon.
    pub booked_per_month: HashMap<(i32, u32), u32>,
    /// Indexed by case: a declared conflict of interest.
    pub conflicts: Vec<bool>,
    pub recent_conferences: u32,
    pub location: Option<[f64; 2]>,
}

impl Facilitator {
    pub fn booked_in_month(&self, month: (i32, u32)) -> u32 {
        self.booked_per_month.get(&month).copied().unwrap_or(0)
    }
}

/// One possible conference time for a case: on the grid of one of its venue's windows, inside
/// the window, on an open date in range and clear of the harmer's appointments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub start: Instant,
    pub end: Instant,
    pub date: NaiveDate,
    pub start_local: NaiveDateTime,
    pub end_local: NaiveDateTime,
    /// Wall-clock minutes of start and end counted from the date's midnight.
    pub start_minute: i64,
    pub end_minute: i64,
}

impl Slot {
    pub fn interval(&self) -> Interval {
        Interval { start: self.start, end: self.end }
    }

    pub fn month(&self) -> (i32, u32) {
        (self.date.year(), self.date.month())
    }
}

/// Counts kept while enumerating a case's slots, so an unbooked case can say which rule
/// emptied its calendar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SlotCensus {
    /// Dates in `[earliest, deadline] ∩ horizon`.
    pub dates_in_range: u32,
    /// Of those, dates on which the venue is open and has a window that day.
    pub open_dates: u32,
    /// Grid starts whose conference fits a window, before the harmer's appointments.
    pub window_slots: u32,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub venue: usize,
    pub duration_minutes: u32,
    pub earliest: NaiveDate,
    pub deadline: NaiveDate,
    /// The harmer's appointments as given (the buffer is applied when checking).
    pub blocked: Vec<Interval>,
    /// Facilitator indices already on the case.
    pub continuity: Vec<usize>,
    /// Candidate slots, sorted by start.
    pub slots: Vec<Slot>,
    pub census: SlotCensus,
}

/// The compiled planning problem.
#[derive(Debug, Clone)]
pub struct Problem {
    pub tz: Tz,
    pub horizon_start: NaiveDate,
    pub horizon_end: NaiveDate,
    pub granularity_minutes: u32,
    pub travel_buffer_minutes: i64,
    pub venues: Vec<Venue>,
    pub facilitators: Vec<Facilitator>,
    pub cases: Vec<Case>,
    pub case_by_id: HashMap<String, usize>,
    pub facilitator_by_id: HashMap<String, usize>,
}

/// The instant of a UTC time, to the minute (seconds are dropped).
pub fn instant_of(at: chrono::DateTime<chrono::Utc>) -> Instant {
    at.timestamp().div_euclid(60)
}

/// The instant of a local wall-clock time: `None` in the spring-forward gap, the first
/// occurrence in the autumn repeat.
pub fn local_to_instant(tz: Tz, local: NaiveDateTime) -> Option<Instant> {
    tz.from_local_datetime(&local).earliest().map(|t| t.timestamp().div_euclid(60))
}

/// The local wall-clock time of an instant.
pub fn instant_to_local(tz: Tz, instant: Instant) -> NaiveDateTime {
    match tz.timestamp_opt(instant * 60, 0).single() {
        Some(t) => t.naive_local(),
        // A UTC instant always has exactly one local rendering; this arm is unreachable in
        // practice but keeps the function total.
        None => chrono::DateTime::from_timestamp(instant * 60, 0).map(|t| t.naive_utc()).unwrap_or_default(),
    }
}

/// `YYYY-MM-DDTHH:MM`, the output format of `convene plan`.
pub fn format_local(local: NaiveDateTime) -> String {
    local.format("%Y-%m-%dT%H:%M").to_string()
}

/// Years the matcher accepts: far enough for any real plan, near enough that date arithmetic
/// can never overflow.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2999;

/// The longest horizon compiled (five years): longer ones are a data error, not a plan.
const MAX_HORIZON_DAYS: i64 = 5 * 366;

pub fn parse_date(field: &str, value: &str) -> Result<NaiveDate, InstanceError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
        .ok_or_else(|| InstanceError::BadDate { field: field.to_string(), value: value.to_string() })
}

/// `HH:MM` as minutes after midnight; `24:00` is accepted as the end of the day.
pub fn parse_time(field: &str, value: &str) -> Result<u32, InstanceError> {
    let bad = || InstanceError::BadTime { field: field.to_string(), value: value.to_string() };
    if value == "24:00" {
        return Ok(1440);
    }
    let time = NaiveTime::parse_from_str(value, "%H:%M").map_err(|_| bad())?;
    if value.len() != 5 {
        return Err(bad());
    }
    Ok(time.hour() * 60 + time.minute())
}

pub fn parse_local_datetime(field: &str, value: &str) -> Result<NaiveDateTime, InstanceError> {
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M")
        .ok()
        .filter(|t| YEARS.contains(&t.year()))
        .ok_or_else(|| InstanceError::BadDateTime { field: field.to_string(), value: value.to_string() })
}

/// Parses a local date-time and resolves it to an instant (spring-forward gap is an error).
pub fn parse_instant(tz: Tz, field: &str, value: &str) -> Result<Instant, InstanceError> {
    let local = parse_local_datetime(field, value)?;
    local_to_instant(tz, local).ok_or_else(|| InstanceError::NonexistentLocalTime {
        field: field.to_string(),
        value: value.to_string(),
        tz: tz.name().to_string(),
    })
}

fn parse_interval(tz: Tz, field: &str, start: &str, end: &str) -> Result<Interval, InstanceError> {
    let start_at = parse_instant(tz, &format!("{field}.start"), start)?;
    let end_at = parse_instant(tz, &format!("{field}.end"), end)?;
    if end_at < start_at {
        return Err(InstanceError::invalid(field, format!("ends ({end}) before it starts ({start})")));
    }
    Ok(Interval { start: start_at, end: end_at })
}

fn parse_weekly(field: &str, windows: &[WeeklyWindow]) -> Result<[Vec<DayWindow>; 7], InstanceError> {
    let mut per_day: [Vec<DayWindow>; 7] = Default::default();
    for (i, window) in windows.iter().enumerate() {
        let here = format!("{field}[{i}]");
        let start = parse_time(&format!("{here}.start"), &window.start)?;
        let end = parse_time(&format!("{here}.end"), &window.end)?;
        if end <= start {
            return Err(InstanceError::invalid(
                here,
                format!("ends ({}) at or before it starts ({})", window.end, window.start),
            ));
        }
        for day in &window.days {
            per_day[day.index()].push((start, end));
        }
    }
    for day in per_day.iter_mut() {
        day.sort_unstable();
        day.dedup();
    }
    Ok(per_day)
}

/// Merges a weekday's availability entries into their union (touching entries join).
fn merge_windows(windows: &mut Vec<DayWindow>) {
    windows.sort_unstable();
    let mut merged: Vec<DayWindow> = Vec::with_capacity(windows.len());
    for &(start, end) in windows.iter() {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    *windows = merged;
}

fn check_location(field: &str, location: Option<[f64; 2]>) -> Result<(), InstanceError> {
    if let Some([lat, lon]) = location
        && !(lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon))
    {
        return Err(InstanceError::invalid(field, format!("[{lat}, {lon}] is not a [lat, lon] position in degrees")));
    }
    Ok(())
}

impl Problem {
    /// Validates the instance and compiles it. Unknown ids in a facilitator's `conflicts` or a
    /// case's `continuity` are ignored rather than rejected: they name cases or people outside
    /// this batch (a conflict with a case not being planned cannot matter).
    pub fn compile(instance: &Instance) -> Result<Problem, InstanceError> {
        let tz: Tz =
            instance.timezone.parse().map_err(|_| InstanceError::UnknownTimeZone(instance.timezone.clone()))?;
        let horizon_start = parse_date("horizon.start", &instance.horizon.start)?;
        let horizon_end = parse_date("horizon.end", &instance.horizon.end)?;
        if horizon_end < horizon_start {
            return Err(InstanceError::invalid("horizon", "ends before it starts".to_string()));
        }
        if (horizon_end - horizon_start).num_days() > MAX_HORIZON_DAYS {
            return Err(InstanceError::invalid("horizon", format!("longer than {MAX_HORIZON_DAYS} days")));
        }
        if instance.granularity_minutes == 0 {
            return Err(InstanceError::invalid("granularity_minutes", "must be at least 1"));
        }

        let mut venue_by_id = HashMap::new();
        let mut venues = Vec::with_capacity(instance.venues.len());
        for (i, spec) in instance.venues.iter().enumerate() {
            if venue_by_id.insert(spec.id.clone(), i).is_some() {
                return Err(InstanceError::DuplicateId { kind: "venue", id: spec.id.clone() });
            }
            let field = format!("venue {}", spec.id);
            let windows = parse_weekly(&format!("{field}: windows"), &spec.windows)?;
            let mut closed = Vec::with_capacity(spec.closed.len());
            for (j, range) in spec.closed.iter().enumerate() {
                let from = parse_date(&format!("{field}: closed[{j}].from"), &range.from)?;
                let to = parse_date(&format!("{field}: closed[{j}].to"), &range.to)?;
                if to < from {
                    return Err(InstanceError::invalid(format!("{field}: closed[{j}]"), "ends before it starts"));
                }
                closed.push((from, to));
            }
            check_location(&format!("{field}: location"), spec.location)?;
            venues.push(Venue {
                id: spec.id.clone(),
                rooms: spec.rooms,
                requires_vetting: spec.requires_vetting,
                windows,
                closed,
                location: spec.location,
            });
        }

        let mut case_by_id = HashMap::new();
        for (i, spec) in instance.cases.iter().enumerate() {
            if case_by_id.insert(spec.id.clone(), i).is_some() {
                return Err(InstanceError::DuplicateId { kind: "case", id: spec.id.clone() });
            }
        }

        let mut facilitator_by_id = HashMap::new();
        let mut facilitators = Vec::with_capacity(instance.facilitators.len());
        for (i, spec) in instance.facilitators.iter().enumerate() {
            if facilitator_by_id.insert(spec.id.clone(), i).is_some() {
                return Err(InstanceError::DuplicateId { kind: "facilitator", id: spec.id.clone() });
            }
            let field = format!("facilitator {}", spec.id);
            let checks_valid_until = match &spec.checks_valid_until {
                Some(text) => Some(parse_date(&format!("{field}: checks_valid_until"), text)?),
                None => None,
            };
            let mut vetted = vec![false; venues.len()];
            for venue in &spec.vetted_at {
                let index = venue_by_id.get(venue).ok_or_else(|| InstanceError::UnknownVettingVenue {
                    facilitator: spec.id.clone(),
                    venue: venue.clone(),
                })?;
                vetted[*index] = true;
            }
            let mut availability = parse_weekly(&format!("{field}: availability"), &spec.availability)?;
            for day in availability.iter_mut() {
                merge_windows(day);
            }
            let mut unavailable = Vec::with_capacity(spec.unavailable.len());
            for (j, period) in spec.unavailable.iter().enumerate() {
                unavailable.push(parse_interval(tz, &format!("{field}: unavailable[{j}]"), &period.from, &period.to)?);
            }
            unavailable.sort_unstable();
            let booked = parse_intervals(tz, &format!("{field}: booked"), &spec.booked)?;
            let mut booked_per_month = HashMap::new();
            for interval in &booked {
                let date = instant_to_local(tz, interval.start).date();
                *booked_per_month.entry((date.year(), date.month())).or_insert(0) += 1;
            }
            let mut conflicts = vec![false; instance.cases.len()];
            for case in &spec.conflicts {
                if let Some(&index) = case_by_id.get(case) {
                    conflicts[index] = true;
                }
            }
            check_location(&format!("{field}: location"), spec.location)?;
            facilitators.push(Facilitator {
                id: spec.id.clone(),
                lead: spec.level == Level::Lead,
                max_per_month: spec.max_per_month,
                checks_valid_until,
                vetted,
                availability,
                unavailable,
                booked,
                booked_per_month,
                conflicts,
                recent_conferences: spec.recent_conferences,
                location: spec.location,
            });
        }

        let mut problem = Problem {
            tz,
            horizon_start,
            horizon_end,
            granularity_minutes: instance.granularity_minutes,
            travel_buffer_minutes: i64::from(instance.travel_buffer_minutes),
            venues,
            facilitators,
            cases: Vec::with_capacity(instance.cases.len()),
            case_by_id,
            facilitator_by_id,
        };

        for spec in &instance.cases {
            let field = format!("case {}", spec.id);
            let venue = *venue_by_id
                .get(&spec.venue)
                .ok_or_else(|| InstanceError::UnknownVenue { case: spec.id.clone(), venue: spec.venue.clone() })?;
            if spec.duration_minutes == 0 {
                return Err(InstanceError::invalid(format!("{field}: duration_minutes"), "must be at least 1"));
            }
            let earliest = parse_date(&format!("{field}: earliest"), &spec.earliest)?;
            let deadline = parse_date(&format!("{field}: deadline"), &spec.deadline)?;
            let blocked = parse_intervals(tz, &format!("{field}: blocked"), &spec.blocked)?;
            let mut continuity: Vec<usize> =
                spec.continuity.iter().filter_map(|id| problem.facilitator_by_id.get(id).copied()).collect();
            continuity.sort_unstable();
            continuity.dedup();
            let mut case = Case {
                id: spec.id.clone(),
                venue,
                duration_minutes: spec.duration_minutes,
                earliest,
                deadline,
                blocked,
                continuity,
                slots: Vec::new(),
                census: SlotCensus::default(),
            };
            let (slots, census) = enumerate_slots(&problem, &case);
            case.slots = slots;
            case.census = census;
            problem.cases.push(case);
        }
        Ok(problem)
    }

    pub fn case_index(&self, case_id: &str) -> Option<usize> {
        self.case_by_id.get(case_id).copied()
    }

    /// First and last date a case may be held on: its own range clipped to the horizon.
    pub fn date_range(&self, case: &Case) -> (NaiveDate, NaiveDate) {
        (case.earliest.max(self.horizon_start), case.deadline.min(self.horizon_end))
    }

    /// Builds the slot (with its local renderings) of a conference starting at `start`.
    pub fn slot_at(&self, case: &Case, start: Instant) -> Slot {
        let end = start + i64::from(case.duration_minutes);
        let start_local = instant_to_local(self.tz, start);
        let end_local = instant_to_local(self.tz, end);
        let date = start_local.date();
        let midnight = date.and_time(NaiveTime::MIN);
        Slot {
            start,
            end,
            date,
            start_local,
            end_local,
            start_minute: (start_local - midnight).num_minutes(),
            end_minute: (end_local - midnight).num_minutes(),
        }
    }
}

fn parse_intervals(tz: Tz, field: &str, intervals: &[LocalInterval]) -> Result<Vec<Interval>, InstanceError> {
    let mut parsed = intervals
        .iter()
        .enumerate()
        .map(|(j, b)| parse_interval(tz, &format!("{field}[{j}]"), &b.start, &b.end))
        .collect::<Result<Vec<_>, _>>()?;
    parsed.sort_unstable();
    Ok(parsed)
}

/// Enumerates a case's conference slots: each open date in range, each window of that weekday,
/// each grid start counted from the window's start (wall-clock), the conference lasting its
/// duration in elapsed time and ending (wall-clock) inside the same window, clear of the
/// harmer's appointments widened by the travel buffer.
fn enumerate_slots(problem: &Problem, case: &Case) -> (Vec<Slot>, SlotCensus) {
    let venue = &problem.venues[case.venue];
    let mut census = SlotCensus::default();
    let mut slots: Vec<Slot> = Vec::new();
    let (first, last) = problem.date_range(case);
    let step = i64::from(problem.granularity_minutes);
    let buffer = problem.travel_buffer_minutes;
    let mut date = first;
    while date <= last {
        census.dates_in_range += 1;
        let windows = &venue.windows[date.weekday().num_days_from_monday() as usize];
        if !windows.is_empty() && !venue.is_closed_on(date) && venue.rooms > 0 {
            census.open_dates += 1;
            let midnight = date.and_time(NaiveTime::MIN);
            for &(window_start, window_end) in windows {
                let mut minute = i64::from(window_start);
                while minute < i64::from(window_end) {
                    let local = midnight + Duration::minutes(minute);
                    if let Some(start) = local_to_instant(problem.tz, local) {
                        let slot = problem.slot_at(case, start);
                        if super::rules::fits_window(&slot, (window_start, window_end)) {
                            census.window_slots += 1;
                            let clear = !case.blocked.iter().any(|b| b.widened(buffer).overlaps(&slot.interval()));
                            if clear {
                                slots.push(slot);
                            }
                        }
                    }
                    minute += step;
                }
            }
        }
        match date.succ_opt() {
            Some(next) => date = next,
            None => break,
        }
    }
    // Two windows of a day may both hold the same start; keep one slot per start.
    slots.sort_by_key(|s| s.start);
    slots.dedup_by_key(|s| s.start);
    (slots, census)
}
