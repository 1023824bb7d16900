//! Bearer secrets (session, trusted-device and reset-link tokens) and the hashes the
//! database keeps of them instead.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// A bearer secret held by the browser: 256 bits from the OS CSPRNG.
pub struct SecretToken([u8; 32]);

impl SecretToken {
    /// A fresh random token.
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// Reads a token from a cookie value; anything but 64 hex digits is no token.
    pub fn from_cookie_value(value: &str) -> Option<Self> {
        let mut bytes = [0u8; 32];
        hex::decode_to_slice(value, &mut bytes).ok()?;
        Some(Self(bytes))
    }

    /// What the database stores and looks up: the token's SHA-256, never the token.
    pub fn hash(&self) -> TokenHash {
        TokenHash::of(&self.0)
    }

    /// The token as written in a cookie or a link: 64 hex digits.
    pub fn encoded(&self) -> String {
        hex::encode(self.0)
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretToken(<hidden>)")
    }
}

/// The SHA-256 of a secret: what the database stores and looks up, never the secret. A
/// type of its own, so it is never mistaken for another hash (a code's) or raw bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    /// The SHA-256 of `secret`.
    pub fn of(secret: &[u8]) -> Self {
        Self(Sha256::digest(secret).into())
    }

    /// The bytes as stored.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TokenHash({}…)", hex::encode(&self.0[..4]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_round_trip_through_the_cookie() {
        let a = SecretToken::generate();
        let b = SecretToken::generate();
        assert_ne!(a.encoded(), b.encoded());
        let back = SecretToken::from_cookie_value(&a.encoded()).unwrap();
        assert_eq!(back.hash(), a.hash());
        assert_eq!(a.hash().as_bytes().len(), 32);
        assert_ne!(
            a.hash().as_bytes(),
            a.0.to_vec().as_slice(),
            "the stored value is a hash, not the token"
        );
    }

    #[test]
    fn malformed_cookie_values_are_no_token() {
        for bad in ["", "abc", &"zz".repeat(32), &"00".repeat(33)] {
            assert!(SecretToken::from_cookie_value(bad).is_none(), "{bad}");
        }
    }
}
