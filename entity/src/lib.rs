//! sea-orm entities of Convene and their status enums. No business rules live here.

pub mod api_token;
pub mod application;
pub mod application_note;
pub mod appointment;
pub mod assessment;
pub mod attendance;
pub mod audit_log;
pub mod availability_window;
pub mod calendar_token;
pub mod calendar_uid;
pub mod case;
pub mod case_contact;
pub mod case_counter;
pub mod case_facilitator;
pub mod closure;
pub mod conference;
pub mod conference_facilitator;
pub mod conflict_of_interest;
pub mod course;
pub mod course_session;
pub mod dbs_check;
pub mod email_opt_out;
pub mod enrolment;
pub mod equality_monitoring;
pub mod establishment;
pub mod expense_claim;
pub mod expense_item;
pub mod expense_receipt;
pub mod idempotency_key;
pub mod intake;
pub mod meeting_attendance;
pub mod outbox_message;
pub mod outcome_action;
pub mod party;
pub mod party_availability;
pub mod password_invitation;
pub mod prison_vetting;
pub mod reason_code;
pub mod regime_window;
pub mod session;
pub mod setting;
pub mod supervision_session;
pub mod unavailability;
pub mod user;
pub mod volunteer;
pub mod volunteer_meeting;

/// The text a stored enum is kept as: its `#[sea_orm(string_value)]`, through sea-orm's
/// `ActiveEnum`, so each enum names its strings once (in its derive) for the database, the
/// pages, the API and the audit trail.
pub trait Code: sea_orm::ActiveEnum<Value = String> {
    /// The stored text, e.g. `follow_up`.
    fn code(&self) -> String {
        self.to_value()
    }

    /// The variant whose stored text is `text`, if any.
    fn from_code(text: &str) -> Option<Self> {
        Self::try_from_value(&text.to_owned()).ok()
    }
}

impl<T: sea_orm::ActiveEnum<Value = String>> Code for T {}
