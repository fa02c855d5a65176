//! The application form's raw input and its parsing into a `NewApplication`, with one
//! message per field. The HTML form and the JSON API share it.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::domain::time::age_on;
use crate::domain::{Email, Phone, Postcode, lenient_string};

pub const MAX_MOTIVATION: usize = 5000;
pub const MAX_EXPERIENCE: usize = 5000;

/// What an applicant sends. Every field is text (or a JSON number/boolean) so a bad value
/// is a message on that field rather than an unreadable body.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ApplicationInput {
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = i64)]
    pub intake_id: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub postcode: String,
    /// YYYY-MM-DD; applicants must be 18 or over.
    pub date_of_birth: String,
    pub motivation: String,
    pub experience: String,
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = bool)]
    pub available_weekdays: String,
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = bool)]
    pub available_evenings: String,
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = bool)]
    pub available_weekends: String,
    /// yes/no (or true/false)
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = bool)]
    pub can_attend_all_dates: String,
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = bool)]
    pub can_commit_year: String,
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = bool)]
    pub agrees_to_checks: String,
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = bool)]
    pub willing_to_use_it: String,
    #[serde(deserialize_with = "lenient_string")]
    #[schema(value_type = bool)]
    pub privacy_consent: String,
    /// Optional equality monitoring, stored apart from the application.
    pub equality_age_band: String,
    pub equality_gender: String,
    pub equality_ethnicity: String,
    pub equality_disability: String,
    /// Must be left empty (a trap for bots); not part of the API contract.
    #[schema(ignore)]
    pub website: String,
}

/// A valid application, ready to store.
#[derive(Clone, Debug)]
pub struct NewApplication {
    pub intake_id: i64,
    pub name: String,
    pub email: Email,
    pub phone: Phone,
    pub postcode: Postcode,
    pub date_of_birth: NaiveDate,
    pub motivation: String,
    pub experience: String,
    pub available_weekdays: bool,
    pub available_evenings: bool,
    pub available_weekends: bool,
    pub can_attend_all_dates: bool,
    pub can_commit_year: bool,
    pub agrees_to_checks: bool,
    pub willing_to_use_it: bool,
    pub equality: Option<EqualityAnswers>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EqualityAnswers {
    pub age_band: Option<String>,
    pub gender: Option<String>,
    pub ethnicity: Option<String>,
    pub disability: Option<String>,
}

pub type Errors = BTreeMap<String, String>;

fn yes_no(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Some(true),
        "no" | "false" | "0" => Some(false),
        _ => None,
    }
}

fn checked(raw: &str) -> bool {
    yes_no(raw).unwrap_or(false)
}

fn optional(raw: &str, max: usize) -> Option<String> {
    let trimmed = raw.trim();
    (!trimmed.is_empty()).then(|| trimmed.chars().take(max).collect())
}

impl ApplicationInput {
    pub fn is_bot(&self) -> bool {
        !self.website.trim().is_empty()
    }

    /// Parses every field, collecting one message per invalid field. `today` is the
    /// London date (for the age check).
    pub fn parse(&self, today: NaiveDate) -> Result<NewApplication, Errors> {
        let mut errors = Errors::new();
        let mut fail = |field: &str, message: &str| {
            errors.insert(field.to_owned(), message.to_owned());
        };

        let intake_id = self.intake_id.trim().parse::<i64>().ok();
        if intake_id.is_none() {
            fail("intake_id", "Choose the intake you are applying to.");
        }
        let name = self.name.trim();
        if name.is_empty() {
            fail("name", "Enter your full name.");
        } else if name.chars().count() > 200 {
            fail("name", "Your name can be at most 200 characters.");
        }
        let email = Email::parse(&self.email).map_err(|m| fail("email", m)).ok();
        let phone = Phone::parse(&self.phone).map_err(|m| fail("phone", m)).ok();
        let postcode = Postcode::parse(&self.postcode).map_err(|m| fail("postcode", m)).ok();
        let date_of_birth = match NaiveDate::parse_from_str(self.date_of_birth.trim(), "%Y-%m-%d") {
            Err(_) => {
                fail("date_of_birth", "Enter your date of birth, for example 1990-03-27.");
                None
            }
            Ok(born) if age_on(born, today) < 18 => {
                fail("date_of_birth", "You must be 18 or over to volunteer.");
                None
            }
            Ok(born) if age_on(born, today) > 110 => {
                fail("date_of_birth", "Check the year of your date of birth.");
                None
            }
            Ok(born) => Some(born),
        };
        let motivation = self.motivation.trim();
        if motivation.chars().count() < 20 {
            fail("motivation", "Tell us in a few sentences why you want to volunteer (at least 20 characters).");
        } else if motivation.chars().count() > MAX_MOTIVATION {
            fail("motivation", "Keep this to 5,000 characters or fewer.");
        }
        let experience = self.experience.trim();
        if experience.chars().count() > MAX_EXPERIENCE {
            fail("experience", "Keep this to 5,000 characters or fewer.");
        }
        let (weekdays, evenings, weekends) =
            (checked(&self.available_weekdays), checked(&self.available_evenings), checked(&self.available_weekends));
        if !(weekdays || evenings || weekends) {
            fail("available_weekdays", "Tell us when you are generally available: weekdays, evenings or weekends.");
        }
        let mut required_yes = |field: &str, raw: &str, unanswered: &str, refused: &str| match yes_no(raw) {
            None => {
                fail(field, unanswered);
                false
            }
            Some(false) if !refused.is_empty() => {
                fail(field, refused);
                false
            }
            Some(answer) => answer,
        };
        let can_attend_all_dates = required_yes(
            "can_attend_all_dates",
            &self.can_attend_all_dates,
            "Answer yes or no: can you attend every core training date?",
            "Facilitators must attend every date of the core training. If these dates do not suit you, please apply to a later intake.",
        );
        let can_commit_year = required_yes(
            "can_commit_year",
            &self.can_commit_year,
            "Answer yes or no: can you commit for a year after training?",
            "We ask every volunteer to commit for one year after training.",
        );
        let agrees_to_checks = required_yes(
            "agrees_to_checks",
            &self.agrees_to_checks,
            "Answer yes or no: do you agree to an enhanced DBS check and prison vetting?",
            "Every facilitator needs an enhanced DBS check and prison vetting.",
        );
        let willing_to_use_it = required_yes(
            "willing_to_use_it",
            &self.willing_to_use_it,
            "Answer yes or no: are you willing to use IT (email, an online calendar)?",
            "",
        );
        if !checked(&self.privacy_consent) {
            fail("privacy_consent", "Confirm that you have read the privacy notice.");
        }
        let equality = EqualityAnswers {
            age_band: optional(&self.equality_age_band, 32),
            gender: optional(&self.equality_gender, 64),
            ethnicity: optional(&self.equality_ethnicity, 64),
            disability: optional(&self.equality_disability, 32),
        };

        match (intake_id, email, phone, postcode, date_of_birth) {
            (Some(intake_id), Some(email), Some(phone), Some(postcode), Some(date_of_birth)) if errors.is_empty() => {
                Ok(NewApplication {
                    intake_id,
                    name: name.to_owned(),
                    email,
                    phone,
                    postcode,
                    date_of_birth,
                    motivation: motivation.to_owned(),
                    experience: experience.to_owned(),
                    available_weekdays: weekdays,
                    available_evenings: evenings,
                    available_weekends: weekends,
                    can_attend_all_dates,
                    can_commit_year,
                    agrees_to_checks,
                    willing_to_use_it,
                    equality: (equality != EqualityAnswers::default()).then_some(equality),
                })
            }
            _ => Err(errors),
        }
    }
}
