//! What a new password must not be (docs/security.md §1): besides the length rules checked by
//! [`NewPassword`], it must not be one of the most common passwords (a shipped list), one
//! of them with digits or symbols tacked on, the username, or one character repeated.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::domain::{NewPassword, Password, PasswordPolicyError};

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// Why a new password is refused, with a message for the form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error(transparent)]
    Policy(#[from] PasswordPolicyError),
    #[error("That password is one of the most commonly used, so it is among the first an attacker tries. Choose something less predictable.")]
    Common,
    #[error("Don't use your username in your password.")]
    ContainsUsername,
    #[error("Don't repeat the same few characters over and over.")]
    Repetitive,
    #[error("The two passwords don't match.")]
    Mismatch,
}

/// Checks a new password, typed twice, for the account `username`.
pub fn check(
    password: Password,
    again: &Password,
    username: &str,
) -> Result<NewPassword, WeakPassword> {
    if password.expose() != again.expose() {
        return Err(WeakPassword::Mismatch);
    }
    let new = NewPassword::parse(password)?;
    let lower = new.password().expose().to_lowercase();
    let base = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    if COMMON.contains(lower.as_str()) || (base.chars().count() >= 4 && COMMON.contains(base)) {
        return Err(WeakPassword::Common);
    }
    // A short unit repeated ("aaaaaaaaaaaa", "abcabcabcabc") or a common password said
    // twice ("passwordpassword").
    let chars: Vec<char> = lower.chars().collect();
    if let Some(unit) = (1..=chars.len() / 2)
        .find(|&p| chars.len().is_multiple_of(p) && chars.chunks(p).all(|c| c == &chars[..p]))
    {
        let unit_text: String = chars[..unit].iter().collect();
        if unit <= 4 {
            return Err(WeakPassword::Repetitive);
        }
        if COMMON.contains(unit_text.as_str()) {
            return Err(WeakPassword::Common);
        }
    }
    if !username.is_empty() && lower.contains(&username.to_lowercase()) {
        return Err(WeakPassword::ContainsUsername);
    }
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn try_new(p: &str) -> Result<NewPassword, WeakPassword> {
        check(Password::new(p), &Password::new(p), "alice")
    }

    #[test]
    fn the_list_is_loaded() {
        assert!(COMMON.len() >= 9_900);
        assert!(COMMON.contains("password"));
        assert!(COMMON.contains("1qaz2wsx3edc"));
    }

    #[test]
    fn common_passwords_and_decorated_ones_are_refused() {
        for p in [
            "1qaz2wsx3edc",
            "qwerty123456",
            "Password1234!",
            "passwordpassword",
            "SUNSHINE2024!!",
        ] {
            assert_eq!(try_new(p).unwrap_err(), WeakPassword::Common, "{p}");
        }
    }

    #[test]
    fn specific_messages_for_each_rule() {
        assert_eq!(
            try_new("short").unwrap_err(),
            WeakPassword::Policy(PasswordPolicyError::TooShort)
        );
        assert_eq!(
            try_new("aaaaaaaaaaaaaa").unwrap_err(),
            WeakPassword::Repetitive
        );
        assert_eq!(
            try_new("my name is ALICE ok").unwrap_err(),
            WeakPassword::ContainsUsername
        );
        assert_eq!(
            check(
                Password::new("correct horse battery"),
                &Password::new("correct horse batery"),
                "alice"
            )
            .unwrap_err(),
            WeakPassword::Mismatch
        );
    }

    proptest::proptest! {
        #[test]
        fn checking_any_text_never_panics(s in "\\PC{0,80}", name in "[a-z0-9._-]{0,32}") {
            let _ = check(Password::new(s.clone()), &Password::new(s), &name);
        }
    }

    #[test]
    fn good_passphrases_pass_unchanged() {
        for p in [
            "correct horse battery staple",
            "Tr0ub4dor&3-but-longer",
            "密码是一个非常长的句子啊",
        ] {
            assert_eq!(try_new(p).unwrap().password().expose(), p);
        }
    }
}
