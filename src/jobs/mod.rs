//! Scheduled jobs: a UTC tick every minute sweeps the database for reminders that are due.
//!
//! tokio-cron-scheduler fixes a time zone's offset when a job is created, so a Europe/London
//! job would drift by an hour across a clock change. Instead every kind computes its own
//! London send time from `now` and queues with a unique key: a sweep fires at the right local
//! time, catches up after downtime, and running twice queues nothing twice.

pub mod digest;
pub mod preferences;
pub mod reminders;

use axum::Router;
use axum::routing::get;

use chrono::{DateTime, Utc};
use sea_orm::{DatabaseConnection, DbErr};
use tokio_cron_scheduler::{Job, JobScheduler, JobSchedulerError};

use std::sync::Arc;

use crate::config::Settings;
use crate::metrics::Metrics;
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(reminders::PREFERENCES_PATH, get(preferences::show).post(preferences::update))
}

/// What one sweep queued, per kind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sweep {
    pub conference_in_two_days: usize,
    pub training_tomorrow: usize,
    pub check_renewal: usize,
    pub supervision_overdue: usize,
    pub commitment_ending: usize,
    pub outcome_action_due: usize,
    pub case_deadline: usize,
    pub weekly_digest: usize,
}

/// Queues every reminder due at `now`.
pub async fn sweep(db: &DatabaseConnection, settings: &Settings, now: DateTime<Utc>) -> Result<Sweep, DbErr> {
    Ok(Sweep {
        conference_in_two_days: reminders::conference_in_two_days(db, settings, now).await?,
        training_tomorrow: reminders::training_tomorrow(db, settings, now).await?,
        check_renewal: reminders::check_renewal(db, settings, now).await?,
        supervision_overdue: reminders::supervision_overdue(db, settings, now).await?,
        commitment_ending: reminders::commitment_ending(db, settings, now).await?,
        outcome_action_due: reminders::outcome_action_due(db, settings, now).await?,
        case_deadline: reminders::case_deadline(db, settings, now).await?,
        weekly_digest: digest::weekly_digest(db, settings, now).await?,
    })
}

/// One scheduled run at `now`: the reminder sweep and the retention job (UK GDPR), counted
/// in the metrics.
pub async fn tick(db: &DatabaseConnection, settings: &Settings, metrics: &Metrics, now: DateTime<Utc>) {
    let swept = sweep(db, settings, now).await;
    let retained = crate::privacy::service::apply_retention(db, &settings.files_dir, now).await;
    metrics.scheduler_ran(swept.is_ok() && retained.is_ok());
    match swept {
        Ok(report) if report != Sweep::default() => tracing::info!(?report, "reminders queued"),
        Ok(_) => {}
        Err(error) => tracing::error!(%error, "reminder sweep could not reach the database"),
    }
    match retained {
        Ok(report) if report != crate::privacy::service::Retention::default() => {
            tracing::info!(?report, "retention: personal data anonymised");
        }
        Ok(_) => {}
        Err(error) => tracing::error!(%error, "retention job could not reach the database"),
    }
}

/// Starts the every-minute UTC sweep; stop it with `JobScheduler::shutdown`.
pub async fn start(
    db: DatabaseConnection,
    settings: Settings,
    metrics: Arc<Metrics>,
) -> Result<JobScheduler, JobSchedulerError> {
    let scheduler = JobScheduler::new().await?;
    let job = Job::new_async("0 * * * * *", move |_id, _scheduler| {
        let db = db.clone();
        let settings = settings.clone();
        let metrics = metrics.clone();
        Box::pin(async move { tick(&db, &settings, &metrics, crate::clock::now()).await })
    })?;
    scheduler.add(job).await?;
    scheduler.start().await?;
    Ok(scheduler)
}
