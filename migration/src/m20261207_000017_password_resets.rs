//! "Forgot your password" links are single-use set-password links like the invitations an
//! accepted applicant gets, only for an hour: `password_invitations` gains `purpose`
//! (`invitation` or `reset`), so erasure and the single-use rule cover both.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("password_invitations")
                    .add_column(string_len("purpose", 16).default("invitation"))
                    .to_owned(),
            )
            .await
    }
}
