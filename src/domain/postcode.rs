//! A UK postcode, normalised to upper case with one space before the inward code.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Postcode(String);

impl Postcode {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let compact: String = raw.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_uppercase();
        if compact.is_empty() {
            return Err("Enter a postcode.");
        }
        if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
            return Err("Enter a full UK postcode, like GL1 2TH.");
        }
        let (outward, inward) = compact.split_at(compact.len() - 3);
        let inward_ok = {
            let b = inward.as_bytes();
            b[0].is_ascii_digit() && b[1].is_ascii_alphabetic() && b[2].is_ascii_alphabetic()
        };
        // Outward code: A9, A99, AA9, AA99, A9A or AA9A.
        let o = outward.as_bytes();
        let outward_ok = o.first().is_some_and(u8::is_ascii_alphabetic)
            && o.iter().all(u8::is_ascii_alphanumeric)
            && o.iter().any(u8::is_ascii_digit)
            && (2..=4).contains(&o.len())
            && {
                let letters_first = o.iter().take_while(|c| c.is_ascii_alphabetic()).count();
                (1..=2).contains(&letters_first) && o[letters_first].is_ascii_digit()
            };
        if !(inward_ok && outward_ok) {
            return Err("Enter a full UK postcode, like GL1 2TH.");
        }
        Ok(Self(format!("{outward} {inward}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Postcode;

    #[test]
    fn normalises_and_rejects() {
        assert_eq!(Postcode::parse(" gl1 2th ").unwrap().as_str(), "GL1 2TH");
        assert_eq!(Postcode::parse("sw1a1aa").unwrap().as_str(), "SW1A 1AA");
        assert_eq!(Postcode::parse("CF10 1EP").unwrap().as_str(), "CF10 1EP");
        assert_eq!(Postcode::parse("M1 1AE").unwrap().as_str(), "M1 1AE");
        for bad in ["", "GL1", "12345", "GL1 2T", "GLL1 2TH", "GL1 22H", "ÉL1 2TH"] {
            assert!(Postcode::parse(bad).is_err(), "{bad}");
        }
    }
}
