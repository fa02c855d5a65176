//! One counter of everything calendar feeds show: triggers on every table a feed reads bump
//! it, so a service instance can keep a feed's bytes and ETag in memory and know with one
//! lookup whether they are still right. On PostgreSQL the bump is a deferred constraint
//! trigger: it runs at commit, after the transaction's other statements, so the counter row
//! is locked only for that moment (no lock-order cycles with the rows the transaction took
//! first), and readers see the new count together with the rows that changed.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every table whose rows a feed shows or selects by.
pub const FEED_TABLES: &[&str] = &[
    "courses",
    "course_sessions",
    "intakes",
    "enrolments",
    "establishments",
    "cases",
    "conferences",
    "conference_facilitators",
    "volunteers",
    "supervision_sessions",
    "volunteer_meetings",
    "meeting_attendance",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("CREATE TABLE feed_version (id INTEGER PRIMARY KEY, n BIGINT NOT NULL)").await?;
        db.execute_unprepared("INSERT INTO feed_version (id, n) VALUES (1, 0)").await?;
        match db.get_database_backend() {
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE FUNCTION feed_version_bump() RETURNS trigger AS $$ \
                     BEGIN UPDATE feed_version SET n = n + 1 WHERE id = 1; RETURN NULL; END \
                     $$ LANGUAGE plpgsql",
                )
                .await?;
                for table in FEED_TABLES {
                    db.execute_unprepared(&format!(
                        "CREATE CONSTRAINT TRIGGER feed_version_{table} \
                         AFTER INSERT OR UPDATE OR DELETE ON {table} \
                         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION feed_version_bump()"
                    ))
                    .await?;
                }
            }
            _ => {
                // SQLite has one writer at a time: a plain row trigger cannot deadlock.
                for table in FEED_TABLES {
                    for event in ["INSERT", "UPDATE", "DELETE"] {
                        let name = event.to_lowercase();
                        db.execute_unprepared(&format!(
                            "CREATE TRIGGER feed_version_{table}_{name} AFTER {event} ON {table} \
                             BEGIN UPDATE feed_version SET n = n + 1 WHERE id = 1; END"
                        ))
                        .await?;
                    }
                }
            }
        }
        Ok(())
    }
}
