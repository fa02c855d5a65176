//! Casework: a case's allocated facilitators (one lead, one co-facilitator, each at most once
//! per case — the database holds both rules), the coded reason a conference was cancelled,
//! and an outcome action settled as not completed, with a note.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261201_000006_cases::{fk, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("case_facilitators")
                    .col(big_pk_auto("id"))
                    .col(big_integer("case_id"))
                    .col(big_integer("volunteer_id"))
                    .col(string_len("role", 16))
                    .col(timestamp_with_time_zone("allocated_at"))
                    .foreign_key(&mut fk("case_facilitators", "case_id", "cases", ForeignKeyAction::Cascade))
                    .foreign_key(&mut fk("case_facilitators", "volunteer_id", "volunteers", ForeignKeyAction::Cascade))
                    .to_owned(),
            )
            .await?;
        index(manager, "uq_case_facilitators_role", "case_facilitators", &["case_id", "role"], true).await?;
        index(manager, "uq_case_facilitators_person", "case_facilitators", &["case_id", "volunteer_id"], true).await?;
        index(manager, "idx_case_facilitators_volunteer", "case_facilitators", &["volunteer_id"], false).await?;
        manager
            .alter_table(
                Table::alter().table("conferences").add_column(string_len_null("cancel_reason", 32)).to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table("outcome_actions").add_column(date_null("not_completed_on")).to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table("outcome_actions").add_column(text_null("completion_note")).to_owned())
            .await?;
        // Cases booked before allocation existed: the pair of their latest live or held
        // conference is their allocation.
        manager
            .get_connection()
            .execute_unprepared(
                "INSERT INTO case_facilitators (case_id, volunteer_id, role, allocated_at)
                 SELECT c.case_id, f.volunteer_id, CASE f.role WHEN 'lead' THEN 'lead' ELSE 'co' END, c.created_at
                 FROM conferences c JOIN conference_facilitators f ON f.conference_id = c.id
                 WHERE c.id = (SELECT MAX(x.id) FROM conferences x
                               WHERE x.case_id = c.case_id AND x.status <> 'cancelled')",
            )
            .await?;
        Ok(())
    }
}
