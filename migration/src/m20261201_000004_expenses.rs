//! Expenses: claims, their items (money in integer pence, mileage in tenths of a mile),
//! receipts kept as files under generated names, and stored API idempotency keys.

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
        manager
            .create_table(
                Table::create()
                    .table("expense_claims")
                    .col(big_pk_auto("id"))
                    .col(big_integer("volunteer_id"))
                    .col(string_len("purpose", 200))
                    .col(string_len("status", 16))
                    // Fixed when the claim is approved (mileage is priced then); estimates before.
                    .col(big_integer_null("total_pence"))
                    .col(text_null("decision_reason"))
                    .col(big_integer_null("decided_by_user_id"))
                    .col(timestamp_with_time_zone_null("submitted_at"))
                    .col(timestamp_with_time_zone_null("decided_at"))
                    .col(timestamp_with_time_zone_null("paid_at"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("expense_claims", "volunteer_id", "volunteers", ForeignKeyAction::Restrict))
                    .foreign_key(&mut fk("expense_claims", "decided_by_user_id", "users", ForeignKeyAction::SetNull))
                    .check(Expr::col("total_pence").is_null().or(Expr::col("total_pence").gte(0)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_expense_claims_volunteer")
                    .table("expense_claims")
                    .col("volunteer_id")
                    .col("status")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("expense_items")
                    .col(big_pk_auto("id"))
                    .col(big_integer("claim_id"))
                    .col(string_len("kind", 16))
                    .col(date("incurred_on"))
                    .col(string_len("description", 200))
                    // Always set for receipts-based items; for mileage set at approval.
                    .col(big_integer_null("amount_pence"))
                    .col(big_integer_null("miles_tenths"))
                    .col(string_len_null("vehicle", 16))
                    .col(integer_null("passengers"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("expense_items", "claim_id", "expense_claims", ForeignKeyAction::Cascade))
                    .check(Expr::col("amount_pence").is_null().or(Expr::col("amount_pence").gte(0)))
                    .check(Expr::col("miles_tenths").is_null().or(Expr::col("miles_tenths").gt(0)))
                    .check(
                        Expr::col("passengers")
                            .is_null()
                            .or(Expr::col("passengers").gte(0).and(Expr::col("passengers").lte(9))),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("idx_expense_items_claim").table("expense_items").col("claim_id").to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("expense_receipts")
                    .col(big_pk_auto("id"))
                    .col(big_integer("claim_id"))
                    // Random; the only name the file has on disk.
                    .col(string_len_uniq("stored_name", 64))
                    // The uploader's file name, sanitised, shown as text only.
                    .col(string_len("display_name", 120))
                    .col(string_len("content_type", 32))
                    .col(big_integer("size_bytes"))
                    .col(big_integer("uploaded_by_user_id"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("expense_receipts", "claim_id", "expense_claims", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk(
                        "expense_receipts",
                        "uploaded_by_user_id",
                        "users",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("idempotency_keys")
                    .col(big_pk_auto("id"))
                    .col(big_integer("user_id"))
                    .col(string_len("key", 200))
                    .col(string_len("request_hash", 64))
                    .col(integer("response_status"))
                    .col(text("response_body"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("idempotency_keys", "user_id", "users", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_idempotency_keys_user_key")
                    .table("idempotency_keys")
                    .col("user_id")
                    .col("key")
                    .unique()
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
