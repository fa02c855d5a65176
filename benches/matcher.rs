//! Criterion benchmarks on generated instances (reproducible: `generate` is seeded).
//! `candidates_300x8w`: candidate search for one case, 300 facilitators, 8 weeks, 15-min grid.
//! `plan_300x200x8w`: a full batch plan (compile + tables + greedy + local search) of
//! 200 cases with the default 3 s budget; `plan_crunch_40x60x6w`: the same for 60 cases
//! competing for 40 facilitators over 6 weeks. The search uses its whole budget unless it
//! proves its plan optimal, so these time the budget, not the search.

use std::time::Duration;

use convene::scheduling::matcher::{GenParams, PlanOptions, Problem, candidates, generate, plan};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};

fn problem(cases: usize) -> Problem {
    let instance = generate(&GenParams { facilitators: 300, cases, weeks: 8, venues: 6, seed: 1 });
    match Problem::compile(&instance) {
        Ok(p) => p,
        Err(e) => panic!("generated instance must compile: {e}"),
    }
}

fn bench_candidates(c: &mut Criterion) {
    let problem = problem(200);
    let ids: Vec<String> = problem.cases.iter().map(|c| c.id.clone()).collect();
    let mut next = 0usize;
    let mut group = c.benchmark_group("candidates");
    group.measurement_time(Duration::from_secs(8));
    group.bench_function("candidates_300x8w", |b| {
        b.iter(|| {
            // Cycle through the cases so the figure is a typical case, not one easy one.
            next = (next + 1) % ids.len();
            candidates(&problem, &ids[next], 10)
        })
    });
    group.finish();
}

fn bench_plan(c: &mut Criterion) {
    let shapes = [
        ("plan_300x200x8w", GenParams { facilitators: 300, cases: 200, weeks: 8, venues: 6, seed: 1 }),
        // The crunch: monthly maxima and leads bind, so most of the search is spent proving
        // nothing better exists (`.ci/planner-gap` has the gap to CP-SAT per instance).
        ("plan_crunch_40x60x6w", GenParams { facilitators: 40, cases: 60, weeks: 6, venues: 3, seed: 1 }),
    ];
    let mut group = c.benchmark_group("plan");
    // One plan per sample: 10 samples of ~3 s keep each shape under a minute.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(32));
    for (name, params) in shapes {
        let instance = generate(&params);
        group.bench_function(name, |b| {
            b.iter(|| {
                let problem = match Problem::compile(&instance) {
                    Ok(p) => p,
                    Err(e) => panic!("generated instance must compile: {e}"),
                };
                plan(&problem, &PlanOptions::default())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_candidates, bench_plan);
criterion_main!(benches);
