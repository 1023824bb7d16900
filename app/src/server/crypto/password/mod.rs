//! Argon2id password hashing on a small pool of low-priority threads of its own.
//!
//! A hash holds `memory_kib` of memory and a core for tens of milliseconds. The pool has
//! one thread per permitted hash (the cores, by default), so a login storm queues here
//! instead of exhausting memory; each thread keeps its Argon2 memory from one hash to
//! the next; and the threads run at a lower priority ([`HashPriority`]), so that pages
//! and `/healthz` are served ahead of hashing during a login storm.
//!
//! The queue in front of the threads is bounded too ([`PasswordHasher::with_queue_limit`]):
//! past the limit a request is refused at once with [`HashError::Busy`] (a 503 with
//! `Retry-After`), rather than waiting behind work that will take longer than any client
//! waits, while its memory and connection pile up.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, PasswordHash, PasswordHasher as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::oneshot;

mod pool;

pub use pool::HashPriority;
use pool::{start_pool, Job, QueueSlot};

use crate::domain::Password;
use crate::server::platform::settings::Argon2Settings;

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

/// Why hashing failed; never the user's fault.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    /// The queue is full: too many hashes are waiting already. Nothing was queued; the
    /// client may try again shortly.
    #[error("too many password hashes are waiting")]
    Busy,
    #[error("invalid argon2 parameters: {0}")]
    Params(argon2::Error),
    #[error("argon2 failed: {0}")]
    Hash(argon2::password_hash::Error),
    #[error("stored password hash is not a valid PHC string: {0}")]
    StoredHash(argon2::password_hash::Error),
    #[error("the hashing thread stopped before the hash was done")]
    Lost,
    #[error("cannot start a password-hashing thread: {0}")]
    Pool(std::io::Error),
}

/// Hashes and verifies passwords with Argon2id.
///
/// At most `permits` hashes run at once, each on a thread of the hasher's own pool (see
/// the module documentation), and at most the queue limit are waiting or running; the
/// threads end when the last clone is dropped.
#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    jobs: mpsc::Sender<Job>,
    /// Hashes running right now (never more than the permits).
    busy: Arc<AtomicUsize>,
    /// Hashes queued or running (never more than `queue_limit`).
    pending: Arc<AtomicUsize>,
    queue_limit: usize,
    /// A real hash of a random password, verified against when the user does not exist so
    /// that an unknown username costs as much time as a wrong password.
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    /// How many hashes may wait or run per hashing thread unless
    /// [`with_queue_limit`](Self::with_queue_limit) says otherwise (see
    /// `Settings::hash_queue` for why 64).
    pub const DEFAULT_QUEUE_PER_THREAD: usize = 64;

    /// Builds a hasher with the given cost, concurrency limit and thread priority, and a
    /// queue of [`DEFAULT_QUEUE_PER_THREAD`](Self::DEFAULT_QUEUE_PER_THREAD) × `permits`.
    pub async fn new(
        settings: Argon2Settings,
        permits: usize,
        priority: HashPriority,
    ) -> Result<Self, HashError> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(HashError::Params)?;
        let permits = permits.max(1);
        let mut hasher = Self {
            params,
            jobs: start_pool(permits, priority).map_err(HashError::Pool)?,
            busy: Arc::default(),
            pending: Arc::default(),
            queue_limit: permits.saturating_mul(Self::DEFAULT_QUEUE_PER_THREAD),
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

    /// Allows at most `limit` hashes (at least one) to be queued or running at once;
    /// past it, hashing fails at once with [`HashError::Busy`].
    #[must_use]
    pub fn with_queue_limit(mut self, limit: usize) -> Self {
        self.queue_limit = limit.max(1);
        self
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes a password into a PHC string with a fresh random salt.
    pub async fn hash(&self, password: &Password) -> Result<String, HashError> {
        let password = password.clone();
        let argon2 = self.argon2();
        self.run_blocking(move |_| {
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
        let wanted = self.params.clone();
        self.run_blocking(move |memory| {
            let parsed = PasswordHash::new(&stored).map_err(HashError::StoredHash)?;
            let matches = verify_in(memory, password.expose().as_bytes(), &parsed)
                .map_err(HashError::StoredHash)?;
            Ok(if matches {
                Verification::Match {
                    needs_rehash: !uses_params(&parsed, &wanted),
                }
            } else {
                Verification::Mismatch
            })
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

    /// Queues `work` for the pool and waits for its answer, or fails at once with
    /// [`HashError::Busy`] when the queue is full. A request that goes away while queued
    /// (the client hung up) costs no hash: its job is skipped.
    async fn run_blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> Result<T, HashError> + Send + 'static,
    ) -> Result<T, HashError> {
        let slot = QueueSlot::take(&self.pending, self.queue_limit).ok_or(HashError::Busy)?;
        let (answer, answered) = oneshot::channel();
        let busy = self.busy.clone();
        let keep = self.params.block_count();
        let queued_at = std::time::Instant::now();
        // The slot travels with the job and is given back when the job is done, skipped,
        // or dropped unrun (the pool gone).
        let job: Job = Box::new(move |memory| {
            if answer.is_closed() {
                return;
            }
            busy.fetch_add(1, Ordering::SeqCst);
            crate::server::platform::metrics::hash_wait(queued_at.elapsed());
            let out = std::panic::catch_unwind(AssertUnwindSafe(|| work(&mut *memory)));
            // A stored hash with a larger cost grew the memory; keep only what the
            // configured cost needs.
            if memory.len() > keep {
                memory.truncate(keep);
                memory.shrink_to_fit();
            }
            busy.fetch_sub(1, Ordering::SeqCst);
            // Free before answering, so that the caller's next hash finds room.
            drop(slot);
            if let Ok(out) = out {
                let _ = answer.send(out);
            }
        });
        self.jobs.send(job).map_err(|_| HashError::Lost)?;
        answered.await.map_err(|_| HashError::Lost)?
    }

    /// How many hashes are running right now.
    pub fn busy(&self) -> usize {
        self.busy.load(Ordering::SeqCst)
    }

    /// How many hashes are queued or running right now.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }
}

/// Checks `password` against a PHC hash, in the calling thread's reusable `memory`: the
/// same computation and constant-time comparison as `PasswordVerifier::verify_password`,
/// without allocating (and the kernel zeroing) a fresh `m` KiB for every check — a sixth
/// of a check's time. Refuses hashes other than Argon2.
fn verify_in(
    memory: &mut Vec<Block>,
    password: &[u8],
    hash: &PasswordHash<'_>,
) -> Result<bool, argon2::password_hash::Error> {
    use argon2::password_hash::Error;
    let (Some(salt), Some(expected)) = (&hash.salt, &hash.hash) else {
        return Err(Error::PhcStringField);
    };
    let algorithm = Algorithm::try_from(hash.algorithm)?;
    let version = hash
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let params = Params::try_from(hash)?;
    let blocks = params.block_count();
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let mut salt_bytes = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_bytes)?;
    let argon2 = Argon2::new(algorithm, version, params);
    let computed = Output::init_with(expected.len(), |out| {
        argon2
            .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
            .map_err(Error::from)
    })?;
    // Output's equality is constant-time.
    Ok(computed == *expected)
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
mod tests;
