//! Retention counts from the decision, not from the last edit: an application's
//! `decided_at` (rejected or withdrawn) and a case's `closed_at` (closed or not proceeding).
//! Rows decided before this migration take their last update as the best date there is.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Applications {
    Table,
    DecidedAt,
}

#[derive(DeriveIden)]
enum Cases {
    Table,
    ClosedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Applications::Table)
                    .add_column(ColumnDef::new(Applications::DecidedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Cases::Table)
                    .add_column(ColumnDef::new(Cases::ClosedAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        db.execute_unprepared(
            "UPDATE applications SET decided_at = updated_at WHERE status IN ('rejected', 'withdrawn')",
        )
        .await?;
        db.execute_unprepared("UPDATE cases SET closed_at = updated_at WHERE status IN ('closed', 'not_proceeding')")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Cases::Table).drop_column(Cases::ClosedAt).to_owned()).await?;
        manager
            .alter_table(Table::alter().table(Applications::Table).drop_column(Applications::DecidedAt).to_owned())
            .await?;
        Ok(())
    }
}
