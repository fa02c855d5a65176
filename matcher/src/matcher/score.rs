//! The objective of `docs/API.md` and its per-booking breakdown.
//!
//! A booking's score splits into a slot part (`1000 + 2 × days to deadline`) and one part per
//! facilitator (`40 × continuity − ⌊travel km⌋ − 5 × recent conferences`); the planner relies on
//! this split, so it lives here once.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::{Problem, parse_local_datetime};
use super::plan::Booking;

/// Points for every booked case.
pub const BOOKED_CASE: i64 = 1000;
pub const CONTINUITY_PER_FACILITATOR: i64 = 40;
pub const PER_DAY_TO_DEADLINE: i64 = 2;
pub const PER_RECENT_CONFERENCE: i64 = 5;

/// A booking's score, term by term; each field is the signed contribution, so `total()` is
/// their sum (travel and recent are zero or negative).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScoreBreakdown {
    pub base: i64,
    pub continuity: i64,
    pub days_to_deadline: i64,
    pub travel: i64,
    pub recent: i64,
}

impl ScoreBreakdown {
    pub fn total(&self) -> i64 {
        self.base + self.continuity + self.days_to_deadline + self.travel + self.recent
    }
}

/// Great-circle distance in km, `R = 6371.0`, positions `[lat, lon]` in degrees.
pub fn haversine_km(a: [f64; 2], b: [f64; 2]) -> f64 {
    let (phi1, phi2) = (a[0].to_radians(), b[0].to_radians());
    let d_phi = phi2 - phi1;
    let d_lambda = (b[1] - a[1]).to_radians();
    let h = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

/// Whole km from a facilitator to a venue (rounded down); 0 when either has no location.
pub fn travel_km(problem: &Problem, facilitator: usize, venue: usize) -> i64 {
    match (problem.facilitators[facilitator].location, problem.venues[venue].location) {
        (Some(a), Some(b)) => haversine_km(a, b).floor() as i64,
        _ => 0,
    }
}

/// Whole days from the conference date to the case's own deadline (even beyond the horizon).
pub fn days_to_deadline(deadline: NaiveDate, date: NaiveDate) -> i64 {
    (deadline - date).num_days()
}

/// The slot part of a booking's score.
pub fn slot_score(problem: &Problem, case: usize, date: NaiveDate) -> i64 {
    BOOKED_CASE + PER_DAY_TO_DEADLINE * days_to_deadline(problem.cases[case].deadline, date)
}

/// The facilitator part of a booking's score for one facilitator.
pub fn facilitator_score(problem: &Problem, case: usize, facilitator: usize) -> i64 {
    let c = &problem.cases[case];
    let continuity = if c.continuity.contains(&facilitator) { CONTINUITY_PER_FACILITATOR } else { 0 };
    continuity
        - travel_km(problem, facilitator, c.venue)
        - PER_RECENT_CONFERENCE * i64::from(problem.facilitators[facilitator].recent_conferences)
}

/// The full breakdown of booking `case` on `date` with `facilitators`.
pub fn breakdown(problem: &Problem, case: usize, date: NaiveDate, facilitators: [usize; 2]) -> ScoreBreakdown {
    let c = &problem.cases[case];
    let mut result = ScoreBreakdown {
        base: BOOKED_CASE,
        days_to_deadline: PER_DAY_TO_DEADLINE * days_to_deadline(c.deadline, date),
        ..ScoreBreakdown::default()
    };
    for f in facilitators {
        if c.continuity.contains(&f) {
            result.continuity += CONTINUITY_PER_FACILITATOR;
        }
        result.travel -= travel_km(problem, f, c.venue);
        result.recent -= PER_RECENT_CONFERENCE * i64::from(problem.facilitators[f].recent_conferences);
    }
    result
}

/// The objective of a set of bookings, recomputed from their ids and start dates. Bookings
/// naming an unknown case or facilitator, or with an unreadable start, contribute nothing
/// (`verify` reports them).
pub fn objective(problem: &Problem, bookings: &[Booking]) -> i64 {
    bookings
        .iter()
        .filter_map(|b| {
            let case = problem.case_index(&b.case)?;
            let date = parse_local_datetime("start", &b.start).ok()?.date();
            let lead = *problem.facilitator_by_id.get(&b.facilitators[0])?;
            let second = *problem.facilitator_by_id.get(&b.facilitators[1])?;
            Some(breakdown(problem, case, date, [lead, second]).total())
        })
        .sum()
}
