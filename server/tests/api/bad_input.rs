//! Bad input of any shape (docs/security.md §23): every server-function endpoint answers a 4xx
//! with a message, never a 5xx or a panic, to wrong content types, invalid UTF-8,
//! missing fields, arrays, huge bodies and absurd lengths; and a property test throws
//! random bodies at every endpoint of a running server.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Once;

use crate::helpers::{Browser, TestApp};
use app::api::signin::LoginStep;
use proptest::prelude::*;

const PASSWORD: &str = "a perfectly fine passphrase";

/// Every server function, with its fields.
const ENDPOINTS: &[(&str, &[&str])] = &[
    ("login", &["username", "password", "next"]),
    ("verify-code", &["code", "trust_device", "next"]),
    ("resend-code", &[]),
    ("pending-signin", &[]),
    ("cancel-signin", &[]),
    ("logout", &[]),
    ("account", &[]),
    ("trusted-devices", &[]),
    ("revoke-device", &["id"]),
    ("revoke-all-devices", &[]),
    ("login-history", &["page"]),
    ("two-factor", &[]),
    ("update-two-factor", &["phone", "enabled"]),
    ("confirm-phone", &["code"]),
    ("confirm-password", &["password"]),
    ("recovery-status", &[]),
    ("create-recovery-token", &[]),
    ("revoke-recovery-token", &[]),
    ("forgot-username", &["email"]),
    ("forgot-password", &["login"]),
    ("reset-link", &["token"]),
    ("reset-password", &["token", "password", "password_again"]),
    (
        "change-password",
        &["current_password", "password", "password_again"],
    ),
    ("authenticator", &[]),
    ("setup-authenticator", &[]),
    ("confirm-authenticator", &["code"]),
    ("remove-authenticator", &[]),
    ("sessions", &[]),
    ("sign-out-session", &["id"]),
    ("sign-out-other-sessions", &[]),
    ("this-wasnt-me", &[]),
    ("change-email", &["new_email"]),
    ("confirm-email", &["token"]),
    ("passkeys", &[]),
    ("add-passkey", &[]),
    ("save-passkey", &["ceremony", "credential"]),
    ("rename-passkey", &["id", "name"]),
    ("remove-passkey", &["id"]),
    ("passkey-signin", &[]),
    ("passkey-verify", &["ceremony", "credential", "next"]),
    ("support", &[]),
    ("support-find", &["query"]),
    ("support-customer", &["id"]),
    ("support-unlock", &["id", "reason"]),
    ("support-reset-link", &["id", "reason"]),
    ("support-reset-two-factor", &["id", "reason"]),
    ("support-actions", &["staff_id"]),
    ("cancel-reset", &["token"]),
];

static PANICS: AtomicUsize = AtomicUsize::new(0);
static HOOK: Once = Once::new();

/// Counts panics on the server's threads (it runs in-process, on tokio's workers and
/// blocking pool), keeping the default report. A failing assertion in a test's own
/// thread is not counted.
fn count_panics() {
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            if thread.name().is_none_or(|n| n.starts_with("tokio")) {
                PANICS.fetch_add(1, Ordering::SeqCst);
            }
            default(info);
        }));
    });
}

/// A signed-in browser, so authorised endpoints parse their input too.
async fn signed_in() -> (TestApp, Browser) {
    count_panics();
    let app = crate::helpers::spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    (app, c)
}

/// A raw request: the point here is a malformed body, which no typed call can send.
async fn post(c: &Browser, endpoint: &str, content_type: &str, body: Vec<u8>) -> (u16, String) {
    let res = c
        .client()
        .post(c.url(&format!("/api/{endpoint}")))
        .header("content-type", content_type)
        .header("accept", "application/json")
        .body(body)
        .send()
        .await;
    match res {
        Ok(res) => (res.status().as_u16(), res.text().await.unwrap_or_default()),
        // The server answers 413 to an oversized body before reading it all and closes
        // the connection; the client may see only the closed connection.
        Err(e) if e.is_request() => (413, String::new()),
        Err(e) => panic!("{endpoint}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_every_endpoint_answers_malformed_requests_with_a_4xx() {
    let (_app, c) = signed_in().await;
    let form = "application/x-www-form-urlencoded";
    let mut tried = 0;
    for (endpoint, fields) in ENDPOINTS {
        let first = fields.first().copied().unwrap_or("x");
        let cases: Vec<(&str, &str, Vec<u8>)> = vec![
            (
                "invalid UTF-8",
                form,
                format!("{first}=%FF%FE%FD").into_bytes(),
            ),
            (
                "raw invalid UTF-8",
                form,
                [first.as_bytes(), b"=\xff\xfe"].concat(),
            ),
            (
                "array",
                form,
                format!("{first}[]=a&{first}[]=b").into_bytes(),
            ),
            (
                "json body",
                "application/json",
                br#"{"a":[1,2,{"b":null}]}"#.to_vec(),
            ),
            ("text body", "text/plain", b"hello".to_vec()),
            ("no content type", "", b"%%%".to_vec()),
            ("junk encoding", form, b"=&=&&==%".to_vec()),
            ("1 MB", form, vec![b'a'; 1024 * 1024]),
            (
                "absurd length",
                form,
                format!("{first}={}", "9".repeat(60_000)).into_bytes(),
            ),
            (
                "extra fields",
                form,
                format!("{first}=x&unexpected=1&another[]=2").into_bytes(),
            ),
        ];
        for (label, content_type, body) in cases {
            tried += 1;
            let (status, text) = post(&c, endpoint, content_type, body).await;
            assert!(status < 500, "{endpoint} / {label}: {status} {text}");
            // Forgot Password answers every non-empty entry the same, and the reset page
            // asks "is this link live?" of any text (false): both by design.
            assert!(
                status != 200
                    || label == "extra fields"
                    || fields.is_empty()
                    || ["forgot-password", "reset-link"].contains(endpoint),
                "{endpoint} / {label}: accepted"
            );
            if status >= 400 && status != 413 {
                assert!(!text.is_empty(), "{endpoint} / {label}: no message");
            }
        }
        // Missing fields, for endpoints that have required ones.
        if !fields.is_empty() && !["verify-code", "update-two-factor"].contains(endpoint) {
            let (status, text) = post(&c, endpoint, form, Vec::new()).await;
            tried += 1;
            assert!(
                (400..500).contains(&status) || (status == 200 && *endpoint == "login"),
                "{endpoint} / missing: {status} {text}"
            );
        }
    }
    assert!(tried > 200, "{tried} bad inputs tried");
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a handler panicked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_random_bodies_at_every_endpoint_never_get_a_5xx() {
    let (app, c) = signed_in().await;
    let handle = tokio::runtime::Handle::current();
    let endpoints: Vec<&str> = ENDPOINTS.iter().map(|(e, _)| *e).collect();
    let content_types = prop::sample::select(vec![
        "application/x-www-form-urlencoded",
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
        "",
    ]);
    let body = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512),
        "[a-z_]{1,12}=[^&]{0,64}(&[a-z_]{1,12}=[^&]{0,64}){0,4}".prop_map(String::into_bytes),
    ];
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 300,
        ..ProptestConfig::default()
    });
    // proptest drives a synchronous closure: run it on a blocking thread and send each
    // request through the test's runtime.
    let result = tokio::task::block_in_place(|| {
        runner.run(
            &(prop::sample::select(endpoints), content_types, body),
            |(endpoint, content_type, body)| {
                let (status, text) = handle.block_on(post(&c, endpoint, content_type, body));
                prop_assert!(status < 500, "{endpoint}: {status} {text}");
                Ok(())
            },
        )
    });
    result.unwrap();
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a handler panicked");
    // Still working afterwards.
    assert_eq!(
        app.browser().login("alice", PASSWORD).await.ok(),
        LoginStep::SignedIn
    );
}

/// An app whose password hashing is one thread with room for two hashes queued or
/// running, so that a small burst overflows it.
async fn app_with_a_tiny_hash_queue() -> TestApp {
    count_panics();
    let mut settings = app::server::Settings::dev();
    settings.hash_concurrency = 1;
    settings.hash_queue = Some(2);
    // Failures must not delay or refuse the burst before it reaches the hashing queue.
    settings.lockout.slowdown_per_failure = std::time::Duration::ZERO;
    settings.lockout.ip_max_failures_per_hour = 10_000;
    crate::helpers::spawn_app_with(settings).await
}

/// Posts `form` to `endpoint` `n` times at once with `c`; returns (status, Retry-After).
async fn burst(
    c: &Browser,
    endpoint: &str,
    forms: Vec<Vec<(String, String)>>,
) -> Vec<(u16, Option<String>)> {
    let tasks: Vec<_> = forms
        .into_iter()
        .map(|form| {
            let (c, url) = (c.client().clone(), c.url(&format!("/api/{endpoint}")));
            tokio::spawn(async move {
                let res = c
                    .post(url)
                    .header("accept", "application/json")
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                let retry_after = res
                    .headers()
                    .get("retry-after")
                    .map(|v| v.to_str().unwrap().to_owned());
                (res.status().as_u16(), retry_after)
            })
        })
        .collect();
    let mut answers = Vec::new();
    for t in tasks {
        answers.push(t.await.unwrap());
    }
    answers
}

/// Every answer is `allowed` or a 503 with `Retry-After`, and the queue overflowed at
/// least once.
fn assert_refused_with_retry_after(answers: &[(u16, Option<String>)], allowed: &[u16]) {
    assert!(
        answers
            .iter()
            .all(|(status, _)| allowed.contains(status) || *status == 503),
        "{answers:?}"
    );
    assert!(answers.iter().any(|(s, _)| *s == 503), "{answers:?}");
    for (status, retry_after) in answers {
        if *status == 503 {
            assert_eq!(retry_after.as_deref(), Some("1"), "{answers:?}");
        }
    }
    assert_eq!(PANICS.load(Ordering::SeqCst), 0, "a handler panicked");
}

// docs/security.md §3: a login storm past the hashing queue gets a quick 503 and Retry-After,
// not a 500 and not an ever longer wait.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hash_queue_full_a_login_burst_gets_401_or_503_with_retry_after_never_500() {
    let app = app_with_a_tiny_hash_queue().await;
    let forms = (0..30)
        .map(|i| {
            vec![
                ("username".to_owned(), format!("nobody{i}")),
                ("password".to_owned(), PASSWORD.to_owned()),
            ]
        })
        .collect();
    let answers = burst(&app.browser(), "login", forms).await;
    assert_refused_with_retry_after(&answers, &[401]);
    // The queue drains: a sign-in afterwards is answered normally.
    app.add_user("alice", PASSWORD).await;
    assert_eq!(
        app.browser().login("alice", PASSWORD).await.ok(),
        LoginStep::SignedIn
    );
}

// The same for a server function behind sign-in that hashes (sudo mode's password).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hash_queue_full_a_password_reentry_burst_gets_4xx_or_503_with_retry_after() {
    let app = app_with_a_tiny_hash_queue().await;
    app.add_user("alice", PASSWORD).await;
    let c = app.signed_in("alice", PASSWORD).await;
    let forms = (0..30)
        .map(|i| vec![("password".to_owned(), format!("not the password {i}"))])
        .collect();
    let answers = burst(&c, "confirm-password", forms).await;
    // 422: wrong password; 429: the account's failures locked it for a while.
    assert_refused_with_retry_after(&answers, &[422, 429]);
}
