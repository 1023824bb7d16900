//! One-time codes: generation from the OS CSPRNG, salted hashing, constant-time checks.

use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
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

#[cfg(test)]
mod tests {
    use super::*;

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
