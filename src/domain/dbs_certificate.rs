//! A DBS certificate number: exactly 12 digits. People copy it from the paper certificate
//! with spaces, so spaces are removed; anything else is refused.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbsCertificateNumber(String);

impl DbsCertificateNumber {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let compact: String = raw.chars().filter(|c| *c != ' ').collect();
        if compact.is_empty() {
            return Err("Enter the 12-digit DBS certificate number.");
        }
        if !compact.chars().all(|c| c.is_ascii_digit()) {
            return Err("A DBS certificate number has only digits (spaces are fine).");
        }
        if compact.len() != 12 {
            return Err("A DBS certificate number has exactly 12 digits.");
        }
        Ok(Self(compact))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::DbsCertificateNumber;

    #[test]
    fn twelve_digits_spaces_removed() {
        assert_eq!(DbsCertificateNumber::parse("0012 3456 7890").unwrap().as_str(), "001234567890");
        assert_eq!(DbsCertificateNumber::parse(" 001234567890 ").unwrap().as_str(), "001234567890");
        for bad in
            ["", "   ", "12345678901", "1234567890123", "12345678901a", "1234-5678-9012", "１２３４５６７８９０１２"]
        {
            assert!(DbsCertificateNumber::parse(bad).is_err(), "{bad:?}");
        }
    }
}
