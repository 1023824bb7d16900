//! Secrets the server must read back (the authenticator app's TOTP secret) are sealed at
//! rest with ChaCha20-Poly1305 under a key from `GATEHOUSE_SECRET_KEY`; the database
//! alone reveals nothing, and a tampered row fails to open. Each value is sealed with
//! associated data naming what it belongs to (the account), so a sealed value moved to
//! another account fails to open too.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use rand::RngCore;
use zeroize::Zeroizing;

/// A 256-bit key. Its `Debug` shows nothing.
#[derive(Clone)]
pub struct SecretKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<hidden>)")
    }
}

/// Why a key or a sealed value is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretBoxError {
    #[error("GATEHOUSE_SECRET_KEY must be 64 hex digits (32 random bytes)")]
    BadKey,
    #[error(
        "GATEHOUSE_SECRET_KEY is all zeros, a placeholder rather than a key; \
         generate one with `openssl rand -hex 32`"
    )]
    ZeroKey,
    #[error("a sealed secret could not be opened (wrong key or altered data)")]
    Unsealable,
}

impl SecretKey {
    /// Reads 64 hex digits. An all-zero key is refused: it is what a template or a
    /// forgotten placeholder holds, and would seal with a key everyone knows.
    pub fn from_hex(text: &str) -> Result<Self, SecretBoxError> {
        let mut key = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), &mut *key).map_err(|_| SecretBoxError::BadKey)?;
        if key.iter().all(|&b| b == 0) {
            return Err(SecretBoxError::ZeroKey);
        }
        Ok(Self(key))
    }

    /// A fixed key for development only (never for production data).
    pub fn development() -> Self {
        use sha2::{Digest, Sha256};
        let mut key = Zeroizing::new([0u8; 32]);
        key.copy_from_slice(&Sha256::digest(b"gatehouse development key, not secret"));
        Self(key)
    }

    fn cipher(&self) -> ChaCha20Poly1305 {
        ChaCha20Poly1305::new(Key::from_slice(&*self.0))
    }

    /// Seals `plain` with a fresh random nonce, bound to `aad` (associated data: not
    /// secret, not stored in the result, but needed again to open it, e.g. the owning
    /// account's id); returns (nonce, sealed).
    pub fn seal(&self, plain: &[u8], aad: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(Nonce::from_slice(&nonce), Payload { msg: plain, aad })
            .expect("ChaCha20-Poly1305 encryption of a short secret cannot fail");
        (nonce.to_vec(), sealed)
    }

    /// Opens what [`seal`](Self::seal) made with the same `aad`; other associated data
    /// fails like a wrong key. (Values sealed before associated data was used open with
    /// an empty `aad`.)
    pub fn open(
        &self,
        nonce: &[u8],
        sealed: &[u8],
        aad: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, SecretBoxError> {
        if nonce.len() != 12 {
            return Err(SecretBoxError::Unsealable);
        }
        self.cipher()
            .decrypt(Nonce::from_slice(nonce), Payload { msg: sealed, aad })
            .map(Zeroizing::new)
            .map_err(|_| SecretBoxError::Unsealable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_unaltered() {
        let key = SecretKey::from_hex(&"11".repeat(32)).unwrap();
        let aad = 7_i64.to_be_bytes();
        let (nonce, sealed) = key.seal(b"12345678901234567890", &aad);
        assert!(!sealed.windows(20).any(|w| w == b"12345678901234567890"));
        assert_eq!(
            &*key.open(&nonce, &sealed, &aad).unwrap(),
            b"12345678901234567890"
        );
        let other = SecretKey::from_hex(&"22".repeat(32)).unwrap();
        assert_eq!(
            other.open(&nonce, &sealed, &aad),
            Err(SecretBoxError::Unsealable)
        );
        let mut altered = sealed.clone();
        altered[0] ^= 1;
        assert_eq!(
            key.open(&nonce, &altered, &aad),
            Err(SecretBoxError::Unsealable)
        );
        assert_ne!(
            key.seal(b"x", &aad).0,
            key.seal(b"x", &aad).0,
            "fresh nonces"
        );
    }

    #[test]
    fn a_secret_sealed_for_one_user_does_not_open_for_another() {
        let key = SecretKey::from_hex(&"11".repeat(32)).unwrap();
        let (nonce, sealed) = key.seal(b"12345678901234567890", &7_i64.to_be_bytes());
        for other in [8_i64, -7, 7 << 8, 0] {
            assert_eq!(
                key.open(&nonce, &sealed, &other.to_be_bytes()),
                Err(SecretBoxError::Unsealable),
                "user {other}"
            );
        }
        assert_eq!(
            key.open(&nonce, &sealed, &[]),
            Err(SecretBoxError::Unsealable),
            "nor as a value sealed without associated data"
        );
        // And one sealed without associated data (before it was used) opens only so.
        let (nonce, legacy) = key.seal(b"12345678901234567890", &[]);
        assert!(key.open(&nonce, &legacy, &[]).is_ok());
        assert_eq!(
            key.open(&nonce, &legacy, &7_i64.to_be_bytes()),
            Err(SecretBoxError::Unsealable)
        );
    }

    #[test]
    fn an_all_zero_key_is_refused_with_a_clear_error() {
        for zeros in ["00".repeat(32), format!(" {} \n", "00".repeat(32))] {
            let err = SecretKey::from_hex(&zeros).unwrap_err();
            assert_eq!(err, SecretBoxError::ZeroKey);
            assert!(err.to_string().contains("all zeros"), "{err}");
        }
        let mut one_bit = "00".repeat(31);
        one_bit.push_str("01");
        assert!(SecretKey::from_hex(&one_bit).is_ok());
    }

    #[test]
    fn keys_must_be_64_hex_digits_and_never_print() {
        assert!(SecretKey::from_hex("abc").is_err());
        assert!(SecretKey::from_hex(&"zz".repeat(32)).is_err());
        let key = SecretKey::from_hex(&"ab".repeat(32)).unwrap();
        assert_eq!(format!("{key:?}"), "SecretKey(<hidden>)");
    }
}
