//! Background checks: establishments (where conferences happen), DBS checks and prison
//! vetting per volunteer and establishment.

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
                    .table("establishments")
                    .col(big_pk_auto("id"))
                    .col(string_len("name", 200))
                    .col(string_len("kind", 32))
                    .col(text("address"))
                    .col(double_null("latitude"))
                    .col(double_null("longitude"))
                    .col(integer("rooms"))
                    .col(boolean("requires_vetting"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .check(Expr::col("rooms").gte(1))
                    .check(Expr::col("kind").is_in(["prison", "probation_office", "community_venue"]))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("dbs_checks")
                    .col(big_pk_auto("id"))
                    .col(big_integer("volunteer_id"))
                    .col(string_len("level", 32))
                    // No certificate exists yet while a check is requested or in progress.
                    .col(string_len_null("certificate_number", 12))
                    .col(date_null("issued_on"))
                    .col(boolean("update_service"))
                    .col(string_len("status", 16))
                    .col(text_null("notes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("dbs_checks", "volunteer_id", "volunteers", ForeignKeyAction::Cascade))
                    .check(Expr::col("level").is_in(["basic", "standard", "enhanced", "enhanced_barred"]))
                    .check(Expr::col("status").is_in(["requested", "in_progress", "clear", "concerns", "withdrawn"]))
                    .check(Expr::cust("certificate_number IS NULL OR length(certificate_number) = 12"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("ix_dbs_checks_volunteer").table("dbs_checks").col("volunteer_id").to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("prison_vettings")
                    .col(big_pk_auto("id"))
                    .col(big_integer("volunteer_id"))
                    .col(big_integer("establishment_id"))
                    .col(string_len("level", 64))
                    .col(string_len("status", 16))
                    .col(date_null("cleared_on"))
                    // The last day the vetting is valid (inclusive).
                    .col(date_null("expires_on"))
                    .col(text_null("notes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("prison_vettings", "volunteer_id", "volunteers", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk(
                        "prison_vettings",
                        "establishment_id",
                        "establishments",
                        ForeignKeyAction::Restrict,
                    ))
                    .check(Expr::col("status").is_in(["requested", "cleared", "refused", "withdrawn"]))
                    .check(Expr::cust("expires_on IS NULL OR cleared_on IS NULL OR expires_on >= cleared_on"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_prison_vettings_volunteer")
                    .table("prison_vettings")
                    .col("volunteer_id")
                    .col("establishment_id")
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
