//! Assessments as structured forms: the risk to each party and to the facilitators, any
//! safeguarding concern, whether the harmer accepts responsibility, each party's capacity and
//! voluntariness, and a review date (for the new outcome "review needed"). Older assessments
//! keep NULLs: they were recorded before the form asked.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in ["risk_to_harmed", "risk_to_harmer", "risk_to_facilitators"] {
            add(manager, string_len_null(name, 8)).await?;
        }
        add(manager, text_null("safeguarding")).await?;
        for name in
            ["accepts_responsibility", "harmed_capacity", "harmed_voluntary", "harmer_capacity", "harmer_voluntary"]
        {
            add(manager, boolean_null(name)).await?;
        }
        add(manager, date_null("review_on")).await?;
        Ok(())
    }
}

async fn add(manager: &SchemaManager<'_>, column: ColumnDef) -> Result<(), DbErr> {
    let mut column = column;
    manager.alter_table(Table::alter().table("assessments").add_column(&mut column).to_owned()).await
}
