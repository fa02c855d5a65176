//! The hard rules of `docs/API.md`, one function each, and the fixed order in which they are asked
//! when explaining why a facilitator is ruled out of a slot.
//!
//! Rule order for a facilitator (documented, stable — coordinators learn to read it):
//! 1. conflict of interest, 2. checks valid on the date, 3. vetting at the venue,
//! 4. monthly maximum, 5. weekly availability pattern, 6. marked unavailable,
//! 7. existing bookings (with travel buffer), 8. other new bookings in the same plan (with buffer).
//!
//! The slot rules (window, grid, dates, closures, harmer's appointments, rooms) are separate
//! because they do not depend on who facilitates.

use std::fmt;

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::model::{DayWindow, Facilitator, Instant, Interval, Problem, Slot, Venue, format_local};

/// Half-open intervals `a` and `b` of the same facilitator leave at least `buffer` minutes
/// between them (touching-with-buffer is fine).
pub fn gap_at_least(a: Interval, b: Interval, buffer: i64) -> bool {
    a.end + buffer <= b.start || b.end + buffer <= a.start
}

/// The conference lies wholly inside the wall-clock window. The elapsed duration may make the
/// wall-clock end differ from start + duration across a clock change, so the comparison uses
/// both local renderings (and their minimum/maximum, in case the autumn repeat makes the end
/// read earlier than the start).
pub fn fits_window(slot: &Slot, window: DayWindow) -> bool {
    let low = slot.start_minute.min(slot.end_minute);
    let high = slot.start_minute.max(slot.end_minute);
    low >= i64::from(window.0) && high <= i64::from(window.1)
}

/// The start lies on the grid counted from the window's start.
pub fn on_grid(slot: &Slot, window: DayWindow, granularity: u32) -> bool {
    let offset = slot.start_minute - i64::from(window.0);
    offset >= 0 && offset % i64::from(granularity.max(1)) == 0
}

/// Some single venue window of that weekday holds the conference, on its grid.
pub fn in_some_window(venue: &Venue, slot: &Slot, granularity: u32) -> bool {
    venue.windows[slot.date.weekday().num_days_from_monday() as usize]
        .iter()
        .any(|&w| fits_window(slot, w) && on_grid(slot, w, granularity))
}

/// No moment has more than `rooms` of the given conferences (all at one venue) in progress,
/// counting `candidate` itself.
pub fn rooms_suffice(rooms: u32, candidate: Interval, others: &[Interval]) -> bool {
    let overlapping: Vec<Interval> = others.iter().copied().filter(|o| o.overlaps(&candidate)).collect();
    if (overlapping.len() as u32) < rooms {
        return true;
    }
    max_concurrency(&overlapping, candidate) < rooms
}

/// The maximum number of `intervals` in progress at any moment inside `within`.
fn max_concurrency(intervals: &[Interval], within: Interval) -> u32 {
    // Sweep: an end at the same instant as a start is processed first (half-open intervals).
    let mut events: Vec<(Instant, i32)> = Vec::with_capacity(intervals.len() * 2);
    for i in intervals {
        events.push((i.start.max(within.start), 1));
        events.push((i.end.min(within.end), -1));
    }
    events.sort_unstable();
    let mut now = 0i32;
    let mut peak = 0i32;
    for (_, delta) in events {
        now += delta;
        peak = peak.max(now);
    }
    peak.max(0) as u32
}

pub fn has_conflict(facilitator: &Facilitator, case: usize) -> bool {
    facilitator.conflicts.get(case).copied().unwrap_or(false)
}

pub fn checks_valid_on(facilitator: &Facilitator, date: NaiveDate) -> bool {
    facilitator.checks_valid_until.is_some_and(|until| date <= until)
}

pub fn vetted_for(facilitator: &Facilitator, venue_index: usize, venue: &Venue) -> bool {
    !venue.requires_vetting || facilitator.vetted.get(venue_index).copied().unwrap_or(false)
}

/// One more conference in `month` keeps the facilitator within their maximum, counting their
/// existing bookings that start in that month and `new_in_month` new bookings already planned.
pub fn under_monthly_cap(facilitator: &Facilitator, month: (i32, u32), new_in_month: u32) -> bool {
    facilitator.booked_in_month(month) + new_in_month < facilitator.max_per_month
}

/// The weekly pattern (union of that weekday's entries) covers the whole conference.
pub fn available_by_pattern(facilitator: &Facilitator, slot: &Slot) -> bool {
    let low = slot.start_minute.min(slot.end_minute);
    let high = slot.start_minute.max(slot.end_minute);
    facilitator.availability[slot.date.weekday().num_days_from_monday() as usize]
        .iter()
        .any(|&(from, to)| i64::from(from) <= low && high <= i64::from(to))
}

/// The first `unavailable` period overlapping the conference (no buffer).
pub fn unavailable_clash(facilitator: &Facilitator, conference: Interval) -> Option<Interval> {
    facilitator.unavailable.iter().copied().find(|u| u.overlaps(&conference))
}

/// The first existing booking closer to the conference than the travel buffer.
pub fn booked_clash(facilitator: &Facilitator, conference: Interval, buffer: i64) -> Option<Interval> {
    facilitator.booked.iter().copied().find(|b| !gap_at_least(*b, conference, buffer))
}

/// Why a facilitator cannot take a slot: the first rule, in the module's order, that fails.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuledOutBy {
    Conflict,
    NoChecks,
    ChecksExpired {
        valid_until: NaiveDate,
        date: NaiveDate,
    },
    NotVetted {
        venue: String,
    },
    MonthlyMaximum {
        max: u32,
        month: (i32, u32),
    },
    NotAvailableByPattern {
        start: NaiveDateTime,
        end: NaiveDateTime,
    },
    Unavailable {
        from: NaiveDateTime,
        to: NaiveDateTime,
        date: NaiveDate,
    },
    Booked {
        start: NaiveDateTime,
        end: NaiveDateTime,
        buffer: i64,
        date: NaiveDate,
    },
    OtherNewBooking {
        case: String,
        buffer: i64,
    },
    /// Individually free at some slot, but no second facilitator (or no lead) is free with them.
    NoPartner {
        start: NaiveDateTime,
    },
    /// The case has no conference slot at all.
    NoSlot,
}

impl RuledOutBy {
    /// Position in the rule order; a larger rank means the facilitator got further.
    pub fn rank(&self) -> u8 {
        match self {
            RuledOutBy::NoSlot => 0,
            RuledOutBy::Conflict => 1,
            RuledOutBy::NoChecks | RuledOutBy::ChecksExpired { .. } => 2,
            RuledOutBy::NotVetted { .. } => 3,
            RuledOutBy::MonthlyMaximum { .. } => 4,
            RuledOutBy::NotAvailableByPattern { .. } => 5,
            RuledOutBy::Unavailable { .. } => 6,
            RuledOutBy::Booked { .. } => 7,
            RuledOutBy::OtherNewBooking { .. } => 8,
            RuledOutBy::NoPartner { .. } => 9,
        }
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl fmt::Display for RuledOutBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RuledOutBy::NoSlot => write!(f, "the case has no conference slot at all"),
            RuledOutBy::Conflict => write!(f, "conflict of interest declared"),
            RuledOutBy::NoChecks => write!(f, "no valid checks on record"),
            RuledOutBy::ChecksExpired { valid_until, date } => {
                write!(f, "checks valid until {valid_until}, before the slot on {date}")
            }
            RuledOutBy::NotVetted { venue } => write!(f, "not vetted at {venue}"),
            RuledOutBy::MonthlyMaximum { max, month } => {
                let name = MONTHS.get((month.1 as usize).saturating_sub(1)).copied().unwrap_or("?");
                write!(f, "at the monthly maximum ({max}) in {name} {}", month.0)
            }
            RuledOutBy::NotAvailableByPattern { start, end } => write!(
                f,
                "not available by weekly pattern on {} {}–{}",
                start.format("%a %Y-%m-%d"),
                start.format("%H:%M"),
                end.format("%H:%M")
            ),
            RuledOutBy::Unavailable { from, to, date } => write!(
                f,
                "marked unavailable {} to {}, covering the slot on {date}",
                format_local(*from),
                format_local(*to)
            ),
            RuledOutBy::Booked { start, end, buffer, date } => write!(
                f,
                "already booked {} to {} (with {buffer}-minute travel buffer), clashing with the slot on {date}",
                format_local(*start),
                format_local(*end)
            ),
            RuledOutBy::OtherNewBooking { case, buffer } => {
                write!(f, "booked for case {case} in this plan within the {buffer}-minute travel buffer")
            }
            RuledOutBy::NoPartner { start } => write!(
                f,
                "free only when no partner facilitator (with a lead among the two) is, e.g. {}",
                format_local(*start)
            ),
        }
    }
}

/// What a facilitator already carries in the plan being built: new bookings (interval, case
/// index). Empty for a single-case candidate search.
#[derive(Debug, Clone, Copy, Default)]
pub struct NewLoad<'a> {
    pub bookings: &'a [(Interval, usize)],
}

/// The first rule that rules `facilitator` out of `slot` for `case`, or `None` if they can take
/// it (as one of the two facilitators).
pub fn first_failure(
    problem: &Problem,
    facilitator_index: usize,
    case_index: usize,
    slot: &Slot,
    load: NewLoad<'_>,
) -> Option<RuledOutBy> {
    let facilitator = &problem.facilitators[facilitator_index];
    let case = &problem.cases[case_index];
    let venue = &problem.venues[case.venue];
    if has_conflict(facilitator, case_index) {
        return Some(RuledOutBy::Conflict);
    }
    if !checks_valid_on(facilitator, slot.date) {
        return Some(match facilitator.checks_valid_until {
            Some(valid_until) => RuledOutBy::ChecksExpired { valid_until, date: slot.date },
            None => RuledOutBy::NoChecks,
        });
    }
    if !vetted_for(facilitator, case.venue, venue) {
        return Some(RuledOutBy::NotVetted { venue: venue.id.clone() });
    }
    let month = slot.month();
    let new_in_month = load
        .bookings
        .iter()
        .filter(|(b, _)| {
            let d = super::model::instant_to_local(problem.tz, b.start).date();
            (d.year(), d.month()) == month
        })
        .count() as u32;
    if !under_monthly_cap(facilitator, month, new_in_month) {
        return Some(RuledOutBy::MonthlyMaximum { max: facilitator.max_per_month, month });
    }
    if !available_by_pattern(facilitator, slot) {
        return Some(RuledOutBy::NotAvailableByPattern { start: slot.start_local, end: slot.end_local });
    }
    let conference = slot.interval();
    if let Some(u) = unavailable_clash(facilitator, conference) {
        return Some(RuledOutBy::Unavailable {
            from: super::model::instant_to_local(problem.tz, u.start),
            to: super::model::instant_to_local(problem.tz, u.end),
            date: slot.date,
        });
    }
    let buffer = problem.travel_buffer_minutes;
    if let Some(b) = booked_clash(facilitator, conference, buffer) {
        return Some(RuledOutBy::Booked {
            start: super::model::instant_to_local(problem.tz, b.start),
            end: super::model::instant_to_local(problem.tz, b.end),
            buffer,
            date: slot.date,
        });
    }
    if let Some((_, other)) = load.bookings.iter().find(|(b, _)| !gap_at_least(*b, conference, buffer)) {
        return Some(RuledOutBy::OtherNewBooking { case: problem.cases[*other].id.clone(), buffer });
    }
    None
}

/// Slot-independent eligibility of a facilitator for a case (conflict and vetting), the cheap
/// filter every search starts with.
pub fn statically_eligible(problem: &Problem, facilitator_index: usize, case_index: usize) -> bool {
    let facilitator = &problem.facilitators[facilitator_index];
    let case = &problem.cases[case_index];
    !has_conflict(facilitator, case_index) && vetted_for(facilitator, case.venue, &problem.venues[case.venue])
}

/// Time-dependent individual rules for a slot, ignoring new bookings: checks, monthly maximum
/// (existing bookings only), weekly pattern, unavailability and existing bookings.
pub fn free_for_slot(problem: &Problem, facilitator: &Facilitator, slot: &Slot) -> bool {
    checks_valid_on(facilitator, slot.date)
        && under_monthly_cap(facilitator, slot.month(), 0)
        && available_by_pattern(facilitator, slot)
        && unavailable_clash(facilitator, slot.interval()).is_none()
        && booked_clash(facilitator, slot.interval(), problem.travel_buffer_minutes).is_none()
}
