//! Forgot Username?, Forgot Password?, the reset link and Change password
//! (docs/security.md §1, 5, 11, 12): the same answer whether or not an account exists, reset
//! tokens random, hashed, single-use, short-lived and superseded, a reset that never
//! skips the second factor and ends every session and trusted device, and caps.

use crate::helpers::smtp::SmtpServer;
use crate::helpers::{Reply, TestApp};
use app::api::signin::LoginStep;
use app::error::AppError;
use app::server::messaging::email::EmailConfig;
use app::server::Settings;
use time::Duration;

const PASSWORD: &str = "a perfectly fine passphrase";
const NEW_PASSWORD: &str = "another entirely fine passphrase";
const PHONE: &str = "+447400123456";

/// Status, body and the names of the cookies set: what an observer can compare. The
/// notice the next page shows ("we've emailed…") is left out: it is the same for
/// everyone, and names no account.
fn answer(res: Reply<()>) -> (u16, String, Vec<String>) {
    let names = res
        .cookie_names()
        .into_iter()
        .filter(|n| n != "gatehouse_notice")
        .collect();
    (res.status, res.body, names)
}

/// The error's message if it is about the form field `field`.
fn field_message(error: Option<AppError>, field: &str) -> String {
    match error {
        Some(AppError::InvalidInput { field: f, message }) if f == field => message,
        other => panic!("expected an error on {field}, got {other:?}"),
    }
}

fn token_in(body: &str) -> String {
    let at = body.find("token=").expect("a reset link") + "token=".len();
    body[at..at + 64].to_owned()
}

/// Asks for a reset of `login` and returns the token from the email (the `n`th to
/// `address`).
async fn reset_token(app: &TestApp, login: &str, address: &str, n: usize) -> String {
    app.browser().forgot_password(login).await.ok();
    let emails = app.wait_for_emails(address, n).await;
    assert_eq!(emails[0].0, "Gatehouse: reset your password");
    token_in(&emails[0].1)
}

async fn reset(app: &TestApp, token: &str, password: &str, again: &str) -> Reply<()> {
    app.browser().reset_password(token, password, again).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_username_answers_the_same_whether_or_not_the_address_is_known() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let known = answer(app.browser().forgot_username("Alice@Example.com").await);
    let unknown = answer(app.browser().forgot_username("nobody@example.com").await);
    assert_eq!(known, unknown);
    assert_eq!(known.0, 200);
    assert!(known.2.is_empty(), "no session cookie either way");

    let emails = app.wait_for_emails("alice@example.com", 1).await;
    assert_eq!(emails[0].0, "Gatehouse: your username");
    assert!(emails[0].1.contains("\n  alice\n"), "{}", emails[0].1);
    assert!(emails[0].1.contains("/login"));
    assert!(app.emails_to("nobody@example.com").await.is_empty());

    // A malformed address is an input error, whoever asks.
    let res = app.browser().forgot_username("not-an-address").await;
    assert_eq!(res.status, 422);
    field_message(res.err(), "email");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_answers_the_same_for_every_kind_of_account_and_for_none() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    app.add_user_2fa("bob", PASSWORD, PHONE).await;
    let mut answers = Vec::new();
    for login in [
        "alice",
        "bob",
        "nobody",
        "alice@example.com",
        "nobody@example.com",
        "!!",
    ] {
        let res = app.browser().forgot_password(login).await;
        answers.push((login, answer(res)));
    }
    for (login, a) in &answers {
        assert_eq!(a, &answers[0].1, "{login}");
    }
    assert_eq!(answers[0].1 .0, 200);
    app.wait_for_emails("alice@example.com", 2).await;
    app.wait_for_emails("bob@example.com", 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_link_sets_a_new_password_once_without_signing_in() {
    let app = crate::helpers::spawn_app().await;
    let id = app.add_user("alice", PASSWORD).await;
    let token = reset_token(&app, "alice", "alice@example.com", 1).await;

    // The token is stored only as its hash.
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM password_resets")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 32);
    let stored_hex: String = stored.iter().map(|b| format!("{b:02x}")).collect();
    assert_ne!(stored_hex, token);

    // The page opens with headers that keep the token to itself.
    let page = app
        .browser()
        .client()
        .get(app.url(&format!("/reset-password?token={token}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["referrer-policy"], "no-referrer");
    assert_eq!(page.headers()["cache-control"], "no-store");
    let html = page.text().await.unwrap();
    assert!(html.contains("Choose a new password") && html.contains("Set New Password"));

    assert!(app.browser().reset_link(&token).await.ok(), "live");
    assert!(
        app.browser().reset_link(&token).await.ok(),
        "asking does not use it up"
    );
    let res = reset(&app, &token, NEW_PASSWORD, NEW_PASSWORD).await;
    let (status, _, cookies) = answer(res);
    assert_eq!(status, 200);
    assert!(
        cookies.is_empty(),
        "a reset signs nobody in (no session cookie)"
    );

    // Used once.
    let again = reset(
        &app,
        &token,
        "yet another fine passphrase",
        "yet another fine passphrase",
    )
    .await;
    assert_eq!(again.status, 422);
    let error = again.err().expect("refused");
    assert!(error.to_string().contains("already been used"), "{error:?}");
    let page = app
        .browser()
        .client()
        .get(app.url(&format!("/reset-password?token={token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("This link has expired or has already been used"));
    assert!(!app.browser().reset_link(&token).await.ok(), "used");

    let res = app.browser().login("alice", PASSWORD).await;
    assert_eq!(
        (res.status, res.err()),
        (401, Some(AppError::InvalidCredentials))
    );
    assert_eq!(
        app.browser().login("alice", NEW_PASSWORD).await.ok(),
        LoginStep::SignedIn
    );
    let history = app.history_of(id).await;
    assert!(history.contains(&(
        "password_reset".to_owned(),
        "email_link".to_owned(),
        "127.0.0.1".to_owned()
    )));
    let emails = app.wait_for_emails("alice@example.com", 2).await;
    assert_eq!(emails[0].0, "Gatehouse: Your password was reset");
    assert!(!emails[0].1.contains(&token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_never_skips_the_second_factor() {
    let app = crate::helpers::spawn_app().await;
    app.add_user_2fa("bob", PASSWORD, PHONE).await;
    let token = reset_token(&app, "bob@example.com", "bob@example.com", 1).await;
    assert_eq!(
        reset(&app, &token, NEW_PASSWORD, NEW_PASSWORD).await.status,
        200
    );
    let c = app.browser();
    let step = c.login("bob", NEW_PASSWORD).await.ok();
    assert!(matches!(step, LoginStep::CodeSent(_)), "{step:?}");
    // Still only half signed in.
    let res = c.account().await;
    assert_eq!((res.status, res.err()), (401, Some(AppError::Unauthorized)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_ends_every_session_and_trusted_device() {
    let app = crate::helpers::spawn_app().await;
    let id = app.add_user_2fa("bob", PASSWORD, PHONE).await;
    let c = app.browser();
    c.login("bob", PASSWORD).await;
    let code = app.latest_code(PHONE).await;
    assert_eq!(c.verify_trusting(&code).await.status, 200);
    let devices: i64 =
        sqlx::query_scalar("SELECT count(*) FROM trusted_devices WHERE user_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(devices, 1);

    let token = reset_token(&app, "bob", "bob@example.com", 1).await;
    assert_eq!(
        reset(&app, &token, NEW_PASSWORD, NEW_PASSWORD).await.status,
        200
    );
    let res = c.account().await;
    assert_eq!((res.status, res.err()), (401, Some(AppError::Unauthorized)));
    let left: (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM sessions WHERE user_id = $1),
                (SELECT count(*) FROM trusted_devices WHERE user_id = $1)",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(left, (0, 0));
    // The browser that was trusted is asked for a code again.
    let step = c.login("bob", NEW_PASSWORD).await.ok();
    assert!(matches!(step, LoginStep::CodeSent(_)), "{step:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_token_expired_or_superseded_fails() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let first = reset_token(&app, "alice", "alice@example.com", 1).await;
    let second = reset_token(&app, "alice", "alice@example.com", 2).await;
    assert_ne!(first, second);
    let res = reset(&app, &first, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status, 422, "superseded by the newer link");
    assert!(matches!(res.err(), Some(AppError::InvalidInput { .. })));

    app.clock().advance(Duration::minutes(61));
    let res = reset(&app, &second, NEW_PASSWORD, NEW_PASSWORD).await;
    assert_eq!(res.status, 422, "an hour has passed");
    assert!(matches!(res.err(), Some(AppError::InvalidInput { .. })));
    assert_eq!(
        app.browser().login("alice", PASSWORD).await.ok(),
        LoginStep::SignedIn,
        "the password is unchanged"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_refuses_weak_and_common_passwords_with_specific_messages() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let token = reset_token(&app, "alice", "alice@example.com", 1).await;
    for (password, again, field, message) in [
        ("short", "short", "password", "Use at least 12 characters"),
        (
            "1qaz2wsx3edc",
            "1qaz2wsx3edc",
            "password",
            "most commonly used",
        ),
        (
            "Password1234!",
            "Password1234!",
            "password",
            "most commonly used",
        ),
        (
            "alice in wonderland",
            "alice in wonderland",
            "password",
            "username",
        ),
        (
            NEW_PASSWORD,
            "something else entirely",
            "password_again",
            "don't match",
        ),
    ] {
        let res = reset(&app, &token, password, again).await;
        assert_eq!(res.status, 422, "{password}");
        let shown = field_message(res.err(), field);
        assert!(shown.contains(message), "{password}: {shown}");
    }
    // Refusals do not use up the link.
    assert_eq!(
        reset(&app, &token, NEW_PASSWORD, NEW_PASSWORD).await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_resets_with_one_token_succeed_exactly_once() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let token = reset_token(&app, "alice", "alice@example.com", 1).await;
    let statuses = crate::helpers::concurrent_posts(
        &app.url("/api/reset-password"),
        vec![String::new(); 20],
        &[
            ("token", &token),
            ("password", NEW_PASSWORD),
            ("password_again", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        19,
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_caps_per_address_and_per_ip_hold_with_the_same_answer() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    app.add_user("carol", PASSWORD).await;
    let first = answer(app.browser().forgot_username("alice@example.com").await);
    for _ in 0..4 {
        let a = answer(app.browser().forgot_username("alice@example.com").await);
        assert_eq!(a, first, "capped answers look the same");
    }
    let sent = app.wait_for_emails("alice@example.com", 3).await;
    assert_eq!(sent.len(), 3, "three an hour per address");

    // Per IP: 20 an hour for both flows together, whatever the addresses (5 used above).
    for i in 0..15 {
        app.browser()
            .forgot_password(&format!("nobody{i}@example.com"))
            .await;
    }
    let res = app.browser().forgot_password("carol").await;
    assert_eq!(answer(res), first);

    // The next hour opens again.
    app.clock().advance(Duration::hours(1));
    app.browser().forgot_password("carol").await;
    // Only this one arrives: the request made over the IP's cap sent nothing.
    app.wait_for_emails("carol@example.com", 1).await;
    assert_eq!(app.emails_to("carol@example.com").await.len(), 1);
    assert_eq!(app.wait_for_emails("alice@example.com", 3).await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_emails_are_delivered_to_a_real_smtp_server() {
    let server = SmtpServer::start().await;
    let mut settings = Settings::dev();
    settings.email = EmailConfig::Smtp(app::server::messaging::email::SmtpConfig {
        url: server.url.clone(),
        from: "Gatehouse <no-reply@panel.example>".into(),
        timeout: std::time::Duration::from_secs(10),
    });
    let app = crate::helpers::spawn_app_with(settings).await;
    app.add_user("alice", PASSWORD).await;
    app.browser().forgot_username("alice@example.com").await;
    app.browser().forgot_password("alice").await;
    let got = server.wait_for(2).await;
    let subjects: Vec<bool> = ["your username", "reset your password"]
        .iter()
        .map(|s| {
            got.iter()
                .any(|m| m.data.contains(&format!("Subject: Gatehouse: {s}")))
        })
        .collect();
    assert_eq!(subjects, [true, true]);
    assert!(got.iter().all(|m| m.rcpt_to == ["<alice@example.com>"]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_password_needs_the_current_one_and_signs_out_other_sessions() {
    let app = crate::helpers::spawn_app().await;
    let id = app.add_user("alice", PASSWORD).await;
    let here = app.signed_in("alice", PASSWORD).await;
    let elsewhere = app.signed_in("alice", PASSWORD).await;

    let res = here
        .change_password("not my password at all", NEW_PASSWORD, NEW_PASSWORD)
        .await;
    assert_eq!(res.status, 422);
    field_message(res.err(), "current_password");
    let res = here
        .change_password(PASSWORD, "qwerty123456", "qwerty123456")
        .await;
    assert_eq!(res.status, 422);
    assert!(matches!(res.err(), Some(AppError::InvalidInput { .. })));
    assert_eq!(elsewhere.account().await.status, 200);

    assert_eq!(
        here.change_password(PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
            .await
            .status,
        200
    );
    assert_eq!(here.account().await.status, 200, "this session stays");
    let res = elsewhere.account().await;
    assert_eq!(res.status, 401, "others end");
    assert_eq!(res.err(), Some(AppError::Unauthorized));
    let res = app.browser().login("alice", PASSWORD).await;
    assert_eq!(
        (res.status, res.err()),
        (401, Some(AppError::InvalidCredentials))
    );
    assert_eq!(
        app.browser().login("alice", NEW_PASSWORD).await.ok(),
        LoginStep::SignedIn
    );
    assert!(app
        .history_of(id)
        .await
        .iter()
        .any(|(outcome, _, _)| outcome == "password_changed"));
    let emails = app.emails_to("alice@example.com").await;
    assert!(emails
        .iter()
        .any(|(s, _)| s == "Gatehouse: Your password was changed"));
    assert!(emails.iter().all(|(_, b)| !b.contains(NEW_PASSWORD)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_out_account_can_still_reset_its_password_and_sign_in() {
    let mut settings = Settings::dev();
    settings.lockout.slowdown_per_failure = std::time::Duration::ZERO;
    let app = crate::helpers::spawn_app_with(settings).await;
    app.add_user("alice", PASSWORD).await;
    for _ in 0..5 {
        app.browser().login("alice", "somebody guessing").await;
    }
    let res = app.browser().login("alice", PASSWORD).await;
    assert_eq!(res.status, 401, "locked");
    assert_eq!(res.err(), Some(AppError::InvalidCredentials));
    let token = reset_token(&app, "alice", "alice@example.com", 1).await;
    assert_eq!(
        reset(&app, &token, NEW_PASSWORD, NEW_PASSWORD).await.status,
        200
    );
    assert_eq!(
        app.browser().login("alice", NEW_PASSWORD).await.ok(),
        LoginStep::SignedIn,
        "the reset ended the lock"
    );
}

// Issue #13: the Forgot caps are reserved before anything is sent, so a parallel burst
// gets exactly the cap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forgot_password_two_hundred_parallel_requests_for_one_address_send_exactly_three() {
    let mut settings = Settings::dev();
    settings.forgot.per_ip_per_hour = 1000;
    let app = crate::helpers::spawn_app_with(settings).await;
    app.add_user("alice", PASSWORD).await;
    let url = app.url("/api/forgot-password");
    let statuses = crate::helpers::burst(200, |_| {
        crate::helpers::post(
            url.clone(),
            None,
            vec![("login", "alice@example.com".to_owned())],
        )
    })
    .await;
    assert!(statuses.iter().all(|s| *s == 200), "the same answer to all");
    assert_eq!(app.wait_for_emails("alice@example.com", 3).await.len(), 3);
    // Exactly three were granted (an email goes out only for a granted request).
    use sha2::Digest;
    let key = format!(
        "forgot-password:id:{}",
        hex_lower(&sha2::Sha256::digest(b"alice@example.com"))
    );
    let granted: i32 = sqlx::query_scalar("SELECT hits FROM rate_limits WHERE key = $1")
        .bind(key)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(granted, 3);
}

fn hex_lower(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
