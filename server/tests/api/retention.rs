//! The sweeper (issue #18, part 2): expired rows go, in batches, one sweeper at a time
//! across instances; live rows stay.

use crate::helpers::spawn_app;
use app::server::platform::sweeper;
use time::{Duration, OffsetDateTime};

const PASSWORD: &str = "a perfectly fine passphrase";

fn hash(n: u8) -> Vec<u8> {
    vec![n; 32]
}

/// For every swept table, rows that are expired (`tag` "old") and rows that are live
/// ("new"), written straight into the database at `now`.
async fn fill(pool: &sqlx::PgPool, alice: i64, bob: i64, now: OffsetDateTime) {
    let day = Duration::days(1);
    let statements: Vec<(&str, Vec<OffsetDateTime>)> = vec![
        // sessions: past the absolute expiry, idle too long, live.
        (
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, stage,
                                   authenticated_at, ip, user_agent, factor)
             VALUES ($1, $2, $3, $3, $4, 'full', $3, 'old-expired', '', 'password')",
            vec![now - day, now - Duration::seconds(1)],
        ),
        (
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, stage,
                                   authenticated_at, ip, user_agent, factor)
             VALUES ($1, $2, $3, $3, $4, 'full', $3, 'old-idle', '', 'password')",
            vec![now - Duration::hours(2), now + Duration::hours(10)],
        ),
        (
            "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at, stage,
                                   authenticated_at, ip, user_agent, factor)
             VALUES ($1, $2, $3, $3, $4, 'full', $3, 'new', '', 'password')",
            vec![now - Duration::minutes(5), now + Duration::hours(10)],
        ),
    ];
    for (i, (sql, times)) in statements.into_iter().enumerate() {
        sqlx::query(sql)
            .bind(hash(i as u8 + 1))
            .bind(alice)
            .bind(times[0])
            .bind(times[1])
            .execute(pool)
            .await
            .unwrap();
    }
    for (n, user, expires, device) in [
        (10, alice, now - Duration::seconds(1), "old"),
        (11, alice, now + day, "new"),
    ] {
        sqlx::query(
            "INSERT INTO trusted_devices (token_hash, user_id, created_at, last_used_at, expires_at, ip, device)
             VALUES ($1, $2, $3, $3, $4, '', $5)",
        )
        .bind(hash(n))
        .bind(user)
        .bind(now - day)
        .bind(expires)
        .bind(device)
        .execute(pool)
        .await
        .unwrap();
    }
    // One row per account in these: Alice's is expired, Bob's live.
    for (user, expires, n) in [
        (alice, now - Duration::seconds(1), 20u8),
        (bob, now + Duration::minutes(5), 21),
    ] {
        sqlx::query(
            "INSERT INTO phone_verifications (user_id, phone_e164, enable_2fa, code_salt, code_hash,
                                              code_expires_at, created_at)
             VALUES ($1, '+447400123456', true, $2, $3, $4, $5)",
        )
        .bind(user)
        .bind(vec![n; 16])
        .bind(hash(n))
        .bind(expires)
        .bind(now - Duration::minutes(20))
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO password_resets (user_id, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(user)
        .bind(hash(n + 10))
        .bind(now - Duration::hours(2))
        .bind(expires)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO email_changes (user_id, token_hash, new_email, created_at, expires_at)
             VALUES ($1, $2, 'new@example.com', $3, $4)",
        )
        .bind(user)
        .bind(hash(n + 20))
        .bind(now - Duration::hours(2))
        .bind(expires)
        .execute(pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO passkey_ceremonies (id_hash, kind, state, expires_at)
             VALUES ($1, 'sign_in', '{}'::jsonb, $2)",
        )
        .bind(hash(n + 30))
        .bind(expires)
        .execute(pool)
        .await
        .unwrap();
    }
    for (key, start) in [
        ("old", now - Duration::days(3)),
        ("new", now - Duration::hours(1)),
    ] {
        sqlx::query("INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)")
            .bind(key)
            .bind(start)
            .execute(pool)
            .await
            .unwrap();
    }
    for (name, hour_start, locked) in [
        ("old", now - Duration::days(31), None),
        ("new", now - Duration::days(2), None),
        (
            "locked",
            now - Duration::days(31),
            Some(now + Duration::minutes(1)),
        ),
    ] {
        sqlx::query(
            "INSERT INTO account_throttles (username, failures, hour_start, hour_failures, locked_until)
             VALUES ($1, 3, $2, 3, $3)",
        )
        .bind(name)
        .bind(hour_start)
        .bind(locked)
        .execute(pool)
        .await
        .unwrap();
    }
    for (to, at) in [
        ("old", now - Duration::days(31)),
        ("new", now - Duration::days(1)),
    ] {
        sqlx::query(
            "INSERT INTO dev_mailbox (channel, recipient, body, sent_at) VALUES ('sms', $1, 'x', $2)",
        )
        .bind(to)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    }
    // Sent long ago, sent lately, and queued long ago (still being retried: it stays).
    for (to, at, state) in [
        ("old", now - Duration::days(31), "sent"),
        ("new", now - Duration::days(1), "sent"),
        ("waiting", now - Duration::days(31), "queued"),
    ] {
        sqlx::query(
            "INSERT INTO outbox (channel, recipient, state, created_at, due_at, done_at)
             VALUES ('email', $1, $3, $2, $2 + interval '100 days',
                     CASE WHEN $3 = 'queued' THEN NULL ELSE $2 END)",
        )
        .bind(to)
        .bind(at)
        .bind(state)
        .execute(pool)
        .await
        .unwrap();
    }
    for (typed, at) in [
        ("old", now - Duration::days(401)),
        ("new", now - Duration::days(399)),
    ] {
        sqlx::query(
            "INSERT INTO login_attempts (user_id, username_typed, at, ip, user_agent, outcome, factor)
             VALUES ($1, $2, $3, '', '', 'signed_in', 'password')",
        )
        .bind(alice)
        .bind(typed)
        .bind(at)
        .execute(pool)
        .await
        .unwrap();
    }
}

async fn strings(pool: &sqlx::PgPool, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sweep_deletes_exactly_the_expired_rows_of_every_table() {
    let app = spawn_app().await;
    let alice = app.add_user("alice", PASSWORD).await;
    let bob = app.add_user("bob", PASSWORD).await;
    let now = app.clock().now();
    let pool = &app.pool;
    fill(pool, alice, bob, now).await;

    let swept = sweeper::sweep(&app.pool, &app.state.settings, now)
        .await
        .unwrap()
        .expect("not locked");
    let mut names: Vec<_> = swept.iter().map(|(t, n)| format!("{t}:{n}")).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "account_throttles:1",
            "dev_mailbox:1",
            "email_changes:1",
            "login_attempts:1",
            "outbox:1",
            "passkey_ceremonies:1",
            "password_resets:1",
            "phone_verifications:1",
            "rate_limits:1",
            "sessions:2",
            "trusted_devices:1",
        ]
    );
    assert_eq!(strings(pool, "SELECT ip FROM sessions").await, ["new"]);
    assert_eq!(
        strings(pool, "SELECT device FROM trusted_devices").await,
        ["new"]
    );
    let bob_only = |table: &str| format!("SELECT user_id::text FROM {table}");
    for table in ["phone_verifications", "password_resets", "email_changes"] {
        assert_eq!(
            strings(pool, &bob_only(table)).await,
            [bob.to_string()],
            "{table}"
        );
    }
    assert_eq!(
        strings(
            pool,
            "SELECT encode(id_hash, 'hex') FROM passkey_ceremonies"
        )
        .await,
        [hex(&hash(51))]
    );
    assert_eq!(strings(pool, "SELECT key FROM rate_limits").await, ["new"]);
    let mut throttled = strings(pool, "SELECT username FROM account_throttles").await;
    throttled.sort();
    assert_eq!(
        throttled,
        ["locked", "new"],
        "a locked name keeps its ladder"
    );
    assert_eq!(
        strings(pool, "SELECT recipient FROM dev_mailbox").await,
        ["new"]
    );
    let mut kept = strings(pool, "SELECT recipient FROM outbox").await;
    kept.sort();
    assert_eq!(kept, ["new", "waiting"], "a queued message is never swept");
    assert_eq!(
        strings(pool, "SELECT username_typed FROM login_attempts WHERE user_id IS NOT NULL AND username_typed IN ('old', 'new')").await,
        ["new"]
    );

    // A second sweep finds nothing more.
    assert_eq!(
        sweeper::sweep(&app.pool, &app.state.settings, now)
            .await
            .unwrap(),
        Some(vec![])
    );
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_sweeper_at_a_time_and_big_backlogs_go_in_batches() {
    let app = spawn_app().await;
    let alice = app.add_user("alice", PASSWORD).await;
    let now = app.clock().now();
    // 2,500 expired Login History rows: three batches.
    sqlx::query(
        "INSERT INTO login_attempts (user_id, username_typed, at, ip, user_agent, outcome, factor)
         SELECT $1, 'old', $2, '', '', 'signed_in', 'password' FROM generate_series(1, 2500)",
    )
    .bind(alice)
    .bind(now - Duration::days(500))
    .execute(&app.pool)
    .await
    .unwrap();

    // Another instance holds the lock: this one does nothing.
    let mut other = app.pool.acquire().await.unwrap();
    let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(0x6761_7465_7377_6570_i64)
        .fetch_one(&mut *other)
        .await
        .unwrap();
    assert!(locked);
    assert_eq!(
        sweeper::sweep(&app.pool, &app.state.settings, now)
            .await
            .unwrap(),
        None
    );
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(0x6761_7465_7377_6570_i64)
        .execute(&mut *other)
        .await
        .unwrap();
    drop(other);

    let swept = sweeper::sweep(&app.pool, &app.state.settings, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(swept, vec![("login_attempts", 2500)]);
    let left: i64 =
        sqlx::query_scalar("SELECT count(*) FROM login_attempts WHERE username_typed = 'old'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_page_says_how_long_attempts_are_kept() {
    let mut settings = app::server::Settings::dev();
    settings.history_retention = Duration::days(90);
    let app = crate::helpers::spawn_app_with(settings).await;
    app.add_user("alice", PASSWORD).await;
    let b = app.signed_in("alice", PASSWORD).await;
    assert_eq!(b.history(1).await.ok().kept_days, 90);
    let page = b.page("/account/history").await.text().await.unwrap();
    assert!(page.contains("Attempts are kept for 90 days, then deleted."));
}
