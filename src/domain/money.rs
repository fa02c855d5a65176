//! Money as integer pence: parsed from "12.34" or "£12.34" without ever touching floats.

use std::fmt;

/// An amount of money in pence, never negative.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pence(i64);

/// The largest single amount accepted: £10,000.00.
pub const MAX_ITEM_PENCE: i64 = 1_000_000;

impl Pence {
    pub const ZERO: Self = Self(0);

    /// From a stored or computed count of pence; `None` when negative.
    pub fn new(pence: i64) -> Option<Self> {
        (pence >= 0).then_some(Self(pence))
    }

    pub fn get(self) -> i64 {
        self.0
    }

    /// Parses pounds and pence as people write them: `12`, `12.5`, `12.50`, `£1,234.56`.
    pub fn parse_pounds(raw: &str) -> Result<Self, &'static str> {
        const MESSAGE: &str = "Enter an amount in pounds and pence, for example 12.50.";
        let text: String = raw.trim().trim_start_matches('£').chars().filter(|c| *c != ',').collect();
        let (pounds, pence) = text.split_once('.').unwrap_or((text.as_str(), ""));
        if pounds.is_empty() || pounds.len() > 7 || !pounds.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MESSAGE);
        }
        if pence.len() > 2 || !pence.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MESSAGE);
        }
        let pounds: i64 = pounds.parse().map_err(|_| MESSAGE)?;
        let pence: i64 = match pence.len() {
            0 => 0,
            1 => pence.parse::<i64>().map_err(|_| MESSAGE)? * 10,
            _ => pence.parse().map_err(|_| MESSAGE)?,
        };
        Self::bounded(pounds * 100 + pence)
    }

    /// Parses a whole number of pence (the JSON API's `amount_pence`).
    pub fn parse_pence(raw: &str) -> Result<Self, &'static str> {
        let pence: i64 =
            raw.trim().parse().map_err(|_| "Give the amount as a whole number of pence, for example 1250.")?;
        Self::bounded(pence)
    }

    fn bounded(pence: i64) -> Result<Self, &'static str> {
        if pence <= 0 {
            Err("The amount must be more than £0.00.")
        } else if pence > MAX_ITEM_PENCE {
            Err("One item can be at most £10,000.00.")
        } else {
            Ok(Self(pence))
        }
    }

    pub fn checked_add(self, other: Self) -> Option<Self> {
        self.0.checked_add(other.0).map(Self)
    }
}

/// `£1,234.56`.
impl fmt::Display for Pence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pounds = self.0 / 100;
        let digits = pounds.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "£{grouped}.{:02}", self.0 % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_pounds_exactly() {
        assert_eq!(Pence::parse_pounds("12.5"), Ok(Pence(1250)));
        assert_eq!(Pence::parse_pounds("£1,234.56"), Ok(Pence(123_456)));
        assert_eq!(Pence::parse_pounds("0.10"), Ok(Pence(10)));
        assert!(Pence::parse_pounds("1.234").is_err());
        assert!(Pence::parse_pounds("-1").is_err());
        assert!(Pence::parse_pounds("0").is_err());
        assert!(Pence::parse_pounds("abc").is_err());
    }

    #[test]
    fn displays_with_separators() {
        assert_eq!(Pence(123_456).to_string(), "£1,234.56");
        assert_eq!(Pence(5).to_string(), "£0.05");
    }
}
