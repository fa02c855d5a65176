//! The append-only audit log: sign-ins, refused authorisations, reads of case records.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub occurred_at: DateTimeUtc,
    /// The account acting, when known.
    pub actor_user_id: Option<i64>,
    /// Who acted, in words: an email (also one typed at a failed sign-in) or "anonymous".
    pub actor: String,
    /// Dotted verb, e.g. `login.success`, `login.failure`, `authz.denied`.
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// Client address.
    pub ip: Option<String>,
    /// Free text detail (a path, a reason); never a secret.
    pub detail: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
