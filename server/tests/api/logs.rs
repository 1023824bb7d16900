//! No secret in the logs (issue #18): every line the app logs while a customer signs in
//! with a texted code, creates a Recovery Token, signs in with it, and resets a forgotten
//! password is captured, and none of the secrets used appears in it — not the password,
//! the code, the token, the reset link's token, the session cookie, or the full number.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use crate::helpers::spawn_app;
use app::api::signin::LoginStep;

/// Everything logged in this test binary from the first call on, at debug level for
/// Gatehouse's own crates and the HTTP layer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn capture() -> Captured {
    static CAPTURED: OnceLock<Captured> = OnceLock::new();
    CAPTURED
        .get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            tracing_subscriber::fmt()
                .with_env_filter("info,app=trace,gatehouse_server=trace,tower_http=debug")
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .try_init()
                .expect("the only log subscriber in this test binary");
            captured
        })
        .clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_hold_no_password_code_token_cookie_or_full_number() {
    let logs = capture();
    let app = spawn_app().await;
    let password = "a passphrase seen only here 8841";
    let phone = "+447400558841";
    app.add_user_2fa("logcheck", password, phone).await;

    // Sign in with the texted code, trusting the device; create a recovery token.
    let b = app.browser();
    assert!(matches!(
        b.login("logcheck", password).await.ok(),
        LoginStep::CodeSent(_)
    ));
    let code = app.latest_code(phone).await;
    let reply = b.verify_trusting(&code).await;
    let cookies = reply.cookie_pairs();
    reply.ok();
    let token = b.create_recovery_token().await.ok();
    // A wrong code and a wrong password are logged as attempts too.
    let other = app.browser();
    other.login("logcheck", "not it at all, 8841").await;

    // Sign in with the recovery token instead of a code.
    let c = app.browser();
    c.login("logcheck", password).await.ok();
    c.verify(&token).await.ok();

    // Forgot Password: the link's token.
    let address = "logcheck@example.com";
    let before = app.emails_to(address).await.len();
    app.browser().forgot_password("logcheck").await.ok();
    let mut link = None;
    for n in before + 1.. {
        let mail = app.wait_for_emails(address, n).await;
        link = mail.iter().find_map(|(_, body)| {
            let at = body.find("reset-password?token=")? + "reset-password?token=".len();
            Some(body[at..at + 64].to_owned())
        });
        if link.is_some() {
            break;
        }
    }
    let link = link.expect("a reset link");
    app.browser()
        .reset_password(
            &link,
            "another passphrase 8841 x",
            "another passphrase 8841 x",
        )
        .await
        .ok();

    let text = String::from_utf8_lossy(&logs.0.lock().unwrap()).into_owned();
    assert!(
        text.contains("/api/verify-code"),
        "the capture works: {} bytes",
        text.len()
    );
    let mut secrets = vec![
        password.to_owned(),
        "another passphrase 8841 x".to_owned(),
        code.clone(),
        token.clone(),
        token.replace('-', ""),
        link.clone(),
        phone.to_owned(),
        phone.trim_start_matches('+').to_owned(),
    ];
    secrets.extend(
        cookies
            .iter()
            .filter_map(|c| c.split_once('=').map(|(_, v)| v.to_owned())),
    );
    for secret in secrets.iter().filter(|s| s.len() >= 6) {
        assert!(
            !text.contains(secret.as_str()),
            "a secret ({} chars) is in the logs",
            secret.len()
        );
    }
}
