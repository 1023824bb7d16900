//! Secrets the server must read back (the authenticator app's TOTP secret) are sealed at
//! rest with ChaCha20-Poly1305 under a key from `GATEHOUSE_SECRET_KEY`; the database
//! alone reveals nothing, and a tampered row fails to open.

use chacha20poly1305::aead::{Aead, KeyInit};
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
    #[error("a sealed secret could not be opened (wrong key or altered data)")]
    Unsealable,
}

impl SecretKey {
    /// Reads 64 hex digits.
    pub fn from_hex(text: &str) -> Result<Self, SecretBoxError> {
        let mut key = Zeroizing::new([0u8; 32]);
        hex::decode_to_slice(text.trim(), &mut *key).map_err(|_| SecretBoxError::BadKey)?;
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

    /// Seals `plain` with a fresh random nonce; returns (nonce, sealed).
    pub fn seal(&self, plain: &[u8]) -> (Vec<u8>, Vec<u8>) {
        let mut nonce = [0u8; 12];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(Nonce::from_slice(&nonce), plain)
            .expect("ChaCha20-Poly1305 encryption of a short secret cannot fail");
        (nonce.to_vec(), sealed)
    }

    /// Opens what [`seal`](Self::seal) made.
    pub fn open(&self, nonce: &[u8], sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, SecretBoxError> {
        if nonce.len() != 12 {
            return Err(SecretBoxError::Unsealable);
        }
        self.cipher()
            .decrypt(Nonce::from_slice(nonce), sealed)
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
        let (nonce, sealed) = key.seal(b"12345678901234567890");
        assert!(!sealed.windows(20).any(|w| w == b"12345678901234567890"));
        assert_eq!(
            &*key.open(&nonce, &sealed).unwrap(),
            b"12345678901234567890"
        );
        let other = SecretKey::from_hex(&"22".repeat(32)).unwrap();
        assert_eq!(other.open(&nonce, &sealed), Err(SecretBoxError::Unsealable));
        let mut altered = sealed.clone();
        altered[0] ^= 1;
        assert_eq!(key.open(&nonce, &altered), Err(SecretBoxError::Unsealable));
        assert_ne!(key.seal(b"x").0, key.seal(b"x").0, "fresh nonces");
    }

    #[test]
    fn keys_must_be_64_hex_digits_and_never_print() {
        assert!(SecretKey::from_hex("abc").is_err());
        assert!(SecretKey::from_hex(&"zz".repeat(32)).is_err());
        let key = SecretKey::from_hex(&"ab".repeat(32)).unwrap();
        assert_eq!(format!("{key:?}"), "SecretKey(<hidden>)");
    }
}
