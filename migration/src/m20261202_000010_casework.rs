//! Casework: an expense item can carry the mileage of one case contact, and each contact is
//! claimed at most once (a unique column; NULL for every other item).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("expense_items").add_column(big_integer_null("case_contact_id")).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_expense_items_case_contact")
                    .table("expense_items")
                    .col("case_contact_id")
                    .unique()
                    .to_owned(),
            )
            .await
    }
}
