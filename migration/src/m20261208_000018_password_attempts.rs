//! A change-password attempt is written to the audit log as refused before the current
//! password is checked, so that parallel guesses count each other, and settled afterwards —
//! as sign-in attempts already are. The append-only guard (000009) learns that one more
//! kind of row may be settled; every other rule stays.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The rows an UPDATE may produce; `same(a, b)` is a null-safe equality.
fn permitted_update(same: impl Fn(&str) -> String) -> String {
    format!(
        "(OLD.action = 'login.failure' \
           AND NEW.action IN ('login.success', 'login.failure', 'login.throttled') \
           AND {occurred} AND {actor} AND {target_type} AND {target_id} AND {ip}) \
         OR (OLD.action = 'password.change_refused' \
           AND NEW.action IN ('password.changed', 'password.change_refused', 'password.change_throttled') \
           AND {occurred} AND {actor} AND {actor_user_id} AND {target_type} AND {target_id} AND {ip}) \
         OR (NEW.action = OLD.action AND {occurred} AND {actor_user_id} AND {target_type} AND {target_id} \
           AND ({actor} OR NEW.actor = '[erased]') \
           AND ({detail} OR NEW.detail = '[erased]') \
           AND ({ip} OR NEW.ip IS NULL))",
        occurred = same("occurred_at"),
        actor = same("actor"),
        actor_user_id = same("actor_user_id"),
        target_type = same("target_type"),
        target_id = same("target_id"),
        detail = same("detail"),
        ip = same("ip"),
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match db.get_database_backend() {
            DbBackend::Postgres => {
                let allowed = permitted_update(|c| format!("NEW.{c} IS NOT DISTINCT FROM OLD.{c}"));
                db.execute_unprepared(&format!(
                    "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF TG_OP = 'UPDATE' AND ({allowed}) THEN RETURN NEW; END IF; \
                       RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP; \
                     END $$"
                ))
                .await?;
            }
            _ => {
                let allowed = permitted_update(|c| format!("NEW.{c} IS OLD.{c}"));
                // One call, so one connection of the pool both drops and creates.
                db.execute_unprepared(&format!(
                    "DROP TRIGGER IF EXISTS audit_log_no_update; \
                     CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
                     WHEN NOT ({allowed}) \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (UPDATE refused)'); END"
                ))
                .await?;
            }
        }
        Ok(())
    }
}
