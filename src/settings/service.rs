//! Reading and writing settings. Every setting has a default, so a new install works.

use chrono::Utc;
use entity::setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

/// The texts of the role description, in page order: (key, heading, default).
pub const ROLE_TEXTS: [(&str, &str, &str); 4] = [
    (
        "role.need_to_know",
        "What you need to know",
        "Restorative justice gives people harmed by a crime a chance to communicate with the person responsible, \
         often in a prison. Volunteer facilitators prepare everyone and lead the conference in pairs.",
    ),
    (
        "role.what_you_will_do",
        "What you will do",
        "Meet the people taking part, prepare them for a conference, and facilitate it alongside an experienced \
         facilitator. Record your contacts and follow up the outcome agreement.",
    ),
    (
        "role.what_we_expect",
        "What we expect",
        "Attend every date of the three-day core training, commit for a year after training, agree to an enhanced \
         DBS check and prison vetting, and take part in supervision.",
    ),
    (
        "role.what_you_can_expect",
        "What you can expect",
        "Full training, regular supervision and support from our coordinators, and your out-of-pocket expenses \
         paid at HMRC rates.",
    ),
];

pub const MAX_TEXT_CHARS: usize = 4000;

/// The role description: (key, heading, text) with any admin changes applied.
pub async fn role_texts(db: &impl ConnectionTrait) -> Result<Vec<(&'static str, &'static str, String)>, DbErr> {
    let stored = setting::Entity::find().all(db).await?;
    Ok(ROLE_TEXTS
        .iter()
        .map(|(key, heading, default)| {
            let value =
                stored.iter().find(|s| s.key == *key).map_or_else(|| (*default).to_owned(), |s| s.value.clone());
            (*key, *heading, value)
        })
        .collect())
}

pub async fn set(db: &impl ConnectionTrait, key: &str, value: &str) -> Result<(), DbErr> {
    setting::Entity::insert(setting::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_owned()),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(setting::Column::Key)
            .update_columns([setting::Column::Value, setting::Column::UpdatedAt])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
