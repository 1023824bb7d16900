//! The Twilio SMS sender against a local stand-in for Twilio's Messages API that checks
//! the exact request and answers with Twilio's real success and error bodies.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::helpers::spawn_app_with;
use app::server::messaging::outbox::SendError;
use app::server::messaging::sms::{SmsConfig, SmsSender, Twilio, TwilioConfig};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;

const SID: &str = "AC0123456789abcdef";
const TOKEN: &str = "s3cret-token";
/// base64("AC0123456789abcdef:s3cret-token")
const BASIC: &str = "Basic QUMwMTIzNDU2Nzg5YWJjZGVmOnMzY3JldC10b2tlbg==";
const FROM: &str = "+15005550006";

const SUCCESS_BODY: &str = r#"{"account_sid": "AC0123456789abcdef", "api_version": "2010-04-01", "body": "hello", "date_created": "Thu, 24 Aug 2023 05:01:45 +0000", "date_sent": null, "date_updated": "Thu, 24 Aug 2023 05:01:45 +0000", "direction": "outbound-api", "error_code": null, "error_message": null, "from": "+15005550006", "num_media": "0", "num_segments": "1", "price": null, "price_unit": null, "messaging_service_sid": null, "sid": "SM0123456789abcdef0123456789abcdef", "status": "queued", "subresource_uris": {"media": "/2010-04-01/Accounts/AC0123456789abcdef/Messages/SM0123456789abcdef0123456789abcdef/Media.json"}, "to": "+447400123456", "uri": "/2010-04-01/Accounts/AC0123456789abcdef/Messages/SM0123456789abcdef0123456789abcdef.json"}"#;
const INVALID_TO_BODY: &str = r#"{"code": 21211, "message": "Invalid 'To' Phone Number: +44740012XXXX", "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400}"#;
const AUTH_ERROR_BODY: &str = r#"{"code": 20003, "detail": "Your AccountSid or AuthToken was incorrect.", "message": "Authentication Error - invalid username", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401}"#;

#[derive(Clone, Debug)]
struct Recorded {
    path: String,
    authorization: String,
    content_type: String,
    form: Vec<(String, String)>,
}

#[derive(Clone)]
struct Fake {
    requests: Arc<Mutex<Vec<Recorded>>>,
    status: StatusCode,
    body: &'static str,
    delay: Duration,
}

async fn messages(
    State(fake): State<Fake>,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, [(&'static str, &'static str); 1], &'static str) {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let form = url_decode_form(std::str::from_utf8(&body).unwrap());
    fake.requests.lock().unwrap().push(Recorded {
        path: uri.path().to_owned(),
        authorization: header("authorization"),
        content_type: header("content-type"),
        form,
    });
    if !fake.delay.is_zero() {
        tokio::time::sleep(fake.delay).await;
    }
    (
        fake.status,
        [("content-type", "application/json")],
        fake.body,
    )
}

fn url_decode_form(body: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' {
                out.push(
                    u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap(), 16)
                        .unwrap(),
                );
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8(out).unwrap()
    }
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (decode(k), decode(v))
        })
        .collect()
}

/// Starts the stand-in; returns its base URL and what it received.
async fn fake_twilio(
    status: StatusCode,
    body: &'static str,
    delay: Duration,
) -> (String, Arc<Mutex<Vec<Recorded>>>) {
    let requests = Arc::new(Mutex::new(Vec::new()));
    let fake = Fake {
        requests: requests.clone(),
        status,
        body,
        delay,
    };
    let app = Router::new()
        .route("/2010-04-01/Accounts/{sid}/Messages.json", post(messages))
        .with_state(fake);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), requests)
}

fn config(api_base: String, timeout: Duration) -> TwilioConfig {
    TwilioConfig {
        api_base,
        account_sid: SID.into(),
        auth_token: TOKEN.into(),
        from: FROM.into(),
        timeout,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_sender_makes_the_exact_request_twilio_expects() {
    let (base, seen) = fake_twilio(StatusCode::CREATED, SUCCESS_BODY, Duration::ZERO).await;
    let twilio = Twilio::new(config(base, Duration::from_secs(5))).unwrap();
    twilio
        .send_sms(
            "+447400123456",
            "Gatehouse: your sign-in code is 123456. Don't share it.",
        )
        .await
        .unwrap();

    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(
        r.path,
        "/2010-04-01/Accounts/AC0123456789abcdef/Messages.json"
    );
    assert_eq!(r.authorization, BASIC);
    assert_eq!(r.content_type, "application/x-www-form-urlencoded");
    assert_eq!(
        r.form,
        [
            ("To".to_owned(), "+447400123456".to_owned()),
            ("From".to_owned(), FROM.to_owned()),
            (
                "Body".to_owned(),
                "Gatehouse: your sign-in code is 123456. Don't share it.".to_owned()
            ),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_error_bodies_become_provider_errors_without_the_message() {
    for (status, body, code) in [
        (StatusCode::BAD_REQUEST, INVALID_TO_BODY, 21211),
        (StatusCode::UNAUTHORIZED, AUTH_ERROR_BODY, 20003),
    ] {
        let (base, _) = fake_twilio(status, body, Duration::ZERO).await;
        let twilio = Twilio::new(config(base, Duration::from_secs(5))).unwrap();
        let err = twilio
            .send_sms("+447400123456", "code is 654321")
            .await
            .unwrap_err();
        match &err {
            SendError::Provider {
                status: s, code: c, ..
            } => {
                assert_eq!((*s, *c), (status.as_u16(), Some(code)));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            !err.to_string().contains("654321"),
            "the message never appears in errors"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twilio_timeout_is_reported_as_a_timeout() {
    // The stand-in answers after 5 s; the sender gives up after 200 ms.
    let (base, _) = fake_twilio(StatusCode::CREATED, SUCCESS_BODY, Duration::from_secs(5)).await;
    let twilio = Twilio::new(config(base, Duration::from_millis(200))).unwrap();
    let err = twilio
        .send_sms("+447400123456", "code is 654321")
        .await
        .unwrap_err();
    assert!(matches!(err, SendError::Timeout), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_in_through_twilio_texts_the_code_and_a_provider_failure_asks_to_try_again() {
    // Provider down: the customer is told to try again, and no pending sign-in is left.
    let (base, _) = fake_twilio(StatusCode::BAD_REQUEST, INVALID_TO_BODY, Duration::ZERO).await;
    let mut settings = app::server::Settings::dev();
    settings.sms = SmsConfig::Twilio(config(base, Duration::from_secs(5)));
    let app = spawn_app_with(settings).await;
    app.add_user_2fa("alice", "a perfectly fine passphrase", "+447400123456")
        .await;
    let res = app
        .browser()
        .login("alice", "a perfectly fine passphrase")
        .await;
    assert_eq!(res.status, 503);
    assert_eq!(res.err(), Some(app::error::AppError::SmsFailed));
    let pending: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(pending, 0);
    assert_eq!(
        app::error::AppError::SmsFailed.to_string(),
        "We couldn't send the code, try again."
    );

    // Provider up: the code goes out in the Body and signs in.
    let (base, seen) = fake_twilio(StatusCode::CREATED, SUCCESS_BODY, Duration::ZERO).await;
    let mut settings = app::server::Settings::dev();
    settings.sms = SmsConfig::Twilio(config(base, Duration::from_secs(5)));
    let app = spawn_app_with(settings).await;
    app.add_user_2fa("alice", "a perfectly fine passphrase", "+447400123456")
        .await;
    let c = app.browser();
    let step = c.login("alice", "a perfectly fine passphrase").await.ok();
    assert!(
        matches!(step, app::api::signin::LoginStep::CodeSent(_)),
        "{step:?}"
    );
    let body = seen.lock().unwrap()[0].form[2].1.clone();
    let code = crate::helpers::code_in(&body);
    assert_eq!(c.verify(&code).await.status, 200);
    assert!(
        app.sms_to("+447400123456").await.is_empty(),
        "nothing in the outbox"
    );
}
