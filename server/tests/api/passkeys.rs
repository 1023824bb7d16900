//! Passkeys (issue #15): added in sudo mode under Account › Security, a complete sign-in
//! from the first page (discoverable, user-verified) and an answer at the second step.
//! A software passkey (`helpers::passkey`) answers with the JSON a browser's
//! `PublicKeyCredential.toJSON()` gives, so the server reads what browsers send.

use crate::helpers::passkey::SoftPasskey;
use crate::helpers::{spawn_app, spawn_app_with, Browser, TestApp};
use app::api::passkeys::PasskeyView;
use app::api::signin::LoginStep;
use app::error::AppError;
use time::Duration;

const PASSWORD: &str = "a perfectly fine passphrase";
const PHONE: &str = "+447400123456";
const CHROME_ON_LINUX: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36";

/// The origin the app's relying party accepts answers from.
fn origin(app: &TestApp) -> String {
    app.state
        .passkeys
        .as_ref()
        .expect("passkeys on")
        .origin()
        .to_owned()
}

/// "Add a passkey" on a signed-in browser, answered by `key`.
async fn add(app: &TestApp, c: &Browser, key: &mut SoftPasskey) -> PasskeyView {
    let started = c.add_passkey().await.ok();
    let answer = key.register(&started.options, &origin(app));
    c.save_passkey(&started.ceremony, &answer).await.ok()
}

/// "Sign in with a passkey" on a new browser, answered by `key`: the browser and the answer.
async fn sign_in(app: &TestApp, key: &mut SoftPasskey) -> (Browser, crate::helpers::Reply<String>) {
    let b = app.browser_with_agent(CHROME_ON_LINUX);
    let started = b.passkey_signin().await.ok();
    let answer = key.assert(&started.options, &origin(app));
    let reply = b.passkey_verify(&started.ceremony, &answer).await;
    (b, reply)
}

/// Alice, signed in, with one passkey added.
async fn alice_with_passkey(app: &TestApp) -> (i64, Browser, SoftPasskey) {
    let id = app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    let mut key = SoftPasskey::new();
    add(app, &c, &mut key).await;
    (id, c, key)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passkey_is_added_listed_and_signs_in_with_no_password_or_code() {
    let app = spawn_app().await;
    let id = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    // Signed in from Chrome on Linux, which names the passkey.
    let c = app.browser_with_agent(CHROME_ON_LINUX);
    c.login("alice", PASSWORD).await.ok();
    c.verify(&app.latest_code(PHONE).await).await.ok();
    let mut key = SoftPasskey::new();
    let added = add(&app, &c, &mut key).await;
    assert_eq!(added.name, "Chrome on Linux", "named after the device");
    assert!(!added.synced && added.last_used_at.is_none());
    let listed = c.passkeys().await.ok();
    assert!(listed.available);
    assert_eq!(listed.passkeys, vec![added.clone()]);
    let emails = app.wait_for_emails("alice@example.com", 1).await;
    assert!(emails
        .iter()
        .any(|(s, b)| s.ends_with("A passkey was added to your account")
            && b.contains("Chrome on Linux")));

    // Stored: the credential id, a public key, the sign count; the user handle is random.
    let (handle, count): (Vec<u8>, i32) =
        sqlx::query_as("SELECT webauthn_handle, passkey_count FROM users WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((handle.len(), count), (16, 1));
    assert_ne!(&handle[..], &id.to_be_bytes()[..]);

    let texts = app.sms_to(PHONE).await.len();
    let (b, reply) = sign_in(&app, &mut key).await;
    assert_eq!(reply.ok(), "/account/security", "where the page goes next");
    assert_eq!(b.account().await.ok().username, "alice");
    assert_eq!(app.sms_to(PHONE).await.len(), texts, "no code texted");
    let history = app.history_of(id).await;
    let last = history.last().unwrap();
    assert_eq!((last.0.as_str(), last.1.as_str()), ("signed_in", "passkey"));
    let view = b.history(1).await.ok();
    let newest = &view.attempts[0];
    assert_eq!(newest.factor, "Passkey");
    assert!(newest.device.contains("Chrome on Linux"), "{newest:?}");
    let listed = b.passkeys().await.ok().passkeys;
    assert!(listed[0].last_used_at.is_some(), "last used is shown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adding_and_removing_need_sudo_mode_renaming_does_not() {
    let app = spawn_app().await;
    let (_, c, _) = alice_with_passkey(&app).await;
    let id = c.passkeys().await.ok().passkeys[0].id;
    app.clock().advance(Duration::minutes(11));
    assert_eq!(
        c.add_passkey().await.failure(),
        (403, Some(AppError::SudoRequired))
    );
    assert_eq!(
        c.remove_passkey(id).await.failure(),
        (403, Some(AppError::SudoRequired))
    );
    c.rename_passkey(id, "  Work   laptop ").await.ok();
    assert_eq!(c.passkeys().await.ok().passkeys[0].name, "Work laptop");
    let (status, err) = c.rename_passkey(id, " ").await.failure();
    assert_eq!(status, 422);
    assert_eq!(
        err.unwrap().for_field("name").as_deref(),
        Some("Enter a name for this passkey.")
    );

    c.confirm_password(PASSWORD).await.ok();
    c.remove_passkey(id).await.ok();
    assert!(c.passkeys().await.ok().passkeys.is_empty());
    let emails = app.wait_for_emails("alice@example.com", 2).await;
    assert!(emails[0]
        .0
        .ends_with("A passkey was removed from your account"));
    assert!(emails[0].1.contains("Work laptop"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_passkey_no_longer_signs_in_and_another_accounts_cannot_be_touched() {
    let app = spawn_app().await;
    let (_, alice, mut key) = alice_with_passkey(&app).await;
    app.add_user("bob", PASSWORD).await;
    let bob = app.signed_in("bob", PASSWORD).await;
    let id = alice.passkeys().await.ok().passkeys[0].id;
    // Bob cannot rename or remove Alice's passkey: it does not exist for him.
    assert_eq!(bob.rename_passkey(id, "mine").await.failure().0, 422);
    assert_eq!(bob.remove_passkey(id).await.failure().0, 422);
    assert_eq!(alice.passkeys().await.ok().passkeys.len(), 1);

    alice.remove_passkey(id).await.ok();
    let (_, reply) = sign_in(&app, &mut key).await;
    assert_eq!(reply.failure(), (401, Some(AppError::PasskeyRefused)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn this_wasnt_me_removes_every_passkey_so_an_intruders_cannot_sign_back_in() {
    let app = spawn_app().await;
    let (id, owner, _) = alice_with_passkey(&app).await;
    // An intruder with the password adds a passkey of their own.
    let intruder = app.signed_in("alice", PASSWORD).await;
    let mut theirs = SoftPasskey::new();
    add(&app, &intruder, &mut theirs).await;
    owner.this_wasnt_me().await.ok();
    let (_, reply) = sign_in(&app, &mut theirs).await;
    assert_eq!(reply.failure(), (401, Some(AppError::PasskeyRefused)));
    let (stored, count): (i64, i32) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM passkeys WHERE user_id = $1), passkey_count FROM users WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((stored, count), (0, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_most_ten_passkeys_even_when_twelve_are_added_at_once() {
    let app = spawn_app().await;
    let user = app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    let origin = origin(&app);
    let mut answers = Vec::new();
    for _ in 0..12 {
        let started = c.add_passkey().await.ok();
        let answer = SoftPasskey::new().register(&started.options, &origin);
        answers.push((started.ceremony, answer));
    }
    let tasks: Vec<_> = answers
        .into_iter()
        .map(|(ceremony, answer)| {
            let c = c.clone();
            tokio::spawn(async move { c.save_passkey(&ceremony, &answer).await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        10,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 422).count(),
        2,
        "{statuses:?}"
    );
    let (stored, count): (i64, i32) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM passkeys WHERE user_id = $1), passkey_count FROM users WHERE id = $1",
    )
    .bind(user)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((stored, count), (10, 10));
    let (status, err) = c.add_passkey().await.failure();
    assert_eq!(status, 422);
    assert!(err.unwrap().to_string().contains("10 passkeys"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_is_refused_from_another_origin_rp_without_verification_or_twice() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    let origin = origin(&app);
    let passkey_error = |r: crate::helpers::Reply<PasskeyView>| {
        let (status, err) = r.failure();
        (status, err.and_then(|e| e.for_field("passkey")).is_some())
    };

    let started = c.add_passkey().await.ok();
    let answer = SoftPasskey::new().register(&started.options, "http://evil.example");
    assert_eq!(
        passkey_error(c.save_passkey(&started.ceremony, &answer).await),
        (422, true)
    );
    // The ceremony was used up by the refused answer.
    let answer = SoftPasskey::new().register(&started.options, &origin);
    assert_eq!(
        passkey_error(c.save_passkey(&started.ceremony, &answer).await),
        (422, true)
    );

    let started = c.add_passkey().await.ok();
    let answer = SoftPasskey::new().register_for_rp(&started.options, &origin, "evil.example");
    assert_eq!(
        passkey_error(c.save_passkey(&started.ceremony, &answer).await),
        (422, true)
    );

    let started = c.add_passkey().await.ok();
    let mut key = SoftPasskey::new();
    key.user_verified = false;
    let answer = key.register(&started.options, &origin);
    assert_eq!(
        passkey_error(c.save_passkey(&started.ceremony, &answer).await),
        (422, true)
    );

    // Another session cannot finish this session's ceremony.
    let started = c.add_passkey().await.ok();
    let answer = SoftPasskey::new().register(&started.options, &origin);
    let other = app.signed_in("alice", PASSWORD).await;
    assert_eq!(
        passkey_error(other.save_passkey(&started.ceremony, &answer).await),
        (422, true)
    );

    assert!(c.passkeys().await.ok().passkeys.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_credential_belongs_to_one_account() {
    let app = spawn_app().await;
    let (_, alice, mut key) = alice_with_passkey(&app).await;
    app.add_user("bob", PASSWORD).await;
    let bob = app.signed_in("bob", PASSWORD).await;
    // The same authenticator's credential offered again, to Bob.
    let started = bob.add_passkey().await.ok();
    let mut copy = key.clone();
    let answer = copy.register(&started.options, &origin(&app));
    let (status, _) = bob.save_passkey(&started.ceremony, &answer).await.failure();
    assert!(status == 422, "{status}");
    assert!(bob.passkeys().await.ok().passkeys.is_empty());
    // And it still signs Alice in.
    let (b, reply) = sign_in(&app, &mut key).await;
    assert_eq!(reply.status, 200);
    assert_eq!(b.account().await.ok().username, "alice");
    drop(alice);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_answers_are_refused_replayed_late_unverified_or_from_elsewhere() {
    let app = spawn_app().await;
    let (id, _, mut key) = alice_with_passkey(&app).await;
    let origin = origin(&app);
    let b = app.browser();
    let refused = |r: crate::helpers::Reply<String>| r.failure();

    // Replayed: the same answer twice, and the same ceremony twice.
    let started = b.passkey_signin().await.ok();
    let answer = key.assert(&started.options, &origin);
    assert_eq!(
        b.passkey_verify(&started.ceremony, &answer).await.status,
        200
    );
    let again = app.browser();
    assert_eq!(
        refused(again.passkey_verify(&started.ceremony, &answer).await),
        (401, Some(AppError::SignInExpired))
    );
    let fresh = again.passkey_signin().await.ok();
    assert_eq!(
        refused(again.passkey_verify(&fresh.ceremony, &answer).await),
        (401, Some(AppError::PasskeyRefused)),
        "an old answer to a new challenge"
    );

    // After the 5 minutes.
    let started = again.passkey_signin().await.ok();
    let answer = key.assert(&started.options, &origin);
    app.clock()
        .advance(Duration::minutes(5) + Duration::seconds(1));
    assert_eq!(
        refused(again.passkey_verify(&started.ceremony, &answer).await),
        (401, Some(AppError::SignInExpired))
    );

    // Another origin, another relying party, no user verification.
    let started = again.passkey_signin().await.ok();
    let answer = key.assert(&started.options, "http://evil.example");
    assert_eq!(
        refused(again.passkey_verify(&started.ceremony, &answer).await),
        (401, Some(AppError::PasskeyRefused))
    );
    let started = again.passkey_signin().await.ok();
    let answer = key.assert_for_rp(&started.options, &origin, "evil.example");
    assert_eq!(
        refused(again.passkey_verify(&started.ceremony, &answer).await),
        (401, Some(AppError::PasskeyRefused))
    );
    key.user_verified = false;
    let started = again.passkey_signin().await.ok();
    let answer = key.assert(&started.options, &origin);
    assert_eq!(
        refused(again.passkey_verify(&started.ceremony, &answer).await),
        (401, Some(AppError::PasskeyRefused))
    );
    assert!(again.account().await.failure().0 == 401, "never signed in");
    let refusals = app
        .history_of(id)
        .await
        .iter()
        .filter(|r| r.0 == "passkey_refused" && r.1 == "passkey")
        .count();
    assert_eq!(
        refusals, 4,
        "each refused answer of a known credential is recorded"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_naming_another_accounts_credential_is_refused() {
    let app = spawn_app().await;
    let (_, _, mut alice_key) = alice_with_passkey(&app).await;
    app.add_user("bob", PASSWORD).await;
    let bob = app.signed_in("bob", PASSWORD).await;
    let mut bob_key = SoftPasskey::new();
    add(&app, &bob, &mut bob_key).await;
    // Alice's key claims Bob's user handle: the handle and the credential disagree.
    alice_key.set_user_handle(bob_key.user_handle().unwrap().to_vec());
    let (b, reply) = sign_in(&app, &mut alice_key).await;
    assert_eq!(reply.failure(), (401, Some(AppError::PasskeyRefused)));
    assert_eq!(b.account().await.failure().0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sign_count_that_goes_backwards_is_refused_and_the_owner_emailed() {
    let app = spawn_app().await;
    let (_, _, mut key) = alice_with_passkey(&app).await;
    let (_, reply) = sign_in(&app, &mut key).await;
    assert_eq!(reply.status, 200);
    let (_, reply) = sign_in(&app, &mut key).await;
    assert_eq!(reply.status, 200);
    // A copy of the key that has signed less often than the original.
    key.counter = 0;
    let (b, reply) = sign_in(&app, &mut key).await;
    assert_eq!(reply.failure(), (401, Some(AppError::PasskeyRefused)));
    assert_eq!(b.account().await.failure().0, 401);
    let emails = app.wait_for_emails("alice@example.com", 2).await;
    assert!(emails[0]
        .0
        .ends_with("A sign-in with a copied passkey was refused"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_passkey_answers_count_towards_the_lock_like_wrong_passwords() {
    let app = spawn_app().await;
    let (_, _, mut key) = alice_with_passkey(&app).await;
    key.user_verified = false;
    for _ in 0..5 {
        let (_, reply) = sign_in(&app, &mut key).await;
        assert_eq!(reply.failure(), (401, Some(AppError::PasskeyRefused)));
    }
    key.user_verified = true;
    // Locked: a right answer and the right password are both refused for a minute.
    let (_, reply) = sign_in(&app, &mut key).await;
    assert_eq!(reply.failure(), (429, Some(AppError::TooManyAttempts)));
    assert_eq!(
        app.browser().login("alice", PASSWORD).await.failure(),
        (401, Some(AppError::InvalidCredentials))
    );
    app.clock().advance(Duration::seconds(61));
    let (b, reply) = sign_in(&app, &mut key).await;
    assert_eq!(reply.status, 200, "{:?}", reply.result);
    assert_eq!(b.account().await.ok().username, "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passkey_answers_the_second_step_of_a_password_sign_in() {
    let app = spawn_app().await;
    let id = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let c = app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    let mut key = SoftPasskey::new();
    add(&app, &c, &mut key).await;

    let b = app.browser();
    let pending = match b.login("alice", PASSWORD).await.ok() {
        LoginStep::CodeSent(p) => p,
        other => panic!("{other:?}"),
    };
    assert!(pending.passkey, "Use a passkey is offered");
    let started = b.passkey_signin().await.ok();
    let options: serde_json::Value = serde_json::from_str(&started.options).unwrap();
    let allowed = options["publicKey"]["allowCredentials"].as_array().unwrap();
    assert_eq!(allowed.len(), 1, "the pending account's passkeys only");
    let answer = key.assert(&started.options, &origin(&app));
    b.passkey_verify(&started.ceremony, &answer).await.ok();
    assert_eq!(b.account().await.ok().username, "alice");
    let last = app.history_of(id).await.pop().unwrap();
    assert_eq!((last.0.as_str(), last.1.as_str()), ("signed_in", "passkey"));
    assert!(
        b.pending().await.ok().is_none(),
        "the pending sign-in is over"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_the_second_step_another_accounts_passkey_is_a_wrong_guess() {
    let app = spawn_app().await;
    app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let alice = app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    add(&app, &alice, &mut SoftPasskey::new()).await;
    app.add_user("bob", PASSWORD).await;
    let bob = app.signed_in("bob", PASSWORD).await;
    let mut bob_key = SoftPasskey::new();
    add(&app, &bob, &mut bob_key).await;

    let (b, _) = app.pending_2fa("alice", PASSWORD, PHONE).await;
    let started = b.passkey_signin().await.ok();
    let answer = bob_key.assert(&started.options, &origin(&app));
    assert_eq!(
        b.passkey_verify(&started.ceremony, &answer).await.failure(),
        (401, Some(AppError::PasskeyRefused))
    );
    let pending = b.pending().await.ok().expect("still pending");
    assert_eq!(
        pending.attempts_left, 4,
        "counted as one of the five guesses"
    );
    assert_eq!(b.account().await.failure().0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ceremony_begun_on_one_instance_is_finished_on_the_other() {
    let mut settings = app::server::Settings::dev();
    // Both instances are one site behind a load balancer: one public URL.
    settings.public_url = Some("http://localhost:8080".into());
    let app = spawn_app_with(settings).await;
    let (_, c, mut key) = alice_with_passkey(&app).await;
    let other = app.another_instance().await;
    // Registration: begun on the first, finished on the second.
    let started = c.add_passkey().await.ok();
    let mut second_key = SoftPasskey::new();
    let answer = second_key.register(&started.options, "http://localhost:8080");
    c.at(other.clone())
        .save_passkey(&started.ceremony, &answer)
        .await
        .ok();
    // Sign-in: begun on the second, finished on the first.
    let b = app.browser();
    let started = b.at(other.clone()).passkey_signin().await.ok();
    let answer = key.assert(&started.options, "http://localhost:8080");
    b.passkey_verify(&started.ceremony, &answer).await.ok();
    assert_eq!(b.at(other).account().await.ok().username, "alice");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_oversized_answers_are_client_errors() {
    let app = spawn_app().await;
    let (_, c, _) = alice_with_passkey(&app).await;
    let b = app.browser();
    let started = b.passkey_signin().await.ok();
    for bad in ["", "{", "null", "[1,2]", "{\"id\":\"x\"}"] {
        let (status, err) = b.passkey_verify(&started.ceremony, bad).await.failure();
        assert_eq!(status, 400, "{bad:?}: {err:?}");
        let (status, _) = c.save_passkey("nonsense", bad).await.failure();
        assert_eq!(status, 400, "{bad:?}");
    }
    let huge = "x".repeat(200 * 1024);
    let res = b
        .post_raw(
            "passkey-verify",
            &[("ceremony", "c"), ("credential", &huge)],
        )
        .await;
    assert_eq!(res.status(), 413);
    let res = b
        .post_raw("rename-passkey", &[("id", "not a number"), ("name", "x")])
        .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_passkeys_off_every_passkey_call_says_so() {
    let mut settings = app::server::Settings::dev();
    settings.passkeys = false;
    let app = spawn_app_with(settings).await;
    app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    let view = c.passkeys().await.ok();
    assert!(!view.available && view.passkeys.is_empty());
    let (status, err) = c.add_passkey().await.failure();
    assert_eq!(status, 422);
    assert!(err.unwrap().to_string().contains("aren't available"));
    assert_eq!(app.browser().passkey_signin().await.failure().0, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_refuses_to_start_with_passkeys_and_no_usable_public_url() {
    let pool = sqlx::PgPool::connect_lazy("postgres://nobody@127.0.0.1:1/none").unwrap();
    let options = leptos::prelude::LeptosOptions::builder()
        .output_name("gatehouse")
        .site_addr(std::net::SocketAddr::from(([127, 0, 0, 1], 3000)))
        .build();
    let mut settings = app::server::Settings::production();
    let clock = app::server::Clock::system();
    let start = |s: app::server::Settings| {
        gatehouse_server::build_state(options.clone(), pool.clone(), s, clock.clone())
    };
    let reason = match start(settings.clone()).await {
        Err(e) => e.to_string(),
        Ok(_) => panic!("started"),
    };
    assert!(reason.contains("GATEHOUSE_PUBLIC_URL"), "{reason}");
    assert!(!reason.contains('\n'), "one line");
    settings.public_url = Some("https://203.0.113.7".into());
    let reason = start(settings.clone()).await.err().unwrap().to_string();
    assert!(reason.contains("not an IP address"), "{reason}");
    settings.public_url = Some("https://panel.example".into());
    let state = start(settings.clone()).await.ok().unwrap();
    assert_eq!(state.passkeys.unwrap().origin(), "https://panel.example");
    settings.public_url = None;
    settings.passkeys = false;
    assert!(start(settings).await.ok().unwrap().passkeys.is_none());
    // Development on a loopback address: passkeys and email links both say localhost.
    let dev = start(app::server::Settings::dev()).await.ok().unwrap();
    assert_eq!(dev.passkeys.unwrap().origin(), "http://localhost:3000");
    assert_eq!(dev.settings.link_base, "http://localhost:3000");
}
