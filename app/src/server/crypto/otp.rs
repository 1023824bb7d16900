//! One-time codes: generation from the OS CSPRNG, salted hashing, constant-time checks.

use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use time::OffsetDateTime;
use zeroize::Zeroizing;

use crate::domain::OtpCode;

/// A new code: the digits to text (wiped when dropped), and what the database keeps.
pub struct GeneratedCode {
    pub digits: Zeroizing<String>,
    pub salt: [u8; 16],
    pub hash: [u8; 32],
}

/// Draws a uniformly random 6-digit code and hashes it with a fresh salt.
pub fn generate() -> GeneratedCode {
    let n: u32 = rand::rngs::OsRng.gen_range(0..1_000_000);
    let digits = Zeroizing::new(format!("{n:06}"));
    let mut salt = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    let hash = hash_digits(&salt, &digits);
    GeneratedCode { digits, salt, hash }
}

/// The stored form of `code` under `salt`.
pub fn hash(salt: &[u8], code: &OtpCode) -> [u8; 32] {
    hash_digits(salt, code.as_str())
}

fn hash_digits(salt: &[u8], digits: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(salt);
    h.update(digits.as_bytes());
    h.finalize().into()
}

/// Whether `code` is the one stored as `stored` under `salt`, compared in constant time.
pub fn matches(salt: &[u8], code: &OtpCode, stored: &[u8]) -> bool {
    hash(salt, code).ct_eq(stored).into()
}

/// A code as stored: its salt, its hash, and when it stops working.
#[derive(Debug, Clone, Copy)]
pub struct StoredCode<'a> {
    pub salt: &'a [u8],
    pub hash: &'a [u8],
    pub expires_at: OffsetDateTime,
}

/// What a guess at a stored code comes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The right code, in time.
    Accept,
    /// Not the code; `left` more guesses may be made.
    Wrong { left: u32 },
    /// The code's time is over: nothing was compared.
    Expired,
    /// Not the code, and that was the last guess it allows.
    Exhausted,
}

/// The one code check, for sign-in and phone confirmation alike, without IO: `taken` is
/// the number of guesses reserved for this code (this one included, so at least 1), and
/// `max` how many it allows. The reservation refuses guesses past `max` before this is
/// asked; the comparison is constant-time.
pub fn judge(
    now: OffsetDateTime,
    code: &StoredCode<'_>,
    guess: &OtpCode,
    taken: i32,
    max: i32,
) -> Verdict {
    if now >= code.expires_at {
        Verdict::Expired
    } else if matches(code.salt, guess, code.hash) {
        Verdict::Accept
    } else if taken >= max {
        Verdict::Exhausted
    } else {
        Verdict::Wrong {
            left: (max - taken) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judge_decides_each_guess() {
        let now = OffsetDateTime::UNIX_EPOCH;
        let code = generate();
        let stored = StoredCode {
            salt: &code.salt,
            hash: &code.hash,
            expires_at: now + time::Duration::minutes(10),
        };
        let right = OtpCode::parse(&code.digits).unwrap();
        let wrong_digits = format!(
            "{:06}",
            (code.digits.parse::<u32>().unwrap() + 1) % 1_000_000
        );
        let wrong = OtpCode::parse(&wrong_digits).unwrap();
        let later = now + time::Duration::minutes(10);
        let cases = [
            (now, &right, 1, Verdict::Accept),
            (now, &right, 5, Verdict::Accept),
            (now, &wrong, 1, Verdict::Wrong { left: 4 }),
            (now, &wrong, 4, Verdict::Wrong { left: 1 }),
            (now, &wrong, 5, Verdict::Exhausted),
            (later, &right, 1, Verdict::Expired),
            (later, &wrong, 5, Verdict::Expired),
        ];
        for (at, guess, taken, verdict) in cases {
            assert_eq!(judge(at, &stored, guess, taken, 5), verdict, "{at} {taken}");
        }
    }

    #[test]
    fn generated_codes_are_six_digits_and_verify() {
        for _ in 0..200 {
            let g = generate();
            assert_eq!(g.digits.len(), 6);
            assert!(g.digits.chars().all(|c| c.is_ascii_digit()));
            let code = OtpCode::parse(&g.digits).unwrap();
            assert!(matches(&g.salt, &code, &g.hash));
        }
    }

    #[test]
    fn a_code_does_not_match_under_another_salt_or_hash() {
        let a = generate();
        let b = generate();
        let code = OtpCode::parse(&a.digits).unwrap();
        assert!(!matches(&b.salt, &code, &a.hash));
        assert!(!matches(&a.salt, &code, &b.hash) || a.hash == b.hash);
        assert!(
            !matches(&a.salt, &code, &[0u8; 31]),
            "length mismatch never matches"
        );
    }

    #[test]
    fn codes_are_spread_over_the_whole_range() {
        // Leading zeros must occur (a code space of 10^6, not 9×10^5).
        let zeros = (0..2000)
            .filter(|_| generate().digits.starts_with('0'))
            .count();
        assert!(zeros > 100 && zeros < 350, "{zeros}");
    }
}
