use serde::{Deserialize, Serialize};

/// A mobile phone number in E.164 form (`+447400123456`).
///
/// Parsing uses the `phonenumber` crate's metadata, which is large, so it only exists on
/// the server; the browser receives already-parsed numbers and only masks them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PhoneNumber(String);

/// Why a string is not a usable mobile number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("Enter a mobile number.")]
    Empty,
    #[error("Enter the number in international format, starting with + and the country code.")]
    NotInternational,
    #[error("That doesn't look like a phone number.")]
    Malformed,
    #[error("That number is too short.")]
    TooShort,
    #[error("That number is too long.")]
    TooLong,
    #[error("That isn't a valid number for its country.")]
    Invalid,
    #[error("Enter a mobile number, not a landline.")]
    NotMobile,
}

impl PhoneNumber {
    /// The number in E.164 form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number as shown to its owner: only the last four digits (`•••• 3456`).
    pub fn masked(&self) -> String {
        let digits: Vec<char> = self.0.chars().filter(char::is_ascii_digit).collect();
        let tail: String = digits[digits.len().saturating_sub(4)..].iter().collect();
        format!("•••• {tail}")
    }

    /// Parses a number written in international form (`+44 7400 123456`) and checks that it
    /// is a valid mobile number for its country.
    #[cfg(feature = "ssr")]
    pub fn parse_international(raw: &str) -> Result<Self, PhoneError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        if !trimmed.starts_with('+') {
            return Err(PhoneError::NotInternational);
        }
        Self::parse_with_region(trimmed, None)
    }

    /// Parses a number in national form for `region` or in international form.
    #[cfg(feature = "ssr")]
    pub fn parse_with_region(
        raw: &str,
        region: Option<phonenumber::country::Id>,
    ) -> Result<Self, PhoneError> {
        use phonenumber::{ParseError, Type};

        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        if trimmed.chars().count() > 40
            || !trimmed
                .chars()
                .all(|c| c.is_ascii_digit() || " +-.()".contains(c))
        {
            return Err(PhoneError::Malformed);
        }
        let number = phonenumber::parse(region, trimmed).map_err(|e| match e {
            ParseError::TooShortNsn | ParseError::TooShortAfterIdd => PhoneError::TooShort,
            ParseError::TooLong => PhoneError::TooLong,
            ParseError::InvalidCountryCode if region.is_none() => PhoneError::NotInternational,
            _ => PhoneError::Malformed,
        })?;
        let metadata = &*phonenumber::metadata::DATABASE;
        if !phonenumber::is_valid_with(metadata, &number) {
            return Err(PhoneError::Invalid);
        }
        match number.number_type(metadata) {
            Type::Mobile | Type::FixedLineOrMobile | Type::PersonalNumber => {}
            Type::FixedLine
            | Type::TollFree
            | Type::PremiumRate
            | Type::SharedCost
            | Type::Voip => return Err(PhoneError::NotMobile),
            _ => return Err(PhoneError::Invalid),
        }
        Ok(Self(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// Rebuilds a number read back from the database, where only parsed numbers are stored.
    #[cfg(feature = "ssr")]
    pub fn from_trusted_e164(stored: String) -> Self {
        Self(stored)
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn international_mobile_numbers_become_e164() {
        let uk = PhoneNumber::parse_international("+44 7400 123456").unwrap();
        assert_eq!(uk.as_str(), "+447400123456");
        assert_eq!(uk.masked(), "•••• 3456");
        assert_eq!(
            PhoneNumber::parse_international("+1 (201) 555-0123")
                .unwrap()
                .as_str(),
            "+12015550123"
        );
    }

    #[test]
    fn national_numbers_need_a_region() {
        assert_eq!(
            PhoneNumber::parse_international("07400 123456"),
            Err(PhoneError::NotInternational)
        );
        let gb = phonenumber::country::Id::GB;
        assert_eq!(
            PhoneNumber::parse_with_region("07400 123456", Some(gb))
                .unwrap()
                .as_str(),
            "+447400123456"
        );
    }

    #[test]
    fn landlines_and_junk_are_refused() {
        // A London landline.
        assert_eq!(
            PhoneNumber::parse_international("+44 20 7946 0000"),
            Err(PhoneError::NotMobile)
        );
        assert_eq!(PhoneNumber::parse_international(""), Err(PhoneError::Empty));
        assert_eq!(
            PhoneNumber::parse_international("+44 abc"),
            Err(PhoneError::Malformed)
        );
        assert!(PhoneNumber::parse_international("+44 7").is_err());
        assert!(PhoneNumber::parse_international("+999 123456789").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "[+0-9 ()-]{0,45}") {
            if let Ok(p) = PhoneNumber::parse_international(&s) {
                prop_assert!(p.as_str().starts_with('+'));
                prop_assert_eq!(PhoneNumber::parse_international(p.as_str()), Ok(p.clone()));
            }
        }
    }
}
