//! Forward-only schema migrations, the same on SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261201_000001_accounts;
mod m20261201_000002_recruitment;
mod m20261201_000003_checks;
mod m20261201_000004_expenses;
mod m20261201_000005_volunteer_record;
mod m20261201_000006_cases;
mod m20261202_000007_calendar;
mod m20261202_000008_reminders;
mod m20261202_000009_ops;
mod m20261202_000010_casework;
mod m20261206_000011_feed_version;
mod m20261206_000012_retention_dates;
mod m20261207_000013_allocation;
mod m20261207_000014_structured_assessments;
mod m20261207_000015_reason_codes;
mod m20261207_000016_calendar_updates;
mod m20261207_000017_password_resets;
mod m20261208_000018_password_attempts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261201_000001_accounts::Migration),
            Box::new(m20261201_000002_recruitment::Migration),
            Box::new(m20261201_000003_checks::Migration),
            Box::new(m20261201_000004_expenses::Migration),
            Box::new(m20261201_000005_volunteer_record::Migration),
            Box::new(m20261201_000006_cases::Migration),
            Box::new(m20261202_000008_reminders::Migration),
            Box::new(m20261202_000007_calendar::Migration),
            Box::new(m20261202_000009_ops::Migration),
            Box::new(m20261202_000010_casework::Migration),
            Box::new(m20261206_000011_feed_version::Migration),
            Box::new(m20261206_000012_retention_dates::Migration),
            Box::new(m20261207_000013_allocation::Migration),
            Box::new(m20261207_000014_structured_assessments::Migration),
            Box::new(m20261207_000015_reason_codes::Migration),
            Box::new(m20261207_000016_calendar_updates::Migration),
            Box::new(m20261207_000017_password_resets::Migration),
            Box::new(m20261208_000018_password_attempts::Migration),
        ]
    }
}
