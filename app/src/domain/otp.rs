use serde::{Deserialize, Serialize};

/// A 6-digit one-time code as the customer typed it: `123456`, `123 456` and `123-456`
/// are the same code.
///
/// ```
/// use app::domain::OtpCode;
/// assert_eq!(OtpCode::parse(" 123-456 ").unwrap().as_str(), "123456");
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OtpCode(String);

/// Why a string is not a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OtpCodeError {
    #[error("Enter the 6-digit code we texted you.")]
    Empty,
    #[error("The code is 6 digits, like 123 456.")]
    Malformed,
}

impl OtpCode {
    /// Number of digits in a code.
    pub const DIGITS: usize = 6;

    /// Parses a code, ignoring spaces and dashes between the digits.
    pub fn parse(raw: &str) -> Result<Self, OtpCodeError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(OtpCodeError::Empty);
        }
        if trimmed.len() > 16 {
            return Err(OtpCodeError::Malformed);
        }
        let mut digits = String::with_capacity(Self::DIGITS);
        for c in trimmed.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' => {}
                _ => return Err(OtpCodeError::Malformed),
            }
        }
        if digits.len() != Self::DIGITS {
            return Err(OtpCodeError::Malformed);
        }
        Ok(Self(digits))
    }

    /// The six digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OtpCode(<hidden>)")
    }
}

impl TryFrom<String> for OtpCode {
    type Error = OtpCodeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<OtpCode> for String {
    fn from(value: OtpCode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_the_three_ways_people_type_a_code() {
        for raw in ["123456", "123 456", "123-456", " 12 34 56 "] {
            assert_eq!(OtpCode::parse(raw).unwrap().as_str(), "123456", "{raw:?}");
        }
        assert_eq!(OtpCode::parse("000000").unwrap().as_str(), "000000");
    }

    #[test]
    fn refuses_anything_else() {
        assert_eq!(OtpCode::parse(""), Err(OtpCodeError::Empty));
        for raw in [
            "12345",
            "1234567",
            "12a456",
            "١٢٣٤٥٦",
            "123_456",
            "123456789012345678",
        ] {
            assert_eq!(OtpCode::parse(raw), Err(OtpCodeError::Malformed), "{raw:?}");
        }
    }

    #[test]
    fn debug_hides_the_code() {
        assert!(!format!("{:?}", OtpCode::parse("123456").unwrap()).contains("123"));
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_yields_six_digits(s in ".{0,40}") {
            if let Ok(c) = OtpCode::parse(&s) {
                prop_assert_eq!(c.as_str().len(), 6);
                prop_assert!(c.as_str().chars().all(|d| d.is_ascii_digit()));
            }
        }
    }
}
