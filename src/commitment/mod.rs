//! Where a volunteer stands: lifecycle status (onboarding → in training → trained →
//! active, paused, left), the one-year commitment, and progression to lead.

pub mod service;
