//! Pages that summarise several domains: the home page (a coordinator's work queue) and a
//! volunteer's dashboard, and the
//! coordinators' volunteer list and record.

pub mod dashboard;
pub mod home;
pub mod queue;
pub mod volunteers;

use axum::Router;
use axum::routing::{get, post};

use entity::volunteer::{self, VolunteerStatus};

use crate::checks::clearance::Clearance;
use crate::state::AppState;
use crate::training::service::TrainingProgress;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home::home))
        .route("/volunteers", get(volunteers::list))
        .route("/volunteers/{id}", get(volunteers::show))
        .route("/volunteers/{id}/details", get(volunteers::details_form).post(volunteers::change_details))
        .route("/volunteers/{id}/commitment/extend", post(volunteers::extend))
        .route("/volunteers/{id}/commitment/pause", post(volunteers::pause))
        .route("/volunteers/{id}/commitment/resume", post(volunteers::resume))
        .route("/volunteers/{id}/commitment/left", post(volunteers::left))
        .route("/volunteers/{id}/lead-sign-off", post(volunteers::lead_sign_off))
}

/// Why a volunteer is not active, in words; empty when active. `dbs` is their DBS clearance
/// today.
pub fn not_active_because(record: &volunteer::Model, training: &TrainingProgress, dbs: &Clearance) -> Vec<String> {
    let mut reasons = Vec::new();
    match record.status {
        VolunteerStatus::Active => return reasons,
        VolunteerStatus::Paused => {
            reasons.push(format!("Paused{}.", record.paused_on.map(|d| format!(" since {d}")).unwrap_or_default()))
        }
        VolunteerStatus::Left => {
            reasons.push(format!("Left{}.", record.left_on.map(|d| format!(" on {d}")).unwrap_or_default()))
        }
        _ => {}
    }
    if record.trained_on.is_none() {
        let missing = training.missing();
        if training.needed.is_empty() {
            reasons.push("Not enrolled on a core training course.".into());
        } else {
            let list: Vec<String> = missing.iter().map(i32::to_string).collect();
            reasons.push(format!("Core training not complete: still needs session {}.", list.join(", ")));
        }
    }
    if let Clearance::NotCleared(why) = dbs {
        reasons.extend(why.iter().map(|r| format!("Background check: {r}.")));
    }
    reasons
}
