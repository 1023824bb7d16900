//! The ceiling for the password step: raw Argon2id hashes per second with Gatehouse's
//! default parameters (m = 19456 KiB, t = 2, p = 1) on every core, no server involved.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use clap::Parser;

#[derive(Parser)]
struct Args {
    /// Seconds to run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Threads (default: all cores).
    #[arg(long)]
    threads: Option<usize>,
}

fn main() {
    let args = Args::parse();
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let params = Params::new(19_456, 2, 1, None).unwrap();
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (done, params) = (done.clone(), params.clone());
            std::thread::spawn(move || {
                let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
                while Instant::now() < deadline {
                    let salt = SaltString::generate(&mut rand::rngs::OsRng);
                    argon2
                        .hash_password(b"a perfectly fine passphrase", &salt)
                        .unwrap();
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let rate = done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    println!("argon2id m=19456 t=2 p=1, {threads} threads: {rate:.1} hashes/s");
}
