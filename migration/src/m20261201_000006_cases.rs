//! Cases and scheduling: regime windows and closures of establishments, volunteers'
//! availability, cases with their parties, appointments and assessments, conflicts of
//! interest, case contacts, and conferences with their facilitators and outcome actions.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

pub(crate) fn fk(
    from: &'static str,
    column: &'static str,
    to: &'static str,
    on_delete: ForeignKeyAction,
) -> ForeignKeyCreateStatement {
    ForeignKey::create().from(from, column).to(to, "id").on_delete(on_delete).to_owned()
}

fn weekly(table: &'static str, owner: &'static str, owner_table: &'static str) -> TableCreateStatement {
    Table::create()
        .table(table)
        .col(big_pk_auto("id"))
        .col(big_integer(owner))
        // 0 = Monday … 6 = Sunday; Europe/London wall-clock.
        .col(small_integer("weekday"))
        .col(time("starts_at"))
        .col(time("ends_at"))
        .foreign_key(&mut fk(table, owner, owner_table, ForeignKeyAction::Cascade))
        .check(Expr::col("weekday").between(0, 6))
        .check(Expr::col("ends_at").gt(Expr::col("starts_at")))
        .to_owned()
}

pub(crate) async fn index(
    manager: &SchemaManager<'_>,
    name: &str,
    table: &'static str,
    columns: &[&'static str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut statement = Index::create().name(name).table(table).to_owned();
    for column in columns {
        statement.col(*column);
    }
    if unique {
        statement.unique();
    }
    manager.create_index(statement).await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("volunteers")
                    .add_column(integer("max_conferences_per_month").default(4))
                    .to_owned(),
            )
            .await?;

        manager.create_table(weekly("regime_windows", "establishment_id", "establishments")).await?;
        manager
            .create_table(
                Table::create()
                    .table("closures")
                    .col(big_pk_auto("id"))
                    .col(big_integer("establishment_id"))
                    .col(date("from_date"))
                    .col(date("to_date"))
                    .col(string_len("reason", 200))
                    .foreign_key(&mut fk("closures", "establishment_id", "establishments", ForeignKeyAction::Cascade))
                    .check(Expr::col("to_date").gte(Expr::col("from_date")))
                    .to_owned(),
            )
            .await?;

        manager.create_table(weekly("availability_windows", "volunteer_id", "volunteers")).await?;
        manager
            .create_table(
                Table::create()
                    .table("unavailability")
                    .col(big_pk_auto("id"))
                    .col(big_integer("volunteer_id"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(string_len("reason", 200))
                    .foreign_key(&mut fk("unavailability", "volunteer_id", "volunteers", ForeignKeyAction::Cascade))
                    .check(Expr::col("ends_at").gt(Expr::col("starts_at")))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("case_counters")
                    .col(integer("year").primary_key())
                    .col(integer("last"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("cases")
                    .col(big_pk_auto("id"))
                    // RJ-YYYY-NNNN, allocated from case_counters.
                    .col(string_len_uniq("reference", 16))
                    .col(string_len("source", 32))
                    .col(date("referred_on"))
                    .col(string_len("offence_category", 100))
                    .col(big_integer("establishment_id"))
                    .col(date("deadline"))
                    .col(integer("duration_minutes").default(120))
                    .col(text("notes"))
                    .col(string_len("status", 16))
                    .col(text_null("not_proceeding_reason"))
                    .col(integer("version").default(1))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("cases", "establishment_id", "establishments", ForeignKeyAction::Restrict))
                    .check(Expr::col("duration_minutes").between(15, 600))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_cases_status", "cases", &["status"], false).await?;

        manager
            .create_table(
                Table::create()
                    .table("parties")
                    .col(big_pk_auto("id"))
                    .col(big_integer("case_id"))
                    .col(string_len("role", 16))
                    .col(string_len("name", 200))
                    .col(string_len_null("email", 254))
                    .col(string_len_null("phone", 32))
                    .col(text_null("address"))
                    .col(string_len("consent", 16))
                    .col(date_null("consent_given_on"))
                    .col(date_null("consent_withdrawn_on"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("parties", "case_id", "cases", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        manager.create_table(weekly("party_availability", "party_id", "parties")).await?;
        manager
            .create_table(
                Table::create()
                    .table("appointments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("party_id"))
                    .col(string_len("kind", 32))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(string_len("note", 200))
                    .foreign_key(&mut fk("appointments", "party_id", "parties", ForeignKeyAction::Cascade))
                    .check(Expr::col("ends_at").gt(Expr::col("starts_at")))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("assessments")
                    .col(big_pk_auto("id"))
                    .col(big_integer("case_id"))
                    .col(string_len("kind", 32))
                    .col(string_len("outcome", 32))
                    .col(big_integer("assessed_by"))
                    .col(date("assessed_on"))
                    .col(text("notes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("assessments", "case_id", "cases", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("assessments", "assessed_by", "users", ForeignKeyAction::Restrict))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("conflicts_of_interest")
                    .col(big_pk_auto("id"))
                    .col(big_integer("volunteer_id"))
                    .col(big_integer("case_id"))
                    .col(text("note"))
                    .foreign_key(&mut fk(
                        "conflicts_of_interest",
                        "volunteer_id",
                        "volunteers",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk("conflicts_of_interest", "case_id", "cases", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        index(manager, "uq_conflicts", "conflicts_of_interest", &["volunteer_id", "case_id"], true).await?;
        manager
            .create_table(
                Table::create()
                    .table("case_contacts")
                    .col(big_pk_auto("id"))
                    .col(big_integer("case_id"))
                    .col(big_integer("volunteer_id"))
                    .col(string_len("kind", 32))
                    .col(date("contact_on"))
                    .col(integer("minutes"))
                    .col(integer("mileage_tenths"))
                    .col(text("notes"))
                    .col(timestamp_with_time_zone("created_at"))
                    .foreign_key(&mut fk("case_contacts", "case_id", "cases", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("case_contacts", "volunteer_id", "volunteers", ForeignKeyAction::Restrict))
                    .check(Expr::col("minutes").gte(0))
                    .check(Expr::col("mileage_tenths").gte(0))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table("conferences")
                    .col(big_pk_auto("id"))
                    .col(big_integer("case_id"))
                    .col(big_integer("establishment_id"))
                    .col(timestamp_with_time_zone("starts_at"))
                    .col(timestamp_with_time_zone("ends_at"))
                    .col(string_len("status", 16))
                    // Calendar identity: a random UID and a SEQUENCE bumped on every change.
                    .col(string_len_uniq("uid", 64))
                    .col(integer("sequence").default(0))
                    .col(timestamp_with_time_zone_null("cancelled_at"))
                    .col(text_null("outcome_notes"))
                    .col(timestamp_with_time_zone_null("follow_up_done_at"))
                    .col(timestamp_with_time_zone("created_at"))
                    .col(timestamp_with_time_zone("updated_at"))
                    .foreign_key(&mut fk("conferences", "case_id", "cases", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk(
                        "conferences",
                        "establishment_id",
                        "establishments",
                        ForeignKeyAction::Restrict,
                    ))
                    .check(Expr::col("ends_at").gt(Expr::col("starts_at")))
                    .to_owned(),
            )
            .await?;
        index(manager, "idx_conferences_time", "conferences", &["establishment_id", "starts_at"], false).await?;
        manager
            .create_table(
                Table::create()
                    .table("conference_facilitators")
                    .col(big_pk_auto("id"))
                    .col(big_integer("conference_id"))
                    .col(big_integer("volunteer_id"))
                    .col(string_len("role", 16))
                    .col(string_len("response", 16))
                    .col(timestamp_with_time_zone_null("responded_at"))
                    .foreign_key(&mut fk(
                        "conference_facilitators",
                        "conference_id",
                        "conferences",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "conference_facilitators",
                        "volunteer_id",
                        "volunteers",
                        ForeignKeyAction::Restrict,
                    ))
                    .to_owned(),
            )
            .await?;
        index(
            manager,
            "uq_conference_facilitators",
            "conference_facilitators",
            &["conference_id", "volunteer_id"],
            true,
        )
        .await?;
        index(manager, "idx_conference_facilitators_volunteer", "conference_facilitators", &["volunteer_id"], false)
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("outcome_actions")
                    .col(big_pk_auto("id"))
                    .col(big_integer("conference_id"))
                    .col(text("description"))
                    .col(string_len("owner", 200))
                    .col(date("due_on"))
                    .col(date_null("completed_on"))
                    .foreign_key(&mut fk("outcome_actions", "conference_id", "conferences", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        Ok(())
    }
}
