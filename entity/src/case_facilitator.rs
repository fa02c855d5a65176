//! A case's allocated facilitators: one lead and one co-facilitator, who work the case from
//! allocation to follow-up (unique per case and role, and per case and person).

use sea_orm::entity::prelude::*;

pub use super::conference_facilitator::FacilitatorRole;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_facilitators")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub case_id: i64,
    pub volunteer_id: i64,
    pub role: FacilitatorRole,
    pub allocated_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "case_id", to = "id")]
    pub case: BelongsTo<super::case::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
