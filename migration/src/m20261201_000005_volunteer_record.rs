//! The volunteer record: training attendance, commitment and progression dates,
//! one-to-one supervision and group volunteer meetings.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

fn fk(
    from: &'static str,
    column: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, column).to(to, "id").on_delete(on_delete).to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one column per ALTER TABLE.
        let columns = [
            date_null("trained_on"),
            date_null("commitment_ends_on"),
            date_null("paused_on"),
            date_null("left_on"),
            text_null("left_reason"),
            timestamp_with_time_zone_null("lead_signed_off_at"),
            big_integer_null("lead_signed_off_by"),
        ];
        for mut column in columns {
            manager.alter_table(Table::alter().table("volunteers").add_column(&mut column).to_owned()).await?;
        }

        manager
            .create_table(
                Table::create()
                    .table("attendance")
                    .col(big_pk_auto("id"))
                    .col(big_integer("session_id"))
                    .col(big_integer("volunteer_id"))
                    .col(string_len("mark", 16))
                    .col(big_integer("recorded_by"))
                    .col(timestamp_with_time_zone("recorded_at"))
                    .foreign_key(&mut fk("attendance", "session_id", "course_sessions", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("attendance", "volunteer_id", "volunteers", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_attendance")
                    .table("attendance")
                    .col("session_id")
                    .col("volunteer_id")
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("supervision_sessions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("volunteer_id"))
                    .col(date("held_on"))
                    .col(big_integer("supervisor_user_id"))
                    .col(text("notes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk(
                        "supervision_sessions",
                        "volunteer_id",
                        "volunteers",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "supervision_sessions",
                        "supervisor_user_id",
                        "users",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_supervision_volunteer")
                    .table("supervision_sessions")
                    .col("volunteer_id")
                    .col("held_on")
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("volunteer_meetings")
                    .col(big_pk_auto("id"))
                    .col(date("held_on"))
                    .col(time("starts_at"))
                    .col(time("ends_at"))
                    .col(string_len("topic", 200))
                    .col(text("case_discussion"))
                    .col(timestamp_with_time_zone("created_at"))
                    .check(Expr::col("ends_at").gt(Expr::col("starts_at")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("meeting_attendance")
                    .col(big_pk_auto("id"))
                    .col(big_integer("meeting_id"))
                    .col(big_integer("volunteer_id"))
                    .foreign_key(&mut fk(
                        "meeting_attendance",
                        "meeting_id",
                        "volunteer_meetings",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("meeting_attendance", "volunteer_id", "volunteers", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_meeting_attendance")
                    .table("meeting_attendance")
                    .col("meeting_id")
                    .col("volunteer_id")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
