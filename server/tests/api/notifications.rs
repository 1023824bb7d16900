//! Account notifications (docs/security.md §12) and the email senders: every security change is
//! emailed once to the account's address with no secret in it, a replaced number gets an
//! SMS, and the SMTP sender delivers to a real SMTP server.

use std::time::Duration as StdDuration;

use crate::helpers::smtp::SmtpServer;
use crate::helpers::TestApp;
use app::server::messaging::email::{Email, EmailConfig, EmailSender, Smtp, SmtpConfig};
use app::server::messaging::outbox::SendError;
use app::server::Settings;

const PASSWORD: &str = "a perfectly fine passphrase";
const PHONE: &str = "+447400123456";
const NEW_PHONE: &str = "+447400999888";
const EMAIL: &str = "alice@example.com";

fn smtp_config(url: &str) -> SmtpConfig {
    SmtpConfig {
        url: url.to_owned(),
        from: "Gatehouse <no-reply@panel.example>".into(),
        timeout: StdDuration::from_secs(10),
    }
}

/// The subjects of the emails to alice, oldest first.
async fn subjects(app: &TestApp) -> Vec<String> {
    let mut all: Vec<String> = app
        .emails_to(EMAIL)
        .await
        .into_iter()
        .map(|(s, _)| s)
        .collect();
    all.reverse();
    all
}

/// Asserts no email body holds one of `secrets`, and returns how many emails there are.
async fn assert_no_secret(app: &TestApp, secrets: &[String]) -> usize {
    let emails = app.emails_to(EMAIL).await;
    for (subject, body) in &emails {
        for secret in secrets {
            assert!(
                !body.contains(secret.as_str()) && !subject.contains(secret.as_str()),
                "{subject}: holds a secret"
            );
        }
        assert!(!body.contains(PASSWORD));
    }
    emails.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_sender_delivers_a_real_message_to_an_smtp_server() {
    let server = SmtpServer::start().await;
    let sender = Smtp::new(&smtp_config(&server.url)).unwrap();
    sender
        .send_email(&Email {
            to: "alice@example.com".into(),
            subject: "Gatehouse: Two-factor authentication is on".into(),
            body: "Hello alice,\n.\nA line that starts with a dot survives.\n".into(),
        })
        .await
        .unwrap();
    let got = server.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].mail_from, "<no-reply@panel.example>");
    assert_eq!(got[0].rcpt_to, vec!["<alice@example.com>".to_owned()]);
    let data = &got[0].data;
    assert!(
        data.contains("Subject: Gatehouse: Two-factor authentication is on"),
        "{data}"
    );
    assert!(data.contains("To: alice@example.com"), "{data}");
    assert!(data.contains("Content-Type: text/plain"), "{data}");
    assert!(
        data.contains(".\r\nA line that starts with a dot survives."),
        "{data}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smtp_sender_reports_an_unreachable_server_as_an_error() {
    // A port nobody listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sender = Smtp::new(&smtp_config(&format!("smtp://127.0.0.1:{port}"))).unwrap();
    let err = sender
        .send_email(&Email {
            to: "alice@example.com".into(),
            subject: "s".into(),
            body: "b".into(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Transport(_)), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_configured_for_smtp_arrive_at_the_smtp_server() {
    let server = SmtpServer::start().await;
    let mut settings = Settings::dev();
    settings.email = EmailConfig::Smtp(smtp_config(&server.url));
    let app = crate::helpers::spawn_app_with(settings).await;
    app.add_user_2fa("alice", PASSWORD, PHONE).await;
    let c = app.signed_in_2fa("alice", PASSWORD, PHONE).await;
    let token = c.create_recovery_token().await.ok();

    let got = server.wait_for(1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_to, vec![format!("<{EMAIL}>")]);
    assert!(got[0]
        .data
        .contains("Subject: Gatehouse: A new recovery token was created"));
    assert!(!got[0].data.contains(&token));
    assert!(
        app.emails_to(EMAIL).await.is_empty(),
        "nothing goes to the outbox"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_every_security_change_is_emailed_once_without_secrets() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    let mut secrets = Vec::new();

    // 2FA on: Update, then the Confirmation code.
    let res = c.update_two_factor(PHONE, true).await;
    assert_eq!(res.status, 200);
    let code = app.latest_code(PHONE).await;
    secrets.push(code.clone());
    assert_eq!(c.confirm_phone(&code).await.status, 200);
    assert_eq!(
        subjects(&app).await,
        ["Gatehouse: Two-factor authentication is on"]
    );
    let (_, body) = &app.emails_to(EMAIL).await[0];
    assert!(body.starts_with("Hello alice,"), "{body}");
    assert!(body.contains("•••• 3456"), "{body}");
    assert!(!body.contains(PHONE), "the full number is not repeated");

    // A recovery token created, then revoked.
    let token = c.create_recovery_token().await.ok();
    secrets.push(token.clone());
    secrets.push(token.replace('-', ""));
    assert_eq!(c.revoke_recovery_token().await.status, 200);
    // Revoking when there is none tells nobody anything.
    assert_eq!(c.revoke_recovery_token().await.status, 200);

    // The number changed: the new number proves itself, the old one is told by SMS.
    app.clock().advance(time::Duration::seconds(31));
    let res = c.update_two_factor(NEW_PHONE, true).await;
    assert_eq!(res.status, 200, "{:?}", res.result);
    let code = app.latest_code(NEW_PHONE).await;
    secrets.push(code.clone());
    assert_eq!(c.confirm_phone(&code).await.status, 200);
    let to_old = app.sms_to(PHONE).await;
    assert!(
        to_old[0].contains("this number was removed"),
        "{}",
        to_old[0]
    );
    assert!(
        !to_old[0].contains("9888"),
        "the new number is not revealed"
    );

    // Sign in with a recovery token.
    let token = c.create_recovery_token().await.ok();
    secrets.push(token.clone());
    let other = app.browser();
    other.login("alice", PASSWORD).await;
    assert_eq!(other.verify(&token).await.status, 200);

    // 2FA off (sudo mode: the session signed in moments ago).
    assert_eq!(c.update_two_factor("", false).await.status, 200);

    assert_eq!(
        subjects(&app).await,
        [
            "Gatehouse: Two-factor authentication is on",
            "Gatehouse: A new recovery token was created",
            "Gatehouse: Your recovery token was revoked",
            "Gatehouse: Your mobile number was changed",
            "Gatehouse: A new recovery token was created",
            "Gatehouse: Your recovery token was used to sign in",
            "Gatehouse: Two-factor authentication was turned off",
        ]
    );
    assert_eq!(assert_no_secret(&app, &secrets).await, 7);
    let (_, used) = &app.emails_to(EMAIL).await[1];
    assert!(used.contains("IP:     127.0.0.1"), "{used}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_a_sign_in_from_a_new_browser_is_emailed_and_a_known_one_is_not() {
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let browser = |ua: &'static str| app.browser_with_agent(ua);
    let firefox =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
    let safari = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 \
                  (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

    // The account's first sign-in has nothing to compare with: no email.
    browser(firefox).login("alice", PASSWORD).await;
    assert!(app.emails_to(EMAIL).await.is_empty());
    // The same browser again: known.
    browser(firefox).login("alice", PASSWORD).await;
    assert!(app.emails_to(EMAIL).await.is_empty());
    // A wrong password from a new browser is not a sign-in.
    browser(safari).login("alice", "wrong password here").await;
    assert!(app.emails_to(EMAIL).await.is_empty());
    // A new browser: one email naming it.
    browser(safari).login("alice", PASSWORD).await;
    let emails = app.emails_to(EMAIL).await;
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].0, "Gatehouse: New sign-in to your account");
    assert!(
        emails[0].1.contains("Device: Safari on iOS"),
        "{}",
        emails[0].1
    );
    browser(safari).login("alice", PASSWORD).await;
    assert_eq!(app.emails_to(EMAIL).await.len(), 1, "once per new browser");
}
