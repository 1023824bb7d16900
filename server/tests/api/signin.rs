//! Two-step sign-in (docs/security.md §4–7, 13–16, 21): texted codes, pending sessions,
//! resends, trusted devices and the login history, over HTTP against real PostgreSQL.

use crate::helpers::{client, code_in, spawn_app, spawn_app_with, Browser, TestApp};
use app::api::history::HistoryPage;
use app::api::signin::{LoginStep, PendingSignIn};
use app::error::AppError;
use time::Duration;

const PASSWORD: &str = "a perfectly fine passphrase";
const PHONE: &str = "+447400123456";

async fn with_2fa_user() -> (TestApp, i64) {
    let app = spawn_app().await;
    let id = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    (app, id)
}

/// Signs in with the password on `b`; a code is asked for.
async fn password_step(b: &Browser) -> PendingSignIn {
    match b.login("alice", PASSWORD).await.ok() {
        LoginStep::CodeSent(pending) => pending,
        other => panic!("expected a code step, got {other:?}"),
    }
}

async fn signed_in(b: &Browser) -> bool {
    b.account().await.status == 200
}

/// The error's message if it is about the form field `field`.
fn field_message(error: Option<AppError>, field: &str) -> String {
    match error {
        Some(AppError::InvalidInput { field: f, message }) if f == field => message,
        other => panic!("expected an error on {field}, got {other:?}"),
    }
}

fn wrong(code: &str) -> String {
    // A different 6-digit code.
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_the_password_step_texts_a_code_and_stores_only_its_hash() {
    let (app, _) = with_2fa_user().await;
    let b = app.browser();
    let pending = password_step(&b).await;
    assert_eq!(pending.masked_phone, "•••• 3456");
    assert_eq!(pending.attempts_left, 5);

    let sms = app.sms_to(PHONE).await;
    assert_eq!(sms.len(), 1);
    let code = code_in(&sms[0]);
    assert_eq!(
        sms[0],
        format!(
            "Gatehouse: your sign-in code is {code}. It expires in 10 minutes. Don't share it."
        )
    );
    assert!(code.chars().all(|d| d.is_ascii_digit()));

    let stored: Vec<(Vec<u8>, Vec<u8>)> =
        sqlx::query_as("SELECT code_hash, code_salt FROM signin_challenges")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0.len(), 32);
    let text_columns: String =
        sqlx::query_scalar("SELECT row_to_json(c)::text FROM signin_challenges c")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(
        !text_columns.contains(&code),
        "the code is not stored in clear"
    );
    assert!(!signed_in(&b).await, "not signed in before the code");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_the_right_code_signs_in_and_rotates_the_session_id() {
    let (app, id) = with_2fa_user().await;
    let b = app.browser();
    let res = b.login("alice", PASSWORD).await;
    let pending_cookie = res.cookie_pairs().remove(0);
    assert!(matches!(res.ok(), LoginStep::CodeSent(_)));
    let code = app.latest_code(PHONE).await;

    let res = b.verify(&format!("{}-{}", &code[..3], &code[3..])).await;
    assert_eq!(res.status, 200, "123-456 is accepted");
    let full_cookie = res.cookie_pairs().remove(0);
    assert_ne!(
        pending_cookie, full_cookie,
        "a new session id after the second factor"
    );
    assert!(signed_in(&b).await);

    // The pending id is dead: replaying it reaches nothing.
    let stale = app.browser();
    stale.add_cookie(&pending_cookie);
    let res = stale.account().await;
    assert_eq!(res.status, 401);
    assert_eq!(res.err(), Some(AppError::Unauthorized));
    let res = stale.verify(&code).await;
    assert_eq!(res.status, 401, "replaying a used code");

    let rows = app.history_of(id).await;
    let outcomes: Vec<(&str, &str)> = rows
        .iter()
        .map(|(o, f, _)| (o.as_str(), f.as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [("code_sent", "password"), ("signed_in", "sms_code")]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_formats_with_spaces_are_accepted_and_junk_is_a_422() {
    let (app, _) = with_2fa_user().await;
    let b = app.browser();
    password_step(&b).await;
    let res = b.verify("12a456").await;
    assert_eq!(res.status, 422);
    let message = field_message(res.err(), "code");
    assert!(message.contains("6-digit code"), "{message}");
    let code = app.latest_code(PHONE).await;
    let res = b.verify(&format!(" {} {} ", &code[..3], &code[3..])).await;
    assert_eq!(res.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_session_can_call_nothing_but_the_second_step() {
    let (app, _) = with_2fa_user().await;
    let b = app.browser();
    password_step(&b).await;
    let res = b.account().await;
    assert_eq!(
        (res.status, res.err()),
        (401, Some(AppError::Unauthorized)),
        "account"
    );
    let res = b.history(1).await;
    assert_eq!(
        (res.status, res.err()),
        (401, Some(AppError::Unauthorized)),
        "login-history"
    );
    let res = b.devices().await;
    assert_eq!(
        (res.status, res.err()),
        (401, Some(AppError::Unauthorized)),
        "trusted-devices"
    );
    let res = b.revoke_all_devices().await;
    assert_eq!(
        (res.status, res.err()),
        (401, Some(AppError::Unauthorized)),
        "revoke-all-devices"
    );
    let res = b.revoke_device(1).await;
    assert_eq!(
        (res.status, res.err()),
        (401, Some(AppError::Unauthorized)),
        "revoke-device"
    );
    for page in ["/account", "/account/security", "/account/history"] {
        let res = b.page(page).await;
        let to = res.headers().get("location").unwrap().to_str().unwrap();
        assert!(to.starts_with("/login"), "{page}: {to}");
    }
    // The second step itself still works.
    let pending = b.pending().await.ok().expect("a pending sign-in");
    assert_eq!(pending.masked_phone, "•••• 3456");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_expires_after_ten_minutes_and_a_new_one_is_sent() {
    let (app, id) = with_2fa_user().await;
    let b = app.browser();
    password_step(&b).await;
    let first = app.latest_code(PHONE).await;
    app.clock()
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let res = b.verify(&first).await;
    assert_eq!(res.status, 422);
    assert_eq!(res.err(), Some(AppError::CodeExpired));
    assert_eq!(app.sms_to(PHONE).await.len(), 2, "a new code was sent");
    let second = app.latest_code(PHONE).await;
    assert_eq!(b.verify(&second).await.status, 200);
    assert!(app
        .history_of(id)
        .await
        .iter()
        .any(|(o, _, _)| o == "expired_code"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_still_valid_just_before_ten_minutes() {
    let (app, _) = with_2fa_user().await;
    let b = app.browser();
    password_step(&b).await;
    let code = app.latest_code(PHONE).await;
    app.clock()
        .advance(Duration::minutes(9) + Duration::seconds(59));
    assert_eq!(b.verify(&code).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_after_five_wrong_guesses_even_the_right_code_fails() {
    let (app, id) = with_2fa_user().await;
    let b = app.browser();
    password_step(&b).await;
    let code = app.latest_code(PHONE).await;
    for left in (1..=4).rev() {
        let res = b.verify(&wrong(&code)).await;
        assert_eq!(res.status, 422);
        assert_eq!(
            res.err(),
            Some(AppError::WrongCode {
                attempts_left: left
            })
        );
    }
    let res = b.verify(&wrong(&code)).await;
    assert_eq!(
        (res.status, res.err()),
        (429, Some(AppError::TooManyAttempts))
    );
    let res = b.verify(&code).await;
    assert_eq!(
        (res.status, res.err()),
        (429, Some(AppError::TooManyAttempts)),
        "the right code fails too"
    );
    assert!(!signed_in(&b).await);
    let outcomes: Vec<String> = app.history_of(id).await.into_iter().map(|r| r.0).collect();
    assert_eq!(outcomes.iter().filter(|o| *o == "wrong_code").count(), 4);
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| *o == "too_many_attempts")
            .count(),
        2
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_does_not_reset_the_failed_attempt_count() {
    let (app, _) = with_2fa_user().await;
    let b = app.browser();
    password_step(&b).await;
    let first = app.latest_code(PHONE).await;
    for _ in 0..3 {
        b.verify(&wrong(&first)).await;
    }
    app.clock().advance(Duration::seconds(31));
    assert_eq!(b.resend().await.ok().attempts_left, 2);
    let second = app.latest_code(PHONE).await;
    let res = b.verify(&wrong(&second)).await;
    assert_eq!(
        (res.status, res.err()),
        (422, Some(AppError::WrongCode { attempts_left: 1 }))
    );
    let res = b.verify(&wrong(&second)).await;
    assert_eq!(res.status, 429, "3 + 2 wrong guesses across a resend");
    assert_eq!(res.err(), Some(AppError::TooManyAttempts));
    assert_eq!(b.verify(&second).await.status, 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_replaces_the_code_has_a_cooldown_and_a_cap() {
    let (app, _) = with_2fa_user().await;
    let b = app.browser();
    password_step(&b).await;
    let first = app.latest_code(PHONE).await;

    let res = b.resend().await;
    assert_eq!(res.status, 429);
    assert!(matches!(res.err(), Some(AppError::ResendTooSoon { .. })));
    assert_eq!(
        app.sms_to(PHONE).await.len(),
        1,
        "nothing sent during the cooldown"
    );

    for sent in 2..=5 {
        app.clock().advance(Duration::seconds(30));
        let res = b.resend().await;
        assert_eq!(res.status, 200, "send {sent}");
        assert_eq!(res.ok().resend_in_seconds, 30);
    }
    app.clock().advance(Duration::seconds(30));
    let res = b.resend().await;
    assert_eq!((res.status, res.err()), (429, Some(AppError::ResendLimit)));
    assert_eq!(
        app.sms_to(PHONE).await.len(),
        5,
        "at most 5 codes per sign-in"
    );

    // The first code was replaced: it no longer works.
    let latest = app.latest_code(PHONE).await;
    if first != latest {
        assert_eq!(b.verify(&first).await.status, 422, "replaced code refused");
    }
    assert_eq!(b.verify(&latest).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_is_bound_to_its_own_pending_sign_in() {
    let (app, _) = with_2fa_user().await;
    let (a, b) = (app.browser(), app.browser());
    password_step(&a).await;
    let code_a = app.latest_code(PHONE).await;
    password_step(&b).await;
    let code_b = app.latest_code(PHONE).await;
    if code_a != code_b {
        assert_eq!(
            b.verify(&code_a).await.status,
            422,
            "A's code in B's sign-in"
        );
    }
    assert_eq!(a.verify(&code_a).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_verifications_of_one_code_sign_in_exactly_once() {
    let (app, _) = with_2fa_user().await;
    let b = app.browser();
    let cookie = b.login("alice", PASSWORD).await.cookie_pairs().remove(0);
    let code = app.latest_code(PHONE).await;
    let url = app.url("/api/verify-code");
    let statuses =
        crate::helpers::concurrent_posts(&url, vec![cookie; 20], &[("code", &code)]).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    // The others found the sign-in over (401), or, past its five reserved guesses, were
    // refused unchecked (429).
    assert!(
        statuses.iter().all(|s| [200, 401, 429].contains(s)),
        "{statuses:?}"
    );
    let full: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE stage = 'full'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(full, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_wrong_codes_are_checked_exactly_five_times() {
    let (app, _) = with_2fa_user().await;
    let b = app.browser();
    let cookie = b.login("alice", PASSWORD).await.cookie_pairs().remove(0);
    let code = app.latest_code(PHONE).await;
    let url = app.url("/api/verify-code");
    crate::helpers::concurrent_posts(&url, vec![cookie; 50], &[("code", &wrong(&code))]).await;
    let failures: i32 = sqlx::query_scalar("SELECT failed_attempts FROM signin_challenges")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Each guess is reserved before it is checked: five are, the rest are refused
    // unchecked and counted nowhere.
    assert_eq!(failures, 5);
    let account: i32 =
        sqlx::query_scalar("SELECT failures FROM account_throttles WHERE username = 'alice'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        account, 5,
        "and each checked one counts against the account"
    );
    assert_eq!(b.verify(&code).await.status, 429);
}

async fn sign_in_trusting(app: &TestApp, b: &Browser) -> String {
    password_step(b).await;
    let code = app.latest_code(PHONE).await;
    let res = b.verify_trusting(&code).await;
    assert_eq!(res.status, 200);
    let device = res.set_cookie("gatehouse_device").expect("device cookie");
    assert!(
        device.contains("HttpOnly") && device.contains("Max-Age=2592000"),
        "{device}"
    );
    device.split(';').next().unwrap().to_owned()
}

/// Signs in with the password, presenting `device_cookie`; true if no code was needed.
async fn skips_code(app: &TestApp, device_cookie: &str) -> bool {
    let b = app.browser();
    b.add_cookie(device_cookie);
    b.login("alice", PASSWORD).await.ok() == LoginStep::SignedIn
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_device_skips_only_the_sms_step() {
    let (app, id) = with_2fa_user().await;
    let b = app.browser();
    let device = sign_in_trusting(&app, &b).await;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM trusted_devices")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_ne!(
        hex_of(&stored),
        device.split('=').nth(1).unwrap(),
        "only the hash is stored"
    );

    assert!(skips_code(&app, &device).await);
    // Never the password: a wrong password with the device cookie is still refused.
    let other = app.browser();
    other.add_cookie(&device);
    let res = other.login("alice", "wrong password!!").await;
    assert_eq!(
        (res.status, res.err()),
        (401, Some(AppError::InvalidCredentials))
    );
    let last = app.history_of(id).await.into_iter().rev().nth(1).unwrap();
    assert_eq!(
        (last.0.as_str(), last.1.as_str()),
        ("signed_in", "trusted_device")
    );
}

fn hex_of(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_device_cookie_tampered_expired_foreign_or_revoked_leads_to_the_sms_step() {
    let (app, _) = with_2fa_user().await;
    app.add_user_2fa("bob", PASSWORD, "+447400123457").await;
    let b = app.browser();
    let device = sign_in_trusting(&app, &b).await;

    // Tampered: one hex digit flipped.
    let mut flipped = device.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
    assert!(!skips_code(&app, &String::from_utf8(flipped).unwrap()).await);
    assert!(!skips_code(&app, "gatehouse_device=not-hex").await);

    // Another account on the same browser.
    let bob = app.browser();
    bob.add_cookie(&device);
    let step = bob.login("bob", PASSWORD).await.ok();
    assert!(
        matches!(step, LoginStep::CodeSent(_)),
        "bob is not trusted by alice's device: {step:?}"
    );

    // Still good at 29 days, gone after 30.
    app.clock().advance(Duration::days(29));
    assert!(skips_code(&app, &device).await);
    app.clock()
        .advance(Duration::days(1) + Duration::seconds(1));
    assert!(!skips_code(&app, &device).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_devices_are_listed_and_revocable() {
    let (app, _) = with_2fa_user().await;
    let b = app.browser();
    let device = sign_in_trusting(&app, &b).await;
    let list = b.devices().await.ok();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].ip, "127.0.0.1");
    let id = list[0].id;

    // Another account cannot revoke it.
    app.add_user("mallory", PASSWORD).await;
    let m = app.signed_in("mallory", PASSWORD).await;
    assert_eq!(m.revoke_device(id).await.status, 200);
    assert!(
        skips_code(&app, &device).await,
        "still trusted after a foreign revoke"
    );

    assert_eq!(b.revoke_device(id).await.status, 200);
    assert!(!skips_code(&app, &device).await, "revoked");

    let again = sign_in_trusting(&app, &app.browser()).await;
    assert_eq!(b.revoke_all_devices().await.status, 200);
    assert!(!skips_code(&app, &again).await, "revoked by Revoke all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_records_every_outcome_including_unknown_users() {
    let (app, id) = with_2fa_user().await;
    app.browser().login("alice", "wrong password!!").await;
    app.browser().login("nobody-here", "whatever at all").await;
    let unknown: (Option<i64>, String) = sqlx::query_as(
        "SELECT user_id, username_typed FROM login_attempts WHERE username_typed = 'nobody-here'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(unknown.0, None);

    let b = app.browser();
    password_step(&b).await;
    let code = app.latest_code(PHONE).await;
    b.verify(&wrong(&code)).await;
    b.verify(&code).await;
    let rows = app.history_of(id).await;
    let outcomes: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        outcomes,
        ["wrong_password", "code_sent", "wrong_code", "signed_in"]
    );
    assert!(rows.iter().all(|r| r.2 == "127.0.0.1"));

    // The customer sees their own attempts, newest first.
    let page: HistoryPage = b.history(1).await.ok();
    let shown: Vec<&str> = page.attempts.iter().map(|a| a.outcome.as_str()).collect();
    assert_eq!(
        shown,
        [
            "Signed in",
            "Wrong code",
            "Password OK, code sent",
            "Wrong username or password"
        ]
    );
    assert!(!page.has_next);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_is_paginated_fifty_a_page() {
    let app = spawn_app().await;
    let id = app.add_user("alice", PASSWORD).await;
    sqlx::query(
        "INSERT INTO login_attempts (user_id, username_typed, at, ip, user_agent, outcome, factor)
         SELECT $1, 'alice', now() - make_interval(mins => n), '192.0.2.1', 'curl', 'wrong_password', 'password'
         FROM generate_series(1, 60) AS n",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    let b = app.browser();
    b.login_form("alice", PASSWORD).await;
    let one = b.history(1).await.ok();
    assert_eq!(one.attempts.len(), 50);
    assert!(one.has_next);
    assert_eq!(one.attempts[0].outcome, "Signed in");
    let two = b.history(2).await.ok();
    assert_eq!(two.attempts.len(), 11);
    assert!(!two.has_next);

    let html = b
        .client()
        .get(b.url("/account/history?page=2"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("192.0.2.1"), "server-rendered rows");
    assert!(
        html.contains(r#"href="/account/history?page=1""#) && !html.contains("?page=3"),
        "pager links"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_shows_only_the_customers_own_attempts_with_values_escaped() {
    let app = spawn_app().await;
    let alice = app.add_user("alice", PASSWORD).await;
    app.add_user("bob01", PASSWORD).await;
    sqlx::query(
        "INSERT INTO login_attempts (user_id, username_typed, at, ip, user_agent, outcome, factor)
         VALUES ($1, 'alice', now(), '<script>alert(1)</script>', '<img src=x onerror=alert(1)>', 'wrong_password', 'password')",
    )
    .bind(alice)
    .execute(&app.pool)
    .await
    .unwrap();
    let b = app.browser();
    b.login_form("bob01", PASSWORD).await;
    let page = b.history(1).await.ok();
    assert_eq!(page.attempts.len(), 1, "only bob's own sign-in");

    let a = app.browser();
    a.login_form("alice", PASSWORD).await;
    let html = a
        .client()
        .get(a.url("/account/history"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains("<script>alert(1)"), "escaped");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x_forwarded_for_from_an_untrusted_peer_is_ignored() {
    let app = spawn_app().await;
    let id = app.add_user("alice", PASSWORD).await;
    client()
        .post(app.url("/api/login"))
        .header("x-forwarded-for", "203.0.113.50")
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(app.history_of(id).await[0].2, "127.0.0.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn x_forwarded_for_from_a_trusted_proxy_is_used() {
    let mut settings = app::server::Settings::dev();
    settings.trusted_proxies = vec!["127.0.0.0/8".parse().unwrap()];
    let app = spawn_app_with(settings).await;
    let id = app.add_user("alice", PASSWORD).await;
    client()
        .post(app.url("/api/login"))
        .header("x-forwarded-for", "198.51.100.1, 203.0.113.50")
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(app.history_of(id).await[0].2, "203.0.113.50");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_over_abandons_the_pending_sign_in() {
    let (app, _) = with_2fa_user().await;
    let b = app.browser();
    password_step(&b).await;
    let code = app.latest_code(PHONE).await;
    assert_eq!(b.cancel().await.status, 200);
    let res = b.verify(&code).await;
    assert_eq!(
        (res.status, res.err()),
        (401, Some(AppError::SignInExpired))
    );
    assert_eq!(b.pending().await.ok(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_both_steps_work_through_form_posts() {
    let (app, _) = with_2fa_user().await;
    let b = app.browser();
    let res = b
        .submit_form("login", &[("username", "alice"), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status(), 302);
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    let html = b
        .client()
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Authentication Token") && html.contains("•••• 3456"),
        "step 2 rendered by the server"
    );
    assert!(
        html.contains(r#"autocomplete="one-time-code""#) && html.contains(r#"inputmode="numeric""#)
    );

    let code = app.latest_code(PHONE).await;
    let res = b
        .submit_form("verify-code", &[("code", code.as_str())])
        .await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/account/security");
    assert!(signed_in(&b).await);
}

/// The session, the "signed in" history row and the cleared failure count commit
/// together: when the history row cannot be written (here a trigger refuses it, as a
/// database going away mid-sign-in would), no session is left behind either.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_in_whose_history_row_fails_leaves_no_session() {
    let app = spawn_app().await;
    let id = app.add_user("alice", PASSWORD).await;
    for statement in [
        "CREATE FUNCTION refuse_sign_in() RETURNS trigger LANGUAGE plpgsql AS
         $$ BEGIN RAISE EXCEPTION 'history unavailable'; END $$",
        "CREATE TRIGGER refuse_sign_in BEFORE INSERT ON login_attempts
         FOR EACH ROW WHEN (NEW.outcome = 'signed_in') EXECUTE FUNCTION refuse_sign_in()",
    ] {
        sqlx::query(statement).execute(&app.pool).await.unwrap();
    }
    let b = app.browser();
    let res = b.login("alice", PASSWORD).await;
    assert_eq!((res.status, res.err()), (500, Some(AppError::Internal)));
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE user_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "a session without its history row");
    assert!(!signed_in(&b).await);

    sqlx::query("DROP TRIGGER refuse_sign_in ON login_attempts")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(b.login("alice", PASSWORD).await.ok(), LoginStep::SignedIn);
    assert!(signed_in(&b).await);
    let outcomes: Vec<String> = app
        .history_of(id)
        .await
        .into_iter()
        .map(|(outcome, _, _)| outcome)
        .collect();
    assert_eq!(outcomes, ["signed_in"], "one sign-in, recorded once");
}
