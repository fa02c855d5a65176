//! Reading and writing settings. Every setting has a default, so a new install works.

use entity::setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};

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

/// A numeric setting: key, what it is, default, and the range an admin may set.
pub struct NumberSetting {
    pub key: &'static str,
    pub label: &'static str,
    pub default: i64,
    pub min: i64,
    pub max: i64,
}

pub const DBS_RENEWAL_YEARS: NumberSetting = NumberSetting {
    key: "checks.dbs_renewal_years",
    label: "Years after issue before a DBS certificate is renewed (unless on the Update Service)",
    default: 3,
    min: 1,
    max: 10,
};
pub const SUPERVISION_INTERVAL_WEEKS: NumberSetting = NumberSetting {
    key: "supervision.interval_weeks",
    label: "Weeks between one-to-one supervisions",
    default: 12,
    min: 1,
    max: 52,
};
pub const LEAD_AFTER_CONFERENCES: NumberSetting = NumberSetting {
    key: "progression.lead_after_conferences",
    label: "Conferences held as co-facilitator before a lead sign-off",
    default: 3,
    min: 1,
    max: 50,
};
pub const CASE_TIMEFRAME_DAYS: NumberSetting = NumberSetting {
    key: "cases.default_timeframe_days",
    label: "Days from referral to a case's default deadline",
    default: 90,
    min: 7,
    max: 730,
};
pub const UNSUCCESSFUL_APPLICATION_MONTHS: NumberSetting = NumberSetting {
    key: "retention.unsuccessful_application_months",
    label: "Months after an application is rejected or withdrawn before the applicant's details are anonymised",
    default: 6,
    min: 1,
    max: 120,
};
pub const LEFT_VOLUNTEER_MONTHS: NumberSetting = NumberSetting {
    key: "retention.left_volunteer_months",
    label: "Months after a volunteer leaves before their personal details are anonymised",
    default: 72,
    min: 1,
    max: 120,
};
pub const CLOSED_CASE_MONTHS: NumberSetting = NumberSetting {
    key: "retention.closed_case_months",
    label: "Months after a case closes before its parties' details and the case's notes are anonymised",
    default: 24,
    min: 1,
    max: 120,
};

pub const NUMBER_SETTINGS: [&NumberSetting; 7] = [
    &DBS_RENEWAL_YEARS,
    &SUPERVISION_INTERVAL_WEEKS,
    &LEAD_AFTER_CONFERENCES,
    &CASE_TIMEFRAME_DAYS,
    &UNSUCCESSFUL_APPLICATION_MONTHS,
    &LEFT_VOLUNTEER_MONTHS,
    &CLOSED_CASE_MONTHS,
];

/// The value of a numeric setting: the stored one when it is valid, else the default.
pub async fn number(db: &impl ConnectionTrait, setting: &NumberSetting) -> Result<i64, DbErr> {
    let stored = setting::Entity::find_by_id(setting.key.to_owned()).one(db).await?;
    Ok(value_of(setting, stored.as_ref()))
}

/// [`number`] of several settings, in one query.
pub async fn numbers<const N: usize>(
    db: &impl ConnectionTrait,
    settings: [&NumberSetting; N],
) -> Result<[i64; N], DbErr> {
    let stored =
        setting::Entity::find().filter(setting::Column::Key.is_in(settings.iter().map(|s| s.key))).all(db).await?;
    Ok(settings.map(|s| value_of(s, stored.iter().find(|row| row.key == s.key))))
}

fn value_of(setting: &NumberSetting, stored: Option<&setting::Model>) -> i64 {
    stored
        .and_then(|s| s.value.trim().parse::<i64>().ok())
        .filter(|v| (setting.min..=setting.max).contains(v))
        .unwrap_or(setting.default)
}

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
        updated_at: Set(crate::clock::now()),
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
