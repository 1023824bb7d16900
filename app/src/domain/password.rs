use serde::{Deserialize, Serialize};
use zeroize::Zeroize;

/// Fewest characters a new password may have (ASVS 2.1.1).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Most characters a new password may have; well above ASVS's 64 (2.1.2), low enough that
/// hashing a pasted novel is not a denial-of-service lever.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// A password as typed: any Unicode, never trimmed or truncated.
///
/// It prints as `<hidden>`, is wiped from memory when dropped, and is only ever
/// deserialised (from a form) and serialised (by the browser sending that form).
#[derive(Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Password(String);

impl Password {
    /// Wraps a secret string.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself, for the hasher; do not log or store it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<hidden>")
    }
}

impl Drop for Password {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A password that meets the policy for new passwords (length only; no composition rules).
#[derive(Debug, Clone)]
pub struct NewPassword(Password);

/// Why a new password is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordPolicyError {
    #[error("Use at least {MIN_PASSWORD_CHARS} characters. A few unrelated words make a strong, memorable password.")]
    TooShort,
    #[error("Use at most {MAX_PASSWORD_CHARS} characters.")]
    TooLong,
}

impl NewPassword {
    /// Checks the length policy. Length counts Unicode characters, not bytes.
    pub fn parse(password: Password) -> Result<Self, PasswordPolicyError> {
        let chars = password.expose().chars().count();
        if chars < MIN_PASSWORD_CHARS {
            return Err(PasswordPolicyError::TooShort);
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(PasswordPolicyError::TooLong);
        }
        Ok(Self(password))
    }

    /// The accepted password.
    pub fn password(&self) -> &Password {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_secret() {
        let p = Password::new("hunter2-hunter2");
        assert_eq!(format!("{p:?}"), "<hidden>");
        assert!(!format!("{:?}", NewPassword::parse(p).unwrap()).contains("hunter2"));
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        // 12 characters, 36 bytes: accepted.
        assert!(NewPassword::parse(Password::new("密".repeat(12))).is_ok());
        // 11 characters of 4 bytes each: still too short.
        assert_eq!(
            NewPassword::parse(Password::new("🔑".repeat(11))).unwrap_err(),
            PasswordPolicyError::TooShort
        );
    }

    #[test]
    fn boundaries() {
        assert!(NewPassword::parse(Password::new("a".repeat(11))).is_err());
        assert!(NewPassword::parse(Password::new("a".repeat(12))).is_ok());
        assert!(NewPassword::parse(Password::new("a".repeat(64))).is_ok());
        assert!(NewPassword::parse(Password::new("a".repeat(256))).is_ok());
        assert_eq!(
            NewPassword::parse(Password::new("a".repeat(257))).unwrap_err(),
            PasswordPolicyError::TooLong
        );
    }

    proptest::proptest! {
        // Any Unicode is accepted, counted in characters, never truncated or altered.
        #[test]
        fn any_text_is_judged_by_its_length_only(s in "\\PC{0,300}") {
            let chars = s.chars().count();
            match NewPassword::parse(Password::new(s.clone())) {
                Ok(p) => {
                    proptest::prop_assert!((MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&chars));
                    proptest::prop_assert_eq!(p.password().expose(), s.as_str());
                }
                Err(PasswordPolicyError::TooShort) => proptest::prop_assert!(chars < MIN_PASSWORD_CHARS),
                Err(PasswordPolicyError::TooLong) => proptest::prop_assert!(chars > MAX_PASSWORD_CHARS),
            }
        }
    }

    #[test]
    fn whitespace_is_kept_not_trimmed() {
        let p = Password::new("  spaced out  ");
        assert_eq!(
            NewPassword::parse(p).unwrap().password().expose(),
            "  spaced out  "
        );
    }
}
