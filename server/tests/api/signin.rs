//! Two-step sign-in (docs/security.md §4–7, 13–16, 21): texted codes, pending sessions,
//! resends, trusted devices and the login history, over HTTP against real PostgreSQL.

use crate::helpers::{client, code_in, cookie_pairs, spawn_app, spawn_app_with, TestApp};
use time::Duration;

const PASSWORD: &str = "a perfectly fine passphrase";
const PHONE: &str = "+447400123456";

async fn with_2fa_user() -> (TestApp, i64) {
    let app = spawn_app().await;
    let id = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    (app, id)
}

/// Signs in with the password on `c` and returns the JSON answer.
async fn password_step(app: &TestApp, c: &reqwest::Client) -> serde_json::Value {
    let res = app
        .call(c, "login", &[("username", "alice"), ("password", PASSWORD)])
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

async fn verify(app: &TestApp, c: &reqwest::Client, code: &str) -> (u16, String) {
    let res = app.call(c, "verify-code", &[("code", code)]).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn signed_in(app: &TestApp, c: &reqwest::Client) -> bool {
    app.call(c, "account", &[]).await.status() == 200
}

fn wrong(code: &str) -> String {
    // A different 6-digit code.
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_the_password_step_texts_a_code_and_stores_only_its_hash() {
    let (app, _) = with_2fa_user().await;
    let c = client();
    let answer = password_step(&app, &c).await;
    assert_eq!(answer["CodeSent"]["masked_phone"], "•••• 3456");
    assert_eq!(answer["CodeSent"]["attempts_left"], 5);

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
    assert!(!signed_in(&app, &c).await, "not signed in before the code");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_the_right_code_signs_in_and_rotates_the_session_id() {
    let (app, id) = with_2fa_user().await;
    let c = client();
    let res = app
        .call(
            &c,
            "login",
            &[("username", "alice"), ("password", PASSWORD)],
        )
        .await;
    let pending_cookie = cookie_pairs(&res).remove(0);
    let code = app.latest_code(PHONE).await;

    let res = app
        .call(
            &c,
            "verify-code",
            &[("code", &format!("{}-{}", &code[..3], &code[3..]))],
        )
        .await;
    assert_eq!(res.status(), 200, "123-456 is accepted");
    let full_cookie = cookie_pairs(&res).remove(0);
    assert_ne!(
        pending_cookie, full_cookie,
        "a new session id after the second factor"
    );
    assert!(signed_in(&app, &c).await);

    // The pending id is dead: replaying it reaches nothing.
    let stale = client();
    let res = stale
        .post(app.url("/api/account"))
        .header("cookie", &pending_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = stale
        .post(app.url("/api/verify-code"))
        .header("cookie", &pending_cookie)
        .form(&[("code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "replaying a used code");

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
    let c = client();
    password_step(&app, &c).await;
    let (status, body) = verify(&app, &c, "12a456").await;
    assert_eq!(status, 422);
    assert!(body.contains("6-digit code"), "{body}");
    let code = app.latest_code(PHONE).await;
    let (status, _) = verify(&app, &c, &format!(" {} {} ", &code[..3], &code[3..])).await;
    assert_eq!(status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pending_session_can_call_nothing_but_the_second_step() {
    let (app, _) = with_2fa_user().await;
    let c = client();
    password_step(&app, &c).await;
    for endpoint in [
        "account",
        "login-history",
        "trusted-devices",
        "revoke-all-devices",
    ] {
        let res = app.call(&c, endpoint, &[("page", "1")]).await;
        assert_eq!(res.status(), 401, "{endpoint}");
    }
    let res = app.call(&c, "revoke-device", &[("id", "1")]).await;
    assert_eq!(res.status(), 401);
    for page in ["/account", "/account/security", "/account/history"] {
        let res = c
            .get(app.url(page))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        let to = res.headers().get("location").unwrap().to_str().unwrap();
        assert!(to.starts_with("/login"), "{page}: {to}");
    }
    // The second step itself still works.
    let res = app.call(&c, "pending-signin", &[]).await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["masked_phone"], "•••• 3456");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_expires_after_ten_minutes_and_a_new_one_is_sent() {
    let (app, id) = with_2fa_user().await;
    let c = client();
    password_step(&app, &c).await;
    let first = app.latest_code(PHONE).await;
    app.clock()
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let (status, body) = verify(&app, &c, &first).await;
    assert_eq!(status, 422);
    assert!(body.contains("CodeExpired"), "{body}");
    assert_eq!(app.sms_to(PHONE).await.len(), 2, "a new code was sent");
    let second = app.latest_code(PHONE).await;
    let (status, _) = verify(&app, &c, &second).await;
    assert_eq!(status, 200);
    assert!(app
        .history_of(id)
        .await
        .iter()
        .any(|(o, _, _)| o == "expired_code"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_still_valid_just_before_ten_minutes() {
    let (app, _) = with_2fa_user().await;
    let c = client();
    password_step(&app, &c).await;
    let code = app.latest_code(PHONE).await;
    app.clock()
        .advance(Duration::minutes(9) + Duration::seconds(59));
    assert_eq!(verify(&app, &c, &code).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_after_five_wrong_guesses_even_the_right_code_fails() {
    let (app, id) = with_2fa_user().await;
    let c = client();
    password_step(&app, &c).await;
    let code = app.latest_code(PHONE).await;
    for left in (1..=4).rev() {
        let (status, body) = verify(&app, &c, &wrong(&code)).await;
        assert_eq!(status, 422);
        assert!(
            body.contains(&format!("\"attempts_left\":{left}")),
            "{body}"
        );
    }
    let (status, body) = verify(&app, &c, &wrong(&code)).await;
    assert_eq!(
        (status, body.contains("TooManyAttempts")),
        (429, true),
        "{body}"
    );
    let (status, body) = verify(&app, &c, &code).await;
    assert_eq!(
        (status, body.contains("TooManyAttempts")),
        (429, true),
        "the right code fails too"
    );
    assert!(!signed_in(&app, &c).await);
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
    let c = client();
    password_step(&app, &c).await;
    let first = app.latest_code(PHONE).await;
    for _ in 0..3 {
        verify(&app, &c, &wrong(&first)).await;
    }
    app.clock().advance(Duration::seconds(31));
    assert_eq!(app.call(&c, "resend-code", &[]).await.status(), 200);
    let second = app.latest_code(PHONE).await;
    assert_eq!(verify(&app, &c, &wrong(&second)).await.0, 422);
    let (status, _) = verify(&app, &c, &wrong(&second)).await;
    assert_eq!(status, 429, "3 + 2 wrong guesses across a resend");
    assert_eq!(verify(&app, &c, &second).await.0, 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resend_replaces_the_code_has_a_cooldown_and_a_cap() {
    let (app, _) = with_2fa_user().await;
    let c = client();
    password_step(&app, &c).await;
    let first = app.latest_code(PHONE).await;

    let res = app.call(&c, "resend-code", &[]).await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("ResendTooSoon"));
    assert_eq!(
        app.sms_to(PHONE).await.len(),
        1,
        "nothing sent during the cooldown"
    );

    for sent in 2..=5 {
        app.clock().advance(Duration::seconds(30));
        let res = app.call(&c, "resend-code", &[]).await;
        assert_eq!(res.status(), 200, "send {sent}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["resend_in_seconds"], 30);
    }
    app.clock().advance(Duration::seconds(30));
    let res = app.call(&c, "resend-code", &[]).await;
    assert_eq!(res.status(), 429);
    assert!(res.text().await.unwrap().contains("ResendLimit"));
    assert_eq!(
        app.sms_to(PHONE).await.len(),
        5,
        "at most 5 codes per sign-in"
    );

    // The first code was replaced: it no longer works.
    let latest = app.latest_code(PHONE).await;
    if first != latest {
        assert_eq!(
            verify(&app, &c, &first).await.0,
            422,
            "replaced code refused"
        );
    }
    assert_eq!(verify(&app, &c, &latest).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sms_code_is_bound_to_its_own_pending_sign_in() {
    let (app, _) = with_2fa_user().await;
    let (a, b) = (client(), client());
    password_step(&app, &a).await;
    let code_a = app.latest_code(PHONE).await;
    password_step(&app, &b).await;
    let code_b = app.latest_code(PHONE).await;
    if code_a != code_b {
        assert_eq!(
            verify(&app, &b, &code_a).await.0,
            422,
            "A's code in B's sign-in"
        );
    }
    assert_eq!(verify(&app, &a, &code_a).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_verifications_of_one_code_sign_in_exactly_once() {
    let (app, _) = with_2fa_user().await;
    let c = client();
    let res = app
        .call(
            &c,
            "login",
            &[("username", "alice"), ("password", PASSWORD)],
        )
        .await;
    let cookie = cookie_pairs(&res).remove(0);
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
    let c = client();
    let res = app
        .call(
            &c,
            "login",
            &[("username", "alice"), ("password", PASSWORD)],
        )
        .await;
    let cookie = cookie_pairs(&res).remove(0);
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
    assert_eq!(verify(&app, &c, &code).await.0, 429);
}

async fn sign_in_trusting(app: &TestApp, c: &reqwest::Client) -> String {
    password_step(app, c).await;
    let code = app.latest_code(PHONE).await;
    let res = app
        .call(c, "verify-code", &[("code", &code), ("trust_device", "on")])
        .await;
    assert_eq!(res.status(), 200);
    let device = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("gatehouse_device="))
        .expect("device cookie");
    assert!(
        device.contains("HttpOnly") && device.contains("Max-Age=2592000"),
        "{device}"
    );
    device.split(';').next().unwrap().to_owned()
}

/// Signs in with the password, presenting `device_cookie`; true if no code was needed.
async fn skips_code(app: &TestApp, device_cookie: &str) -> bool {
    let res = client()
        .post(app.url("/api/login"))
        .header("accept", "application/json")
        .header("cookie", device_cookie)
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    body == serde_json::json!("SignedIn")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trusted_device_skips_only_the_sms_step() {
    let (app, id) = with_2fa_user().await;
    let c = client();
    let device = sign_in_trusting(&app, &c).await;
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
    let res = client()
        .post(app.url("/api/login"))
        .header("cookie", &device)
        .form(&[("username", "alice"), ("password", "wrong password!!")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
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
    let c = client();
    let device = sign_in_trusting(&app, &c).await;

    // Tampered: one hex digit flipped.
    let mut flipped = device.clone().into_bytes();
    let last = flipped.len() - 1;
    flipped[last] = if flipped[last] == b'0' { b'1' } else { b'0' };
    assert!(!skips_code(&app, &String::from_utf8(flipped).unwrap()).await);
    assert!(!skips_code(&app, "gatehouse_device=not-hex").await);

    // Another account on the same browser.
    let res = client()
        .post(app.url("/api/login"))
        .header("accept", "application/json")
        .header("cookie", &device)
        .form(&[("username", "bob"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = res.json().await.unwrap();
    assert!(
        body.get("CodeSent").is_some(),
        "bob is not trusted by alice's device: {body}"
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
    let c = client();
    let device = sign_in_trusting(&app, &c).await;
    let list: serde_json::Value = app
        .call(&c, "trusted-devices", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["ip"], "127.0.0.1");
    let id = list[0]["id"].as_i64().unwrap().to_string();

    // Another account cannot revoke it.
    app.add_user("mallory", PASSWORD).await;
    let m = client();
    app.login_form(&m, "mallory", PASSWORD).await;
    assert_eq!(
        app.call(&m, "revoke-device", &[("id", &id)]).await.status(),
        200
    );
    assert!(
        skips_code(&app, &device).await,
        "still trusted after a foreign revoke"
    );

    assert_eq!(
        app.call(&c, "revoke-device", &[("id", &id)]).await.status(),
        200
    );
    assert!(!skips_code(&app, &device).await, "revoked");

    let again = sign_in_trusting(&app, &client()).await;
    assert_eq!(app.call(&c, "revoke-all-devices", &[]).await.status(), 200);
    assert!(!skips_code(&app, &again).await, "revoked by Revoke all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_records_every_outcome_including_unknown_users() {
    let (app, id) = with_2fa_user().await;
    app.call(
        &client(),
        "login",
        &[("username", "alice"), ("password", "wrong password!!")],
    )
    .await;
    app.call(
        &client(),
        "login",
        &[("username", "nobody-here"), ("password", "whatever at all")],
    )
    .await;
    let unknown: (Option<i64>, String) = sqlx::query_as(
        "SELECT user_id, username_typed FROM login_attempts WHERE username_typed = 'nobody-here'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(unknown.0, None);

    let c = client();
    password_step(&app, &c).await;
    let code = app.latest_code(PHONE).await;
    verify(&app, &c, &wrong(&code)).await;
    verify(&app, &c, &code).await;
    let rows = app.history_of(id).await;
    let outcomes: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(
        outcomes,
        ["wrong_password", "code_sent", "wrong_code", "signed_in"]
    );
    assert!(rows.iter().all(|r| r.2 == "127.0.0.1"));

    // The customer sees their own attempts, newest first.
    let page: serde_json::Value = app
        .call(&c, "login-history", &[("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    let shown: Vec<&str> = page["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(
        shown,
        [
            "Signed in",
            "Wrong code",
            "Password OK, code sent",
            "Wrong username or password"
        ]
    );
    assert_eq!(page["has_next"], false);
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
    let c = client();
    app.login_form(&c, "alice", PASSWORD).await;
    let one: serde_json::Value = app
        .call(&c, "login-history", &[("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["attempts"].as_array().unwrap().len(), 50);
    assert_eq!(one["has_next"], true);
    assert_eq!(one["attempts"][0]["outcome"], "Signed in");
    let two: serde_json::Value = app
        .call(&c, "login-history", &[("page", "2")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(two["attempts"].as_array().unwrap().len(), 11);
    assert_eq!(two["has_next"], false);

    let html = c
        .get(app.url("/account/history?page=2"))
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
    let c = client();
    app.login_form(&c, "bob01", PASSWORD).await;
    let page: serde_json::Value = app
        .call(&c, "login-history", &[("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page["attempts"].as_array().unwrap().len(),
        1,
        "only bob's own sign-in"
    );

    let a = client();
    app.login_form(&a, "alice", PASSWORD).await;
    let html = a
        .get(app.url("/account/history"))
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
    let c = client();
    password_step(&app, &c).await;
    let code = app.latest_code(PHONE).await;
    assert_eq!(app.call(&c, "cancel-signin", &[]).await.status(), 200);
    assert_eq!(verify(&app, &c, &code).await.0, 401);
    let pending: serde_json::Value = app
        .call(&c, "pending-signin", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(pending.is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_both_steps_work_through_form_posts() {
    let (app, _) = with_2fa_user().await;
    let c = client();
    let res = c
        .post(app.url("/api/login"))
        .header("accept", "text/html")
        .header("referer", app.url("/login"))
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let back = res.headers()["location"].to_str().unwrap().to_owned();
    let html = c.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(
        html.contains("Authentication Token") && html.contains("•••• 3456"),
        "step 2 rendered by the server"
    );
    assert!(
        html.contains(r#"autocomplete="one-time-code""#) && html.contains(r#"inputmode="numeric""#)
    );

    let code = app.latest_code(PHONE).await;
    let res = c
        .post(app.url("/api/verify-code"))
        .header("accept", "text/html")
        .header("referer", app.url("/login"))
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()["location"], "/account/security");
    assert!(signed_in(&app, &c).await);
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
    let c = client();
    let res = app.login_fetch(&c, "alice", PASSWORD).await;
    assert_eq!(res.status(), 500);
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions WHERE user_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0, "a session without its history row");
    assert!(!signed_in(&app, &c).await);

    sqlx::query("DROP TRIGGER refuse_sign_in ON login_attempts")
        .execute(&app.pool)
        .await
        .unwrap();
    let res = app.login_fetch(&c, "alice", PASSWORD).await;
    assert_eq!(res.status(), 200);
    assert!(signed_in(&app, &c).await);
    let outcomes: Vec<String> = app
        .history_of(id)
        .await
        .into_iter()
        .map(|(outcome, _, _)| outcome)
        .collect();
    assert_eq!(outcomes, ["signed_in"], "one sign-in, recorded once");
}
