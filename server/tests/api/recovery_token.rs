//! The Recovery Token (docs/security.md §10): ≥112 bits, stored only as a hash, shown once,
//! single-use even under concurrent redemption, invalidated by revoke or regeneration.

use crate::helpers::{client, TestApp};
use time::Duration;

const PASSWORD: &str = "a perfectly fine passphrase";
const PHONE: &str = "+447400123456";

/// A 2FA account, fully signed in on the returned client.
async fn signed_in_2fa() -> (TestApp, reqwest::Client, i64) {
    let app = crate::helpers::spawn_app().await;
    let id = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let c = client();
    app.call(
        &c,
        "login",
        &[("username", "alice"), ("password", PASSWORD)],
    )
    .await;
    let code = app.latest_code(PHONE).await;
    assert_eq!(
        app.call(&c, "verify-code", &[("code", &code)])
            .await
            .status(),
        200
    );
    (app, c, id)
}

async fn create_token(app: &TestApp, c: &reqwest::Client) -> String {
    let res = app.call(c, "create-recovery-token", &[]).await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

/// Password step on a fresh client, then the token; returns the status.
async fn sign_in_with(app: &TestApp, token: &str) -> u16 {
    let c = client();
    app.call(
        &c,
        "login",
        &[("username", "alice"), ("password", PASSWORD)],
    )
    .await;
    app.call(&c, "verify-code", &[("code", token)])
        .await
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_token_has_120_bits_in_an_unambiguous_alphabet_and_is_stored_only_hashed() {
    let (app, c, _) = signed_in_2fa().await;
    let token = create_token(&app, &c).await;
    assert_eq!(token.len(), 29, "{token}");
    let groups: Vec<&str> = token.split('-').collect();
    assert_eq!(groups.len(), 6);
    assert!(token
        .replace('-', "")
        .chars()
        .all(|ch| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(ch)));

    let dump: String = sqlx::query_scalar(
        "SELECT string_agg(t::text, ' ') FROM (SELECT row_to_json(r) AS t FROM recovery_tokens r
         UNION ALL SELECT row_to_json(o) FROM outbox o UNION ALL SELECT row_to_json(l) FROM login_attempts l) x",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        !dump.contains(&token) && !dump.contains(&token.replace('-', "")),
        "never stored in clear"
    );

    let status: serde_json::Value = app
        .call(&c, "recovery-status", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(status["created_at"].is_string());
    assert_eq!(status["used"], false);
    assert!(
        !status.to_string().contains(&token),
        "shown once: the status never includes it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_token_signs_in_once_in_any_case_and_marks_the_account() {
    let (app, c, id) = signed_in_2fa().await;
    let token = create_token(&app, &c).await;
    let typed = token.replace('-', " ").to_lowercase();
    assert_eq!(sign_in_with(&app, &typed).await, 200);
    let last: (String, String) = sqlx::query_as(
        "SELECT outcome, factor FROM login_attempts WHERE user_id = $1 ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(last, ("signed_in".to_owned(), "recovery_token".to_owned()));
    let status: serde_json::Value = app
        .call(&c, "recovery-status", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        status["used"], true,
        "the banner shows until a new token is made"
    );
    assert!(status["created_at"].is_null());

    assert_eq!(sign_in_with(&app, &token).await, 422, "used once");

    create_token(&app, &c).await;
    let status: serde_json::Value = app
        .call(&c, "recovery-status", &[])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["used"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_token_regenerated_or_revoked_stops_working() {
    let (app, c, _) = signed_in_2fa().await;
    let old = create_token(&app, &c).await;
    let new = create_token(&app, &c).await;
    assert_ne!(old, new);
    assert_eq!(
        sign_in_with(&app, &old).await,
        422,
        "replaced by the new one"
    );
    assert_eq!(
        app.call(&c, "revoke-recovery-token", &[]).await.status(),
        200
    );
    assert_eq!(sign_in_with(&app, &new).await, 422, "revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_token_create_and_revoke_need_sudo_mode() {
    let (app, c, _) = signed_in_2fa().await;
    app.clock()
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let res = app.call(&c, "create-recovery-token", &[]).await;
    assert_eq!(res.status(), 403);
    assert_eq!(
        app.call(&c, "revoke-recovery-token", &[]).await.status(),
        403
    );
    app.call(&c, "confirm-password", &[("password", PASSWORD)])
        .await;
    create_token(&app, &c).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_sign_ins_with_one_recovery_token_succeed_exactly_once() {
    let (app, c, _) = signed_in_2fa().await;
    let token = create_token(&app, &c).await;
    // Twenty browsers, each past the password step.
    let mut cookies = Vec::new();
    for _ in 0..20 {
        let b = client();
        let res = app
            .call(
                &b,
                "login",
                &[("username", "alice"), ("password", PASSWORD)],
            )
            .await;
        cookies.push(crate::helpers::cookie_pairs(&res).remove(0));
    }
    let url = app.url("/api/verify-code");
    let statuses = crate::helpers::concurrent_posts(&url, cookies, &[("code", &token)]).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_second_step_entry_says_what_is_expected() {
    let app = crate::helpers::spawn_app().await;
    app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let c = client();
    app.call(
        &c,
        "login",
        &[("username", "alice"), ("password", PASSWORD)],
    )
    .await;
    let res = app.call(&c, "verify-code", &[("code", "hello")]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("or your recovery token"));
}
