//! An exhaustive exact solver for tiny instances (≈ up to 5 cases and 8 facilitators), used by
//! the tests as ground truth for the planner.
//!
//! It deliberately shares nothing with the planner's tables or search: options are enumerated
//! straight from the model's slots and the rule functions, and compatibility between chosen
//! bookings is checked with the same rule functions `verify` uses. Branch and bound: cases in
//! fewest-options-first order, options best-first, bounded by each remaining case's best option
//! compatible with the bookings chosen so far.

use chrono::Datelike;

use super::model::{Interval, Problem, format_local};
use super::plan::{Booking, Plan, Unbooked};
use super::rules::{self, NewLoad};
use super::score;

#[derive(Debug, Clone, Copy)]
struct Choice {
    slot: usize,
    pair: [usize; 2],
    score: i64,
    interval: Interval,
    month: (i32, u32),
}

struct Solver<'p> {
    problem: &'p Problem,
    order: Vec<usize>,
    options: Vec<Vec<Choice>>,
    chosen: Vec<(usize, Choice)>,
    best: (usize, i64),
    best_chosen: Vec<(usize, Choice)>,
}

/// Solves the problem exactly: most cases booked, then the highest objective.
pub fn solve(problem: &Problem) -> Plan {
    let options: Vec<Vec<Choice>> = (0..problem.cases.len()).map(|c| enumerate_options(problem, c)).collect();
    let mut order: Vec<usize> = (0..problem.cases.len()).collect();
    order.sort_by_key(|&c| (options[c].len(), c));
    let mut solver =
        Solver { problem, order, options, chosen: Vec::new(), best: (0, i64::MIN), best_chosen: Vec::new() };
    solver.search(0, 0);
    let mut bookings = Vec::new();
    let mut booked = vec![false; problem.cases.len()];
    let mut chosen = solver.best_chosen.clone();
    chosen.sort_by_key(|(c, o)| (o.interval.start, problem.cases[*c].id.clone()));
    for (c, o) in chosen {
        booked[c] = true;
        let case = &problem.cases[c];
        let slot = &case.slots[o.slot];
        bookings.push(Booking {
            case: case.id.clone(),
            start: format_local(slot.start_local),
            end: format_local(slot.end_local),
            facilitators: [problem.facilitators[o.pair[0]].id.clone(), problem.facilitators[o.pair[1]].id.clone()],
        });
    }
    let unbooked = (0..problem.cases.len())
        .filter(|&c| !booked[c])
        .map(|c| Unbooked {
            case: problem.cases[c].id.clone(),
            reason: "not bookable alongside the other cases (exact solver)".to_string(),
        })
        .collect();
    let objective = score::objective(problem, &bookings);
    Plan { bookings, unbooked, objective }
}

/// Every (slot, pair) of a case that is feasible on its own, best first.
fn enumerate_options(problem: &Problem, c: usize) -> Vec<Choice> {
    let case = &problem.cases[c];
    let mut options = Vec::new();
    for (si, slot) in case.slots.iter().enumerate() {
        let free: Vec<usize> = (0..problem.facilitators.len())
            .filter(|&f| rules::first_failure(problem, f, c, slot, NewLoad::default()).is_none())
            .collect();
        for (i, &a) in free.iter().enumerate() {
            for &b in &free[i + 1..] {
                let (fa, fb) = (&problem.facilitators[a], &problem.facilitators[b]);
                if !(fa.lead || fb.lead) {
                    continue;
                }
                let pair = if fa.lead { [a, b] } else { [b, a] };
                options.push(Choice {
                    slot: si,
                    pair,
                    score: score::breakdown(problem, c, slot.date, pair).total(),
                    interval: slot.interval(),
                    month: (slot.date.year(), slot.date.month()),
                });
            }
        }
    }
    options.sort_by(|x, y| y.score.cmp(&x.score).then(x.slot.cmp(&y.slot)));
    options
}

impl Solver<'_> {
    fn compatible(&self, case: usize, option: &Choice) -> bool {
        let problem = self.problem;
        let buffer = problem.travel_buffer_minutes;
        let venue = problem.cases[case].venue;
        for f in option.pair {
            let mut in_month = 0;
            for (_, other) in &self.chosen {
                if other.pair.contains(&f) {
                    if !rules::gap_at_least(other.interval, option.interval, buffer) {
                        return false;
                    }
                    if other.month == option.month {
                        in_month += 1;
                    }
                }
            }
            if !rules::under_monthly_cap(&problem.facilitators[f], option.month, in_month) {
                return false;
            }
        }
        let at_venue: Vec<Interval> =
            self.chosen.iter().filter(|(c, _)| problem.cases[*c].venue == venue).map(|(_, o)| o.interval).collect();
        rules::rooms_suffice(problem.venues[venue].rooms, option.interval, &at_venue)
    }

    fn best_compatible(&self, case: usize) -> Option<i64> {
        self.options[case].iter().find(|o| self.compatible(case, o)).map(|o| o.score)
    }

    fn search(&mut self, depth: usize, score_so_far: i64) {
        let booked = self.chosen.len();
        if depth == self.order.len() {
            if (booked, score_so_far) > self.best {
                self.best = (booked, score_so_far);
                self.best_chosen = self.chosen.clone();
            }
            return;
        }
        // Bound: each remaining case at its best option compatible with what is chosen.
        let mut rest: Vec<Option<i64>> = Vec::with_capacity(self.order.len() - depth);
        for &c in &self.order[depth..] {
            rest.push(self.best_compatible(c));
        }
        let rest_count = rest.iter().flatten().count();
        let rest_score: i64 = rest.iter().flatten().sum();
        if (booked + rest_count, score_so_far + rest_score) <= self.best {
            return;
        }
        let case = self.order[depth];
        let (others_count, others_score) = match rest[0] {
            Some(s) => (rest_count - 1, rest_score - s),
            None => (rest_count, rest_score),
        };
        for i in 0..self.options[case].len() {
            let option = self.options[case][i];
            if (booked + 1 + others_count, score_so_far + option.score + others_score) <= self.best {
                break; // options are best first
            }
            if !self.compatible(case, &option) {
                continue;
            }
            self.chosen.push((case, option));
            self.search(depth + 1, score_so_far + option.score);
            self.chosen.pop();
        }
        if (booked + others_count, score_so_far + others_score) > self.best {
            self.search(depth + 1, score_so_far);
        }
    }
}
