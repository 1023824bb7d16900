use serde::{Deserialize, Serialize};

/// A sign-in name: 3–32 characters from `a-z`, `0-9`, `.`, `_` and `-`, starting with a
/// letter or digit. Usernames compare case-insensitively, so the parsed form is lowercase.
///
/// ```
/// use app::domain::Username;
/// assert_eq!(Username::parse("  Alice.Smith ").unwrap().as_str(), "alice.smith");
/// assert!(Username::parse("a b").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Username(String);

/// Why a string is not a [`Username`]; the message is written for the person typing it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameError {
    #[error("Enter a username.")]
    Empty,
    #[error("A username has at least {min} characters.", min = Username::MIN_LEN)]
    TooShort,
    #[error("A username has at most {max} characters.", max = Username::MAX_LEN)]
    TooLong,
    #[error("A username may contain only letters, digits, '.', '_' and '-'.")]
    InvalidCharacter,
    #[error("A username starts with a letter or a digit.")]
    InvalidStart,
}

impl Username {
    /// Shortest accepted username, in characters.
    pub const MIN_LEN: usize = 3;
    /// Longest accepted username, in characters.
    pub const MAX_LEN: usize = 32;

    /// Parses what a person typed: surrounding whitespace is ignored and case folded.
    pub fn parse(raw: &str) -> Result<Self, UsernameError> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err(UsernameError::Empty);
        }
        // Count characters before checking them, so a long non-ASCII string reports its
        // length rather than its first odd character.
        let len = trimmed.chars().count();
        if len > Self::MAX_LEN {
            return Err(UsernameError::TooLong);
        }
        if !trimmed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(UsernameError::InvalidCharacter);
        }
        if len < Self::MIN_LEN {
            return Err(UsernameError::TooShort);
        }
        if !trimmed.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err(UsernameError::InvalidStart);
        }
        Ok(Self(trimmed.to_ascii_lowercase()))
    }

    /// The normalised (lowercase) username.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Username {
    type Error = UsernameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Username> for String {
    fn from(value: Username) -> Self {
        value.0
    }
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_and_normalises_valid_names() {
        assert_eq!(Username::parse("demo").unwrap().as_str(), "demo");
        assert_eq!(
            Username::parse(" Ops-Team_2 ").unwrap().as_str(),
            "ops-team_2"
        );
        assert_eq!(Username::parse("a.b").unwrap().as_str(), "a.b");
    }

    #[test]
    fn rejects_each_kind_of_bad_name_with_its_own_error() {
        assert_eq!(Username::parse("   "), Err(UsernameError::Empty));
        assert_eq!(Username::parse("ab"), Err(UsernameError::TooShort));
        assert_eq!(
            Username::parse(&"a".repeat(33)),
            Err(UsernameError::TooLong)
        );
        assert_eq!(
            Username::parse("bad name"),
            Err(UsernameError::InvalidCharacter)
        );
        assert_eq!(
            Username::parse("josé"),
            Err(UsernameError::InvalidCharacter)
        );
        assert_eq!(
            Username::parse("<script>"),
            Err(UsernameError::InvalidCharacter)
        );
        assert_eq!(Username::parse(".hidden"), Err(UsernameError::InvalidStart));
    }

    #[test]
    fn deserialising_goes_through_parse() {
        let ok: Username = serde_json::from_str("\"Demo\"").unwrap();
        assert_eq!(ok.as_str(), "demo");
        assert!(serde_json::from_str::<Username>("\"no way\"").is_err());
    }

    proptest! {
        #[test]
        fn parse_never_panics_and_output_is_a_fixed_point(s in ".{0,80}") {
            if let Ok(u) = Username::parse(&s) {
                prop_assert_eq!(Username::parse(u.as_str()), Ok(u.clone()));
                prop_assert!(u.as_str().len() >= Username::MIN_LEN && u.as_str().len() <= Username::MAX_LEN);
            }
        }
    }
}
