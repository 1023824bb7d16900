use serde::{Deserialize, Serialize};

/// The alphabet of recovery tokens: Crockford's base32 (no I, L, O or U), so nothing
/// written down can be misread.
pub const RECOVERY_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A Recovery Token as typed: 24 characters of [`RECOVERY_ALPHABET`] (120 bits), in any
/// case, with or without the dashes and spaces it is printed with. `O` reads as `0` and
/// `I`/`L` as `1`, as Crockford intends.
///
/// ```
/// use app::domain::RecoveryToken;
/// let t = RecoveryToken::parse("7kq4 m2xd-9tpf-ab12-cd34-ef56").unwrap();
/// assert_eq!(t.grouped(), "7KQ4-M2XD-9TPF-AB12-CD34-EF56");
/// ```
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RecoveryToken(String);

/// Why a string is not a recovery token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("A recovery token is 24 letters and digits, like 7KQ4-M2XD-9TPF-…")]
pub struct RecoveryTokenError;

impl RecoveryToken {
    /// Characters in a token.
    pub const LEN: usize = 24;

    /// Parses a token as a person would type it back.
    pub fn parse(raw: &str) -> Result<Self, RecoveryTokenError> {
        if raw.len() > 64 {
            return Err(RecoveryTokenError);
        }
        let mut out = String::with_capacity(Self::LEN);
        for c in raw.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c if c.is_ascii() && RECOVERY_ALPHABET.contains(&(c as u8)) => c,
                _ => return Err(RecoveryTokenError),
            };
            out.push(c);
        }
        if out.len() != Self::LEN {
            return Err(RecoveryTokenError);
        }
        Ok(Self(out))
    }

    /// Builds a token from 24 alphabet indices (each below 32); for the generator.
    pub fn from_indices(indices: &[u8; Self::LEN]) -> Self {
        Self(
            indices
                .iter()
                .map(|&i| RECOVERY_ALPHABET[usize::from(i & 31)] as char)
                .collect(),
        )
    }

    /// The normalised form (24 characters, no separators), which is what gets hashed.
    pub fn normalized(&self) -> &str {
        &self.0
    }

    /// The printed form: groups of four joined by dashes.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("-")
    }
}

impl std::fmt::Debug for RecoveryToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryToken(<hidden>)")
    }
}

impl TryFrom<String> for RecoveryToken {
    type Error = RecoveryTokenError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RecoveryToken> for String {
    fn from(value: RecoveryToken) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn any_case_with_or_without_separators() {
        let a = RecoveryToken::parse("7KQ4-M2XD-9TPF-AB12-CD34-EF56").unwrap();
        for typed in [
            "7kq4m2xd9tpfab12cd34ef56",
            " 7KQ4 M2XD 9TPF AB12 CD34 EF56 ",
            "7kq4-m2xd-9tpf-ab12-cd34-ef56",
        ] {
            assert_eq!(RecoveryToken::parse(typed).unwrap(), a, "{typed:?}");
        }
    }

    #[test]
    fn ambiguous_letters_read_as_digits() {
        assert_eq!(
            RecoveryToken::parse("OOOO-IIII-LLLL-0000-1111-2222")
                .unwrap()
                .normalized(),
            "000011111111000011112222"
        );
    }

    #[test]
    fn wrong_length_or_letters_are_refused() {
        assert!(RecoveryToken::parse("7KQ4-M2XD").is_err());
        assert!(RecoveryToken::parse("7KQ4-M2XD-9TPF-AB12-CD34-EF56-X").is_err());
        assert!(
            RecoveryToken::parse("UUUU-M2XD-9TPF-AB12-CD34-EF56").is_err(),
            "U is not in the alphabet"
        );
        assert!(RecoveryToken::parse("123456").is_err());
    }

    #[test]
    fn debug_hides_the_token() {
        let t = RecoveryToken::parse("7KQ4-M2XD-9TPF-AB12-CD34-EF56").unwrap();
        assert!(!format!("{t:?}").contains("7KQ4"));
    }

    proptest! {
        #[test]
        fn grouped_form_parses_back(indices in proptest::array::uniform24(0u8..32)) {
            let t = RecoveryToken::from_indices(&indices);
            prop_assert_eq!(RecoveryToken::parse(&t.grouped()).unwrap(), t.clone());
            prop_assert_eq!(t.grouped().len(), 29);
        }

        #[test]
        fn parse_never_panics(s in ".{0,80}") {
            let _ = RecoveryToken::parse(&s);
        }
    }
}
