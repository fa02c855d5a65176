//! The audit log is append-only in the database itself: UPDATE, DELETE (and on PostgreSQL
//! TRUNCATE) are refused by triggers, except the two rewrites the service makes — settling a
//! sign-in attempt written as a failure before the password was checked, and blanking a
//! person's email or details to `[erased]` under UK GDPR erasure — which keep every other
//! column as it was.

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
                    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN \
                       IF TG_OP = 'UPDATE' AND ({allowed}) THEN RETURN NEW; END IF; \
                       RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP; \
                     END $$"
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log \
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
                )
                .await?;
            }
            _ => {
                let allowed = permitted_update(|c| format!("NEW.{c} IS OLD.{c}"));
                db.execute_unprepared(&format!(
                    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log \
                     WHEN NOT ({allowed}) \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (UPDATE refused)'); END"
                ))
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log \
                     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (DELETE refused)'); END",
                )
                .await?;
            }
        }
        Ok(())
    }
}
