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
    /// `place` is empty or names the country: " for the United Kingdom".
    #[error("That number is too short{place}.")]
    TooShort { place: String },
    #[error("That number is too long{place}.")]
    TooLong { place: String },
    #[error("That isn't a valid mobile number{place}.")]
    Invalid { place: String },
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
        let metadata = &*phonenumber::metadata::DATABASE;
        let number = phonenumber::parse(region, trimmed).map_err(|e| {
            let place = Self::place_of_inner(trimmed, region);
            match e {
                ParseError::TooShortNsn | ParseError::TooShortAfterIdd => {
                    PhoneError::TooShort { place }
                }
                ParseError::TooLong => PhoneError::TooLong { place },
                ParseError::InvalidCountryCode if region.is_none() => PhoneError::NotInternational,
                _ => PhoneError::Malformed,
            }
        })?;
        let valid = phonenumber::is_valid_with(metadata, &number);
        match number.number_type(metadata) {
            Type::Mobile | Type::FixedLineOrMobile | Type::PersonalNumber if valid => {}
            Type::FixedLine
            | Type::TollFree
            | Type::PremiumRate
            | Type::SharedCost
            | Type::Voip
                if valid =>
            {
                return Err(PhoneError::NotMobile)
            }
            _ => {
                // The library cannot say "too short" for digits that match no pattern;
                // their count against the country's mobile lengths can.
                let alpha2 = Self::region_of(trimmed, region);
                let place = Self::place_of_inner(trimmed, region);
                let national = number.national().value().to_string().len();
                let lengths: Vec<usize> = alpha2
                    .and_then(|id| metadata.by_id(id.as_str()))
                    .and_then(|m| m.descriptors().mobile())
                    .map(|d| {
                        d.possible_length()
                            .iter()
                            .map(|&n| usize::from(n))
                            .collect()
                    })
                    .unwrap_or_default();
                return Err(match (lengths.iter().min(), lengths.iter().max()) {
                    (Some(&min), _) if national < min => PhoneError::TooShort { place },
                    (_, Some(&max)) if national > max => PhoneError::TooLong { place },
                    _ => PhoneError::Invalid { place },
                });
            }
        }
        Ok(Self(
            number.format().mode(phonenumber::Mode::E164).to_string(),
        ))
    }

    /// The country (ISO 3166 code) a number belongs to, from its `+` calling code or
    /// else the default region: the code's main country (+44 is the United Kingdom, though
    /// Jersey shares it; +1 is the United States, though 24 others share it).
    #[cfg(feature = "ssr")]
    fn region_of(raw: &str, region: Option<phonenumber::country::Id>) -> Option<String> {
        if !raw.trim_start().starts_with('+') {
            return region.map(|r| r.as_ref().to_owned());
        }
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let db = &*phonenumber::metadata::DATABASE;
        (1..=3.min(digits.len()))
            .filter_map(|n| digits[..n].parse::<u16>().ok())
            .find_map(|code| db.by_code(&code))
            .and_then(|countries| {
                countries
                    .iter()
                    .find(|m| m.is_main_country_for_code())
                    .or(countries.first())
                    .map(|m| m.id().to_owned())
            })
    }

    /// " for the United Kingdom", or nothing when the country is unknown.
    #[cfg(feature = "ssr")]
    fn place(alpha2: Option<&str>) -> String {
        alpha2
            .and_then(super::countries::name_after_for)
            .map(|name| format!(" for {name}"))
            .unwrap_or_default()
    }

    /// " for France"; nothing for +1, which 25 countries share as equals.
    #[cfg(feature = "ssr")]
    fn place_of_inner(raw: &str, region: Option<phonenumber::country::Id>) -> String {
        let shared = raw.trim_start().starts_with("+1");
        Self::place(Self::region_of(raw, region).as_deref().filter(|_| !shared))
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
    fn length_errors_name_the_country() {
        let gb = Some(phonenumber::country::Id::GB);
        let too_short = |raw: &str, region| {
            PhoneNumber::parse_with_region(raw, region)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            too_short("07400 123", gb),
            "That number is too short for the United Kingdom."
        );
        assert_eq!(
            too_short("+44 7400 123", None),
            "That number is too short for the United Kingdom."
        );
        assert_eq!(
            too_short("+33 6 12 34", None),
            "That number is too short for France."
        );
        assert_eq!(
            too_short("+44 7400 123456789", None),
            "That number is too long for the United Kingdom."
        );
        // +1 is shared by the US, Canada and the Caribbean: no country is named.
        assert_eq!(too_short("+1 201 555", None), "That number is too short.");
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
