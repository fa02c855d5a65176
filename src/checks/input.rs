//! Raw check input from the HTML forms and the JSON API, and its parsing into domain values
//! with one message per field.

use entity::Code;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use entity::dbs_check::{DbsLevel, DbsStatus};
use entity::prison_vetting::VettingStatus;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::{DbsCertificateNumber, lenient_string, yes};

pub type Errors = BTreeMap<String, String>;

pub const MAX_NOTES: usize = 4000;

/// A DBS check as sent. Every field is text (or a JSON number/boolean) so a bad value is a
/// message on that field rather than an unreadable body.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct DbsInput {
    /// basic, standard, enhanced or enhanced_barred
    pub level: String,
    /// 12 digits; spaces are allowed and removed. Required once the status is clear or concerns.
    #[serde(deserialize_with = "lenient_string")]
    pub certificate_number: String,
    /// YYYY-MM-DD, not in the future. Required once the status is clear or concerns.
    pub issued_on: String,
    /// On the DBS Update Service (then there is no renewal date).
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = bool)]
    pub update_service: String,
    /// requested, in_progress, clear, concerns or withdrawn
    pub status: String,
    pub notes: String,
}

/// Prison vetting as sent. The page's form prefixes the names with `vetting_` so its fields
/// and error links do not clash with the DBS form's.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct VettingInput {
    #[serde(alias = "vetting_establishment_id", deserialize_with = "lenient_string")]
    #[schema(value_type = i64)]
    pub establishment_id: String,
    /// The establishment's own level, e.g. "standard" or "enhanced".
    #[serde(alias = "vetting_level")]
    pub level: String,
    /// requested, cleared, refused or withdrawn
    #[serde(alias = "vetting_status")]
    pub status: String,
    /// YYYY-MM-DD, not in the future; required when cleared.
    #[serde(alias = "vetting_cleared_on")]
    pub cleared_on: String,
    /// YYYY-MM-DD, the last valid day; required when cleared.
    #[serde(alias = "vetting_expires_on")]
    pub expires_on: String,
    #[serde(alias = "vetting_notes")]
    pub notes: String,
}

/// The body of `POST /api/v1/volunteers/{id}/checks`.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CheckInput {
    Dbs(DbsInput),
    PrisonVetting(VettingInput),
}

#[derive(Clone, Debug)]
pub struct NewDbsCheck {
    pub level: DbsLevel,
    pub certificate_number: Option<DbsCertificateNumber>,
    pub issued_on: Option<NaiveDate>,
    pub update_service: bool,
    pub status: DbsStatus,
    pub notes: Option<String>,
}

#[derive(Clone, Debug)]
pub struct NewVetting {
    pub establishment_id: i64,
    pub level: String,
    pub status: VettingStatus,
    pub cleared_on: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

fn optional_text(raw: &str) -> Option<String> {
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

fn date(raw: &str) -> Option<Result<NaiveDate, ()>> {
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then(|| NaiveDate::parse_from_str(trimmed, "%Y-%m-%d").map_err(|_| ()))
}

fn notes(raw: &str, errors: &mut Errors, field: &str) -> Option<String> {
    let notes = optional_text(raw);
    if notes.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTES) {
        errors.insert(field.into(), "Keep notes to 4,000 characters or fewer.".into());
    }
    notes
}

impl DbsInput {
    /// `today` is the London date (an issue date cannot be later).
    pub fn parse(&self, today: NaiveDate) -> Result<NewDbsCheck, Errors> {
        let mut errors = Errors::new();
        let level = DbsLevel::from_code(self.level.trim());
        if level.is_none() {
            errors.insert(
                "level".into(),
                "Choose the level: basic, standard, enhanced, or enhanced with barred lists.".into(),
            );
        }
        let status = DbsStatus::from_code(self.status.trim());
        if status.is_none() {
            errors.insert(
                "status".into(),
                "Choose the status: requested, in progress, clear, concerns or withdrawn.".into(),
            );
        }
        let issued = status.is_some_and(DbsStatus::has_certificate);
        let certificate_number = if self.certificate_number.trim().is_empty() && !issued {
            None
        } else {
            DbsCertificateNumber::parse(&self.certificate_number)
                .map_err(|message| errors.insert("certificate_number".into(), message.into()))
                .ok()
        };
        let issued_on = match date(&self.issued_on) {
            None if issued => {
                errors.insert("issued_on".into(), "Enter the date on the certificate, as YYYY-MM-DD.".into());
                None
            }
            None => None,
            Some(Err(())) => {
                errors.insert("issued_on".into(), "Enter the issue date as YYYY-MM-DD, for example 2026-03-27.".into());
                None
            }
            Some(Ok(day)) if day > today => {
                errors.insert("issued_on".into(), "The issue date cannot be in the future.".into());
                None
            }
            Some(Ok(day)) => Some(day),
        };
        let notes = notes(&self.notes, &mut errors, "notes");
        match (level, status) {
            (Some(level), Some(status)) if errors.is_empty() => Ok(NewDbsCheck {
                level,
                certificate_number,
                issued_on,
                update_service: yes(&self.update_service),
                status,
                notes,
            }),
            _ => Err(errors),
        }
    }
}

impl VettingInput {
    pub fn parse(&self, today: NaiveDate) -> Result<NewVetting, Errors> {
        let mut errors = Errors::new();
        let establishment_id = self.establishment_id.trim().parse::<i64>().ok();
        if establishment_id.is_none() {
            errors.insert("establishment_id".into(), "Choose the establishment that vetted the volunteer.".into());
        }
        let level = self.level.trim();
        if level.is_empty() || level.chars().count() > 64 {
            errors.insert("level".into(), "Enter the vetting level, for example “standard” or “enhanced”.".into());
        }
        let status = VettingStatus::from_code(self.status.trim());
        if status.is_none() {
            errors.insert("status".into(), "Choose the status: requested, cleared, refused or withdrawn.".into());
        }
        let cleared = status == Some(VettingStatus::Cleared);
        let cleared_on = match date(&self.cleared_on) {
            None if cleared => {
                errors.insert("cleared_on".into(), "Enter the date the vetting was cleared, as YYYY-MM-DD.".into());
                None
            }
            None => None,
            Some(Err(())) => {
                errors.insert("cleared_on".into(), "Enter the cleared date as YYYY-MM-DD.".into());
                None
            }
            Some(Ok(day)) if day > today => {
                errors.insert("cleared_on".into(), "The cleared date cannot be in the future.".into());
                None
            }
            Some(Ok(day)) => Some(day),
        };
        let expires_on = match date(&self.expires_on) {
            None if cleared => {
                errors.insert("expires_on".into(), "Enter the last day the vetting is valid, as YYYY-MM-DD.".into());
                None
            }
            None => None,
            Some(Err(())) => {
                errors.insert("expires_on".into(), "Enter the expiry date as YYYY-MM-DD.".into());
                None
            }
            Some(Ok(day)) if cleared_on.is_some_and(|c| day < c) => {
                errors.insert("expires_on".into(), "The expiry date cannot be before the cleared date.".into());
                None
            }
            Some(Ok(day)) => Some(day),
        };
        let notes = notes(&self.notes, &mut errors, "notes");
        match (establishment_id, status) {
            (Some(establishment_id), Some(status)) if errors.is_empty() => {
                Ok(NewVetting { establishment_id, level: level.to_owned(), status, cleared_on, expires_on, notes })
            }
            _ => Err(errors),
        }
    }
}
