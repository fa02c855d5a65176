//! The service's own address: the From of every email and the ORGANIZER of every calendar
//! invitation it sends, which must be the same address for calendar apps to accept later
//! updates and cancellations of an event.
//!
//! Like the clock it is process-wide, installed once at start-up from `CONVENE_MAIL_FROM`
//! (the first installation wins), because the paths that queue an invitation run deep in
//! casework transactions that otherwise need nothing from the settings.

use std::sync::OnceLock;

use lettre::message::Mailbox;

use crate::config::DEFAULT_MAIL_FROM as DEFAULT;
use crate::ics::CalendarUser;

static SENDER: OnceLock<CalendarUser> = OnceLock::new();

/// `Name <address>` or a bare address as a calendar user; `None` when it is not an address.
pub fn parse(mail_from: &str) -> Option<CalendarUser> {
    let mailbox: Mailbox = mail_from.trim().parse().ok()?;
    let email = mailbox.email.to_string();
    let name = mailbox.name.filter(|n| !n.trim().is_empty()).unwrap_or_else(|| "Convene".to_owned());
    Some(CalendarUser { email, name })
}

/// Installs the service's address (a configuration already checked by [`parse`]); a later
/// installation is ignored.
pub fn install(mail_from: &str) {
    if let Some(user) = parse(mail_from) {
        let _ = SENDER.set(user);
    }
}

/// The service's address, as installed (or the default).
pub fn service() -> &'static CalendarUser {
    SENDER.get_or_init(|| {
        parse(DEFAULT).unwrap_or(CalendarUser { email: "convene@localhost".into(), name: "Convene".into() })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_named_and_a_bare_address_are_read() {
        let named = parse("Restorative Justice Hub <rj@hub.example.org>").expect("an address");
        assert_eq!((named.email.as_str(), named.name.as_str()), ("rj@hub.example.org", "Restorative Justice Hub"));
        let bare = parse("rj@hub.example.org").expect("an address");
        assert_eq!((bare.email.as_str(), bare.name.as_str()), ("rj@hub.example.org", "Convene"));
        assert!(parse("not an address").is_none());
        assert!(parse(DEFAULT).is_some());
    }
}
