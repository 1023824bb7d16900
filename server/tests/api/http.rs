//! The skeleton over HTTP: health, sign-in, sessions, the Account guard, the dev outbox.

use crate::helpers::{spawn_app, spawn_app_with, spawn_with_pool, TestDb};
use app::error::AppError;
use app::server::messaging::email::Email;
use sqlx::postgres::PgPoolOptions;

const PASSWORD: &str = "a perfectly fine passphrase";

fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn location(res: &reqwest::Response) -> Option<&str> {
    res.headers().get("location").map(|v| v.to_str().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_is_200_when_the_database_answers() {
    let app = spawn_app().await;
    let b = app.browser();
    let res = b.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["cache-control"], "no-store");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_is_503_when_the_database_is_down() {
    // A pool pointing at a port where nothing listens.
    let pool = PgPoolOptions::new()
        .acquire_timeout(std::time::Duration::from_millis(500))
        .connect_lazy("postgres://postgres@127.0.0.1:1/none")
        .unwrap();
    let app = spawn_with_pool(TestDb::create().await, pool, app::server::Settings::dev()).await;
    let b = app.browser();
    let res = b.client().get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 503);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_login_page_renders_the_seed_form() {
    let app = spawn_app().await;
    let b = app.browser();
    let res = b.client().get(app.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    for needle in [
        // The label's text may be followed by a hydration marker (`<!>`).
        r#"<label for="username">Username<"#,
        r#"<label for="password">Password<"#,
        r#"action="/api/login""#,
        r#"autocomplete="current-password""#,
        "Log In",
    ] {
        assert!(html.contains(needle), "missing {needle}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_view_of_the_login_page_sets_no_cookie_and_stores_no_session() {
    let app = spawn_app().await;
    let b = app.browser();
    let res = b.client().get(app.url("/login")).send().await.unwrap();
    assert!(set_cookies(&res).is_empty());
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_out_visitors_to_account_pages_are_sent_to_login() {
    let app = spawn_app().await;
    let b = app.browser();
    for path in ["/account", "/account/security", "/account/history", "/"] {
        let res = b
            .client()
            .get(app.url(path))
            .header("accept", "text/html")
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let to = location(&res).map(str::to_owned);
        // "/" sends to the Account area first, which sends to /login; other pages ask
        // to come back after signing in.
        let expected = match path {
            "/" => "/account/security",
            "/account/security" => "/login",
            "/account" => "/login?next=/account",
            _ => "/login?next=/account/history",
        };
        assert_eq!((status, to.as_deref()), (302, Some(expected)), "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_right_password_starts_a_session_and_lands_on_security() {
    let app = spawn_app().await;
    let b = app.browser();
    app.add_user("alice", PASSWORD).await;

    let res = b.login_form("Alice", PASSWORD).await;
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), Some("/account/security"));
    let cookies = set_cookies(&res);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = &cookies[0];
    assert!(cookie.starts_with("gatehouse_session="));
    for attr in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(attr), "{cookie} lacks {attr}");
    }
    assert!(!cookie.contains("Domain"));

    let page = b
        .client()
        .get(app.url("/account/security"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Two Factor Authentication"));
    assert!(html.contains(">Off<"), "2FA state shown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_session_cookie_holds_a_random_id_and_the_database_only_its_hash() {
    let app = spawn_app().await;
    let b = app.browser();
    app.add_user("alice", PASSWORD).await;
    let res = b.login_form("alice", PASSWORD).await;
    let cookie = set_cookies(&res).remove(0);
    let value = cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned();
    assert_eq!(value.len(), 64, "256 bits, hex");
    let stored: Vec<Vec<u8>> = sqlx::query_scalar("SELECT id_hash FROM sessions")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    let raw = hex_decode(&value);
    assert_ne!(stored[0], raw, "the id itself is not stored");
    use sha2::Digest;
    assert_eq!(stored[0], sha2::Sha256::digest(&raw).to_vec());
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;

    let wrong = app
        .browser()
        .login("alice", "not the password at all")
        .await;
    let (wrong_status, wrong_cookies, wrong_body) =
        (wrong.status, wrong.cookie_pairs(), wrong.body.clone());

    let unknown = app
        .browser()
        .login("mallory", "not the password at all")
        .await;
    let (unknown_status, unknown_cookies, unknown_body) =
        (unknown.status, unknown.cookie_pairs(), unknown.body.clone());

    let malformed = app.browser().login("<script>", "x").await;
    let (malformed_status, malformed_body) = (malformed.status, malformed.body.clone());

    assert_eq!(wrong_status, 401);
    assert_eq!(
        wrong.err(),
        Some(AppError::InvalidCredentials),
        "{wrong_body}"
    );
    assert_eq!(unknown.err(), Some(AppError::InvalidCredentials));
    assert_eq!(malformed.err(), Some(AppError::InvalidCredentials));
    assert_eq!((unknown_status, &unknown_body), (wrong_status, &wrong_body));
    assert_eq!(
        (malformed_status, &malformed_body),
        (wrong_status, &wrong_body)
    );
    assert!(wrong_cookies.is_empty() && unknown_cookies.is_empty());
    let sessions: i64 = sqlx::query_scalar("SELECT count(*) FROM sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sessions, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_form_post_without_javascript_returns_to_the_form() {
    let app = spawn_app().await;
    let b = app.browser();
    app.add_user("alice", PASSWORD).await;
    let res = b
        .client()
        .post(app.url("/api/login"))
        .header("accept", "text/html")
        .header("referer", app.url("/login"))
        .form(&[("username", "alice"), ("password", "wrong wrong wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let to = location(&res).unwrap().to_owned();
    assert!(to.contains("/login") && to.contains("__err="), "{to}");
    assert!(set_cookies(&res).is_empty());

    // The form it returns to shows the error, rendered on the server.
    let html = b
        .client()
        .get(&to)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("Invalid username or password."),
        "error shown without JavaScript"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_post_with_missing_fields_is_a_400_not_a_500() {
    let app = spawn_app().await;
    let b = app.browser();
    let res = b
        .client()
        .post(app.url("/api/login"))
        .form(&[("username", "alice")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_id_planted_before_sign_in_is_replaced() {
    let app = spawn_app().await;
    let b = app.browser();
    app.add_user("alice", PASSWORD).await;
    // Sign in once to get a real session id, then present it while signing in again.
    let first = set_cookies(&b.login_form("alice", PASSWORD).await).remove(0);
    let second = set_cookies(&b.login_form("alice", PASSWORD).await).remove(0);
    assert_ne!(first.split(';').next(), second.split(';').next());
    let old = first.split(';').next().unwrap().to_owned();
    let res = app
        .browser()
        .client()
        .get(app.url("/account/security"))
        .header("accept", "text/html")
        .header("cookie", old)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), Some("/login"), "the earlier id is dead");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_out_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    let b = app.browser();
    app.add_user("alice", PASSWORD).await;
    let cookie = set_cookies(&b.login_form("alice", PASSWORD).await).remove(0);
    let pair = cookie.split(';').next().unwrap().to_owned();

    let res = b
        .client()
        .post(app.url("/api/logout"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), Some("/login"));
    assert!(set_cookies(&res)[0].contains("Max-Age=0"));

    // Replaying the old cookie by hand: the server no longer knows it.
    let res = app
        .browser()
        .client()
        .get(app.url("/account"))
        .header("accept", "text/html")
        .header("cookie", pair)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), Some("/login?next=/account"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_out_from_the_page_ends_the_session_on_the_server() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let b = app.signed_in("alice", PASSWORD).await;
    assert_eq!(b.account().await.status, 200);
    let res = b.logout().await;
    assert_eq!(res.status, 200);
    assert!(res
        .set_cookie("gatehouse_session")
        .is_some_and(|c| c.contains("Max-Age=0")));
    let res = b.account().await;
    assert_eq!((res.status, res.err()), (401, Some(AppError::Unauthorized)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_session_expires_after_thirty_minutes() {
    let app = spawn_app().await;
    let b = app.browser();
    app.add_user("alice", PASSWORD).await;
    b.login_form("alice", PASSWORD).await;
    app.clock().advance(time::Duration::minutes(29));
    let res = b
        .client()
        .get(app.url("/account"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "used within the idle window");
    app.clock().advance(time::Duration::minutes(31));
    let res = b
        .client()
        .get(app.url("/account"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), Some("/login?next=/account"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_session_records_its_use_at_most_once_a_minute() {
    let app = spawn_app().await;
    let id = app.add_user("alice", PASSWORD).await;
    let b = app.signed_in("alice", PASSWORD).await;
    let last_seen = || async {
        sqlx::query_scalar::<_, time::OffsetDateTime>(
            "SELECT last_seen_at FROM sessions WHERE user_id = $1",
        )
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    let signed_in_at = last_seen().await;
    app.clock().advance(time::Duration::seconds(50));
    let res = b.client().get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        last_seen().await,
        signed_in_at,
        "a read within the minute writes nothing"
    );
    app.clock().advance(time::Duration::seconds(20));
    let res = b.client().get(app.url("/account")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    // The test clock is the real one moved forward, so a little real time passes too.
    let recorded = last_seen().await - signed_in_at;
    assert!(
        recorded >= time::Duration::seconds(70) && recorded < time::Duration::seconds(75),
        "past the minute the use is recorded: {recorded}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_ends_twelve_hours_after_sign_in_however_active() {
    let app = spawn_app().await;
    let b = app.browser();
    app.add_user("alice", PASSWORD).await;
    b.login_form("alice", PASSWORD).await;
    for _ in 0..25 {
        app.clock().advance(time::Duration::minutes(29));
        b.client().get(app.url("/account")).send().await.unwrap();
    }
    let res = b
        .client()
        .get(app.url("/account"))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), Some("/login?next=/account"), "after 12h05m");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weaker_stored_hash_is_upgraded_at_the_next_sign_in() {
    let app = spawn_app().await;
    let b = app.browser();
    let id = app.add_user("alice", PASSWORD).await;
    let weak = app::server::crypto::password::PasswordHasher::new(
        app::server::platform::settings::Argon2Settings {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
        },
        1,
        app::server::crypto::password::HashPriority::Normal,
    )
    .await
    .unwrap();
    let old = weak
        .hash(&app::domain::Password::new(PASSWORD))
        .await
        .unwrap();
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(&old)
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();

    assert_eq!(b.login_form("alice", PASSWORD).await.status(), 302);
    let now: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(now.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{now}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dev_outbox_lists_messages_newest_first() {
    let app = spawn_app().await;
    let b = app.browser();
    app::server::messaging::text_code_now(&app.state, "+447400123456", "first <b>")
        .await
        .unwrap();
    let mut tx = app.pool.begin().await.unwrap();
    let email = Email {
        to: "a@example.com".into(),
        subject: "Hello".into(),
        body: "second".into(),
    };
    app::server::messaging::outbox::enqueue_email(&app.state, &mut tx, &email)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    app.outbox_settled().await;
    let res = b
        .client()
        .get(app.url("/dev/outbox.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let json: serde_json::Value = res.json().await.unwrap();
    let list = json.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["channel"], "email");
    assert_eq!(list[0]["to"], "a@example.com");
    assert_eq!(list[0]["subject"], "Hello");
    assert_eq!(list[0]["body"], "second");
    assert_eq!(list[0]["state"], "sent");
    assert_eq!(list[1]["channel"], "sms");
    assert_eq!(list[1]["state"], "sent");
    assert_eq!(list[1]["body"], "first <b>");
    let sent_at = list[0]["sent_at"].as_str().unwrap();
    assert!(
        time::OffsetDateTime::parse(sent_at, &time::format_description::well_known::Rfc3339)
            .is_ok()
    );

    let page = b
        .client()
        .get(app.url("/dev/outbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("first &lt;b&gt;"), "bodies are escaped");
    assert!(page.find("second").unwrap() < page.find("first &lt;b&gt;").unwrap());

    // A message waiting for a retry and one given up show their state and last error.
    // Their times are the app's clock's (not the database's), as the sender's would be.
    sqlx::query(
        "INSERT INTO outbox (channel, recipient, subject, state, attempts, created_at, due_at,
                             done_at, last_error)
         VALUES ('email', 'b@example.com', 'Waiting', 'queued', 2, $1, $1 + interval '1 hour',
                 NULL, 'provider answered 503'),
                ('sms', '+447400999888', NULL, 'failed', 1, $1, $1, $1,
                 'provider answered 400: <invalid>')",
    )
    .bind(app.clock().now())
    .execute(&app.pool)
    .await
    .unwrap();
    let json: serde_json::Value = b
        .client()
        .get(app.url("/dev/outbox.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let states: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["failed", "queued", "sent", "sent"]);
    let page = b
        .client()
        .get(app.url("/dev/outbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("queued after 2 tries: provider answered 503"),
        "{page}"
    );
    assert!(page.contains("failed after 1 try: provider answered 400: &lt;invalid&gt;"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_does_not_exist_in_production() {
    let mut settings = app::server::Settings::dev();
    settings.environment = app::server::Environment::Production;
    settings.public_url = Some("https://panel.example".into());
    let app = spawn_app_with(settings).await;
    let b = app.browser();
    for path in ["/dev/outbox", "/dev/outbox.json"] {
        assert_eq!(
            b.client().get(app.url(path)).send().await.unwrap().status(),
            404,
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_paths_are_404() {
    let app = spawn_app().await;
    let b = app.browser();
    let res = b
        .client()
        .get(app.url("/no/such/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_answers_503_while_draining_and_every_answer_carries_a_request_id() {
    let app = spawn_app().await;
    let c = app.browser();
    let res = c.client().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let first = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let res = c.client().get(app.url("/login")).send().await.unwrap();
    let second = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(first.len() >= 32 && first != second, "{first} {second}");
    // One a proxy in front already gave is kept, so its logs and ours line up.
    let res = c
        .client()
        .get(app.url("/healthz"))
        .header("x-request-id", "from-nginx-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "from-nginx-42");

    app.state.lifecycle.drain();
    let res = c.client().get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(res.status(), 503);
    assert_eq!(
        c.client()
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200,
        "still alive, still serving what reaches it"
    );
}
