//! The two shared examples reach their stated optima, and the exact solver agrees.

use std::time::Duration;

use convene_matcher::matcher::plan as planner;
use convene_matcher::matcher::{GenParams, Instance, PlanOptions, Problem, exact, generate, objective, plan, verify};

fn load(name: &str) -> Problem {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(path).expect("fixture present");
    let instance = Instance::from_json(&text).expect("fixture parses");
    Problem::compile(&instance).expect("fixture compiles")
}

fn options() -> PlanOptions {
    PlanOptions { time_budget: Duration::from_secs(2), seed: 7 }
}

#[test]
fn example_tiny_reaches_its_optimum() {
    let problem = load("example-tiny.json");
    let result = plan(&problem, &options());
    assert_eq!(verify(&problem, &result), vec![]);
    assert_eq!(result.bookings.len(), 3);
    assert_eq!(result.objective, 2897);
    assert_eq!(objective(&problem, &result.bookings), 2897);
    assert_eq!(result.unbooked.len(), 1);
}

#[test]
fn example_tiny_exact_agrees() {
    let problem = load("example-tiny.json");
    let best = exact::solve(&problem);
    assert_eq!(verify(&problem, &best), vec![]);
    assert_eq!((best.bookings.len(), best.objective), (3, 2897));
}

#[test]
fn example_small_reaches_its_optimum() {
    let problem = load("example-small.json");
    let result = plan(&problem, &options());
    assert_eq!(verify(&problem, &result), vec![]);
    assert_eq!(result.bookings.len(), 15);
    assert_eq!(result.objective, 14840);
}

#[test]
fn plan_output_serialises_as_api_md() {
    let problem = load("example-tiny.json");
    let result = plan(&problem, &options());
    let json: serde_json::Value = serde_json::to_value(&result).expect("serialises");
    let booking = &json["bookings"][0];
    assert!(booking["case"].is_string());
    assert_eq!(booking["start"].as_str().map(str::len), Some(16));
    assert_eq!(booking["facilitators"].as_array().map(Vec::len), Some(2));
    assert!(json["unbooked"][0]["reason"].is_string());
    assert!(json["objective"].is_i64());
}

/// Compares the planner with the exhaustive optimum on `count` generated instances; returns
/// (contested instances, cases booked by the optimum) and fails on any gap.
fn compare_with_exact(count: u64, first_seed: u64, params_for: impl Fn(u64) -> GenParams) -> (u64, usize) {
    let mut gaps = Vec::new();
    let mut total_booked = 0;
    let mut contested = 0;
    for seed in first_seed..first_seed + count {
        let problem = Problem::compile(&generate(&params_for(seed))).expect("generated instance compiles");
        let best = exact::solve(&problem);
        let ours = plan(&problem, &PlanOptions { time_budget: Duration::from_secs(1), seed });
        assert_eq!(verify(&problem, &ours), vec![], "seed {seed}");
        assert_eq!(verify(&problem, &best), vec![], "seed {seed} (exact)");
        total_booked += best.bookings.len();
        // Instances where the cases compete (the optimum is below every case at its best
        // alone) are the ones that test the search.
        if planner::upper_bound(&problem) != (best.bookings.len(), best.objective) {
            contested += 1;
        }
        if (ours.bookings.len(), ours.objective) != (best.bookings.len(), best.objective) {
            gaps.push((seed, ours.bookings.len(), ours.objective, best.bookings.len(), best.objective));
        }
    }
    println!("{count} instances, {contested} contested, {total_booked} cases booked by the optimum");
    assert_eq!(gaps, vec![], "(seed, ours booked, ours objective, exact booked, exact objective)");
    (contested, total_booked)
}

fn seeds(default: u64) -> u64 {
    std::env::var("EXACT_SEEDS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The planner matches the exhaustive optimum on many generated tiny instances
/// (2–5 cases, 3–8 facilitators, 1–2 weeks, 1–2 venues).
#[test]
fn plan_matches_exact_on_generated_tiny_instances() {
    let count = seeds(200);
    let (contested, booked) = compare_with_exact(count, 0, |seed| GenParams {
        facilitators: 3 + (seed % 6) as usize,
        cases: 2 + (seed % 4) as usize,
        weeks: 1 + (seed % 2) as u32,
        venues: 1 + (seed % 2) as usize,
        seed,
    });
    assert!(booked > count as usize / 2, "instances too hard: {booked}");
    assert!(contested > count / 10, "too few contested instances: {contested}");
}

/// Denser tiny instances: more facilitators per case, one venue, so cases compete harder.
#[test]
fn plan_matches_exact_on_busier_tiny_instances() {
    let count = seeds(100);
    let (contested, booked) = compare_with_exact(count, 10_000, |seed| GenParams {
        facilitators: 7 + (seed % 2) as usize,
        cases: 4 + (seed % 2) as usize,
        weeks: 1,
        venues: 1,
        seed,
    });
    assert!(booked > count as usize, "instances too hard: {booked}");
    assert!(contested > count / 5, "too few contested instances: {contested}");
}
