//! The hasher's tests: results, rehash decisions, the bounded queue and the pool.

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
async fn hashing_runs_on_the_pool_never_more_than_the_permits_at_once() {
    let hasher = PasswordHasher::new(cheap(), 2, HashPriority::default())
        .await
        .unwrap();
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_queue_limit_hashing_is_refused_at_once_and_the_queue_recovers() {
    let hasher = PasswordHasher::new(cheap(), 1, HashPriority::Normal)
        .await
        .unwrap()
        .with_queue_limit(2);
    // Hold the only thread until told, so that the queue fills deterministically.
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (started, running) = oneshot::channel::<()>();
    let first = {
        let h = hasher.clone();
        tokio::spawn(async move {
            h.run_blocking(move |_| {
                let _ = started.send(());
                released.recv().ok();
                Ok(1)
            })
            .await
        })
    };
    running.await.unwrap();
    let second = {
        let h = hasher.clone();
        tokio::spawn(async move { h.run_blocking(|_| Ok(2)).await })
    };
    while hasher.pending() < 2 {
        tokio::task::yield_now().await;
    }
    let pw = Password::new("correct horse battery staple");
    for _ in 0..5 {
        assert!(matches!(hasher.hash(&pw).await, Err(HashError::Busy)));
    }
    assert_eq!(hasher.pending(), 2, "refused hashes take no place");
    release.send(()).unwrap();
    assert_eq!(first.await.unwrap().unwrap(), 1);
    assert_eq!(second.await.unwrap().unwrap(), 2);
    assert!(hasher.hash(&pw).await.is_ok(), "room again");
    assert_eq!(hasher.pending(), 0);
}

#[tokio::test]
async fn a_hash_abandoned_while_queued_gives_its_place_back() {
    let hasher = PasswordHasher::new(cheap(), 1, HashPriority::Normal)
        .await
        .unwrap()
        .with_queue_limit(2);
    let (release, released) = std::sync::mpsc::channel::<()>();
    let (started, running) = oneshot::channel::<()>();
    let h = hasher.clone();
    let first = tokio::spawn(async move {
        h.run_blocking(move |_| {
            let _ = started.send(());
            released.recv().ok();
            Ok(())
        })
        .await
    });
    running.await.unwrap();
    let pw = Password::new("correct horse battery staple");
    // Queued behind the first, then given up (the client hung up).
    let abandoned = tokio::time::timeout(std::time::Duration::from_millis(20), hasher.hash(&pw));
    assert!(abandoned.await.is_err());
    release.send(()).unwrap();
    first.await.unwrap().unwrap();
    assert!(hasher.hash(&pw).await.is_ok());
    assert_eq!(hasher.pending(), 0);
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn hashing_threads_run_at_the_configured_priority_and_no_other_thread_does() {
    // (policy, nice) of the calling thread.
    fn current() -> (i32, i32) {
        // SAFETY: both calls only read the calling thread's scheduling settings.
        unsafe {
            (
                libc::sched_getscheduler(0),
                libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t),
            )
        }
    }
    let here = current();
    for (priority, expected) in [
        (HashPriority::Low, (libc::SCHED_BATCH, 19)),
        (HashPriority::Idle, (libc::SCHED_IDLE, here.1)),
        (HashPriority::Normal, here),
    ] {
        let hasher = PasswordHasher::new(cheap(), 2, priority).await.unwrap();
        let seen = hasher.run_blocking(|_| Ok(current())).await.unwrap();
        assert_eq!(seen, expected, "{priority:?}");
    }
    assert_eq!(current(), here, "only the hashing threads change");
}

#[tokio::test]
async fn hash_is_argon2id_phc_with_unique_salt_and_verifies() {
    let hasher = PasswordHasher::new(Argon2Settings::default(), 2, HashPriority::default())
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
    let weak = PasswordHasher::new(cheap(), 1, HashPriority::default())
        .await
        .unwrap();
    let strong = PasswordHasher::new(Argon2Settings::default(), 1, HashPriority::default())
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
    let hasher = PasswordHasher::new(cheap(), 1, HashPriority::default())
        .await
        .unwrap();
    assert_eq!(
        hasher.verify_dummy(&Password::new("")).await.unwrap(),
        Verification::Mismatch
    );
}

#[tokio::test]
async fn a_corrupt_stored_hash_is_an_error_not_a_mismatch() {
    let hasher = PasswordHasher::new(cheap(), 1, HashPriority::default())
        .await
        .unwrap();
    assert!(matches!(
        hasher
            .verify(&Password::new("whatever"), "not-a-hash")
            .await,
        Err(HashError::StoredHash(_))
    ));
}
