//! The authenticator app (docs/security.md §9, issue #7): set up in sudo mode, saved only once
//! a code from the app confirms it, its secret sealed at rest, and at sign-in RFC 6238
//! codes with ±1 step of drift, each step used once, "Text me a code instead" beside it.

use crate::helpers::{Browser, TestApp};
use app::api::signin::LoginStep;
use app::error::AppError;
use app::server::crypto::totp;
use time::Duration;

const PASSWORD: &str = "a perfectly fine passphrase";
const PHONE: &str = "+447400123456";

/// The code the app shows `steps` steps from the app's clock now.
fn code(app: &TestApp, secret: &[u8], steps: i64) -> String {
    totp::code_for_step(secret, totp::step_at(app.clock().now()) + steps).unwrap()
}

/// Sets up and confirms the app for the signed-in client; returns the secret.
async fn set_up(app: &TestApp, c: &Browser) -> Vec<u8> {
    app.start_of_a_code_step();
    let setup = c.setup_authenticator().await.ok();
    let secret = totp::secret_from_text(&setup.secret_text).unwrap();
    c.confirm_authenticator(&code(app, &secret, 0)).await.ok();
    secret
}

/// Password step on a new browser; returns it and the step's answer.
async fn password_step(app: &TestApp) -> (Browser, LoginStep) {
    let c = app.browser();
    let step = c.login("alice", PASSWORD).await.ok();
    (c, step)
}

/// The pending sign-in a password step led to.
fn code_sent(step: LoginStep) -> app::api::signin::PendingSignIn {
    match step {
        LoginStep::CodeSent(pending) => pending,
        other => panic!("expected a code step, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_setup_is_saved_only_after_a_code_and_the_secret_is_sealed() {
    let app = crate::helpers::spawn_app().await;
    let id = app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;

    let setup = c.setup_authenticator().await.ok();
    let typed = setup.secret_text.as_str();
    let secret = totp::secret_from_text(typed).unwrap();
    assert_eq!(secret.len(), 20, "160 bits");
    let uri = &setup.otpauth_uri;
    assert!(uri.starts_with("otpauth://totp/Gatehouse:alice?") && uri.contains("issuer=Gatehouse"));
    assert!(setup.qr_svg.starts_with("<svg"));

    // Stored sealed, unconfirmed, and 2FA still off.
    let (sealed, confirmed, enabled): (Vec<u8>, Option<time::OffsetDateTime>, bool) =
        sqlx::query_as(
            "SELECT a.secret_sealed, a.confirmed_at, u.two_factor_enabled
             FROM authenticator_apps a JOIN users u ON u.id = a.user_id WHERE u.id = $1",
        )
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!sealed.windows(secret.len()).any(|w| w == secret.as_slice()));
    assert!(!String::from_utf8_lossy(&sealed).contains(&typed.replace(' ', "")));
    assert_eq!((confirmed, enabled), (None, false));
    let (status, _) = password_step(&app).await;
    assert_eq!(status.account().await.status, 200, "no 2FA yet");

    // A wrong code keeps it unsaved.
    let wrong = format!(
        "{:06}",
        (code(&app, &secret, 0).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let res = c.confirm_authenticator(&wrong).await;
    assert_eq!(res.status, 422);
    assert!(
        matches!(res.err(), Some(AppError::InvalidInput { ref field, .. }) if field == "app_code")
    );

    let res = c.confirm_authenticator(&code(&app, &secret, 0)).await;
    assert_eq!(res.status, 200);
    let enabled: bool = sqlx::query_scalar("SELECT two_factor_enabled FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(enabled, "2FA is on with the app alone");
    let emails = app.emails_to("alice@example.com").await;
    assert_eq!(emails[0].0, "Gatehouse: An authenticator app was added");
    assert!(!emails[0].1.contains(&typed.replace(' ', "")));
}

/// The Security tab is drawn by the server: a set-up waiting for its first code is shown
/// again (the same secret) while the sudo mode that began it lasts, and no longer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_a_waiting_set_up_is_shown_again_only_while_sudo_mode_lasts() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    assert_eq!(c.authenticator().await.ok().setting_up, None);

    let setup = c.setup_authenticator().await.ok();
    let shown = c
        .authenticator()
        .await
        .ok()
        .setting_up
        .expect("shown again");
    assert_eq!(shown.secret_text, setup.secret_text);
    assert_eq!(shown.otpauth_uri, setup.otpauth_uri);
    let page = c.page("/account/security").await.text().await.unwrap();
    assert!(page.contains(&setup.secret_text) && page.contains("Code from the app"));
    // Another browser of the account, not in sudo mode, is not shown it.
    app.clock().advance(Duration::minutes(11));
    let other = app.signed_in("alice", PASSWORD).await;
    app.clock().advance(Duration::minutes(11));
    assert_eq!(other.authenticator().await.ok().setting_up, None);
    // Past the sudo window it is gone for this browser too; "Set up" makes a new one.
    assert_eq!(c.authenticator().await.ok().setting_up, None);
    let page = c.page("/account/security").await.text().await.unwrap();
    assert!(!page.contains(&setup.secret_text));

    // Confirmed, it is the app, not a set-up.
    c.confirm_password(PASSWORD).await.ok();
    let setup = c.setup_authenticator().await.ok();
    let secret = totp::secret_from_text(&setup.secret_text).unwrap();
    c.confirm_authenticator(&code(&app, &secret, 0)).await.ok();
    let view = c.authenticator().await.ok();
    assert!(view.added_at.is_some() && view.setting_up.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_setup_and_removal_need_sudo_mode() {
    let app = crate::helpers::spawn_app().await;
    app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let c = app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    app.clock().advance(Duration::minutes(11));
    let res = c.setup_authenticator().await;
    assert_eq!((res.status, res.err()), (403, Some(AppError::SudoRequired)));
    assert_eq!(c.confirm_password(PASSWORD).await.status, 200);
    set_up(&app, &c).await;
    app.clock().advance(Duration::minutes(11));
    let res = c.remove_authenticator().await;
    assert_eq!((res.status, res.err()), (403, Some(AppError::SudoRequired)));
    c.confirm_password(PASSWORD).await;
    assert_eq!(c.remove_authenticator().await.status, 200);
    // The phone remains: 2FA stays on, by text.
    let (_, step) = password_step(&app).await;
    assert!(!code_sent(step).app);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_sign_in_asks_for_the_app_code_first_and_sends_no_text() {
    let app = crate::helpers::spawn_app().await;
    let id = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let c = app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    let secret = set_up(&app, &c).await;
    let texts_before = app.sms_to(PHONE).await.len();

    app.clock().advance(Duration::seconds(31));
    let (c, step) = password_step(&app).await;
    let pending = code_sent(step);
    assert!(pending.app);
    assert!(pending.can_text);
    assert_eq!(
        app.sms_to(PHONE).await.len(),
        texts_before,
        "nothing texted"
    );
    let res = c.verify(&code(&app, &secret, 0)).await;
    assert_eq!(res.status, 200);
    assert_eq!(c.account().await.status, 200);
    let last = app.history_of(id).await.pop().unwrap();
    assert_eq!(
        (last.0.as_str(), last.1.as_str()),
        ("signed_in", "authenticator_app")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_a_used_code_or_an_earlier_one_is_refused() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    let secret = set_up(&app, &c).await;

    // The set-up code's step is used: the same code cannot sign in.
    let (c, _) = password_step(&app).await;
    let res = c.verify(&code(&app, &secret, 0)).await;
    assert_eq!(res.status, 422, "replay of the set-up code");
    assert_eq!(res.err(), Some(AppError::WrongCode { attempts_left: 4 }));

    app.clock().advance(Duration::seconds(30));
    let used = code(&app, &secret, 0);
    assert_eq!(c.verify(&used).await.status, 200);
    let (c, _) = password_step(&app).await;
    let res = c.verify(&used).await;
    assert_eq!(res.status, 422, "replay");
    assert_eq!(res.err(), Some(AppError::WrongCode { attempts_left: 4 }));
    let res = c.verify(&code(&app, &secret, -1)).await;
    assert_eq!(res.status, 422, "an earlier step, though within the drift");
    assert_eq!(res.err(), Some(AppError::WrongCode { attempts_left: 3 }));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_drift_of_one_step_is_accepted_and_two_is_refused() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    let secret = set_up(&app, &c).await;
    // Start well past the set-up step.
    app.clock().advance(Duration::minutes(5));
    for (drift, expected) in [(-2, 422), (2, 422), (-1, 200), (1, 200)] {
        let (c, _) = password_step(&app).await;
        let res = c.verify(&code(&app, &secret, drift)).await;
        assert_eq!(res.status, expected, "drift {drift}");
        // The next attempt starts two steps later, past anything used.
        app.clock().advance(Duration::seconds(90));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_text_me_a_code_instead_then_the_texted_code_works() {
    let app = crate::helpers::spawn_app().await;
    let id = app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let c = app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    set_up(&app, &c).await;
    let (c, _) = password_step(&app).await;
    let res = c.resend().await;
    assert_eq!(res.status, 200, "texted at once, no cooldown to wait for");
    assert!(!res.ok().app);
    let sms = app.latest_code(PHONE).await;
    assert_eq!(c.verify(&sms).await.status, 200);
    let last = app.history_of(id).await.pop().unwrap();
    assert_eq!(last.1, "sms_code");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_only_account_turns_2fa_off_when_the_app_is_removed() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    set_up(&app, &c).await;
    let (_, step) = password_step(&app).await;
    let pending = code_sent(step);
    assert!(pending.app);
    assert!(!pending.can_text, "no phone to text");
    assert_eq!(c.remove_authenticator().await.status, 200);
    let (c2, step) = password_step(&app).await;
    assert_eq!(step, LoginStep::SignedIn);
    assert_eq!(c2.account().await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_one_code_raced_by_twenty_sign_ins_works_exactly_once() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    let secret = set_up(&app, &c).await;
    app.clock().advance(Duration::seconds(30));
    let mut cookies = Vec::new();
    for _ in 0..20 {
        let res = app.browser().login("alice", PASSWORD).await;
        cookies.push(res.cookie_pairs().remove(0));
    }
    let statuses = crate::helpers::concurrent_posts(
        &app.url("/api/verify-code"),
        cookies,
        &[("code", &code(&app, &secret, 0))],
    )
    .await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_wrong_app_codes_have_the_same_limits_and_lockout() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    let secret = set_up(&app, &c).await;
    app.clock().advance(Duration::seconds(30));
    let (c, _) = password_step(&app).await;
    let right = code(&app, &secret, 0);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 1) % 1_000_000);
    let mut statuses = Vec::new();
    let mut errors = Vec::new();
    for _ in 0..5 {
        let res = c.verify(&wrong).await;
        statuses.push(res.status);
        errors.push(res.err());
    }
    assert_eq!(statuses, [422, 422, 422, 422, 429]);
    assert_eq!(
        errors,
        [
            Some(AppError::WrongCode { attempts_left: 4 }),
            Some(AppError::WrongCode { attempts_left: 3 }),
            Some(AppError::WrongCode { attempts_left: 2 }),
            Some(AppError::WrongCode { attempts_left: 1 }),
            Some(AppError::TooManyAttempts),
        ]
    );
    let res = c.verify(&right).await;
    assert_eq!(res.status, 429, "after five, even the right code fails");
    assert_eq!(res.err(), Some(AppError::TooManyAttempts));
    let failures: i32 =
        sqlx::query_scalar("SELECT failures FROM account_throttles WHERE username = 'alice'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        failures, 5,
        "each checked code counts against the account; the refused sixth counts nowhere"
    );
    let factors: Vec<String> = app
        .history_of(1)
        .await
        .into_iter()
        .filter(|(o, _, _)| o == "wrong_code")
        .map(|(_, f, _)| f)
        .collect();
    assert!(
        factors.iter().all(|f| f == "authenticator_app"),
        "{factors:?}"
    );
}

/// Copies `from`'s sealed secret onto `to`'s row, as someone able to write to the
/// database could, marking it `bound_to_user`.
async fn copy_sealed_secret(app: &TestApp, from: i64, to: i64, bound_to_user: bool) {
    sqlx::query(
        "UPDATE authenticator_apps b
         SET secret_nonce = a.secret_nonce, secret_sealed = a.secret_sealed,
             bound_to_user = $3
         FROM authenticator_apps a WHERE a.user_id = $1 AND b.user_id = $2",
    )
    .bind(from)
    .bind(to)
    .bind(bound_to_user)
    .execute(&app.pool)
    .await
    .unwrap();
}

// Issue #13: the secret is sealed with its account's id as associated data, so a sealed
// row copied onto another account (to sign in there with one's own app) does not open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_a_sealed_secret_copied_to_another_account_does_not_open_there() {
    use app::server::account::authenticator::{confirmed_secret, AuthenticatorError};
    let app = crate::helpers::spawn_app().await;
    let alice = app.add_user("alice", PASSWORD).await;
    let bob = app.add_user("bob", PASSWORD).await;
    let alice_secret = set_up(&app, &app.signed_in("alice", PASSWORD).await).await;
    set_up(&app, &app.signed_in("bob", PASSWORD).await).await;

    // Marked as bound, or as a legacy row (which opens without associated data).
    for bound in [true, false] {
        copy_sealed_secret(&app, alice, bob, bound).await;
        assert!(
            matches!(
                confirmed_secret(&app.state, bob).await,
                Err(AuthenticatorError::Sealed(_))
            ),
            "bound_to_user = {bound}"
        );
        app.clock().advance(Duration::seconds(90));
        let c = app.browser();
        let res = c.login("bob", PASSWORD).await;
        assert_eq!(res.status, 200);
        let res = c.verify(&code(&app, &alice_secret, 0)).await;
        assert_ne!(res.status, 200, "bound_to_user = {bound}");
        let res = c.account().await;
        assert_eq!((res.status, res.err()), (401, Some(AppError::Unauthorized)));
    }

    // Alice's own row is untouched and still signs her in.
    app.clock().advance(Duration::seconds(90));
    let (c, _) = password_step(&app).await;
    let res = c.verify(&code(&app, &alice_secret, 0)).await;
    assert_eq!(res.status, 200);
}

// Rows sealed before secrets were bound to their account keep working, and are re-sealed
// bound to it the first time they are opened.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authenticator_a_legacy_secret_still_signs_in_and_is_resealed_bound_to_its_account() {
    use app::server::account::authenticator::confirmed_secret;
    let app = crate::helpers::spawn_app().await;
    let id = app.add_user("alice", PASSWORD).await;
    let secret = set_up(&app, &app.signed_in("alice", PASSWORD).await).await;
    let row = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (Vec<u8>, Vec<u8>, bool)>(
                "SELECT secret_nonce, secret_sealed, bound_to_user
                 FROM authenticator_apps WHERE user_id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    assert!(row(&app).await.2, "new set-ups are bound");

    // As the row looked before: sealed without associated data, not marked.
    let key = app.state.settings.secret_key.clone().unwrap();
    let (nonce, sealed) = key.seal(&secret, &[]);
    sqlx::query(
        "UPDATE authenticator_apps
         SET secret_nonce = $2, secret_sealed = $3, bound_to_user = FALSE WHERE user_id = $1",
    )
    .bind(id)
    .bind(&nonce)
    .bind(&sealed)
    .execute(&app.pool)
    .await
    .unwrap();

    app.clock().advance(Duration::seconds(90));
    let (c, _) = password_step(&app).await;
    let res = c.verify(&code(&app, &secret, 0)).await;
    assert_eq!(res.status, 200);
    let (new_nonce, new_sealed, bound) = row(&app).await;
    assert!(bound, "re-sealed at its first use");
    assert_ne!(new_nonce, nonce);
    assert!(
        key.open(&new_nonce, &new_sealed, &[]).is_err(),
        "no longer opens without the account"
    );
    assert_eq!(
        confirmed_secret(&app.state, id)
            .await
            .unwrap()
            .unwrap()
            .as_slice(),
        secret.as_slice()
    );
}
