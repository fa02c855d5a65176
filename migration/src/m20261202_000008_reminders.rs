//! Reminders: each user's opt-outs per reminder kind, and the outbox's List-Unsubscribe and
//! single attachment (e.g. an .ics invitation).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("email_opt_outs")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_len("kind", 64))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .from("email_opt_outs", "user_id")
                            .to("users", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_email_opt_outs_user_kind")
                    .table("email_opt_outs")
                    .col("user_id")
                    .col("kind")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // SQLite adds one column per ALTER TABLE.
        for column in [
            text_null("list_unsubscribe"),
            string_len_null("attachment_filename", 200),
            string_len_null("attachment_content_type", 100),
            text_null("attachment_body"),
        ] {
            let mut column = column;
            manager.alter_table(Table::alter().table("outbox").add_column(&mut column).to_owned()).await?;
        }
        Ok(())
    }
}
