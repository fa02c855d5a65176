//! The batch planner: books as many cases as possible, then maximises the objective.
//!
//! How: precomputed tables (per case, the slots that have a statically feasible pair, each with
//! its eligible facilitators in score order), a most-constrained-first greedy construction, then
//! ruin-and-recreate local search (remove a few related cases, re-insert them best-first in a
//! random or difficulty order, occasionally skipping options to diversify) under simulated
//! annealing, keeping the best plan found. Cases booked dominate lexicographically: every
//! internal value carries `CASE_VALUE` per booked case, far above any objective difference.

use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::model::{Problem, format_local};
use super::rules;
use super::score;

/// The output of `convene plan`, exactly as `docs/API.md` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub bookings: Vec<Booking>,
    pub unbooked: Vec<Unbooked>,
    pub objective: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Booking {
    pub case: String,
    /// Local wall-clock `YYYY-MM-DDTHH:MM`.
    pub start: String,
    pub end: String,
    /// Lead first.
    pub facilitators: [String; 2],
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unbooked {
    pub case: String,
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanOptions {
    /// Wall-clock budget for the local search (the only impurity: elapsed time is measured).
    pub time_budget: Duration,
    pub seed: u64,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions { time_budget: Duration::from_secs(3), seed: 0 }
    }
}

/// Lexicographic weight of one booked case: larger than any achievable objective total.
const CASE_VALUE: i64 = 1_000_000_000;

// Search parameters, tuned on generated 300-facilitator / 200-case / 8-week instances with a 3 s
// budget (NOTES.md). Temperatures are in objective points (one day later costs 2).
/// Annealing temperature at the start and at the end of the budget.
const HOT: f64 = 30.0;
const COLD: f64 = 0.3;
/// Largest number of cases removed by one ruin (smaller ruins are cheaper and won).
const MAX_RUIN: usize = 5;
/// The largest ruin after restarts (each restart doubles it, from `MAX_RUIN`).
const MAX_RESTART_RUIN: usize = 20;
/// Options the exhaustive proof may weigh when the search first stalls, counted over every
/// node (small problems finish and prove their optimum well inside it).
const PROOF_WORK: u64 = 20_000_000;
/// Problems with more bookable cases than this are not worth an exhaustive proof.
const PROOF_CASES: usize = 12;
/// Subgradient steps of the Lagrangian bound tried when the search first stalls.
const LAGRANGIAN_STEPS: usize = 60;
/// Chance that a ruin starts from an unbooked case (when there is one).
const UNBOOKED_SEED: f64 = 0.33;
/// Chance that a ruin also frees the seed's favourite facilitators.
const FAVOURITES_RUIN: f64 = 0.5;
/// Chance that a recreate diversifies (skips slots at random with probability `BLINK`, and
/// bans one favourite facilitator for half of its insertions).
const BLINKING_RECREATE: f64 = 0.25;
const BLINK: f64 = 0.1;
/// Chance that a recreate uses regret order (measured no better than random order; kept low).
const REGRET_RECREATE: f64 = 0.05;

/// Plans every case of the problem within the time budget.
pub fn plan(problem: &Problem, options: &PlanOptions) -> Plan {
    plan_with_stats(problem, options).0
}

/// What the search did (for benchmarks and notes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanStats {
    pub iterations: u64,
    pub improvements: u64,
    /// Objective of the greedy construction, before local search.
    pub greedy_objective: i64,
    pub greedy_booked: usize,
    /// The search stopped because the plan reached the upper bound (proven optimal).
    pub proven_optimal: bool,
    /// Times the search restarted from its best plan after a long run without improvement.
    pub restarts: u64,
}

/// [`plan`], also returning what the search did.
pub fn plan_with_stats(problem: &Problem, options: &PlanOptions) -> (Plan, PlanStats) {
    let now = Instant::now();
    // A huge budget must not overflow the clock: fall back to a year.
    let deadline = now.checked_add(options.time_budget).unwrap_or(now + Duration::from_secs(365 * 24 * 3600));
    let tables = Tables::build(problem);
    let mut search = Search::new(&tables, options.seed);
    search.construct();
    let greedy = search.value;
    search.stats.greedy_booked = search.assigned.iter().flatten().count();
    search.stats.greedy_objective = greedy - CASE_VALUE * search.stats.greedy_booked as i64;
    search.improve(deadline);
    search.stats.proven_optimal |= search.best_value == tables.upper_bound();
    search.restore_best();
    let stats = search.stats;
    (search.build_plan(problem), stats)
}

/// An upper bound on any plan: (cases bookable at all, the sum of each case's best score
/// alone). A plan reaching it is optimal; the gap to it bounds how far from optimal a plan is.
pub fn upper_bound(problem: &Problem) -> (usize, i64) {
    let tables = Tables::build(problem);
    let alone: Vec<i64> = tables.cases.iter().filter_map(|c| c.best_alone).collect();
    (alone.len(), alone.iter().sum())
}

/// The best objective any plan could reach, as tight as the relaxation allows: the lower of
/// each case's best score alone summed ([`upper_bound`]) and the Lagrangian bound
/// ([`Tables::lagrangian_bound`], `iterations` subgradient steps from the planner's own
/// `plan_objective` as the target).
pub fn objective_bound(problem: &Problem, plan_objective: i64, iterations: usize) -> i64 {
    let tables = Tables::build(problem);
    let alone: i64 = tables.cases.iter().filter_map(|c| c.best_alone).sum();
    alone.min(tables.lagrangian_bound(0, plan_objective, iterations))
}

impl Tables {
    /// An upper bound on `value` per booked case plus the objective of any plan: the
    /// Lagrangian relaxation of the monthly maxima. Each facilitator's room in each month gets
    /// a price λ ≥ 0; then every case independently takes its best option at the reduced
    /// score (score − the prices of its two facilitators in that month), or none, and the
    /// bound is that sum plus Σ λ × room. The clash and room rules are dropped, which only
    /// loosens it. Any λ gives a valid bound; subgradient steps (Polyak's rule towards
    /// `target`, a plan's value) search for a low one, and the lowest found is returned.
    pub(crate) fn lagrangian_bound(&self, value: i64, target: i64, iterations: usize) -> i64 {
        let months = self.months;
        let rooms: Vec<f64> = self.month_room.iter().map(|&r| f64::from(r)).collect();
        let mut price = vec![0.0f64; rooms.len()];
        let mut usage = vec![0u32; rooms.len()];
        let mut best = f64::INFINITY;
        let mut theta = 2.0;
        let mut since_better = 0;
        for _ in 0..iterations.max(1) {
            usage.fill(0);
            let mut total: f64 = price.iter().zip(&rooms).map(|(p, r)| p * r).sum();
            for table in &self.cases {
                // (reduced value, lead, other, month) of the case's best option.
                let mut choice: Option<(f64, usize, usize, usize)> = None;
                for slot in &table.slots {
                    let m = slot.month as usize;
                    let reduced = |f: usize| table.weight[f] as f64 - price[f * months + m];
                    // (reduced weight, facilitator): the best lead, the best two of anyone.
                    let mut lead: Option<(f64, usize)> = None;
                    let mut first: Option<(f64, usize)> = None;
                    let mut second: Option<(f64, usize)> = None;
                    for &f in &self.eligible[slot.eligible_from as usize..slot.eligible_to as usize] {
                        let f = f as usize;
                        let r = reduced(f);
                        if self.lead[f] && lead.is_none_or(|(best, _)| r > best) {
                            lead = Some((r, f));
                        }
                        if first.is_none_or(|(best, _)| r > best) {
                            second = first;
                            first = Some((r, f));
                        } else if second.is_none_or(|(best, _)| r > best) {
                            second = Some((r, f));
                        }
                    }
                    let Some((lead_value, l)) = lead else { continue };
                    let other = if first.map(|(_, f)| f) != Some(l) { first } else { second };
                    let Some((other_value, o)) = other else { continue };
                    let v = (value + slot.base) as f64 + lead_value + other_value;
                    if choice.is_none_or(|(best, ..)| v > best) {
                        choice = Some((v, l, o, m));
                    }
                }
                if let Some((v, l, o, m)) = choice.filter(|(v, ..)| *v > 0.0) {
                    total += v;
                    usage[l * months + m] += 1;
                    usage[o * months + m] += 1;
                }
            }
            if total < best - 1e-9 {
                best = total;
                since_better = 0;
            } else {
                since_better += 1;
                if since_better >= 8 {
                    theta /= 2.0;
                    since_better = 0;
                }
            }
            // The subgradient of the dual in λ is room − usage; a price already at 0 with
            // room to spare cannot fall, so it does not count towards the step.
            let gradient = |i: usize| rooms[i] - f64::from(usage[i]);
            let norm: f64 = (0..rooms.len())
                .map(|i| if price[i] <= 0.0 && gradient(i) >= 0.0 { 0.0 } else { gradient(i).powi(2) })
                .sum();
            if norm == 0.0 || theta < 1e-4 {
                break; // every maximum respected where priced: the relaxation is solved
            }
            let step = theta * (total - target as f64).max(1.0) / norm;
            for (i, p) in price.iter_mut().enumerate() {
                *p = (*p - step * gradient(i)).max(0.0);
            }
        }
        // Scores are integers, so is the optimum: round the bound down (with room for
        // floating-point error).
        (best + 1e-6).floor() as i64
    }
}

/// One precomputed conference slot of a case with a statically feasible pair.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SlotEntry {
    /// Index into the model case's `slots`.
    pub(crate) model_slot: u32,
    pub(crate) start: i64,
    pub(crate) end: i64,
    /// Days since the horizon start (venue/day bucket).
    pub(crate) day: u32,
    /// Month index since the horizon's first month.
    pub(crate) month: u32,
    /// `1000 + 2 × days to deadline`.
    pub(crate) base: i64,
    /// Best static pair score at this slot (facilitator parts only).
    pub(crate) top_pair: i64,
    /// The best `base + top_pair` of this slot and every later one: once a found assignment
    /// reaches it, the scan can stop.
    pub(crate) rest_bound: i64,
    /// Range of `Tables::eligible` holding this slot's free facilitators, best first.
    pub(crate) eligible_from: u32,
    pub(crate) eligible_to: u32,
}

pub(crate) struct CaseTable {
    pub(crate) venue: usize,
    pub(crate) slots: Vec<SlotEntry>,
    /// Facilitator part of the score, indexed by facilitator.
    pub(crate) weight: Vec<i64>,
    /// Best score this case could reach alone (`None`: no feasible option even alone).
    pub(crate) best_alone: Option<i64>,
    /// Cases most likely to compete with this one, most related first.
    pub(crate) related: Vec<u32>,
    /// The best-scoring facilitators eligible at some slot, best first.
    pub(crate) favourites: Vec<u32>,
    /// Every facilitator eligible at some slot, best first.
    pub(crate) ordered: Vec<u32>,
}

pub(crate) struct Tables {
    pub(crate) cases: Vec<CaseTable>,
    pub(crate) eligible: Vec<u32>,
    pub(crate) lead: Vec<bool>,
    /// `max_per_month − existing bookings` per (facilitator, month index).
    pub(crate) month_room: Vec<u32>,
    pub(crate) months: usize,
    pub(crate) days: usize,
    pub(crate) rooms: Vec<u32>,
    pub(crate) buffer: i64,
}

fn month_key(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

impl Tables {
    pub(crate) fn build(problem: &Problem) -> Tables {
        let facilitator_count = problem.facilitators.len();
        let first_month = month_key(problem.horizon_start);
        let months = (month_key(problem.horizon_end) - first_month + 1).max(1) as usize;
        let days = ((problem.horizon_end - problem.horizon_start).num_days() + 1).max(1) as usize;
        let mut month_room = vec![0u32; facilitator_count * months];
        for (f, facilitator) in problem.facilitators.iter().enumerate() {
            for m in 0..months {
                let key = first_month + m as i64;
                let month = ((key.div_euclid(12)) as i32, (key.rem_euclid(12) + 1) as u32);
                month_room[f * months + m] =
                    facilitator.max_per_month.saturating_sub(facilitator.booked_in_month(month));
            }
        }
        let lead: Vec<bool> = problem.facilitators.iter().map(|f| f.lead).collect();
        let words = facilitator_count.div_ceil(64);

        // Facilitators free at an interval depend only on the interval, not on the case, and
        // cases at one venue with one duration share their slots: cache per (start, end).
        let mut free_cache: std::collections::HashMap<(i64, i64), usize> = std::collections::HashMap::new();
        let mut free_bits: Vec<u64> = Vec::new();

        let mut eligible: Vec<u32> = Vec::new();
        let mut cases = Vec::with_capacity(problem.cases.len());
        for (c, case) in problem.cases.iter().enumerate() {
            let weight: Vec<i64> = (0..facilitator_count).map(|f| score::facilitator_score(problem, c, f)).collect();
            let mut ordered: Vec<usize> =
                (0..facilitator_count).filter(|&f| rules::statically_eligible(problem, f, c)).collect();
            ordered.sort_by(|&a, &b| weight[b].cmp(&weight[a]).then(a.cmp(&b)));
            let mut slots = Vec::new();
            let mut best_alone: Option<i64> = None;
            for (si, slot) in case.slots.iter().enumerate() {
                let key = (slot.start, slot.end);
                let offset = match free_cache.get(&key) {
                    Some(&o) => o,
                    None => {
                        let o = free_bits.len();
                        free_bits.resize(o + words, 0);
                        for (f, facilitator) in problem.facilitators.iter().enumerate() {
                            if rules::free_for_slot(problem, facilitator, slot) {
                                free_bits[o + f / 64] |= 1u64 << (f % 64);
                            }
                        }
                        free_cache.insert(key, o);
                        o
                    }
                };
                let from = eligible.len();
                let mut best_lead: Option<usize> = None;
                let mut best_other: Option<usize> = None;
                let mut first: Option<usize> = None;
                let mut second: Option<usize> = None;
                for &f in &ordered {
                    if free_bits[offset + f / 64] & (1u64 << (f % 64)) != 0 {
                        eligible.push(f as u32);
                        if best_lead.is_none() && lead[f] {
                            best_lead = Some(f);
                        }
                        if first.is_none() {
                            first = Some(f);
                        } else if second.is_none() {
                            second = Some(f);
                        }
                    }
                }
                if let Some(l) = best_lead {
                    best_other = if first != Some(l) { first } else { second };
                }
                let (Some(l), Some(o)) = (best_lead, best_other) else {
                    eligible.truncate(from);
                    continue;
                };
                let top_pair = weight[l] + weight[o];
                let base = score::slot_score(problem, c, slot.date);
                best_alone = Some(best_alone.map_or(base + top_pair, |b: i64| b.max(base + top_pair)));
                slots.push(SlotEntry {
                    model_slot: si as u32,
                    start: slot.start,
                    end: slot.end,
                    day: (slot.date - problem.horizon_start).num_days().max(0) as u32,
                    month: (month_key(slot.date) - first_month).max(0) as u32,
                    base,
                    top_pair,
                    rest_bound: base + top_pair,
                    eligible_from: from as u32,
                    eligible_to: eligible.len() as u32,
                });
            }
            for i in (0..slots.len().saturating_sub(1)).rev() {
                slots[i].rest_bound = slots[i].rest_bound.max(slots[i + 1].rest_bound);
            }
            let mut seen = vec![false; facilitator_count];
            for slot in &slots {
                for &f in &eligible[slot.eligible_from as usize..slot.eligible_to as usize] {
                    seen[f as usize] = true;
                }
            }
            let ordered: Vec<u32> = ordered.iter().filter(|&&f| seen[f]).map(|&f| f as u32).collect();
            let favourites: Vec<u32> = ordered.iter().copied().take(8).collect();
            cases.push(CaseTable {
                favourites,
                ordered,
                venue: case.venue,
                slots,
                weight,
                best_alone,
                related: Vec::new(),
            });
        }
        relate_cases(problem, &mut cases, &eligible);
        Tables {
            cases,
            eligible,
            lead,
            month_room,
            months,
            days,
            rooms: problem.venues.iter().map(|v| v.rooms).collect(),
            buffer: problem.travel_buffer_minutes,
        }
    }

    /// The sum over cases of their best score alone: no plan can do better.
    pub(crate) fn upper_bound(&self) -> i64 {
        self.cases.iter().filter_map(|c| c.best_alone).map(|s| CASE_VALUE + s).sum()
    }
}

/// For each case, the cases sharing its venue in overlapping days or sharing its likely
/// facilitators, most related first (the neighbourhood of a ruin move).
fn relate_cases(problem: &Problem, cases: &mut [CaseTable], eligible: &[u32]) {
    let facilitator_count = problem.facilitators.len();
    let words = facilitator_count.div_ceil(64).max(1);
    let n = cases.len();
    let mut uses = vec![0u64; n * words];
    let mut day_span = vec![(u32::MAX, 0u32); n];
    for (c, table) in cases.iter().enumerate() {
        for slot in &table.slots {
            day_span[c].0 = day_span[c].0.min(slot.day);
            day_span[c].1 = day_span[c].1.max(slot.day);
            // The top few eligible facilitators are those a case really competes for.
            for &f in eligible[slot.eligible_from as usize..slot.eligible_to as usize].iter().take(6) {
                let f = f as usize;
                uses[c * words + f / 64] |= 1u64 << (f % 64);
            }
        }
    }
    for c in 0..n {
        let mut scored: Vec<(u32, u32)> = Vec::new();
        for d in 0..n {
            if d == c {
                continue;
            }
            let shared: u32 = (0..words).map(|w| (uses[c * words + w] & uses[d * words + w]).count_ones()).sum();
            let overlap_days = day_span[c].0 <= day_span[d].1 && day_span[d].0 <= day_span[c].1;
            let same_venue = cases[c].venue == cases[d].venue && overlap_days;
            let relatedness = shared * 2 + if same_venue { 6 } else { 0 };
            if relatedness > 0 {
                scored.push((relatedness, d as u32));
            }
        }
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        scored.truncate(40);
        cases[c].related = scored.into_iter().map(|(_, d)| d).collect();
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Assignment {
    /// Index into the case table's `slots`.
    pub(crate) slot: u32,
    pub(crate) lead: u32,
    pub(crate) second: u32,
    pub(crate) score: i64,
}

/// What the exhaustive proof may still spend.
struct Budget {
    work: u64,
    deadline: Instant,
    spent: u64,
    nodes: u64,
}

/// The mutable plan under search, with per-facilitator and per-venue-day indexes so that
/// checking a move costs a few comparisons.
pub(crate) struct Search<'t> {
    tables: &'t Tables,
    rng: fastrand::Rng,
    assigned: Vec<Option<Assignment>>,
    /// New bookings per facilitator: (start, end).
    /// New bookings per facilitator: (start, end, case).
    facilitator_bookings: Vec<Vec<(i64, i64, u32)>>,
    /// New bookings per (facilitator, month index).
    facilitator_month: Vec<u32>,
    /// New conferences per (venue, day): (start, end).
    venue_day: Vec<Vec<(i64, i64)>>,
    value: i64,
    best: Vec<Option<Assignment>>,
    best_value: i64,
    stats: PlanStats,
    /// A facilitator the current insertion may not use (diversification).
    banned: Option<usize>,
    /// Per month, the cached `best_pair_in_month` of the current insertion (valid when its
    /// stamp equals `stamp`).
    month_pair: Vec<Option<i64>>,
    month_stamp: Vec<u64>,
    stamp: u64,
}

impl<'t> Search<'t> {
    pub(crate) fn new(tables: &'t Tables, seed: u64) -> Search<'t> {
        let n = tables.cases.len();
        let f = tables.lead.len();
        Search {
            tables,
            rng: fastrand::Rng::with_seed(seed),
            assigned: vec![None; n],
            facilitator_bookings: vec![Vec::new(); f],
            facilitator_month: vec![0; f * tables.months],
            venue_day: vec![Vec::new(); tables.rooms.len() * tables.days],
            value: 0,
            best: vec![None; n],
            best_value: 0,
            stats: PlanStats::default(),
            banned: None,
            month_pair: vec![None; tables.months],
            month_stamp: vec![0; tables.months],
            stamp: 0,
        }
    }

    fn facilitator_free(&self, f: usize, slot: &SlotEntry) -> bool {
        let m = f * self.tables.months + slot.month as usize;
        if self.facilitator_month[m] >= self.tables.month_room[m] {
            return false;
        }
        let buffer = self.tables.buffer;
        self.facilitator_bookings[f].iter().all(|&(s, e, _)| e + buffer <= slot.start || slot.end + buffer <= s)
    }

    fn room_free(&self, venue: usize, slot: &SlotEntry) -> bool {
        let rooms = self.tables.rooms[venue];
        let held = &self.venue_day[venue * self.tables.days + slot.day as usize];
        let overlapping = || held.iter().filter(move |&&(s, e)| s < slot.end && slot.start < e);
        if (overlapping().count() as u32) < rooms {
            return true;
        }
        // The peak of concurrency inside the slot is at its start or at some overlapping
        // conference's start.
        let in_progress_at = |t: i64| overlapping().filter(|&&(s, e)| s <= t && t < e).count() as u32;
        if in_progress_at(slot.start) >= rooms {
            return false;
        }
        overlapping().filter(|&&(s, _)| s > slot.start).all(|&(s, _)| in_progress_at(s) < rooms)
    }

    /// The best feasible assignment of `case` in the current plan; `blink` is the chance of
    /// skipping a slot (diversification), `ignore_rooms` is used only to explain unbooked cases.
    fn best_insertion(&mut self, case: usize, blink: f64, ignore_rooms: bool) -> Option<Assignment> {
        self.best_two_insertions(case, blink, ignore_rooms, false).0
    }

    /// The best assignment and, when `want_runner_up`, the score of the best assignment at a
    /// different slot (for regret-based insertion order). Slots are scanned in date order with
    /// two bounds: the best possible score of the remaining slots, and, within a slot's
    /// facilitator list (in score order), the best pair still possible.
    fn best_two_insertions(
        &mut self,
        case: usize,
        blink: f64,
        ignore_rooms: bool,
        want_runner_up: bool,
    ) -> (Option<Assignment>, Option<i64>) {
        let tables = self.tables;
        let table = &tables.cases[case];
        let mut best: Option<Assignment> = None;
        let mut runner_up: Option<i64> = None;
        self.stamp += 1;
        for (si, slot) in table.slots.iter().enumerate() {
            // Anything not above `threshold` can change neither answer.
            let threshold = if want_runner_up { runner_up } else { best.map(|b| b.score) };
            if let Some(t) = threshold {
                if slot.rest_bound <= t {
                    break; // slots are in date order, so nothing later can do better
                }
                if slot.base + slot.top_pair <= t {
                    continue;
                }
            }
            // The best pair any slot of this month could have, given monthly maxima alone.
            let month = slot.month as usize;
            if self.month_stamp[month] != self.stamp {
                self.month_stamp[month] = self.stamp;
                self.month_pair[month] = self.best_pair_in_month(case, month);
            }
            let Some(month_pair) = self.month_pair[month] else {
                continue;
            };
            if threshold.is_some_and(|t| slot.base + month_pair <= t) {
                continue;
            }
            if blink > 0.0 && self.rng.f64() < blink {
                continue;
            }
            if !ignore_rooms && !self.room_free(table.venue, slot) {
                continue;
            }
            let mut lead: Option<usize> = None;
            let mut first: Option<usize> = None;
            let mut second: Option<usize> = None;
            for &f in &tables.eligible[slot.eligible_from as usize..slot.eligible_to as usize] {
                let f = f as usize;
                // The list is in score order, so no pair still to be found here can beat
                // `first` (or `f` itself) with `f`.
                if let Some(t) = threshold {
                    let partner = first.map_or(table.weight[f], |a| table.weight[a]);
                    if slot.base + partner + table.weight[f] <= t {
                        break;
                    }
                }
                if !self.facilitator_free(f, slot) {
                    continue;
                }
                // Banning a facilitator for one insertion lets a case settle for its
                // second-best partner so that another case can have the best one.
                if self.banned == Some(f) {
                    continue;
                }
                if lead.is_none() && tables.lead[f] {
                    lead = Some(f);
                }
                if first.is_none() {
                    first = Some(f);
                } else if second.is_none() {
                    second = Some(f);
                }
                if lead.is_some() && second.is_some() {
                    break;
                }
            }
            let Some(l) = lead else { continue };
            let other = if first != Some(l) { first } else { second };
            let Some(o) = other else { continue };
            let score = slot.base + table.weight[l] + table.weight[o];
            match best {
                Some(b) if score <= b.score => {
                    if want_runner_up && runner_up.is_none_or(|r| score > r) {
                        runner_up = Some(score);
                    }
                }
                _ => {
                    if want_runner_up {
                        runner_up = best.map(|b| b.score);
                    }
                    best = Some(Assignment { slot: si as u32, lead: l as u32, second: o as u32, score });
                }
            }
        }
        (best, runner_up)
    }

    /// Picks a random slot of `case` and a good pair there (ignoring the plan), and appends to
    /// `removed` the booked cases standing in the way: those holding either facilitator too
    /// close in time or using up their monthly maximum, and those filling the venue's rooms.
    fn blockers_of_random_option(&mut self, case: usize, removed: &mut Vec<usize>) {
        let tables = self.tables;
        let table = &tables.cases[case];
        if table.slots.is_empty() {
            return;
        }
        let slot = table.slots[self.rng.usize(0..table.slots.len())];
        let list = &tables.eligible[slot.eligible_from as usize..slot.eligible_to as usize];
        let leads: Vec<usize> = list.iter().map(|&f| f as usize).filter(|&f| tables.lead[f]).take(3).collect();
        if leads.is_empty() {
            return;
        }
        let lead = leads[self.rng.usize(0..leads.len())];
        let others: Vec<usize> = list.iter().map(|&f| f as usize).filter(|&f| f != lead).take(3).collect();
        if others.is_empty() {
            return;
        }
        let other = others[self.rng.usize(0..others.len())];
        let buffer = tables.buffer;
        let add = |c: usize, removed: &mut Vec<usize>| {
            if !removed.contains(&c) {
                removed.push(c);
            }
        };
        for f in [lead, other] {
            let m = f * tables.months + slot.month as usize;
            let full = self.facilitator_month[m] >= tables.month_room[m];
            for &(s, e, c) in &self.facilitator_bookings[f] {
                let clash = !(e + buffer <= slot.start || slot.end + buffer <= s);
                let same_month = full && {
                    let held = &tables.cases[c as usize];
                    self.assigned[c as usize].is_some_and(|a| held.slots[a.slot as usize].month == slot.month)
                };
                if clash || same_month {
                    add(c as usize, removed);
                }
            }
        }
        if !self.room_free(table.venue, &slot) {
            for c in 0..self.assigned.len() {
                if let Some(a) = self.assigned[c] {
                    let other_table = &tables.cases[c];
                    let held = other_table.slots[a.slot as usize];
                    if other_table.venue == table.venue && held.start < slot.end && slot.start < held.end {
                        add(c, removed);
                    }
                }
            }
        }
    }

    /// The best pair weight for `case` among facilitators under their maximum in `month`
    /// (ignoring times): a cheap bound that skips whole months once favourites are used up.
    fn best_pair_in_month(&self, case: usize, month: usize) -> Option<i64> {
        let tables = self.tables;
        let table = &tables.cases[case];
        let mut lead: Option<usize> = None;
        let mut first: Option<usize> = None;
        let mut second: Option<usize> = None;
        for &f in &table.ordered {
            let f = f as usize;
            let m = f * tables.months + month;
            if self.facilitator_month[m] >= tables.month_room[m] || self.banned == Some(f) {
                continue;
            }
            if lead.is_none() && tables.lead[f] {
                lead = Some(f);
            }
            if first.is_none() {
                first = Some(f);
            } else if second.is_none() {
                second = Some(f);
            }
            if lead.is_some() && second.is_some() {
                break;
            }
        }
        let l = lead?;
        let o = if first != Some(l) { first } else { second }?;
        Some(table.weight[l] + table.weight[o])
    }

    /// Re-inserts `pending` cases one at a time, each time the case that would lose most by
    /// waiting (largest gap between its best and runner-up slot; a case with a single option
    /// first).
    fn recreate_by_regret(&mut self, pending: &mut Vec<usize>, blink: f64) {
        while !pending.is_empty() {
            let mut pick: Option<(i64, usize, Assignment)> = None;
            let mut i = 0;
            while i < pending.len() {
                let c = pending[i];
                match self.best_two_insertions(c, blink, false, true) {
                    (None, _) => {
                        pending.swap_remove(i);
                        continue;
                    }
                    (Some(a), runner_up) => {
                        let regret = runner_up.map_or(i64::MAX / 4, |r| a.score - r);
                        if pick.is_none_or(|(best, _, _)| regret > best) {
                            pick = Some((regret, i, a));
                        }
                    }
                }
                i += 1;
            }
            let Some((_, i, a)) = pick else { break };
            let c = pending.swap_remove(i);
            self.apply(c, a);
        }
    }

    fn apply(&mut self, case: usize, a: Assignment) {
        let table = &self.tables.cases[case];
        let slot = table.slots[a.slot as usize];
        for f in [a.lead as usize, a.second as usize] {
            self.facilitator_bookings[f].push((slot.start, slot.end, case as u32));
            self.facilitator_month[f * self.tables.months + slot.month as usize] += 1;
        }
        self.venue_day[table.venue * self.tables.days + slot.day as usize].push((slot.start, slot.end));
        self.assigned[case] = Some(a);
        self.value += CASE_VALUE + a.score;
    }

    fn unassign(&mut self, case: usize) -> Option<Assignment> {
        let a = self.assigned[case].take()?;
        let table = &self.tables.cases[case];
        let slot = table.slots[a.slot as usize];
        let key = (slot.start, slot.end);
        for f in [a.lead as usize, a.second as usize] {
            let list = &mut self.facilitator_bookings[f];
            if let Some(p) = list.iter().position(|&(_, _, c)| c as usize == case) {
                list.swap_remove(p);
            }
            self.facilitator_month[f * self.tables.months + slot.month as usize] -= 1;
        }
        let list = &mut self.venue_day[table.venue * self.tables.days + slot.day as usize];
        if let Some(p) = list.iter().position(|&x| x == key) {
            list.swap_remove(p);
        }
        self.value -= CASE_VALUE + a.score;
        Some(a)
    }

    /// Most-constrained-first greedy: cases with the fewest feasible slots, then the fewest
    /// eligible facilitators, then the earliest deadline, each at its best insertion.
    pub(crate) fn construct(&mut self) {
        let mut order: Vec<usize> = (0..self.tables.cases.len()).collect();
        let difficulty = |c: usize| {
            let t = &self.tables.cases[c];
            let width: u64 = t.slots.iter().map(|s| u64::from(s.eligible_to - s.eligible_from)).sum();
            (t.slots.len(), width)
        };
        order.sort_by_key(|&c| (difficulty(c), c));
        for c in order {
            if let Some(a) = self.best_insertion(c, 0.0, false) {
                self.apply(c, a);
            }
        }
        self.save_best();
    }

    fn save_best(&mut self) {
        self.best.clone_from(&self.assigned);
        self.best_value = self.value;
    }

    pub(crate) fn restore_best(&mut self) {
        for c in 0..self.assigned.len() {
            self.unassign(c);
        }
        for c in 0..self.best.len() {
            if let Some(a) = self.best[c] {
                self.apply(c, a);
            }
        }
    }

    /// Ruin-and-recreate under simulated annealing until the deadline, a proven optimum, or a
    /// long run without improvement.
    pub(crate) fn improve(&mut self, deadline: Instant) {
        let n = self.tables.cases.len();
        if n == 0 {
            return;
        }
        let bound = self.tables.upper_bound();
        let bookable: Vec<usize> = (0..n).filter(|&c| self.tables.cases[c].best_alone.is_some()).collect();
        if bookable.is_empty() {
            return;
        }
        let stall_limit: u64 = 20_000 + 400 * n as u64;
        let mut bound = bound;
        let mut started = Instant::now();
        let mut total = deadline.saturating_duration_since(started).as_secs_f64().max(1e-6);
        let (hot, cold) = (HOT, COLD);
        let mut temperature = hot;
        let mut since_best: u64 = 0;
        let mut iteration: u64 = 0;
        let mut max_ruin = MAX_RUIN;
        let mut removed: Vec<usize> = Vec::with_capacity(16);
        let mut pending: Vec<usize> = Vec::with_capacity(16);
        let mut previous: Vec<(usize, Option<Assignment>)> = Vec::with_capacity(16);
        while self.best_value < bound {
            iteration += 1;
            self.stats.iterations = iteration;
            if iteration.is_multiple_of(64) {
                let now = Instant::now();
                if now >= deadline {
                    break;
                }
                let progress = (now - started).as_secs_f64() / total;
                temperature = hot * (cold / hot).powf(progress.min(1.0));
            }
            if since_best >= stall_limit {
                // Stuck. First try to prove the best optimal with the tighter bound; failing
                // that, restart from the best with the heat back on and larger ruins, over the
                // time left.
                if self.stats.restarts == 0 {
                    if self.prove(PROOF_WORK, deadline) {
                        bound = self.best_value;
                        break;
                    }
                    bound = bound.min(self.tables.lagrangian_bound(CASE_VALUE, self.best_value, LAGRANGIAN_STEPS));
                    if self.best_value >= bound {
                        break;
                    }
                }
                self.stats.restarts += 1;
                self.restore_best();
                max_ruin = (max_ruin * 2).min(MAX_RESTART_RUIN);
                started = Instant::now();
                total = deadline.saturating_duration_since(started).as_secs_f64().max(1e-6);
                temperature = hot;
                since_best = 0;
            }
            // Ruin: a seed case (often an unbooked one) and some of its related cases.
            let unbooked_seed = self.rng.f64() < UNBOOKED_SEED;
            let seed = if unbooked_seed {
                let start = self.rng.usize(0..bookable.len());
                (0..bookable.len())
                    .map(|i| bookable[(start + i) % bookable.len()])
                    .find(|&c| self.assigned[c].is_none())
                    .unwrap_or(bookable[start])
            } else {
                bookable[self.rng.usize(0..bookable.len())]
            };
            let size = 1 + self.rng.usize(0..n.min(max_ruin));
            removed.clear();
            removed.push(seed);
            let mut seed_first = false;
            if self.assigned[seed].is_none() && self.rng.bool() {
                // Make room for an unbooked case at one of its options: remove what blocks it
                // there, insert it first, then re-insert the others.
                self.blockers_of_random_option(seed, &mut removed);
                seed_first = true;
            } else if self.rng.f64() < FAVOURITES_RUIN {
                // Free the seed's favourite facilitators: remove the cases now holding them.
                let favourites = &self.tables.cases[seed].favourites;
                let mut tries = 0;
                while removed.len() < size && tries < 3 && !favourites.is_empty() {
                    tries += 1;
                    let r = self.rng.usize(0..favourites.len());
                    let r = r.min(self.rng.usize(0..favourites.len()));
                    let f = favourites[r] as usize;
                    for k in 0..self.facilitator_bookings[f].len() {
                        let c = self.facilitator_bookings[f][k].2 as usize;
                        if removed.len() < size && !removed.contains(&c) {
                            removed.push(c);
                        }
                    }
                }
            }
            let related = &self.tables.cases[seed].related;
            let mut tries = 0;
            while removed.len() < size && tries < 4 * size && !related.is_empty() {
                tries += 1;
                // Bias towards the most related.
                let r = self.rng.usize(0..related.len());
                let r = r.min(self.rng.usize(0..related.len()));
                let c = related[r] as usize;
                if !removed.contains(&c) {
                    removed.push(c);
                }
            }
            let before = self.value;
            previous.clear();
            for &c in &removed {
                previous.push((c, self.unassign(c)));
            }
            // Recreate in a random order, or hardest first.
            if seed_first {
                self.rng.shuffle(&mut removed[1..]);
            } else if self.rng.bool() {
                self.rng.shuffle(&mut removed);
            } else {
                removed.sort_by_key(|&c| (self.tables.cases[c].slots.len(), c));
            }
            let blink = if self.rng.f64() < BLINKING_RECREATE { BLINK } else { 0.0 };
            if self.rng.f64() < REGRET_RECREATE {
                pending.clear();
                pending.extend_from_slice(&removed);
                self.recreate_by_regret(&mut pending, blink);
            } else {
                for &c in &removed {
                    let favourites = &self.tables.cases[c].favourites;
                    if blink > 0.0 && !favourites.is_empty() && self.rng.bool() {
                        let r = self.rng.usize(0..favourites.len());
                        let r = r.min(self.rng.usize(0..favourites.len()));
                        self.banned = Some(favourites[r] as usize);
                    }
                    let insertion = self.best_insertion(c, blink, false);
                    self.banned = None;
                    if let Some(a) = insertion {
                        self.apply(c, a);
                    }
                }
            }
            let delta = self.value - before;
            let accept = delta >= 0 || (delta > -CASE_VALUE / 2 && self.rng.f64() < (delta as f64 / temperature).exp());
            if accept {
                if self.value > self.best_value {
                    self.save_best();
                    self.stats.improvements += 1;
                    since_best = 0;
                } else {
                    since_best += 1;
                }
            } else {
                for &c in &removed {
                    self.unassign(c);
                }
                for &(c, a) in &previous {
                    if let Some(a) = a {
                        self.apply(c, a);
                    }
                }
                since_best += 1;
            }
        }
        self.stats.proven_optimal = self.best_value >= bound;
    }

    /// Every feasible assignment of `case` in the current plan, best first: each slot with a
    /// free room, each pair of free facilitators there with at least one lead.
    fn options(&self, case: usize) -> Vec<Assignment> {
        let tables = self.tables;
        let table = &tables.cases[case];
        let mut found = Vec::new();
        for (si, slot) in table.slots.iter().enumerate() {
            if !self.room_free(table.venue, slot) {
                continue;
            }
            let free: Vec<usize> = tables.eligible[slot.eligible_from as usize..slot.eligible_to as usize]
                .iter()
                .map(|&f| f as usize)
                .filter(|&f| self.facilitator_free(f, slot))
                .collect();
            for (i, &a) in free.iter().enumerate() {
                for &b in &free[i + 1..] {
                    let (lead, second) = match (tables.lead[a], tables.lead[b]) {
                        (true, _) => (a, b),
                        (false, true) => (b, a),
                        (false, false) => continue,
                    };
                    let score = slot.base + table.weight[a] + table.weight[b];
                    found.push(Assignment { slot: si as u32, lead: lead as u32, second: second as u32, score });
                }
            }
        }
        found.sort_by(|x, y| y.score.cmp(&x.score).then((x.slot, x.lead, x.second).cmp(&(y.slot, y.lead, y.second))));
        found
    }

    /// An exhaustive search over the tables, for a proof: depth first over the bookable cases
    /// (fewest slots first), each case's options best first and then leaving it unbooked,
    /// pruned by the best the remaining cases could add alone. Keeps any better plan it finds.
    /// True when it finished within `work` options weighed and before `deadline`: the best
    /// plan is then optimal.
    fn prove(&mut self, work: u64, deadline: Instant) -> bool {
        let tables = self.tables;
        let mut order: Vec<usize> = (0..tables.cases.len()).filter(|&c| tables.cases[c].best_alone.is_some()).collect();
        if order.len() > PROOF_CASES {
            return false;
        }
        order.sort_by_key(|&c| (tables.cases[c].slots.len(), c));
        let mut rest = vec![0i64; order.len() + 1];
        for i in (0..order.len()).rev() {
            rest[i] = rest[i + 1] + CASE_VALUE + tables.cases[order[i]].best_alone.unwrap_or(0);
        }
        for c in 0..self.assigned.len() {
            self.unassign(c);
        }
        let mut budget = Budget { work, deadline, spent: 0, nodes: 0 };
        let finished = self.branch(&order, &rest, 0, &mut budget);
        self.restore_best();
        finished
    }

    fn branch(&mut self, order: &[usize], rest: &[i64], depth: usize, budget: &mut Budget) -> bool {
        budget.nodes += 1;
        if budget.spent > budget.work || (budget.nodes.is_multiple_of(256) && Instant::now() >= budget.deadline) {
            return false;
        }
        if self.value + rest[depth] <= self.best_value {
            return true; // nothing below can do better
        }
        // Tighter: each case still to place at its best in the plan so far (later bookings
        // can only take options away).
        let mut reachable = self.value;
        for &c in &order[depth..] {
            if let Some(a) = self.best_insertion(c, 0.0, false) {
                reachable += CASE_VALUE + a.score;
            }
        }
        if reachable <= self.best_value {
            return true;
        }
        let Some(&case) = order.get(depth) else {
            self.save_best();
            return true;
        };
        let options = self.options(case);
        budget.spent += options.len() as u64 + 1;
        for a in options {
            self.apply(case, a);
            let finished = self.branch(order, rest, depth + 1, budget);
            self.unassign(case);
            if !finished {
                return false;
            }
        }
        self.branch(order, rest, depth + 1, budget)
    }

    pub(crate) fn build_plan(&mut self, problem: &Problem) -> Plan {
        let mut bookings = Vec::new();
        let mut unbooked_cases = Vec::new();
        for (c, a) in self.assigned.clone().into_iter().enumerate() {
            let case = &problem.cases[c];
            match a {
                Some(a) => {
                    let entry = self.tables.cases[c].slots[a.slot as usize];
                    let slot = &case.slots[entry.model_slot as usize];
                    bookings.push((
                        slot.start,
                        Booking {
                            case: case.id.clone(),
                            start: format_local(slot.start_local),
                            end: format_local(slot.end_local),
                            facilitators: [
                                problem.facilitators[a.lead as usize].id.clone(),
                                problem.facilitators[a.second as usize].id.clone(),
                            ],
                        },
                    ));
                }
                None => unbooked_cases.push(c),
            }
        }
        bookings.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.case.cmp(&b.1.case)));
        let bookings: Vec<Booking> = bookings.into_iter().map(|(_, b)| b).collect();
        let unbooked = unbooked_cases
            .into_iter()
            .map(|c| Unbooked { case: problem.cases[c].id.clone(), reason: self.unbooked_reason(problem, c) })
            .collect();
        let objective = score::objective(problem, &bookings);
        Plan { bookings, unbooked, objective }
    }

    /// The most specific reason we can give a coordinator for an unbooked case.
    fn unbooked_reason(&mut self, problem: &Problem, c: usize) -> String {
        let case = &problem.cases[c];
        let venue = &problem.venues[case.venue];
        let (first, last) = problem.date_range(case);
        if case.slots.is_empty() {
            let census = case.census;
            return if census.dates_in_range == 0 {
                format!(
                    "no date from {} to {} lies within the horizon {} to {}",
                    case.earliest, case.deadline, problem.horizon_start, problem.horizon_end
                )
            } else if venue.rooms == 0 {
                format!("venue {} has no rooms", venue.id)
            } else if census.window_slots == 0 {
                format!(
                    "venue {} closed or without a window long enough for {} minutes from {first} to {last}",
                    venue.id, case.duration_minutes
                )
            } else {
                "every feasible slot conflicts with harmer's appointments".to_string()
            };
        }
        if self.tables.cases[c].slots.is_empty() {
            let vetted = if venue.requires_vetting { format!(" vetted at {}", venue.id) } else { String::new() };
            // Is any lead free alone at some slot?
            let lead_somewhere = (0..problem.facilitators.len()).any(|f| {
                problem.facilitators[f].lead
                    && rules::statically_eligible(problem, f, c)
                    && case.slots.iter().any(|s| rules::free_for_slot(problem, &problem.facilitators[f], s))
            });
            return if lead_somewhere {
                format!("no second facilitator{vetted} is free alongside a lead at any slot from {first} to {last}")
            } else {
                format!("no lead facilitator{vetted} is available from {first} to {last}")
            };
        }
        if self.best_insertion(c, 0.0, true).is_some() {
            format!("feasible slots exist but {}'s rooms are taken by other cases at all of them", venue.id)
        } else {
            "feasible slots exist but the facilitators are needed by other cases".to_string()
        }
    }
}

/// The planner's own view of a problem as plain data, for checking it against an external
/// solver (`.ci/planner-gap`): per case its venue and its slots (start and end in minutes,
/// month index, base score, and the facilitators free there with their score part); per
/// facilitator whether they lead and their room per month; rooms per venue; the travel
/// buffer. The rules between bookings are then: a facilitator's bookings at least `buffer`
/// apart and within their room each month, and no more conferences at once at a venue
/// than its rooms.
pub fn tables_json(problem: &Problem) -> serde_json::Value {
    let tables = Tables::build(problem);
    let cases: Vec<serde_json::Value> = tables
        .cases
        .iter()
        .enumerate()
        .map(|(c, table)| {
            let slots: Vec<serde_json::Value> = table
                .slots
                .iter()
                .map(|s| {
                    let eligible: Vec<[i64; 2]> = tables.eligible[s.eligible_from as usize..s.eligible_to as usize]
                        .iter()
                        .map(|&f| [i64::from(f), table.weight[f as usize]])
                        .collect();
                    serde_json::json!({"start": s.start, "end": s.end, "month": s.month, "base": s.base, "eligible": eligible})
                })
                .collect();
            serde_json::json!({"id": problem.cases[c].id, "venue": table.venue, "slots": slots})
        })
        .collect();
    serde_json::json!({
        "cases": cases,
        "lead": tables.lead,
        "months": tables.months,
        "month_room": tables.month_room,
        "rooms": tables.rooms,
        "buffer": tables.buffer,
    })
}
