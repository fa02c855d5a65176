//! Calendar feeds: each user's secret feed token (stored hashed), and a calendar identity
//! (random UID, SEQUENCE, last change) on every kind of event a feed carries. Conferences
//! have had theirs since they were created; training sessions, supervision sessions and
//! volunteer meetings get them here, existing rows backfilled with random UIDs.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables that gain a UID and a SEQUENCE, and whether they also need `updated_at`.
const TABLES: [(&str, bool); 3] =
    [("course_sessions", false), ("supervision_sessions", true), ("volunteer_meetings", true)];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("calendar_tokens")
                    .col(big_pk_auto("id"))
                    .col(big_integer_uniq("user_id"))
                    .col(string_len_uniq("token_hash", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("calendar_tokens", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        // 128 random bits as hex: the same shape as the UIDs new rows get.
        let random_uid = match manager.get_database_backend() {
            DbBackend::Postgres => "replace(gen_random_uuid()::text, '-', '') || '@convene'",
            _ => "lower(hex(randomblob(16))) || '@convene'",
        };
        for (table, needs_updated_at) in TABLES {
            // SQLite adds one column per ALTER TABLE, and a NOT NULL column needs a default.
            let mut columns =
                vec![string_len("uid", 64).default("").to_owned(), integer("sequence").default(0).to_owned()];
            if needs_updated_at {
                columns.push(timestamp_with_time_zone("updated_at").default("1970-01-01T00:00:00Z").to_owned());
            }
            for mut column in columns {
                manager.alter_table(Table::alter().table(table).add_column(&mut column).to_owned()).await?;
            }
            db.execute_unprepared(&format!("UPDATE {table} SET uid = {random_uid} WHERE uid = ''")).await?;
            if needs_updated_at {
                db.execute_unprepared(&format!("UPDATE {table} SET updated_at = created_at")).await?;
            }
            manager
                .create_index(
                    Index::create().name(format!("uq_{table}_uid")).table(table).col("uid").unique().to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
