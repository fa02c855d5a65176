//! Writes a generated instance's planner tables and the planner's result as JSON, for
//! `.ci/planner-gap`: `cargo run --release -p convene-matcher --example export -- F C W V SEED BUDGET_S`.

use std::time::{Duration, Instant};

use convene_matcher::matcher::plan::{objective_bound, tables_json, upper_bound};
use convene_matcher::matcher::{GenParams, PlanOptions, Problem, generate, plan_with_stats};

fn main() {
    let a: Vec<u64> = std::env::args().skip(1).map(|s| s.parse().expect("a number")).collect();
    let [facilitators, cases, weeks, venues, seed, budget] = a[..] else {
        panic!("usage: export FACILITATORS CASES WEEKS VENUES SEED BUDGET_S");
    };
    let params = GenParams {
        facilitators: facilitators as usize,
        cases: cases as usize,
        weeks: weeks as u32,
        venues: venues as usize,
        seed,
    };
    let problem = Problem::compile(&generate(&params)).expect("a generated instance compiles");
    let started = Instant::now();
    let (plan, stats) = plan_with_stats(&problem, &PlanOptions { time_budget: Duration::from_secs(budget), seed: 0 });
    let seconds = started.elapsed().as_secs_f64();
    let report = serde_json::json!({
        "tables": tables_json(&problem),
        "plan": {"booked": plan.bookings.len(), "objective": plan.objective, "seconds": seconds,
                 "proven_optimal": stats.proven_optimal, "restarts": stats.restarts},
        "bookable": upper_bound(&problem).0,
        "lagrangian_bound": objective_bound(&problem, plan.objective, 400),
    });
    println!("{report}");
}
