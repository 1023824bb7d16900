/// Longest passkey name, in characters.
pub const MAX_PASSKEY_NAME_CHARS: usize = 64;

/// Most passkeys one account may have.
pub const MAX_PASSKEYS: usize = 10;

/// What the customer calls a passkey ("Chrome on Linux", "YubiKey 5C"): 1–64 characters
/// of printable text, inner runs of whitespace collapsed to one space.
///
/// ```
/// use app::domain::PasskeyName;
/// assert_eq!(PasskeyName::parse("  Work   laptop ").unwrap().as_str(), "Work laptop");
/// assert!(PasskeyName::parse("   ").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeyName(String);

/// Why a string is not a [`PasskeyName`]; the message is written for the person typing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasskeyNameError {
    #[error("Enter a name for this passkey.")]
    Empty,
    #[error("A passkey name has at most {MAX_PASSKEY_NAME_CHARS} characters.")]
    TooLong,
    #[error("A passkey name can't contain control characters.")]
    ControlCharacter,
}

impl PasskeyName {
    /// Parses what a person typed.
    pub fn parse(raw: &str) -> Result<Self, PasskeyNameError> {
        if raw.chars().any(|c| c.is_control() && !c.is_whitespace()) {
            return Err(PasskeyNameError::ControlCharacter);
        }
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            return Err(PasskeyNameError::Empty);
        }
        if name.chars().count() > MAX_PASSKEY_NAME_CHARS {
            return Err(PasskeyNameError::TooLong);
        }
        Ok(Self(name))
    }

    /// A name made by the server (from the browser's description), cut to fit.
    pub fn or_default(raw: &str, fallback: &str) -> Self {
        Self::parse(raw)
            .or_else(|_| Self::parse(fallback))
            .unwrap_or_else(|_| Self("Passkey".to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_collapsed_and_bounded() {
        let table: [(&str, Result<&str, PasskeyNameError>); 7] = [
            ("Chrome on Linux", Ok("Chrome on Linux")),
            ("  YubiKey\t5C  ", Ok("YubiKey 5C")),
            ("Téléphone 📱", Ok("Téléphone 📱")),
            ("", Err(PasskeyNameError::Empty)),
            (" \n ", Err(PasskeyNameError::Empty)),
            ("bad\u{0}name", Err(PasskeyNameError::ControlCharacter)),
            ("x\u{7f}", Err(PasskeyNameError::ControlCharacter)),
        ];
        for (raw, expected) in table {
            assert_eq!(
                PasskeyName::parse(raw).as_ref().map(PasskeyName::as_str),
                expected.as_ref().map(|s| *s),
                "{raw:?}"
            );
        }
        let long = "é".repeat(MAX_PASSKEY_NAME_CHARS);
        assert!(PasskeyName::parse(&long).is_ok());
        assert_eq!(
            PasskeyName::parse(&format!("{long}x")),
            Err(PasskeyNameError::TooLong)
        );
    }

    #[test]
    fn a_default_name_always_exists() {
        assert_eq!(
            PasskeyName::or_default("", "Chrome on Linux").as_str(),
            "Chrome on Linux"
        );
        assert_eq!(PasskeyName::or_default("", "").as_str(), "Passkey");
    }
}
