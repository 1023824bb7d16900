//! Account › Security (docs/security.md §8, 16, 17): a number is proven with a code before
//! 2FA switches on, sudo mode guards changes, turning 2FA off revokes trusted devices.

use crate::helpers::{client, TestApp};
use time::Duration;

const PASSWORD: &str = "a perfectly fine passphrase";
const PHONE: &str = "+447400123456";

async fn signed_in_without_2fa() -> (TestApp, reqwest::Client, i64) {
    let app = crate::helpers::spawn_app().await;
    let id = app.add_user("alice", PASSWORD).await;
    let c = client();
    app.login_form(&c, "alice", PASSWORD).await;
    (app, c, id)
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
    let res = app
        .call(
            &c,
            "update-two-factor",
            &[("phone", "07400 123456"), ("enabled", "on")],
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["CodeSent"], "•••• 3456");
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
    let res = app.call(&c, "confirm-phone", &[("code", &wrong)]).await;
    assert_eq!(res.status(), 422);
    assert_eq!(two_factor(&app, id).await, (false, None));

    let res = app.call(&c, "confirm-phone", &[("code", &code)]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(two_factor(&app, id).await, (true, Some(PHONE.to_owned())));
    let settings: serde_json::Value = app.call(&c, "two-factor", &[]).await.json().await.unwrap();
    assert_eq!(settings["enabled"], true);
    assert_eq!(settings["phone_masked"], "•••• 3456");

    // Used once: the same code again finds nothing to confirm.
    assert_eq!(
        app.call(&c, "confirm-phone", &[("code", &code)])
            .await
            .status(),
        409
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
        let res = app
            .call(
                &c,
                "update-two-factor",
                &[("phone", input), ("enabled", "on")],
            )
            .await;
        assert_eq!(res.status(), 422, "{input:?}");
        let body = res.text().await.unwrap();
        assert!(
            body.contains("\"field\":\"phone\"") && body.contains(message),
            "{input:?}: {body}"
        );
    }
    assert_eq!(two_factor(&app, id).await, (false, None));
    let sent: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sent, 0);
}

async fn enable(app: &TestApp, c: &reqwest::Client) {
    app.call(
        c,
        "update-two-factor",
        &[("phone", PHONE), ("enabled", "on")],
    )
    .await;
    let code = app.latest_code(PHONE).await;
    assert_eq!(
        app.call(c, "confirm-phone", &[("code", &code)])
            .await
            .status(),
        200
    );
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
    let res = app.call(&c, "update-two-factor", &[("phone", PHONE)]).await;
    assert_eq!(res.status(), 403);
    assert!(res.text().await.unwrap().contains("SudoRequired"));
    assert!(two_factor(&app, id).await.0, "still on");

    assert_eq!(
        app.call(&c, "confirm-password", &[("password", "not my password")])
            .await
            .status(),
        422
    );
    assert_eq!(
        app.call(&c, "confirm-password", &[("password", PASSWORD)])
            .await
            .status(),
        200
    );
    let res = app.call(&c, "update-two-factor", &[("phone", PHONE)]).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!("TurnedOff")
    );
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
    let res = app
        .call(
            &c,
            "update-two-factor",
            &[("phone", "+447400654321"), ("enabled", "on")],
        )
        .await;
    assert_eq!(res.status(), 403);
    assert!(app.sms_to("+447400654321").await.is_empty());
    app.call(&c, "confirm-password", &[("password", PASSWORD)])
        .await;
    let res = app
        .call(
            &c,
            "update-two-factor",
            &[("phone", "+447400654321"), ("enabled", "on")],
        )
        .await;
    assert_eq!(res.status(), 200);
    // Until the new number's code is entered, codes still go to the old one.
    assert_eq!(two_factor(&app, id).await, (true, Some(PHONE.to_owned())));
    let code = app.latest_code("+447400654321").await;
    assert_eq!(
        app.call(&c, "confirm-phone", &[("code", &code)])
            .await
            .status(),
        200
    );
    assert_eq!(
        two_factor(&app, id).await,
        (true, Some("+447400654321".to_owned()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirmation_code_expires_after_ten_minutes() {
    let (app, c, id) = signed_in_without_2fa().await;
    app.call(
        &c,
        "update-two-factor",
        &[("phone", PHONE), ("enabled", "on")],
    )
    .await;
    let code = app.latest_code(PHONE).await;
    app.clock()
        .advance(Duration::minutes(10) + Duration::seconds(1));
    let res = app.call(&c, "confirm-phone", &[("code", &code)]).await;
    assert_eq!(res.status(), 422);
    assert!(res.text().await.unwrap().contains("expired"));
    assert_eq!(two_factor(&app, id).await, (false, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_settings_are_refused_to_signed_out_and_pending_sessions() {
    let app = crate::helpers::spawn_app().await;
    app.add_user_2fa("bob01", PASSWORD, PHONE).await;
    let pending = client();
    app.call(
        &pending,
        "login",
        &[("username", "bob01"), ("password", PASSWORD)],
    )
    .await;
    for c in [client(), pending] {
        for (endpoint, form) in [
            ("two-factor", vec![]),
            (
                "update-two-factor",
                vec![("phone", "+447400999999"), ("enabled", "on")],
            ),
            ("confirm-phone", vec![("code", "123456")]),
            ("confirm-password", vec![("password", PASSWORD)]),
        ] {
            assert_eq!(
                app.call(&c, endpoint, &form).await.status(),
                401,
                "{endpoint}"
            );
        }
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
        let (c, url) = (c.clone(), app.url(path));
        async move {
            let res = c
                .get(url)
                .header("accept", "text/html")
                .send()
                .await
                .unwrap();
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
    assert_eq!(
        app.call(&c, "login-history", &[("page", "1")])
            .await
            .status(),
        403
    );

    app.call(
        &c,
        "update-two-factor",
        &[("phone", PHONE), ("enabled", "on")],
    )
    .await;
    let code = app.latest_code(PHONE).await;
    app.call(&c, "confirm-phone", &[("code", &code)]).await;
    assert_eq!(two_factor(&app, id).await, (true, Some(PHONE.to_owned())));

    let (status, _, body) = page("/account/history").await;
    assert_eq!(status, 200);
    assert!(!body.contains("requires two-factor authentication"));
    assert_eq!(
        app.call(&c, "login-history", &[("page", "1")])
            .await
            .status(),
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_require_2fa_accounts_without_it_go_anywhere() {
    let (app, c, _) = signed_in_without_2fa().await;
    let res = c
        .get(app.url("/account/history"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.call(&c, "login-history", &[("page", "1")])
            .await
            .status(),
        200
    );
}
