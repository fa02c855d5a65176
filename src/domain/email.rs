//! An email address as Convene accepts it: trimmed, lower-cased, plausibly deliverable.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    /// Accepts `local@domain.tld`; the reason is a sentence for the form.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let email = raw.trim().to_lowercase();
        if email.is_empty() {
            return Err("Enter an email address.");
        }
        if email.len() > 254 {
            return Err("Email addresses are at most 254 characters.");
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err("Enter an email address like name@example.org.");
        };
        let plausible = !local.is_empty()
            && local.len() <= 64
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && email.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '<' && c != '>' && c != ',');
        if !plausible {
            return Err("Enter an email address like name@example.org.");
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::Email;

    #[test]
    fn normalises_and_rejects() {
        assert_eq!(Email::parse("  Ana@Example.ORG ").map(|e| e.0), Ok("ana@example.org".to_owned()));
        for bad in ["", "ana", "ana@", "@example.org", "ana@example", "a b@example.org", "ana@@x.org", "ana@x..org"] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }
}
