//! Where you're signed in (issue #16): the account's own live sessions, each signed out
//! on the server at once, and "Sign out everywhere else".

use app::error::AppError;

use crate::helpers::{spawn_app, Browser};

const PASSWORD: &str = "correct horse battery staple";

/// Signs in a new browser with `user_agent`.
async fn signed_in_as(app: &crate::helpers::TestApp, name: &str, user_agent: &str) -> Browser {
    let b = app.browser_with_agent(user_agent);
    b.login(name, PASSWORD).await.ok();
    b
}

const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
const CHROME: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_lists_the_accounts_own_live_sessions_this_one_first() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    app.add_user("bob", PASSWORD).await;
    let first = signed_in_as(&app, "alice", FIREFOX).await;
    let second = signed_in_as(&app, "alice", CHROME).await;
    let _bob = signed_in_as(&app, "bob", CHROME).await;

    let list = second.sessions().await.ok();
    assert_eq!(
        list.len(),
        2,
        "alice's two sessions, nobody else's: {list:?}"
    );
    assert!(list[0].current, "this browser's session comes first");
    assert_eq!(list[0].device, "Chrome on Windows");
    assert!(!list[1].current);
    assert_eq!(list[1].device, "Firefox on Linux");
    assert_eq!(list[1].factor, "Password");
    assert_eq!(list[1].ip, "127.0.0.1");
    assert!(!list[1].signed_in_at.is_empty() && !list[1].last_active_at.is_empty());
    // The other browser sees the same two, itself first.
    let theirs = first.sessions().await.ok();
    assert_eq!(theirs.len(), 2);
    assert!(theirs[0].current && theirs[0].device == "Firefox on Linux");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_one_session_ends_it_on_the_server_and_leaves_the_others() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let a = signed_in_as(&app, "alice", FIREFOX).await;
    let b = signed_in_as(&app, "alice", CHROME).await;
    let c = signed_in_as(&app, "alice", CHROME).await;
    let list = a.sessions().await.ok();
    let firefox = list.iter().find(|s| s.current).unwrap().id;
    let others: Vec<i64> = list.iter().filter(|s| !s.current).map(|s| s.id).collect();

    b.sign_out_session(firefox).await.ok();
    assert_eq!(
        a.account().await.failure(),
        (401, Some(AppError::Unauthorized)),
        "the signed-out browser's next request is signed out"
    );
    assert_eq!(b.account().await.status, 200);
    assert_eq!(c.account().await.status, 200);
    let left: Vec<i64> = b.sessions().await.ok().iter().map(|s| s.id).collect();
    assert_eq!(left.len(), 2);
    assert!(others.iter().all(|id| left.contains(id)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_accounts_session_cannot_be_signed_out() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    app.add_user("mallory", PASSWORD).await;
    let alice = signed_in_as(&app, "alice", FIREFOX).await;
    let mallory = signed_in_as(&app, "mallory", CHROME).await;
    let alices = alice.sessions().await.ok()[0].id;
    // Answered like any other id: nothing says the session exists.
    assert_eq!(mallory.sign_out_session(alices).await.status, 200);
    assert_eq!(
        alice.account().await.status,
        200,
        "alice is still signed in"
    );
    assert_eq!(mallory.sessions().await.ok().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_out_everywhere_else_keeps_only_this_session_and_ends_pending_sign_ins() {
    let app = spawn_app().await;
    app.add_user_2fa("alice", PASSWORD, "+447400123456").await;
    let here = app.signed_in_2fa("alice", PASSWORD, "+447400123456").await;
    let there = app.signed_in_2fa("alice", PASSWORD, "+447400123456").await;
    let (halfway, code) = app.pending_2fa("alice", PASSWORD, "+447400123456").await;

    // A pending sign-in is not a session anyone is signed in with: two are listed.
    assert_eq!(here.sessions().await.ok().len(), 2);
    here.sign_out_other_sessions().await.ok();
    let list = here.sessions().await.ok();
    assert_eq!(list.len(), 1);
    assert!(list[0].current);
    assert_eq!(list[0].factor, "SMS code");
    assert_eq!(there.account().await.status, 401);
    assert_eq!(
        halfway.verify(&code).await.failure(),
        (401, Some(AppError::SignInExpired)),
        "a sign-in started before cannot finish after"
    );
    assert_eq!(here.account().await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_list_needs_a_full_session() {
    let app = spawn_app().await;
    app.add_user_2fa("alice", PASSWORD, "+447400123456").await;
    let (pending, _) = app.pending_2fa("alice", PASSWORD, "+447400123456").await;
    assert_eq!(
        pending.sessions().await.failure(),
        (401, Some(AppError::Unauthorized))
    );
    assert_eq!(pending.sign_out_other_sessions().await.status, 401);
    let stranger = app.browser();
    assert_eq!(stranger.sign_out_session(1).await.status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_signed_out_on_one_instance_is_signed_out_on_the_other() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let a = signed_in_as(&app, "alice", FIREFOX).await;
    let b = signed_in_as(&app, "alice", CHROME).await;
    let other = app.another_instance().await;
    let a_elsewhere = a.at(other.clone());
    assert_eq!(a_elsewhere.account().await.status, 200);
    let id = a.sessions().await.ok()[0].id;
    b.at(other).sign_out_session(id).await.ok();
    assert_eq!(a.account().await.status, 401);
    assert_eq!(a_elsewhere.account().await.status, 401);
}
