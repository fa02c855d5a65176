//! Benchmark-sized generated instances: the plan is feasible, candidate search agrees with the
//! planner's tables, and the generator is deterministic.

use std::time::Duration;

use convene_matcher::matcher::plan as planner;
use convene_matcher::matcher::{
    Booking, GenParams, Plan, PlanOptions, Problem, Unbooked, candidates, generate, objective, plan, verify,
};

fn params(seed: u64) -> GenParams {
    GenParams { facilitators: 300, cases: 200, weeks: 8, venues: 6, seed }
}

#[test]
fn generator_is_deterministic_and_round_trips_through_json() {
    let a = generate(&params(3));
    let b = generate(&params(3));
    assert_eq!(a, b);
    assert_ne!(a, generate(&params(4)));
    let text = a.to_json();
    let back = convene_matcher::matcher::Instance::from_json(&text).expect("round trip");
    assert_eq!(a, back);
}

#[test]
fn large_plan_is_feasible_and_beats_greedy() {
    let problem = Problem::compile(&generate(&params(1))).expect("compiles");
    let (result, stats) =
        planner::plan_with_stats(&problem, &PlanOptions { time_budget: Duration::from_millis(1500), seed: 1 });
    assert_eq!(verify(&problem, &result), vec![]);
    assert_eq!(result.bookings.len() + result.unbooked.len(), 200);
    assert!(result.bookings.len() >= stats.greedy_booked);
    assert!(result.objective > stats.greedy_objective, "{stats:?}");
    let (bookable, bound) = planner::upper_bound(&problem);
    assert!(result.bookings.len() <= bookable && result.objective <= bound);
    for u in &result.unbooked {
        assert!(!u.reason.is_empty());
    }
}

/// Every case's best candidate is feasible on its own, and the best candidates' scores add
/// up to the planner's independent upper bound (two code paths, one answer).
#[test]
fn candidates_are_feasible_and_agree_with_the_planner_tables() {
    let problem = Problem::compile(&generate(&params(2))).expect("compiles");
    let mut sum = 0;
    let mut bookable = 0;
    for case in &problem.cases {
        let found = candidates(&problem, &case.id, 3).expect("known case");
        for pair in found.candidates.windows(2) {
            assert!(pair[0].score >= pair[1].score);
        }
        if let Some(top) = found.candidates.first() {
            bookable += 1;
            sum += top.score;
            let bookings = vec![Booking {
                case: case.id.clone(),
                start: top.start.clone(),
                end: top.end.clone(),
                facilitators: [top.lead.clone(), top.second.clone()],
            }];
            let single = Plan {
                objective: objective(&problem, &bookings),
                bookings,
                unbooked: problem
                    .cases
                    .iter()
                    .filter(|c| c.id != case.id)
                    .map(|c| Unbooked { case: c.id.clone(), reason: String::new() })
                    .collect(),
            };
            assert_eq!(verify(&problem, &single), vec![], "case {}", case.id);
            assert_eq!(single.objective, top.score);
        }
        // Nobody is both usable and ruled out.
        for r in &found.ruled_out {
            assert!(found.candidates.iter().all(|c| c.lead != r.facilitator && c.second != r.facilitator));
        }
    }
    assert_eq!(planner::upper_bound(&problem), (bookable, sum));
    // And a short plan of this instance is feasible too.
    let result = plan(&problem, &PlanOptions { time_budget: Duration::from_millis(500), seed: 2 });
    assert_eq!(verify(&problem, &result), vec![]);
}

/// The best `k` candidates do not depend on how many were asked for.
#[test]
fn candidate_ranking_is_a_stable_prefix() {
    let problem = Problem::compile(&generate(&params(5))).expect("compiles");
    for case in problem.cases.iter().take(40) {
        let many = candidates(&problem, &case.id, 40).expect("known case");
        let few = candidates(&problem, &case.id, 4).expect("known case");
        let prefix: Vec<_> = many.candidates.iter().take(4).cloned().collect();
        assert_eq!(few.candidates, prefix, "case {}", case.id);
        assert_eq!(few.ruled_out, many.ruled_out);
        assert!(candidates(&problem, &case.id, 0).expect("known case").candidates.is_empty());
    }
}

/// Other zones (a US clock change on 2027-03-14, Lord Howe's 30-minute change on 2027-04-04),
/// other grids and buffers: the planner stays feasible and optimal on tiny instances.
#[test]
fn other_time_zones_grids_and_buffers_stay_feasible_and_optimal() {
    let zones = ["Europe/London", "America/New_York", "Australia/Lord_Howe"];
    let grids = [5, 15, 20, 60];
    let buffers = [0, 30, 60];
    let mut checked = 0;
    let mut booked = 0;
    for seed in 0..90u64 {
        let mut instance = generate(&GenParams {
            facilitators: 9 + (seed % 3) as usize,
            cases: 2 + (seed % 3) as usize,
            weeks: 6,
            venues: 1 + (seed % 2) as usize,
            seed: 500 + seed,
        });
        instance.timezone = zones[(seed % 3) as usize].to_string();
        instance.granularity_minutes = grids[(seed % 4) as usize];
        instance.travel_buffer_minutes = buffers[(seed % 3) as usize];
        // Keep the exact solver quick: only the weeks around the clock changes.
        instance.horizon.start = "2027-03-08".to_string();
        instance.horizon.end = "2027-03-17".to_string();
        if seed % 2 == 1 {
            instance.horizon.start = "2027-03-29".to_string();
            instance.horizon.end = "2027-04-06".to_string();
        }
        let Ok(problem) = Problem::compile(&instance) else {
            continue; // a generated time fell into this zone's gap
        };
        let result = plan(&problem, &PlanOptions { time_budget: Duration::from_millis(500), seed });
        assert_eq!(verify(&problem, &result), vec![], "seed {seed}");
        let best = convene_matcher::matcher::exact::solve(&problem);
        assert_eq!(verify(&problem, &best), vec![], "seed {seed} (exact)");
        assert_eq!((result.bookings.len(), result.objective), (best.bookings.len(), best.objective), "seed {seed}");
        checked += 1;
        booked += best.bookings.len();
    }
    println!("{checked} instances, {booked} bookings");
    assert!(checked > 60, "only {checked} instances compiled");
    assert!(booked > 80, "only {booked} bookings: instances too hard to test much");
}

/// The Lagrangian bound is a bound: never below the exact optimum, never above the sum of
/// each case's best alone; and where competition binds it is tighter than that sum.
#[test]
fn the_lagrangian_bound_lies_between_the_optimum_and_the_best_alone() {
    let mut tighter = 0;
    for seed in 0..40u64 {
        let mut instance = generate(&GenParams {
            facilitators: 6 + (seed % 4) as usize,
            cases: 3 + (seed % 3) as usize,
            weeks: 4,
            venues: 1,
            seed: 900 + seed,
        });
        instance.horizon.end = "2027-03-12".to_string();
        let Ok(problem) = Problem::compile(&instance) else { continue };
        let best = convene_matcher::matcher::exact::solve(&problem);
        let (_, alone) = planner::upper_bound(&problem);
        let bound = planner::objective_bound(&problem, best.objective, 300);
        assert!(best.objective <= bound, "seed {seed}: optimum {} above the bound {bound}", best.objective);
        assert!(bound <= alone, "seed {seed}: {bound} above the best alone {alone}");
        tighter += usize::from(bound < alone);
    }
    assert!(tighter > 0, "no instance where monthly maxima bind: the test checks nothing");
}

/// A plan's bookings resolved to indices and instants.
fn placed(problem: &Problem, bookings: &[Booking]) -> Vec<convene_matcher::matcher::Placed> {
    use convene_matcher::matcher::model::{local_to_instant, parse_local_datetime};
    bookings
        .iter()
        .map(|b| convene_matcher::matcher::Placed {
            case: problem.case_index(&b.case).expect("a known case"),
            start: local_to_instant(problem.tz, parse_local_datetime("start", &b.start).expect("a start"))
                .expect("an existing time"),
            facilitators: b.facilitators.clone().map(|f| problem.facilitator_by_id[&f]),
        })
        .collect()
}

#[test]
fn the_typed_check_agrees_with_verify_on_a_plan_and_on_every_broken_copy() {
    use convene_matcher::matcher::check_placed;
    let problem = Problem::compile(&generate(&params(5))).expect("compiles");
    let result = plan(&problem, &PlanOptions { time_budget: Duration::from_millis(300), seed: 5 });
    assert!(result.bookings.len() > 20, "enough bookings to break");
    assert_eq!(check_placed(&problem, &placed(&problem, &result.bookings)), vec![]);

    // Each booking in turn moved onto the next one's time and pair: the same rules broken,
    // the same words, whichever entry point reads it.
    for i in 0..20 {
        let mut broken = result.bookings.clone();
        let next = broken[i + 1].clone();
        broken[i].facilitators = next.facilitators.clone();
        let case = &problem.cases[problem.case_index(&broken[i].case).unwrap()];
        let start = placed(&problem, std::slice::from_ref(&next))[0].start;
        broken[i].start = next.start.clone();
        broken[i].end = convene_matcher::matcher::model::format_local(problem.slot_at(case, start).end_local);
        let typed = check_placed(&problem, &placed(&problem, &broken));
        assert!(!typed.is_empty(), "booking {i} on booking {}'s time and pair", i + 1);
        let objective = objective(&problem, &broken);
        let checked = verify(&problem, &Plan { objective, bookings: broken, unbooked: result.unbooked.clone() });
        assert_eq!(typed, checked, "booking {i}");
    }
}
