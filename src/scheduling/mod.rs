//! Scheduling: regimes, availability and the conference matcher. The matcher is its own
//! crate (`matcher/`): pure, plain data in and out, so it is tested and benchmarked alone,
//! optimised even in test builds, and shared by `convene plan` and the service.

pub use convene_matcher::matcher;
