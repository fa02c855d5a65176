//! Value types shared across the service, each parsed once at the edge ("parse, don't
//! validate"): a handler turns raw input into these, and the services never see raw strings.

pub mod email;
pub mod phone;
pub mod postcode;
pub mod time;

pub use email::Email;
pub use phone::Phone;
pub use postcode::Postcode;
