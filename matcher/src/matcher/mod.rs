//! Convene's conference-planning engine: reads a planning instance (`docs/API.md`, "Planning
//! instance"), searches conference candidates for one case, batch-plans many cases, and checks
//! any plan against the rules.
//!
//! Pure: no files, no clock. "Now" is whatever the instance's horizon says, and the planner's
//! time budget is a parameter (it measures elapsed time, nothing else).
//!
//! - [`instance`]: the JSON wire types and [`InstanceError`].
//! - [`model`]: the compiled [`Problem`] (UTC instants, local dates, each case's slots).
//! - [`rules`]: each hard rule as a function, and the rule order used to explain rule-outs.
//! - [`score`]: the objective and its breakdown.
//! - [`candidates`]: ranked candidates for one case and who is ruled out, and why.
//! - [`plan`]: the batch planner (greedy construction + ruin-and-recreate local search).
//! - [`verify`]: an independent feasibility and objective check of a plan.
//! - [`exact`]: an exhaustive solver for tiny instances (test ground truth).
//! - [`generate`]: a seeded generator of realistic instances (tests and benchmarks).

pub mod candidates;
pub mod exact;
pub mod generate;
pub mod instance;
pub mod model;
pub mod plan;
pub mod rules;
pub mod score;
pub mod verify;

pub use candidates::{Candidate, CaseCandidates, RuledOut, candidates, distinct_candidates};
pub use generate::{GenParams, generate};
pub use instance::{Instance, InstanceError};
pub use model::Problem;
pub use plan::{Booking, Plan, PlanOptions, PlanStats, Unbooked, plan, plan_with_stats};
pub use rules::RuledOutBy;
pub use score::{ScoreBreakdown, objective};
pub use verify::{Placed, Violation, check_placed, verify};
