//! Argon2id password hashing on the blocking pool, behind a concurrency limit.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use super::settings::Argon2Settings;
use crate::domain::Password;

/// What checking a password against a stored hash found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The password matches; `needs_rehash` when the stored hash uses other parameters
    /// than the configured ones (it should be replaced now that the password is known).
    Match {
        needs_rehash: bool,
    },
    Mismatch,
}

/// Why hashing failed; always a server fault, never the user's.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("invalid argon2 parameters: {0}")]
    Params(argon2::Error),
    #[error("argon2 failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("stored password hash is not a valid PHC string: {0}")]
    StoredHash(argon2::password_hash::Error),
    #[error("hashing task did not finish: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Hashes and verifies passwords with Argon2id.
///
/// Each hash holds `memory_kib` of memory on a blocking thread for tens of milliseconds,
/// so at most `permits` run at once: a login storm queues here instead of exhausting
/// memory or the async workers that render pages.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    permits: Arc<Semaphore>,
    /// Hashes running right now (never more than the permits).
    busy: Arc<std::sync::atomic::AtomicUsize>,
    /// A real hash of a random password, verified against when the user does not exist so
    /// that an unknown username costs as much time as a wrong password.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    /// Builds a hasher with the given cost and concurrency limit.
    pub async fn new(settings: Argon2Settings, permits: usize) -> Result<Self, HashError> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(HashError::Params)?;
        let mut hasher = Self {
            params,
            permits: Arc::new(Semaphore::new(permits.max(1))),
            busy: Arc::default(),
            dummy_hash: Arc::from(""),
        };
        let mut random = [0u8; 24];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut random);
        hasher.dummy_hash = hasher
            .hash(&Password::new(hex::encode(random)))
            .await?
            .into();
        Ok(hasher)
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes a password into a PHC string with a fresh random salt.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.clone();
        let argon2 = self.argon2();
        self.run_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            argon2
                .hash_password(password.expose().as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(HashError::Hash)
        })
        .await
    }

    /// Checks a password against a stored PHC hash in constant time.
    pub async fn verify(
        &self,
        password: &Password,
        stored: &str,
    ) -> Result<Verification, HashError> {
        let password = password.clone();
        let stored = stored.to_owned();
        let argon2 = self.argon2();
        let wanted = self.params.clone();
        self.run_blocking(move || {
            let parsed = PasswordHash::new(&stored).map_err(HashError::StoredHash)?;
            match argon2.verify_password(password.expose().as_bytes(), &parsed) {
                Ok(()) => Ok(Verification::Match {
                    needs_rehash: !uses_params(&parsed, &wanted),
                }),
                Err(argon2::password_hash::Error::Password) => Ok(Verification::Mismatch),
                Err(e) => Err(HashError::StoredHash(e)),
            }
        })
        .await
    }

    /// Spends the time of one verification without any account, so that "no such user"
    /// cannot be told from "wrong password" by timing. Always a mismatch.
    pub async fn verify_dummy(&self, password: &Password) -> Result<Verification, HashError> {
        let dummy = self.dummy_hash.clone();
        self.verify(password, &dummy)
            .await
            .map(|_| Verification::Mismatch)
    }

    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        // The semaphore is never closed, so acquiring cannot fail.
        let _permit = self.permits.acquire().await.expect("hash semaphore closed");
        let busy = self.busy.clone();
        tokio::task::spawn_blocking(move || {
            use std::sync::atomic::Ordering;
            busy.fetch_add(1, Ordering::SeqCst);
            let out = work();
            busy.fetch_sub(1, Ordering::SeqCst);
            out
        })
        .await?
    }

    /// How many hashes are running right now.
    pub fn busy(&self) -> usize {
        self.busy.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// Whether a stored hash was made with Argon2id at exactly these parameters.
fn uses_params(hash: &PasswordHash<'_>, wanted: &Params) -> bool {
    hash.algorithm == Algorithm::Argon2id.ident()
        && hash.version == Some(Version::V0x13.into())
        && Params::try_from(hash).is_ok_and(|p| {
            p.m_cost() == wanted.m_cost()
                && p.t_cost() == wanted.t_cost()
                && p.p_cost() == wanted.p_cost()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> Argon2Settings {
        // Tests of the mechanism, not of the cost: keep them quick.
        Argon2Settings {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashing_runs_on_the_blocking_pool_never_more_than_the_permits_at_once() {
        let hasher = PasswordHasher::new(cheap(), 2).await.unwrap();
        let pw = Password::new("correct horse battery staple");
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (h, pw) = (hasher.clone(), pw.clone());
                tokio::spawn(async move { h.hash(&pw).await.unwrap() })
            })
            .collect();
        let mut most = 0;
        while tasks.iter().any(|t| !t.is_finished()) {
            most = most.max(hasher.busy());
            tokio::task::yield_now().await;
        }
        for t in tasks {
            t.await.unwrap();
        }
        assert!(most <= 2, "{most} hashes ran at once");
        assert_eq!(hasher.busy(), 0);
    }

    #[tokio::test]
    async fn hash_is_argon2id_phc_with_unique_salt_and_verifies() {
        let hasher = PasswordHasher::new(Argon2Settings::default(), 2)
            .await
            .unwrap();
        let pw = Password::new("correct horse battery staple");
        let a = hasher.hash(&pw).await.unwrap();
        let b = hasher.hash(&pw).await.unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{a}");
        assert_ne!(a, b, "each hash gets its own salt");
        assert!(!a.contains("correct horse"));
        assert_eq!(
            hasher.verify(&pw, &a).await.unwrap(),
            Verification::Match {
                needs_rehash: false
            }
        );
        assert_eq!(
            hasher
                .verify(&Password::new("correct horse battery stapl"), &a)
                .await
                .unwrap(),
            Verification::Mismatch
        );
    }

    #[tokio::test]
    async fn weaker_stored_hashes_ask_for_a_rehash() {
        let weak = PasswordHasher::new(cheap(), 1).await.unwrap();
        let strong = PasswordHasher::new(Argon2Settings::default(), 1)
            .await
            .unwrap();
        let pw = Password::new("a long enough password");
        let old = weak.hash(&pw).await.unwrap();
        assert_eq!(
            strong.verify(&pw, &old).await.unwrap(),
            Verification::Match { needs_rehash: true }
        );
    }

    #[tokio::test]
    async fn dummy_verification_never_matches() {
        let hasher = PasswordHasher::new(cheap(), 1).await.unwrap();
        assert_eq!(
            hasher.verify_dummy(&Password::new("")).await.unwrap(),
            Verification::Mismatch
        );
    }

    #[tokio::test]
    async fn a_corrupt_stored_hash_is_an_error_not_a_mismatch() {
        let hasher = PasswordHasher::new(cheap(), 1).await.unwrap();
        assert!(matches!(
            hasher
                .verify(&Password::new("whatever"), "not-a-hash")
                .await,
            Err(HashError::StoredHash(_))
        ));
    }
}
