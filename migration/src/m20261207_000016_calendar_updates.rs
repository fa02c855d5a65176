//! Every kind of feed event can be cancelled, not only conferences: training sessions,
//! volunteer meetings and supervision sessions gain `cancelled_at`. A cancelled row stays,
//! shown as STATUS:CANCELLED for 30 days so subscribed calendars remove it, and no longer
//! counts (attendance, supervision due dates). A course's session number is unique among
//! the sessions that are not cancelled, so a cancelled session 2 can be replaced.

use sea_orm_migration::sea_orm::ConnectionTrait;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 3] = ["course_sessions", "volunteer_meetings", "supervision_sessions"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            manager
                .alter_table(
                    Table::alter().table(table).add_column(timestamp_with_time_zone_null("cancelled_at")).to_owned(),
                )
                .await?;
        }
        // A partial index, under a new name (SQLite refuses to reuse a name dropped in the same
        // transaction): the same statements on SQLite and PostgreSQL.
        let db = manager.get_connection();
        db.execute_unprepared("DROP INDEX uq_course_sessions_number").await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX uq_course_sessions_live_number ON course_sessions (course_id, number) \
             WHERE cancelled_at IS NULL",
        )
        .await?;
        Ok(())
    }
}
