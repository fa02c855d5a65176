//! Independent check of a plan against its instance: every hard rule re-read from the model
//! (not from the planner's tables), the output's bookkeeping, and the objective recomputed.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::model::{Instant, Interval, Problem, format_local, local_to_instant, parse_local_datetime};
use super::plan::Plan;
use super::rules::{self, NewLoad};
use super::score;

/// One broken rule; `case` is empty for plan-wide problems.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    pub case: String,
    pub message: String,
}

fn violation(case: &str, message: impl Into<String>) -> Violation {
    Violation { case: case.to_string(), message: message.into() }
}

/// A conference already in the problem's own terms (the in-process entry point): the case's
/// index, its start instant and its facilitators' indices, lead first. Nothing to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub case: usize,
    pub start: Instant,
    pub facilitators: [usize; 2],
}

/// Every hard rule broken by these conferences, each against the problem and the others
/// (empty: all of them can be held). The typed half of [`verify`], for a caller that already
/// holds indices and instants; a case index must be one of `problem.cases`.
pub fn check_placed(problem: &Problem, placed: &[Placed]) -> Vec<Violation> {
    let mut violations = Vec::new();
    let mut resolved = Vec::with_capacity(placed.len());
    for conference in placed {
        slot_violations(problem, conference.case, conference.start, &mut violations);
        if conference.facilitators.iter().all(|&f| f < problem.facilitators.len()) {
            pair_violations(problem, conference, &mut violations);
            resolved.push(*conference);
        } else {
            violations.push(violation(&problem.cases[conference.case].id, "unknown facilitator"));
        }
    }
    shared_violations(problem, &resolved, &mut violations);
    violations
}

/// Returns every violation found (empty: the plan is feasible and its objective is right).
pub fn verify(problem: &Problem, plan: &Plan) -> Vec<Violation> {
    let mut violations = Vec::new();
    let mut resolved: Vec<Placed> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();

    for booking in &plan.bookings {
        let id = booking.case.as_str();
        *seen.entry(id).or_insert(0) += 1;
        let Some(c) = problem.case_index(id) else {
            violations.push(violation(id, "unknown case"));
            continue;
        };
        let case = &problem.cases[c];
        let Ok(start_local) = parse_local_datetime("start", &booking.start) else {
            violations.push(violation(id, format!("unreadable start {:?}", booking.start)));
            continue;
        };
        let Some(start) = local_to_instant(problem.tz, start_local) else {
            violations.push(violation(id, format!("start {} does not exist (clock change)", booking.start)));
            continue;
        };
        let slot = problem.slot_at(case, start);
        if format_local(slot.end_local) != booking.end {
            violations.push(violation(
                id,
                format!(
                    "end {} is not {} minutes after the start (expected {})",
                    booking.end,
                    case.duration_minutes,
                    format_local(slot.end_local)
                ),
            ));
        }
        slot_violations(problem, c, start, &mut violations);
        let mut pair = [usize::MAX; 2];
        for (k, name) in booking.facilitators.iter().enumerate() {
            match problem.facilitator_by_id.get(name) {
                Some(&f) => pair[k] = f,
                None => violations.push(violation(id, format!("unknown facilitator {name}"))),
            }
        }
        if pair.contains(&usize::MAX) {
            continue;
        }
        let conference = Placed { case: c, start, facilitators: pair };
        pair_violations(problem, &conference, &mut violations);
        resolved.push(conference);
    }

    for (id, count) in &seen {
        if *count > 1 {
            violations.push(violation(id, format!("booked {count} times")));
        }
    }
    for u in &plan.unbooked {
        if seen.contains_key(u.case.as_str()) {
            violations.push(violation(&u.case, "listed as both booked and unbooked"));
        }
        if problem.case_index(&u.case).is_none() {
            violations.push(violation(&u.case, "unknown case in unbooked"));
        }
    }
    for case in &problem.cases {
        if !seen.contains_key(case.id.as_str()) && !plan.unbooked.iter().any(|u| u.case == case.id) {
            violations.push(violation(&case.id, "neither booked nor listed as unbooked"));
        }
    }

    shared_violations(problem, &resolved, &mut violations);

    let recomputed = score::objective(problem, &plan.bookings);
    if recomputed != plan.objective {
        violations
            .push(violation("", format!("objective {} differs from the recomputed {recomputed}", plan.objective)));
    }
    violations
}

/// The rules a conference of case `c` starting at `start` breaks on its own: its date, its
/// venue's closures and regime, and the harmer's appointments.
fn slot_violations(problem: &Problem, c: usize, start: Instant, violations: &mut Vec<Violation>) {
    let case = &problem.cases[c];
    let id = case.id.as_str();
    let venue = &problem.venues[case.venue];
    let slot = problem.slot_at(case, start);
    let (first, last) = problem.date_range(case);
    if slot.date < first || slot.date > last {
        violations.push(violation(id, format!("date {} outside {first} to {last}", slot.date)));
    }
    if venue.is_closed_on(slot.date) {
        violations.push(violation(id, format!("venue {} closed on {}", venue.id, slot.date)));
    }
    if !rules::in_some_window(venue, &slot, problem.granularity_minutes) {
        violations.push(violation(
            id,
            format!(
                "{}–{} is not inside one of {}'s windows on its grid",
                format_local(slot.start_local),
                format_local(slot.end_local),
                venue.id
            ),
        ));
    }
    let buffer = problem.travel_buffer_minutes;
    if let Some(b) = case.blocked.iter().find(|b| b.widened(buffer).overlaps(&slot.interval())) {
        violations.push(violation(
            id,
            format!(
                "clashes with the harmer's appointment starting {} (with buffer)",
                format_local(super::model::instant_to_local(problem.tz, b.start))
            ),
        ));
    }
}

/// The rules a conference's pair breaks on its own: two people, one of them a lead.
fn pair_violations(problem: &Problem, conference: &Placed, violations: &mut Vec<Violation>) {
    let id = problem.cases[conference.case].id.as_str();
    let pair = conference.facilitators;
    if pair[0] == pair[1] {
        violations.push(violation(id, "the two facilitators are the same person"));
    }
    if !pair.iter().any(|&f| problem.facilitators[f].lead) {
        violations.push(violation(id, "no lead facilitator"));
    }
}

/// The rules conferences break together: each facilitator's availability, checks, monthly
/// maximum and other bookings (new ones included), and each venue's rooms.
fn shared_violations(problem: &Problem, resolved: &[Placed], violations: &mut Vec<Violation>) {
    for (i, conference) in resolved.iter().enumerate() {
        let case = &problem.cases[conference.case];
        let slot = problem.slot_at(case, conference.start);
        let interval = slot.interval();
        for f in conference.facilitators {
            let others: Vec<(Interval, usize)> = resolved
                .iter()
                .enumerate()
                .filter(|&(j, r)| j != i && r.facilitators.contains(&f))
                .map(|(_, r)| (problem.slot_at(&problem.cases[r.case], r.start).interval(), r.case))
                .collect();
            // Count every other new booking in the month against the cap.
            let load = NewLoad { bookings: &others };
            if let Some(failure) = rules::first_failure(problem, f, conference.case, &slot, load) {
                violations.push(violation(&case.id, format!("{}: {failure}", problem.facilitators[f].id)));
            }
        }
        let at_venue: Vec<Interval> = resolved
            .iter()
            .enumerate()
            .filter(|&(j, r)| j != i && problem.cases[r.case].venue == case.venue)
            .map(|(_, r)| problem.slot_at(&problem.cases[r.case], r.start).interval())
            .collect();
        let venue = &problem.venues[case.venue];
        if !rules::rooms_suffice(venue.rooms, interval, &at_venue) {
            violations
                .push(violation(&case.id, format!("more than {} conferences at once at {}", venue.rooms, venue.id)));
        }
    }
}
