//! Changing the email address (issue #16): needs sudo mode; a link to the new address,
//! single use, an hour; the old address is told at once; an address in use is refused
//! without saying by whom; Forgot Username/Password use the new address after.

use app::error::AppError;

use crate::helpers::{spawn_app, TestApp};

const PASSWORD: &str = "correct horse battery staple";

fn token_in(body: &str) -> String {
    let at =
        body.find("confirm-email?token=").expect("a confirm link") + "confirm-email?token=".len();
    body[at..at + 64].to_owned()
}

/// The token of the newest confirmation link sent to `address`.
async fn link_to(app: &TestApp, address: &str) -> String {
    let emails = app.wait_for_emails(address, 1).await;
    let (_, body) = emails
        .iter()
        .find(|(subject, _)| subject.contains("confirm your new email"))
        .expect("a confirmation email");
    token_in(body)
}

fn field_error(err: Option<AppError>, field: &str) -> String {
    match err {
        Some(e) => e
            .for_field(field)
            .unwrap_or_else(|| panic!("no error on {field}: {e:?}")),
        None => panic!("expected an error on {field}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_address_changes_only_when_the_link_sent_to_it_is_followed() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let b = app.signed_in("alice", PASSWORD).await;
    // The domain is kept in lower case, the name as typed.
    let to = b.change_email("Alice.New@Example.org").await.ok();
    assert_eq!(to, "Alice.New@example.org");
    // Nothing has changed yet, and the old address is told at once, with the way out.
    assert_eq!(b.account().await.ok().email, "alice@example.com");
    let old = app.wait_for_emails("alice@example.com", 1).await;
    let (subject, body) = &old[0];
    assert!(
        subject.contains("A new email address was requested"),
        "{subject}"
    );
    assert!(
        body.contains("A•••@example.org") && body.contains("/this-wasnt-me"),
        "{body}"
    );
    // Only the hash of the link's token is stored.
    let token = link_to(&app, &to).await;
    let stored: Vec<u8> = sqlx::query_scalar("SELECT token_hash FROM email_changes")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let hex: String = stored.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(stored.len(), 32);
    assert_ne!(hex, token, "the token itself is never stored");

    // The link works for anyone who has it (it proves the address), once.
    app.browser().confirm_email(&token).await.ok();
    assert_eq!(b.account().await.ok().email, to);
    let again = app.browser().confirm_email(&token).await.failure();
    assert_eq!(again.0, 422);
    assert!(field_error(again.1, "token").contains("expired or has already been used"));
    // Forgot Username now writes to the new address, not the old one.
    let before = app.emails_to("alice@example.com").await.len();
    app.browser()
        .forgot_username("alice.new@example.org")
        .await
        .ok();
    let mail = app.wait_for_emails(&to, 3).await;
    assert!(mail.iter().any(|(s, _)| s.contains("your username")));
    assert_eq!(app.emails_to("alice@example.com").await.len(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_needs_sudo_mode() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let b = app.signed_in("alice", PASSWORD).await;
    app.clock().advance(time::Duration::minutes(11));
    assert_eq!(
        b.change_email("new@example.org").await.failure(),
        (403, Some(AppError::SudoRequired))
    );
    assert!(app.emails_to("new@example.org").await.is_empty());
    b.confirm_password(PASSWORD).await.ok();
    b.change_email("new@example.org").await.ok();
    // Signed out, nothing at all.
    let stranger = app.browser().change_email("x@example.org").await.failure();
    assert_eq!(stranger, (401, Some(AppError::Unauthorized)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_replaced_and_made_up_links_are_refused() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let b = app.signed_in("alice", PASSWORD).await;
    b.change_email("first@example.org").await.ok();
    let first = link_to(&app, "first@example.org").await;
    b.change_email("second@example.org").await.ok();
    let second = link_to(&app, "second@example.org").await;
    // A newer request replaces the older link.
    assert_eq!(app.browser().confirm_email(&first).await.status, 422);
    // A link past its hour.
    app.clock().advance(time::Duration::minutes(61));
    assert_eq!(app.browser().confirm_email(&second).await.status, 422);
    for made_up in ["", "abc", &"00".repeat(32)] {
        assert_eq!(
            app.browser().confirm_email(made_up).await.status,
            422,
            "{made_up}"
        );
    }
    let email: String = sqlx::query_scalar("SELECT email FROM users WHERE username = 'alice'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(email, "alice@example.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_address_in_use_is_refused_without_saying_by_whom() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    app.add_user("bob", PASSWORD).await;
    let alice = app.signed_in("alice", PASSWORD).await;
    let taken = field_error(
        alice.change_email("BOB@example.com").await.err(),
        "new_email",
    );
    assert_eq!(
        taken,
        "That email address can't be used. Choose another one."
    );
    assert!(!taken.contains("bob"));
    let same = field_error(
        alice.change_email("alice@example.com").await.err(),
        "new_email",
    );
    assert_eq!(same, "That is already your email address.");
    let bad = alice.change_email("not an address").await.failure();
    assert_eq!(bad.0, 422);
    assert!(bad.1.unwrap().for_field("new_email").is_some());

    // Taken between the request and the link: the link refuses, nothing changes.
    alice.change_email("shared@example.org").await.ok();
    let token = link_to(&app, "shared@example.org").await;
    sqlx::query("UPDATE users SET email = 'Shared@example.org' WHERE username = 'bob'")
        .execute(&app.pool)
        .await
        .unwrap();
    let refused = app.browser().confirm_email(&token).await.failure();
    assert_eq!(refused.0, 422);
    assert_eq!(alice.account().await.ok().email, "alice@example.com");
}
