//! A UK (or international) telephone number as typed, checked for a plausible length.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("Enter a phone number.");
        }
        let allowed = trimmed.chars().all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '(' | ')'));
        let digits = trimmed.chars().filter(char::is_ascii_digit).count();
        let plus_only_first = trimmed.rfind('+').is_none_or(|i| i == 0);
        if !allowed || !plus_only_first || !(10..=15).contains(&digits) || trimmed.len() > 32 {
            return Err("Enter a phone number, like 01632 960 001 or +44 7700 900 982.");
        }
        Ok(Self(trimmed.split_whitespace().collect::<Vec<_>>().join(" ")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Phone;

    #[test]
    fn accepts_uk_and_international_numbers() {
        for good in ["01632 960001", "+44 7700 900982", "(01632) 960-001", "07700900982"] {
            assert!(Phone::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "123", "call me", "0770090098212345678", "44+7700900982"] {
            assert!(Phone::parse(bad).is_err(), "{bad}");
        }
    }
}
