//! An action of a conference's outcome agreement, followed up to completion.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "outcome_actions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub conference_id: i64,
    pub description: String,
    pub owner: String,
    pub due_on: Date,
    pub completed_on: Option<Date>,
    /// Settled as not completed on this date.
    pub not_completed_on: Option<Date>,
    pub completion_note: Option<String>,
}

impl ActiveModelBehavior for ActiveModel {}
