//! A receipt attached to an expense claim; the file lives outside any public path.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expense_receipts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub claim_id: i64,
    /// Generated; the file's only name on disk.
    #[sea_orm(unique)]
    pub stored_name: String,
    /// The uploader's file name, sanitised; display text only, never a path.
    pub display_name: String,
    /// Detected from the content: application/pdf, image/jpeg or image/png.
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by_user_id: i64,
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "claim_id", to = "id")]
    pub claim: BelongsTo<super::expense_claim::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
