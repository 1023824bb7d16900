//! The Recovery Token (docs/security.md §10): ≥112 bits, stored only as a hash, shown once,
//! single-use even under concurrent redemption, invalidated by revoke or regeneration.

use crate::helpers::{Browser, TestApp};
use app::error::AppError;
use time::Duration;

const PASSWORD: &str = "a perfectly fine passphrase";
const PHONE: &str = "+447400123456";

/// A 2FA account, fully signed in on the returned client.
async fn signed_in_2fa() -> (TestApp, Browser, i64) {
    let app = crate::helpers::spawn_app().await;
    let id = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let c = app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    (app, c, id)
}

async fn create_token(c: &Browser) -> String {
    c.create_recovery_token().await.ok()
}

/// Password step on a fresh browser, then the token; returns the status.
async fn sign_in_with(app: &TestApp, token: &str) -> u16 {
    let c = app.browser();
    c.login("alice", PASSWORD).await;
    c.verify(token).await.status
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_token_has_120_bits_in_an_unambiguous_alphabet_and_is_stored_only_hashed() {
    let (app, c, _) = signed_in_2fa().await;
    let token = create_token(&c).await;
    assert_eq!(token.len(), 29, "{token}");
    let groups: Vec<&str> = token.split('-').collect();
    assert_eq!(groups.len(), 6);
    assert!(token
        .replace('-', "")
        .chars()
        .all(|ch| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(ch)));

    let dump: String = sqlx::query_scalar(
        "SELECT string_agg(t::text, ' ') FROM (SELECT row_to_json(r) AS t FROM recovery_tokens r
         UNION ALL SELECT row_to_json(o) FROM outbox o
         UNION ALL SELECT row_to_json(m) FROM dev_mailbox m UNION ALL SELECT row_to_json(l) FROM login_attempts l) x",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        !dump.contains(&token) && !dump.contains(&token.replace('-', "")),
        "never stored in clear"
    );

    let res = c.recovery_status().await;
    let raw = format!("{:?}", res.result);
    let status = res.ok();
    assert!(status.created_at.is_some());
    assert!(!status.used);
    assert!(
        !raw.contains(&token) && !raw.contains(&token.replace('-', "")),
        "shown once: the status never includes it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_token_signs_in_once_in_any_case_and_marks_the_account() {
    let (app, c, id) = signed_in_2fa().await;
    let token = create_token(&c).await;
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
    let status = c.recovery_status().await.ok();
    assert!(status.used, "the banner shows until a new token is made");
    assert_eq!(status.created_at, None);

    assert_eq!(sign_in_with(&app, &token).await, 422, "used once");

    create_token(&c).await;
    assert!(!c.recovery_status().await.ok().used);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_token_regenerated_or_revoked_stops_working() {
    let (app, c, _) = signed_in_2fa().await;
    let old = create_token(&c).await;
    let new = create_token(&c).await;
    assert_ne!(old, new);
    assert_eq!(
        sign_in_with(&app, &old).await,
        422,
        "replaced by the new one"
    );
    assert_eq!(c.revoke_recovery_token().await.status, 200);
    assert_eq!(sign_in_with(&app, &new).await, 422, "revoked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovery_token_create_and_revoke_need_sudo_mode() {
    let (app, c, _) = signed_in_2fa().await;
    app.clock()
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let res = c.create_recovery_token().await;
    assert_eq!((res.status, res.err()), (403, Some(AppError::SudoRequired)));
    let res = c.revoke_recovery_token().await;
    assert_eq!((res.status, res.err()), (403, Some(AppError::SudoRequired)));
    c.confirm_password(PASSWORD).await;
    create_token(&c).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_sign_ins_with_one_recovery_token_succeed_exactly_once() {
    let (app, c, _) = signed_in_2fa().await;
    let token = create_token(&c).await;
    // Twenty browsers, each past the password step.
    let mut cookies = Vec::new();
    for _ in 0..20 {
        let res = app.browser().login("alice", PASSWORD).await;
        cookies.push(res.cookie_pairs().remove(0));
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
    let c = app.browser();
    c.login("alice", PASSWORD).await;
    let res = c.verify("hello").await;
    assert_eq!(res.status, 422);
    match res.err() {
        Some(AppError::InvalidInput { field, message }) if field == "code" => {
            assert!(message.contains("or your recovery token"), "{message}")
        }
        other => panic!("expected an error on code, got {other:?}"),
    }
}
