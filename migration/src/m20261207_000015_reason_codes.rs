//! Coded reasons, so they can be counted: why a case is not proceeding and why a conference
//! was not held. A fixed list (seeded here) plus "other", which admins may extend, relabel or
//! retire (a retired code stays on the cases that used it). Cases and conferences keep the
//! code beside the free-text detail.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261201_000006_cases::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SEED: [(&str, &str, &str); 13] = [
    ("not_proceeding", "harmed_declined", "The harmed person declined"),
    ("not_proceeding", "harmer_declined", "The harmer declined"),
    ("not_proceeding", "consent_withdrawn", "Consent was withdrawn"),
    ("not_proceeding", "not_suitable", "Assessed as not suitable"),
    ("not_proceeding", "no_contact", "A party could not be contacted"),
    ("not_proceeding", "harmer_moved", "The harmer was released or moved"),
    ("not_proceeding", "other", "Other"),
    ("not_held", "party_absent", "A party did not attend"),
    ("not_held", "party_withdrew", "A party withdrew on the day"),
    ("not_held", "facilitator_absent", "A facilitator could not attend"),
    ("not_held", "establishment_closed", "The establishment was closed or locked down"),
    ("not_held", "unsafe", "It was not safe to go ahead"),
    ("not_held", "other", "Other"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("reason_codes")
                    .col(big_pk_auto("id"))
                    .col(string_len("kind", 16))
                    .col(string_len("code", 32))
                    .col(string_len("label", 200))
                    .col(integer("position"))
                    .col(boolean("retired").default(false))
                    .to_owned(),
            )
            .await?;
        index(manager, "uq_reason_codes_kind_code", "reason_codes", &["kind", "code"], true).await?;
        for (position, (kind, code, label)) in SEED.iter().enumerate() {
            let insert = Query::insert()
                .into_table("reason_codes")
                .columns(["kind", "code", "label", "position", "retired"])
                .values_panic([
                    (*kind).into(),
                    (*code).into(),
                    (*label).into(),
                    <i32 as TryFrom<usize>>::try_from(position).unwrap_or(0).into(),
                    false.into(),
                ])
                .to_owned();
            manager.exec_stmt(insert).await?;
        }
        manager
            .alter_table(
                Table::alter().table("cases").add_column(string_len_null("not_proceeding_code", 32)).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter().table("conferences").add_column(string_len_null("not_held_code", 32)).to_owned(),
            )
            .await?;
        // Cases already not proceeding said why in words only.
        manager
            .get_connection()
            .execute_unprepared("UPDATE cases SET not_proceeding_code = 'other' WHERE status = 'not_proceeding'")
            .await?;
        manager
            .get_connection()
            .execute_unprepared("UPDATE conferences SET not_held_code = 'other' WHERE status = 'not_held'")
            .await?;
        Ok(())
    }
}
