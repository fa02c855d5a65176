//! Candidate search for ONE case: every feasible (slot, lead, second) given the facilitators'
//! existing bookings only, ranked by score, and for every facilitator who can take no slot of
//! the case, the first hard rule that ruled them out where they came closest.

use std::collections::BinaryHeap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::instance::InstanceError;
use super::model::{Problem, Slot, format_local};
use super::rules::{self, NewLoad, RuledOutBy};
use super::score::{self, ScoreBreakdown};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// Local wall-clock `YYYY-MM-DDTHH:MM`.
    pub start: String,
    pub end: String,
    /// A `lead` facilitator (when both are leads, the better-scoring one).
    pub lead: String,
    pub second: String,
    pub score: i64,
    pub breakdown: ScoreBreakdown,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuledOut {
    pub facilitator: String,
    pub reason: String,
    /// The same rule as data, so a caller can put it in its own words (names, not ids).
    #[serde(skip)]
    pub rule: Option<RuledOutBy>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseCandidates {
    pub candidates: Vec<Candidate>,
    pub ruled_out: Vec<RuledOut>,
}

/// A facilitator with their per-case score, in the order candidates are preferred.
#[derive(Clone, Copy)]
struct Ranked {
    facilitator: usize,
    weight: i64,
    lead: bool,
}

/// Facilitators passing the slot-independent rules for a case, best per-case score first.
fn ranked_eligible(problem: &Problem, case_index: usize) -> Vec<Ranked> {
    let mut eligible: Vec<Ranked> = (0..problem.facilitators.len())
        .filter(|&f| rules::statically_eligible(problem, f, case_index))
        .map(|f| Ranked {
            facilitator: f,
            weight: score::facilitator_score(problem, case_index, f),
            lead: problem.facilitators[f].lead,
        })
        .collect();
    eligible.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.facilitator.cmp(&b.facilitator)));
    eligible
}

/// Walks the case's slots in start order and calls `visit(slot_index, slot, free)` at every
/// slot where some valid pair is free, `free` being ranks into `eligible` (best first).
/// Everyone free at such a slot is marked `usable`.
fn scan_free_slots(
    problem: &Problem,
    case_index: usize,
    eligible: &[Ranked],
    usable: &mut [bool],
    mut visit: impl FnMut(usize, &Slot, &[usize]),
) {
    let case = &problem.cases[case_index];
    let mut day_list: Vec<usize> = Vec::with_capacity(eligible.len());
    let mut free: Vec<usize> = Vec::with_capacity(eligible.len());
    let mut current_date: Option<NaiveDate> = None;
    for (slot_index, slot) in case.slots.iter().enumerate() {
        if current_date != Some(slot.date) {
            current_date = Some(slot.date);
            let weekday = chrono::Datelike::weekday(&slot.date).num_days_from_monday() as usize;
            day_list.clear();
            day_list.extend((0..eligible.len()).filter(|&r| {
                let f = &problem.facilitators[eligible[r].facilitator];
                rules::checks_valid_on(f, slot.date)
                    && rules::under_monthly_cap(f, slot.month(), 0)
                    && !f.availability[weekday].is_empty()
            }));
        }
        free.clear();
        let conference = slot.interval();
        free.extend(day_list.iter().copied().filter(|&r| {
            let f = &problem.facilitators[eligible[r].facilitator];
            rules::available_by_pattern(f, slot)
                && rules::unavailable_clash(f, conference).is_none()
                && rules::booked_clash(f, conference, problem.travel_buffer_minutes).is_none()
        }));
        let leads = free.iter().filter(|&&r| eligible[r].lead).count();
        if leads == 0 || free.len() < 2 {
            continue;
        }
        // With a lead and at least two free, everyone free here is in some valid pair.
        for &r in &free {
            usable[eligible[r].facilitator] = true;
        }
        visit(slot_index, slot, &free);
    }
}

/// The score of the best pair free at a slot (the best lead with the best other), if any.
fn best_pair_score(eligible: &[Ranked], free: &[usize], base: i64) -> Option<i64> {
    let best_lead = free.iter().copied().find(|&r| eligible[r].lead)?;
    let best_other = free.iter().copied().find(|&r| r != best_lead)?;
    Some(base + eligible[best_lead].weight + eligible[best_other].weight)
}

/// The valid pairs among the best `leads` leads and best `others` free facilitators, as
/// (score, lead rank, second rank), best first, each pair once. When both are leads, the
/// better-ranked one is named lead.
fn top_pairs(eligible: &[Ranked], free: &[usize], base: i64, leads: usize, others: usize) -> Vec<(i64, usize, usize)> {
    let top_leads: Vec<usize> = free.iter().copied().filter(|&r| eligible[r].lead).take(leads).collect();
    let top_any: Vec<usize> = free.iter().copied().take(others).collect();
    let mut pairs: Vec<(i64, usize, usize)> = Vec::new();
    for &l in &top_leads {
        for &o in top_any.iter().chain(top_leads.iter()) {
            if o == l {
                continue;
            }
            let (lead, second) = if eligible[o].lead && o < l { (o, l) } else { (l, o) };
            pairs.push((base + eligible[lead].weight + eligible[second].weight, lead, second));
        }
    }
    pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    pairs.dedup();
    pairs
}

/// The kept (score, slot, lead rank, second rank) as candidates, in the order given.
fn to_candidates(
    problem: &Problem,
    case_index: usize,
    eligible: &[Ranked],
    found: impl IntoIterator<Item = (i64, usize, usize, usize)>,
) -> Vec<Candidate> {
    let case = &problem.cases[case_index];
    found
        .into_iter()
        .map(|(total, slot_index, l, o)| {
            let slot = &case.slots[slot_index];
            let lead = eligible[l].facilitator;
            let second = eligible[o].facilitator;
            Candidate {
                start: format_local(slot.start_local),
                end: format_local(slot.end_local),
                lead: problem.facilitators[lead].id.clone(),
                second: problem.facilitators[second].id.clone(),
                score: total,
                breakdown: score::breakdown(problem, case_index, slot.date, [lead, second]),
            }
        })
        .collect()
}

/// Everyone never free in a valid pair, with the rule that came closest to letting them in.
fn ruled_out_list(problem: &Problem, case_index: usize, usable: &[bool]) -> Vec<RuledOut> {
    let case = &problem.cases[case_index];
    (0..problem.facilitators.len())
        .filter(|&f| !usable[f])
        .map(|f| {
            let rule = closest_failure(problem, f, case_index, &case.slots);
            RuledOut { facilitator: problem.facilitators[f].id.clone(), reason: rule.to_string(), rule: Some(rule) }
        })
        .collect()
}

/// Searches the case's slots for the best `limit` candidates (score descending; ties: earlier
/// start, then the better-ranked lead and second) and explains who is ruled out.
pub fn candidates(problem: &Problem, case_id: &str, limit: usize) -> Result<CaseCandidates, InstanceError> {
    let case_index = problem.case_index(case_id).ok_or_else(|| InstanceError::UnknownCase(case_id.to_string()))?;
    let eligible = ranked_eligible(problem, case_index);
    let mut usable = vec![false; problem.facilitators.len()];
    // The best `limit` (score, slot, lead rank, second rank) so far, worst on top.
    let mut kept: BinaryHeap<(i64, usize, usize, usize)> = BinaryHeap::new();
    scan_free_slots(problem, case_index, &eligible, &mut usable, |slot_index, slot, free| {
        let base = score::slot_score(problem, case_index, slot.date);
        // If even the best pair here cannot displace the worst of the `limit` kept so far
        // (ties lose: this slot starts later), nothing at this slot can.
        let Some(slot_best) = best_pair_score(&eligible, free, base) else {
            return;
        };
        if limit == 0 || (kept.len() == limit && kept.peek().is_some_and(|w| slot_best <= -w.0)) {
            return;
        }
        let pairs = top_pairs(&eligible, free, base, limit.saturating_add(1), limit.saturating_add(2));
        for (score, lead, second) in pairs.into_iter().take(limit) {
            // Keyed so that the heap's top is the worst kept candidate.
            let key = (-score, slot_index, lead, second);
            if kept.len() < limit {
                kept.push(key);
            } else if kept.peek().is_some_and(|worst| key < *worst) {
                kept.pop();
                kept.push(key);
            } else {
                break; // pairs are best first
            }
        }
    });
    // Best first: highest score, then earlier start (slots are in start order), then ranks.
    let found = kept.into_sorted_vec().into_iter().map(|(neg, slot, lead, second)| (-neg, slot, lead, second));
    Ok(CaseCandidates {
        candidates: to_candidates(problem, case_index, &eligible, found),
        ruled_out: ruled_out_list(problem, case_index, &usable),
    })
}

/// Distinct options for a coordinator to choose from: at most `per_pair` slots for any one
/// pair, each on a different day. Every pair's best slot comes first (best pairs first), then
/// every pair's best slot on another day, and so on, `limit` in all — so the list shows as
/// many different pairs as it can before it shows one pair twice. Ruled-out volunteers as in
/// [`candidates`].
pub fn distinct_candidates(
    problem: &Problem,
    case_id: &str,
    limit: usize,
    per_pair: usize,
) -> Result<CaseCandidates, InstanceError> {
    let case_index = problem.case_index(case_id).ok_or_else(|| InstanceError::UnknownCase(case_id.to_string()))?;
    let eligible = ranked_eligible(problem, case_index);
    let mut usable = vec![false; problem.facilitators.len()];
    // (round, -score, slot, lead rank, second rank), worst on top; round is how many slots of
    // the same pair were taken before this one.
    let mut kept: BinaryHeap<(usize, i64, usize, usize, usize)> = BinaryHeap::new();
    // Per pair: slots taken and the date of the last one.
    let mut taken: std::collections::HashMap<(usize, usize), (usize, NaiveDate)> = std::collections::HashMap::new();
    let mut is_free = vec![false; eligible.len()];
    scan_free_slots(problem, case_index, &eligible, &mut usable, |slot_index, slot, free| {
        if limit == 0 || per_pair == 0 {
            return;
        }
        let base = score::slot_score(problem, case_index, slot.date);
        let Some(slot_best) = best_pair_score(&eligible, free, base) else {
            return;
        };
        // Once every kept option is some pair's first, only a better first can enter.
        if kept.len() == limit && kept.peek().is_some_and(|w| w.0 == 0 && slot_best <= -w.1) {
            return;
        }
        // The best new pairs lie among the best (limit + pairs seen) of each list; pairs
        // already taken elsewhere are looked at directly.
        let widen = limit.saturating_add(taken.len());
        let mut pairs = top_pairs(&eligible, free, base, widen.saturating_add(1), widen.saturating_add(2));
        for &r in free {
            is_free[r] = true;
        }
        pairs.extend(
            taken
                .keys()
                .filter(|&&(l, o)| is_free[l] && is_free[o])
                .map(|&(l, o)| (base + eligible[l].weight + eligible[o].weight, l, o)),
        );
        for &r in free {
            is_free[r] = false;
        }
        let mut keyed: Vec<(usize, i64, usize, usize, usize)> = pairs
            .into_iter()
            .filter_map(|(score, lead, second)| match taken.get(&(lead, second)) {
                Some(&(count, date)) if count >= per_pair || date == slot.date => None,
                Some(&(count, _)) => Some((count, -score, slot_index, lead, second)),
                None => Some((0, -score, slot_index, lead, second)),
            })
            .collect();
        keyed.sort();
        keyed.dedup();
        for key in keyed {
            if kept.len() < limit {
                kept.push(key);
            } else if kept.peek().is_some_and(|worst| key < *worst) {
                kept.pop();
                kept.push(key);
            } else {
                break; // keys are best first
            }
            let entry = taken.entry((key.3, key.4)).or_insert((0, slot.date));
            *entry = (entry.0 + 1, slot.date);
        }
    });
    let found = kept.into_sorted_vec().into_iter().map(|(_, neg, slot, lead, second)| (-neg, slot, lead, second));
    Ok(CaseCandidates {
        candidates: to_candidates(problem, case_index, &eligible, found),
        ruled_out: ruled_out_list(problem, case_index, &usable),
    })
}

/// Rules up to this rank (conflict, checks, vetting, monthly maximum) hold for a whole date.
const MONTHLY_MAXIMUM_RANK: u8 = 4;

/// The first failing rule at the slot where the facilitator got furthest down the rule order
/// (earliest such slot on ties). Facilitators who pass every individual rule somewhere were
/// ruled out for want of a partner.
pub fn closest_failure(problem: &Problem, facilitator: usize, case_index: usize, slots: &[Slot]) -> RuledOutBy {
    let f = &problem.facilitators[facilitator];
    let case = &problem.cases[case_index];
    if rules::has_conflict(f, case_index) {
        return RuledOutBy::Conflict;
    }
    if f.checks_valid_until.is_none() {
        return RuledOutBy::NoChecks;
    }
    let Some(first_slot) = slots.first() else {
        if !rules::vetted_for(f, case.venue, &problem.venues[case.venue]) {
            return RuledOutBy::NotVetted { venue: problem.venues[case.venue].id.clone() };
        }
        return RuledOutBy::NoSlot;
    };
    // Vetting does not depend on the slot: below it in the order only checks can fail, and
    // they are most favourable on the earliest date.
    if !rules::vetted_for(f, case.venue, &problem.venues[case.venue]) {
        return match f.checks_valid_until {
            Some(until) if until < first_slot.date => {
                RuledOutBy::ChecksExpired { valid_until: until, date: first_slot.date }
            }
            _ => RuledOutBy::NotVetted { venue: problem.venues[case.venue].id.clone() },
        };
    }
    let mut best: Option<RuledOutBy> = None;
    let mut current_date: Option<NaiveDate> = None;
    let mut skip_date = false;
    for slot in slots {
        if current_date != Some(slot.date) {
            current_date = Some(slot.date);
            // Date-level rules fail alike for every slot of the date: ask them once.
            skip_date = false;
            let at_date = rules::first_failure(problem, facilitator, case_index, slot, NewLoad::default());
            if let Some(failure) = &at_date
                && failure.rank() <= MONTHLY_MAXIMUM_RANK
            {
                skip_date = true;
                if best.as_ref().is_none_or(|b| failure.rank() > b.rank()) {
                    best = at_date;
                }
                continue;
            }
        } else if skip_date {
            continue;
        }
        match rules::first_failure(problem, facilitator, case_index, slot, NewLoad::default()) {
            None => {
                return RuledOutBy::NoPartner { start: slot.start_local };
            }
            Some(failure) => {
                if best.as_ref().is_none_or(|b| failure.rank() > b.rank()) {
                    best = Some(failure);
                }
            }
        }
    }
    best.unwrap_or(RuledOutBy::NotAvailableByPattern { start: first_slot.start_local, end: first_slot.end_local })
}
