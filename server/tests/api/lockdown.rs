//! "This wasn't me" (issue #16): one transaction ends every other session and pending
//! sign-in, revokes trusted devices and the Recovery Token, and leaves the session that
//! asked able only to set a new password.

use app::api::signin::LoginStep;
use app::error::AppError;

use crate::helpers::{spawn_app, Browser, TestApp};

const PASSWORD: &str = "correct horse battery staple";
const NEW_PASSWORD: &str = "a brand new passphrase here";
const PHONE: &str = "+447400123456";

/// Alice (2FA on) signed in twice, once trusting the device, with a Recovery Token, and a
/// third browser halfway through signing in: (here, there, trusted device cookie,
/// halfway, its code, the token).
async fn alice_everywhere(app: &TestApp) -> (Browser, Browser, String, Browser, String, String) {
    app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let here = app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    let there = app.browser();
    there.login("alice", PASSWORD).await.ok();
    let code = app.latest_code(PHONE).await;
    let trusted = there.verify_trusting(&code).await;
    let device = trusted
        .set_cookie("gatehouse_device")
        .expect("device cookie");
    let device = device.split(';').next().unwrap().to_owned();
    let token = here.create_recovery_token().await.ok();
    let (halfway, code) = app.pending_2fa("alice", PASSWORD, PHONE).await;
    (here, there, device, halfway, code, token)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn this_wasnt_me_ends_everything_else_in_one_step() {
    let app = spawn_app().await;
    let (here, there, device, halfway, code, token) = alice_everywhere(&app).await;

    here.this_wasnt_me().await.ok();

    // Every other session, and the sign-in in progress, is over.
    assert_eq!(there.account().await.status, 401);
    assert_eq!(
        halfway.verify(&code).await.failure(),
        (401, Some(AppError::SignInExpired)),
        "a sign-in started before the lockdown cannot finish after it"
    );
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1, "only the session that asked is left");
    // The trusted device asks for a code again; the Recovery Token no longer works.
    let b = app.browser();
    b.add_cookie(&device);
    assert!(matches!(
        b.login("alice", PASSWORD).await.ok(),
        LoginStep::CodeSent(_)
    ));
    assert_eq!(
        b.verify(&token).await.failure(),
        (422, Some(AppError::WrongCode { attempts_left: 4 }))
    );
    // Recorded, and emailed once.
    let user_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE username = 'alice'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let history = app.history_of(user_id).await;
    assert!(history
        .iter()
        .any(|(outcome, _, _)| outcome == "locked_down"));
    let emails = app.wait_for_emails("alice@example.com", 1).await;
    let locked: Vec<_> = emails
        .iter()
        .filter(|(subject, _)| subject.contains("locked down"))
        .collect();
    assert_eq!(locked.len(), 1);
    assert!(locked[0].1.contains("/this-wasnt-me"), "{}", locked[0].1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_down_session_may_only_set_a_new_password() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let here = app.signed_in("alice", PASSWORD).await;
    here.this_wasnt_me().await.ok();

    let required = (403, Some(AppError::NewPasswordRequired));
    assert_eq!(here.account().await.failure(), required);
    assert_eq!(here.sessions().await.failure(), required);
    assert_eq!(here.history(1).await.failure(), required);
    assert_eq!(here.create_recovery_token().await.failure(), required);
    assert_eq!(
        here.update_two_factor(PHONE, true).await.failure(),
        required
    );

    here.change_password(PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
        .await
        .ok();
    assert_eq!(here.account().await.status, 200, "free again");
    let fresh = app.browser();
    assert_eq!(
        fresh.login("alice", NEW_PASSWORD).await.ok(),
        LoginStep::SignedIn
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pressing_it_twice_changes_nothing_more() {
    let app = spawn_app().await;
    let user_id = app.add_user("alice", PASSWORD).await;
    let here = app.signed_in("alice", PASSWORD).await;
    here.this_wasnt_me().await.ok();
    here.this_wasnt_me().await.ok();
    let rows = app.history_of(user_id).await;
    let locked = rows.iter().filter(|(o, _, _)| o == "locked_down").count();
    assert_eq!(locked, 1, "recorded once");
    let emails = app.wait_for_emails("alice@example.com", 1).await;
    let locked = emails
        .iter()
        .filter(|(s, _)| s.contains("locked down"))
        .count();
    assert_eq!(locked, 1, "emailed once");
    assert_eq!(here.account().await.status, 403);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_link_carries_no_power_and_touches_only_the_callers_account() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    app.add_user("bob", PASSWORD).await;
    let alice = app.signed_in("alice", PASSWORD).await;
    let bob = app.signed_in("bob", PASSWORD).await;
    // Signed out, nothing happens.
    assert_eq!(
        app.browser().this_wasnt_me().await.failure(),
        (401, Some(AppError::Unauthorized))
    );
    // A pending sign-in cannot press it either.
    app.add_user_2fa("carol", PASSWORD, PHONE).await;
    let (pending, _) = app.pending_2fa("carol", PASSWORD, PHONE).await;
    assert_eq!(pending.this_wasnt_me().await.status, 401);
    bob.this_wasnt_me().await.ok();
    assert_eq!(
        alice.account().await.status,
        200,
        "another account is untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_offers_this_wasnt_me_on_every_row_but_this_sessions_sign_in() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let _earlier = app.signed_in("alice", PASSWORD).await;
    app.browser().login("alice", "wrong password 123").await;
    let here = app.signed_in("alice", PASSWORD).await;
    let page = here.history(1).await.ok();
    assert_eq!(page.attempts.len(), 3);
    let mine: Vec<bool> = page.attempts.iter().map(|a| a.mine).collect();
    assert_eq!(
        mine,
        [true, false, false],
        "newest first: this session's sign-in"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_instance_sees_the_lockdown_at_once() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let here = app.signed_in("alice", PASSWORD).await;
    let there = app.signed_in("alice", PASSWORD).await;
    let other = app.another_instance().await;
    assert_eq!(there.at(other.clone()).account().await.status, 200);
    here.at(other.clone()).this_wasnt_me().await.ok();
    assert_eq!(there.account().await.status, 401);
    assert_eq!(here.account().await.status, 403);
}
