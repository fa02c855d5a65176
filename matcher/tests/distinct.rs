//! Distinct candidates: a few slots per pair on different days, every pair's best slot before
//! any pair's second, each option feasible on its own.

use std::collections::{HashMap, HashSet};

use convene_matcher::matcher::{
    Booking, GenParams, Plan, Problem, Unbooked, candidates, distinct_candidates, generate, objective, verify,
};

fn small_problem(seed: u64) -> Problem {
    Problem::compile(&generate(&GenParams { facilitators: 12, cases: 20, weeks: 6, venues: 2, seed }))
        .expect("compiles")
}

fn feasible_alone(problem: &Problem, case: &str, c: &convene_matcher::matcher::Candidate) -> bool {
    let bookings = vec![Booking {
        case: case.to_owned(),
        start: c.start.clone(),
        end: c.end.clone(),
        facilitators: [c.lead.clone(), c.second.clone()],
    }];
    let plan = Plan {
        objective: objective(problem, &bookings),
        bookings,
        unbooked: problem
            .cases
            .iter()
            .filter(|other| other.id != case)
            .map(|other| Unbooked { case: other.id.clone(), reason: String::new() })
            .collect(),
    };
    verify(problem, &plan).is_empty() && plan.objective == c.score
}

#[test]
fn every_pair_is_offered_before_any_pair_twice_and_never_twice_on_one_day() {
    let mut checked = 0;
    for seed in 0..6 {
        let problem = small_problem(seed);
        for case in &problem.cases {
            // Every feasible pair, each with its best score, from the plain ranked search.
            let all = candidates(&problem, &case.id, 100_000).expect("known case");
            let mut best: HashMap<(String, String), i64> = HashMap::new();
            for c in &all.candidates {
                let score = best.entry((c.lead.clone(), c.second.clone())).or_insert(c.score);
                *score = (*score).max(c.score);
            }
            let limit = 20;
            let found = distinct_candidates(&problem, &case.id, limit, 3).expect("known case");
            assert_eq!(found.ruled_out, all.ruled_out, "the same volunteers are ruled out");
            let mut days: HashSet<(String, String, String)> = HashSet::new();
            let mut per_pair: HashMap<(String, String), usize> = HashMap::new();
            let mut first_round_over = false;
            for c in &found.candidates {
                assert!(feasible_alone(&problem, &case.id, c), "case {} option {c:?}", case.id);
                let pair = (c.lead.clone(), c.second.clone());
                let day = c.start[..10].to_owned();
                assert!(days.insert((pair.0.clone(), pair.1.clone(), day)), "a pair twice on one day");
                let count = per_pair.entry(pair.clone()).or_default();
                *count += 1;
                assert!(*count <= 3, "at most three options per pair");
                if *count == 1 {
                    assert!(!first_round_over, "a new pair after a repeated one");
                    assert_eq!(c.score, best[&pair], "a pair's first option is its best slot");
                } else {
                    first_round_over = true;
                }
            }
            // As many different pairs as the list can hold.
            assert_eq!(per_pair.len(), best.len().min(limit), "case {}", case.id);
            // The pairs offered are the best ones.
            let mut scores: Vec<i64> = best.values().copied().collect();
            scores.sort_unstable_by(|a, b| b.cmp(a));
            let offered_min = per_pair.keys().map(|p| best[p]).min();
            if let Some(min) = offered_min {
                assert!(scores.iter().take(per_pair.len()).all(|&s| s >= min));
            }
            checked += usize::from(!found.candidates.is_empty());
        }
    }
    assert!(checked > 20, "enough cases had candidates to mean something ({checked})");
}
