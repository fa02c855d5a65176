//! sea-orm entities of Convene and their status enums. No business rules live here.

pub mod api_token;
pub mod audit_log;
pub mod session;
pub mod user;
pub mod volunteer;
