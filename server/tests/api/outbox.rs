//! The durable outbox: messages written with their event, woken senders, retries with
//! back-off, giving up, the provider's id, and delivery by another instance when the one
//! sending is killed (`kill -9`) mid-send.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration as StdDuration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use sqlx::PgPool;

use crate::helpers::process::Instance;
use crate::helpers::{spawn_app_with, TestApp, TestDb};
use app::server::messaging::email::Email;
use app::server::messaging::outbox;
use app::server::messaging::sms::{SmsConfig, TwilioConfig};
use app::server::Settings;

const PHONE: &str = "+447400123456";

/// What the stand-in for Twilio does with one request.
#[derive(Clone, Copy, Debug)]
enum Answer {
    /// Accept it, answering with a SID.
    Accept,
    /// Refuse it with this status.
    Refuse(u16),
    /// Never answer.
    Hang,
}

#[derive(Clone, Default)]
struct Fake {
    /// Answers for the next requests, in order; then `Accept`.
    script: Arc<Mutex<VecDeque<Answer>>>,
    /// The `Body` of every request received.
    bodies: Arc<Mutex<Vec<String>>>,
}

impl Fake {
    fn received(&self) -> Vec<String> {
        self.bodies.lock().unwrap().clone()
    }
}

async fn messages(
    State(fake): State<Fake>,
    form: axum::Form<Vec<(String, String)>>,
) -> (StatusCode, String) {
    let body = form
        .0
        .iter()
        .find(|(k, _)| k == "Body")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let n = {
        let mut bodies = fake.bodies.lock().unwrap();
        bodies.push(body);
        bodies.len()
    };
    let answer = fake
        .script
        .lock()
        .unwrap()
        .pop_front()
        .unwrap_or(Answer::Accept);
    match answer {
        Answer::Accept => (
            StatusCode::CREATED,
            format!(r#"{{"sid": "SM{n:032}", "status": "queued"}}"#),
        ),
        Answer::Refuse(status) => (
            StatusCode::from_u16(status).unwrap(),
            format!(r#"{{"code": 20500, "message": "refused", "status": {status}}}"#),
        ),
        Answer::Hang => std::future::pending().await,
    }
}

/// Starts a stand-in for Twilio's Messages API answering as `script` says.
async fn fake_twilio(script: &[Answer]) -> (String, Fake) {
    let fake = Fake::default();
    fake.script.lock().unwrap().extend(script.iter().copied());
    let app = Router::new()
        .route("/2010-04-01/Accounts/{sid}/Messages.json", post(messages))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), fake)
}

fn twilio(base: &str) -> SmsConfig {
    SmsConfig::Twilio(TwilioConfig {
        api_base: base.to_owned(),
        account_sid: "AC0123456789abcdef".into(),
        auth_token: "s3cret-token".into(),
        from: "+15005550006".into(),
        timeout: StdDuration::from_secs(5),
    })
}

/// Settings with texts going to `base`, quick back-offs and `max_attempts` tries.
fn settings_for(base: &str, max_attempts: i32) -> Settings {
    let mut settings = Settings::dev();
    settings.sms = twilio(base);
    settings.outbox.max_attempts = max_attempts;
    settings.outbox.backoff_base = time::Duration::milliseconds(20);
    settings.outbox.backoff_cap = time::Duration::milliseconds(100);
    settings.outbox.poll = StdDuration::from_millis(50);
    settings
}

async fn queue_sms(app: &TestApp, body: &str) {
    let mut tx = app.pool.begin().await.unwrap();
    outbox::enqueue_sms(&app.state, &mut tx, PHONE, body)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[derive(Debug, sqlx::FromRow)]
struct Row {
    state: String,
    attempts: i32,
    provider_id: Option<String>,
    last_error: Option<String>,
    body_kept: bool,
}

async fn rows(pool: &PgPool) -> Vec<Row> {
    sqlx::query_as(
        "SELECT state, attempts, provider_id, last_error, body IS NOT NULL AS body_kept
         FROM outbox ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

/// Waits (up to `within`) until every message is out of the queue.
async fn until_done(pool: &PgPool, within: StdDuration) -> Vec<Row> {
    let deadline = Instant::now() + within;
    loop {
        let all = rows(pool).await;
        if !all.is_empty() && all.iter().all(|r| r.state != "queued") {
            return all;
        }
        assert!(Instant::now() < deadline, "still queued: {all:?}");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_a_message_leaves_when_its_transaction_commits_and_never_if_it_rolls_back() {
    let mut settings = Settings::dev();
    // Senders would look only once an hour on their own: the commit's NOTIFY wakes them.
    settings.outbox.poll = StdDuration::from_secs(3600);
    let app = spawn_app_with(settings).await;
    let email = |body: &str| Email {
        to: "alice@example.com".into(),
        subject: "Hello".into(),
        body: body.into(),
    };

    let mut tx = app.pool.begin().await.unwrap();
    outbox::enqueue_email(&app.state, &mut tx, &email("rolled back"))
        .await
        .unwrap();
    tx.rollback().await.unwrap();

    let mut tx = app.pool.begin().await.unwrap();
    outbox::enqueue_email(&app.state, &mut tx, &email("committed"))
        .await
        .unwrap();
    // Nothing leaves before the commit.
    tokio::time::sleep(StdDuration::from_millis(200)).await;
    assert!(app.emails_to("alice@example.com").await.is_empty());
    tx.commit().await.unwrap();

    let done = until_done(&app.pool, StdDuration::from_secs(10)).await;
    assert_eq!(done.len(), 1, "the rolled-back message was never stored");
    assert_eq!(done[0].state, "sent");
    assert_eq!(done[0].attempts, 1);
    assert!(done[0].provider_id.as_deref().unwrap().starts_with("dev-"));
    assert!(!done[0].body_kept, "a sent message's body is erased");
    let got = app.emails_to("alice@example.com").await;
    assert_eq!(got, [("Hello".to_owned(), "committed".to_owned())]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_bodies_wait_sealed_at_rest() {
    // A provider that never answers keeps the message queued, to look at it at rest.
    let (base, fake) = fake_twilio(&[Answer::Hang]).await;
    let mut settings = settings_for(&base, 3);
    settings.outbox.lease = time::Duration::seconds(600);
    let app = spawn_app_with(settings).await;
    queue_sms(
        &app,
        "Your reset link is https://panel.example/reset?token=SECRET-TOKEN",
    )
    .await;
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while fake.received().is_empty() {
        assert!(Instant::now() < deadline, "the sender never sent");
        tokio::time::sleep(StdDuration::from_millis(20)).await;
    }
    let stored: Vec<u8> = sqlx::query_scalar("SELECT body FROM outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&stored).contains("SECRET-TOKEN"));
    assert_eq!(
        fake.received(),
        ["Your reset link is https://panel.example/reset?token=SECRET-TOKEN"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_a_provider_outage_is_retried_with_back_off_until_it_is_delivered() {
    let (base, fake) = fake_twilio(&[Answer::Refuse(503), Answer::Refuse(429)]).await;
    let app = spawn_app_with(settings_for(&base, 5)).await;
    queue_sms(&app, "hello").await;
    let done = until_done(&app.pool, StdDuration::from_secs(10)).await;
    assert_eq!(done[0].state, "sent");
    assert_eq!(done[0].attempts, 3);
    assert_eq!(
        done[0].provider_id.as_deref(),
        Some("SM00000000000000000000000000000003"),
        "the provider's id of the try that worked"
    );
    assert_eq!(done[0].last_error, None);
    assert_eq!(fake.received(), ["hello", "hello", "hello"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_gives_up_after_its_tries_and_at_once_on_a_refusal_of_the_message() {
    // The process-wide recorder: other tests may count too, so only growth is checked.
    let metrics = gatehouse_server::metrics::install();
    let given_up = || {
        metrics
            .render()
            .lines()
            .filter(|l| {
                l.starts_with("gatehouse_outbox_failed_total{") && l.contains("channel=\"sms\"")
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum::<f64>()
    };
    let before = given_up();
    let (base, fake) = fake_twilio(&[
        Answer::Refuse(500),
        Answer::Refuse(500),
        Answer::Refuse(500),
    ])
    .await;
    let app = spawn_app_with(settings_for(&base, 3)).await;
    queue_sms(&app, "outage").await;
    let done = until_done(&app.pool, StdDuration::from_secs(10)).await;
    assert_eq!(done[0].state, "failed");
    assert_eq!(done[0].attempts, 3);
    assert!(done[0].last_error.as_deref().unwrap().contains("500"));
    assert!(!done[0].body_kept, "a failed message's body is erased");
    assert_eq!(fake.received().len(), 3);

    // An invalid number is refused for good: one try.
    fake.script.lock().unwrap().push_back(Answer::Refuse(400));
    queue_sms(&app, "bad number").await;
    let done = until_done(&app.pool, StdDuration::from_secs(10)).await;
    assert_eq!(done[1].state, "failed");
    assert_eq!(done[1].attempts, 1);
    assert_eq!(fake.received().len(), 4);
    assert!(
        given_up() - before >= 2.0,
        "gatehouse_outbox_failed_total counts both"
    );
    // The senders publish the backlog's size and age.
    let scrape = metrics.render();
    assert!(scrape.contains("gatehouse_outbox_waiting "), "{scrape}");
    assert!(scrape.contains("gatehouse_outbox_oldest_age_seconds "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_two_instances_deliver_each_message_once() {
    let (base, fake) = fake_twilio(&[]).await;
    let app = spawn_app_with(settings_for(&base, 3)).await;
    app.another_instance().await;
    let mut tx = app.pool.begin().await.unwrap();
    for i in 0..60 {
        outbox::enqueue_sms(&app.state, &mut tx, PHONE, &format!("message {i}"))
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let done = until_done(&app.pool, StdDuration::from_secs(20)).await;
    assert_eq!(done.len(), 60);
    assert!(done.iter().all(|r| r.state == "sent" && r.attempts == 1));
    let mut got = fake.received();
    got.sort();
    got.dedup();
    assert_eq!(got.len(), 60);
    assert_eq!(fake.received().len(), 60, "no message was sent twice");
}

/// An instance of the server binary texting through `twilio_base`, with a 6 s lease.
async fn start_instance(db: &TestDb, twilio_base: &str) -> Instance {
    Instance::start(
        db,
        &[
            ("GATEHOUSE_SMS_PROVIDER", "twilio"),
            ("TWILIO_API_BASE", twilio_base),
            ("TWILIO_ACCOUNT_SID", "AC0123456789abcdef"),
            ("TWILIO_AUTH_TOKEN", "s3cret-token"),
            ("TWILIO_FROM", "+15005550006"),
            ("GATEHOUSE_OUTBOX_LEASE_SECONDS", "6"),
        ],
    )
    .await
    .ready()
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outbox_a_message_whose_sender_is_killed_mid_send_is_delivered_by_another_instance() {
    let db = TestDb::create().await;
    let pool = gatehouse_server::database::connect(&db.url, 2)
        .await
        .unwrap();
    gatehouse_server::database::migrate(&pool).await.unwrap();
    // The first try reaches the provider and gets no answer: its sender is mid-send.
    let (base, fake) = fake_twilio(&[Answer::Hang]).await;
    let mut first = start_instance(&db, &base).await;
    sqlx::query(
        "INSERT INTO outbox (channel, recipient, body, created_at, due_at)
         VALUES ('sms', $1, convert_to('Your number was removed', 'UTF8'), now(), now())",
    )
    .bind(PHONE)
    .execute(&pool)
    .await
    .unwrap();
    let deadline = Instant::now() + StdDuration::from_secs(10);
    while fake.received().is_empty() {
        assert!(Instant::now() < deadline, "the first instance never sent");
        tokio::time::sleep(StdDuration::from_millis(10)).await;
    }
    first.kill(); // SIGKILL: no clean-up of any kind
    let held = rows(&pool).await;
    assert_eq!((held[0].state.as_str(), held[0].attempts), ("queued", 1));

    let second = start_instance(&db, &base).await;
    let done = until_done(&pool, StdDuration::from_secs(30)).await;
    assert_eq!(done[0].state, "sent");
    assert_eq!(done[0].attempts, 2);
    assert_eq!(
        done[0].provider_id.as_deref(),
        Some("SM00000000000000000000000000000002")
    );
    // At least once: the provider saw the killed instance's try too.
    assert_eq!(
        fake.received(),
        ["Your number was removed", "Your number was removed"]
    );
    drop(second);
}
