//! sea-orm entities of Convene and their status enums. No business rules live here.

pub mod api_token;
pub mod application;
pub mod application_note;
pub mod attendance;
pub mod audit_log;
pub mod course;
pub mod course_session;
pub mod dbs_check;
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
pub mod password_invitation;
pub mod prison_vetting;
pub mod session;
pub mod setting;
pub mod supervision_session;
pub mod user;
pub mod volunteer;
pub mod volunteer_meeting;
