//! Account › Security (docs/security.md §8, 16, 17): a number is proven with a code before
//! 2FA switches on, sudo mode guards changes, turning 2FA off revokes trusted devices.

use crate::helpers::{Browser, TestApp};
use app::api::two_factor::UpdateResult;
use app::error::AppError;
use time::Duration;

const PASSWORD: &str = "a perfectly fine passphrase";
const PHONE: &str = "+447400123456";

async fn signed_in_without_2fa() -> (TestApp, Browser, i64) {
    let app = crate::helpers::spawn_app().await;
    let id = app.add_user("alice", PASSWORD).await;
    let c = app.browser();
    c.login_form("alice", PASSWORD).await;
    (app, c, id)
}

/// The error's message if it is about the form field `field`.
fn field_message(error: Option<AppError>, field: &str) -> String {
    match error {
        Some(AppError::InvalidInput { field: f, message }) if f == field => message,
        other => panic!("expected an error on {field}, got {other:?}"),
    }
}

async fn two_factor(app: &TestApp, id: i64) -> (bool, Option<String>) {
    sqlx::query_as("SELECT two_factor_enabled, phone_e164 FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_is_proven_with_a_code_before_two_factor_switches_on() {
    let (app, c, id) = signed_in_without_2fa().await;
    let res = c.update_two_factor("07400 123456", true).await;
    assert_eq!(res.ok(), UpdateResult::CodeSent("•••• 3456".into()));
    assert_eq!(
        two_factor(&app, id).await,
        (false, None),
        "nothing saved before the code"
    );

    let sms = app.sms_to(PHONE).await;
    assert_eq!(sms.len(), 1, "national format read with the default region");
    assert!(sms[0].starts_with("Gatehouse: your confirmation code is "));
    let code = crate::helpers::code_in(&sms[0]);

    // A wrong code keeps it off.
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let res = c.confirm_phone(&wrong).await;
    assert_eq!(res.status, 422);
    assert!(matches!(res.err(), Some(AppError::WrongCode { .. })));
    assert_eq!(two_factor(&app, id).await, (false, None));

    let res = c.confirm_phone(&code).await;
    assert_eq!(res.ok(), ("•••• 3456".to_owned(), true));
    assert_eq!(two_factor(&app, id).await, (true, Some(PHONE.to_owned())));
    let settings = c.two_factor().await.ok();
    assert!(settings.enabled);
    assert_eq!(settings.phone_masked.as_deref(), Some("•••• 3456"));

    // Used once: the same code again finds nothing to confirm.
    let res = c.confirm_phone(&code).await;
    assert_eq!(
        (res.status, res.err()),
        (409, Some(AppError::NothingToConfirm))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn phone_malformed_or_landline_is_refused_with_nothing_saved_or_sent() {
    let (app, c, id) = signed_in_without_2fa().await;
    for (input, message) in [
        ("12", "That number is too short for the United Kingdom."),
        ("+33 6 12 34", "That number is too short for France."),
        (
            "07400 1234567",
            "That number is too long for the United Kingdom.",
        ),
        ("+44 20 7946 0000", "Enter a mobile number, not a landline."),
        ("call me maybe", "That doesn't look like a phone number."),
        ("", "Enter a mobile number."),
    ] {
        let res = c.update_two_factor(input, true).await;
        assert_eq!(res.status, 422, "{input:?}");
        let shown = field_message(res.err(), "phone");
        assert!(shown.contains(message), "{input:?}: {shown}");
    }
    assert_eq!(two_factor(&app, id).await, (false, None));
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sent, 0);
}

async fn enable(app: &TestApp, c: &Browser) {
    c.update_two_factor(PHONE, true).await;
    let code = app.latest_code(PHONE).await;
    assert_eq!(c.confirm_phone(&code).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sudo_mode_turning_two_factor_off_needs_a_password_from_the_last_ten_minutes() {
    let (app, c, id) = signed_in_without_2fa().await;
    enable(&app, &c).await;
    sqlx::query("INSERT INTO trusted_devices (token_hash, user_id, created_at, last_used_at, expires_at, ip, device)
                 VALUES (sha256('x'), $1, now(), now(), now() + interval '30 days', '127.0.0.1', 'Firefox on Linux')")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();

    app.clock()
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let res = c.update_two_factor(PHONE, false).await;
    assert_eq!((res.status, res.err()), (403, Some(AppError::SudoRequired)));
    assert!(two_factor(&app, id).await.0, "still on");

    assert_eq!(c.confirm_password("not my password").await.status, 422);
    assert_eq!(c.confirm_password(PASSWORD).await.status, 200);
    let res = c.update_two_factor(PHONE, false).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.ok(), UpdateResult::TurnedOff);
    assert_eq!(two_factor(&app, id).await, (false, Some(PHONE.to_owned())));
    let devices: i64 = sqlx::query_scalar("SELECT count(*) FROM trusted_devices")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(devices, 0, "turning 2FA off revokes trusted devices");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sudo_mode_changing_the_number_needs_a_recent_password() {
    let (app, c, id) = signed_in_without_2fa().await;
    enable(&app, &c).await;
    app.clock().advance(Duration::minutes(11));
    let res = c.update_two_factor("+447400654321", true).await;
    assert_eq!((res.status, res.err()), (403, Some(AppError::SudoRequired)));
    assert!(app.sms_to("+447400654321").await.is_empty());
    c.confirm_password(PASSWORD).await;
    let res = c.update_two_factor("+447400654321", true).await;
    assert_eq!(res.status, 200);
    // Until the new number's code is entered, codes still go to the old one.
    assert_eq!(two_factor(&app, id).await, (true, Some(PHONE.to_owned())));
    let code = app.latest_code("+447400654321").await;
    assert_eq!(c.confirm_phone(&code).await.status, 200);
    assert_eq!(
        two_factor(&app, id).await,
        (true, Some("+447400654321".to_owned()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmation_code_expires_after_ten_minutes() {
    let (app, c, id) = signed_in_without_2fa().await;
    c.update_two_factor(PHONE, true).await;
    let code = app.latest_code(PHONE).await;
    app.clock()
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let res = c.confirm_phone(&code).await;
    assert_eq!(res.status, 422);
    let message = field_message(res.err(), "confirm_code");
    assert!(message.contains("expired"), "{message}");
    assert_eq!(two_factor(&app, id).await, (false, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_settings_are_refused_to_signed_out_and_pending_sessions() {
    let app = crate::helpers::spawn_app().await;
    app.add_user_2fa("bob01", PASSWORD, PHONE).await;
    let pending = app.browser();
    pending.login("bob01", PASSWORD).await;
    let unauthorized = (401, Some(AppError::Unauthorized));
    for c in [app.browser(), pending] {
        let res = c.two_factor().await;
        assert_eq!((res.status, res.err()), unauthorized, "two-factor");
        let res = c.update_two_factor("+447400999999", true).await;
        assert_eq!((res.status, res.err()), unauthorized, "update-two-factor");
        let res = c.confirm_phone("123456").await;
        assert_eq!((res.status, res.err()), unauthorized, "confirm-phone");
        let res = c.confirm_password(PASSWORD).await;
        assert_eq!((res.status, res.err()), unauthorized, "confirm-password");
    }
    assert!(
        app.sms_to("+447400999999").await.is_empty(),
        "nobody signed out chooses where a code goes"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn require_2fa_keeps_accounts_without_it_on_the_security_tab_until_they_turn_it_on() {
    let mut settings = app::server::Settings::dev();
    settings.require_two_factor = true;
    let app = crate::helpers::spawn_app_with(settings).await;
    let id = app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    let page = |path: &'static str| {
        let c = c.clone();
        async move {
            let res = c.page(path).await;
            let to = res
                .headers()
                .get("location")
                .map(|v| v.to_str().unwrap().to_owned());
            (res.status().as_u16(), to, res.text().await.unwrap())
        }
    };

    for path in ["/account", "/account/history"] {
        let (status, to, _) = page(path).await;
        assert_eq!(
            (status, to.as_deref()),
            (302, Some("/account/security")),
            "{path}"
        );
    }
    let (status, _, body) = page("/account/security").await;
    assert_eq!(status, 200);
    assert!(body.contains("Your hosting provider requires two-factor authentication"));
    let res = c.history(1).await;
    assert_eq!(
        (res.status, res.err()),
        (403, Some(AppError::TwoFactorRequired))
    );

    c.update_two_factor(PHONE, true).await;
    let code = app.latest_code(PHONE).await;
    c.confirm_phone(&code).await;
    assert_eq!(two_factor(&app, id).await, (true, Some(PHONE.to_owned())));

    let (status, _, body) = page("/account/history").await;
    assert_eq!(status, 200);
    assert!(!body.contains("requires two-factor authentication"));
    assert_eq!(c.history(1).await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_require_2fa_accounts_without_it_go_anywhere() {
    let (_app, c, _) = signed_in_without_2fa().await;
    let res = c.page("/account/history").await;
    assert_eq!(res.status(), 200);
    assert_eq!(c.history(1).await.status, 200);
}
