//! Test harness: the real application on port 0 against a fresh PostgreSQL database,
//! dropped when the test ends.

pub mod browser;
pub mod passkey;
pub mod process;
pub mod smtp;

pub use browser::{Browser, Reply};

use std::net::SocketAddr;

use app::server::{AppState, Clock, Settings};
use leptos::prelude::LeptosOptions;
use rand::Rng;
use sqlx::{Connection, Executor, PgConnection, PgPool};
use tokio::net::TcpListener;

/// The PostgreSQL server tests use (without a database name).
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_SERVER_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// A database created for one test and dropped (forcibly) when this is dropped.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// Creates an empty, uniquely named database.
    pub async fn create() -> Self {
        let name = format!("gatehouse_test_{:016x}", rand::thread_rng().gen::<u64>());
        let mut admin = PgConnection::connect(&format!("{}/postgres", server_url()))
            .await
            .expect("tests need PostgreSQL; set TEST_DATABASE_SERVER_URL or start it (scripts/test does)");
        admin
            .execute(format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .unwrap();
        let url = format!("{}/{name}", server_url());
        Self { name, url }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        let admin_url = format!("{}/postgres", server_url());
        // Drop runs outside any runtime guarantee, so use a private one on a thread.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                if let Ok(mut admin) = PgConnection::connect(&admin_url).await {
                    let _ = admin
                        .execute(
                            format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)").as_str(),
                        )
                        .await;
                }
            });
        })
        .join();
    }
}

/// A running Gatehouse; [`TestApp::browser`] makes clients for it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub pool: PgPool,
    pub state: AppState,
    pub db: TestDb,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

/// Starts the application with development settings on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(Settings::dev()).await
}

/// Starts the application with `settings` on a fresh, migrated database.
pub async fn spawn_app_with(settings: Settings) -> TestApp {
    spawn_app_serving(settings, Site::default()).await
}

/// Like [`spawn_app_with`], serving the client files of `site`.
pub async fn spawn_app_serving(settings: Settings, site: Site) -> TestApp {
    let db = TestDb::create().await;
    let pool = gatehouse_server::database::connect(&db.url, 5)
        .await
        .unwrap();
    gatehouse_server::database::migrate(&pool).await.unwrap();
    spawn_with_site(db, pool, settings, site).await
}

/// Starts the application around an existing pool (which may point at a dead server).
pub async fn spawn_with_pool(db: TestDb, pool: PgPool, settings: Settings) -> TestApp {
    spawn_with_site(db, pool, settings, Site::default()).await
}

/// Where the client's files are and whether their names are content-hashed.
pub struct Site {
    pub root: String,
    pub hash_files: bool,
}

impl Default for Site {
    fn default() -> Self {
        Self {
            root: "target/site".into(),
            hash_files: false,
        }
    }
}

/// Starts the application around an existing pool, serving the client files of `site`.
async fn spawn_with_site(db: TestDb, pool: PgPool, settings: Settings, site: Site) -> TestApp {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let (addr, state) = serve(pool.clone(), settings, test_clock(), site, async {
        let _ = rx.await;
    })
    .await;
    TestApp {
        addr,
        pool,
        state,
        db,
        shutdown: Some(tx),
    }
}

/// A clock that starts at 01:00:00 UTC of the next day and then follows the system time.
/// Limits count in fixed UTC windows (an hour, a day), so a test started at the system's
/// time could see its window turn over between two requests, once in a few thousand runs;
/// from here every test has about 23 hours of its own day before that can happen.
fn test_clock() -> Clock {
    let clock = Clock::system();
    let now = clock.now();
    let start = (now.date() + time::Duration::days(1))
        .with_hms(1, 0, 0)
        .unwrap()
        .assume_utc();
    clock.advance(start - now);
    clock
}

/// Serves the application on a free port until `shutdown` completes.
async fn serve(
    pool: PgPool,
    settings: Settings,
    clock: Clock,
    site: Site,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> (SocketAddr, AppState) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let options = LeptosOptions::builder()
        .output_name("gatehouse")
        .site_root(site.root)
        .hash_files(site.hash_files)
        .site_addr(addr)
        .build();
    let state = gatehouse_server::build_state(options, pool, settings, clock)
        .await
        .unwrap();
    let served = state.clone();
    tokio::spawn(async move {
        gatehouse_server::serve_on(listener, served, shutdown)
            .await
            .unwrap();
    });
    (addr, state)
}

/// The six digits after "code is " in an SMS.
pub fn code_in(body: &str) -> String {
    let start = body.find("code is ").expect("not a code message") + "code is ".len();
    body[start..start + 6].to_owned()
}

/// The `name=value` part of each `Set-Cookie` header of a response.
pub fn cookie_pairs(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect()
}

/// Posts `form` to `url` once per cookie, all at the same time; returns the statuses.
pub async fn concurrent_posts(url: &str, cookies: Vec<String>, form: &[(&str, &str)]) -> Vec<u16> {
    let form: Vec<(String, String)> = form
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let tasks: Vec<_> = cookies
        .into_iter()
        .map(|cookie| {
            let (url, form) = (url.to_owned(), form.clone());
            tokio::spawn(async move {
                client()
                    .post(url)
                    .header("accept", "application/json")
                    .header("cookie", cookie)
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

/// Sends `n` requests at once, each built by `request(i)`; returns the statuses.
pub async fn burst<F, Fut>(n: usize, request: F) -> Vec<u16>
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = reqwest::Response> + Send + 'static,
{
    let tasks: Vec<_> = (0..n).map(|i| tokio::spawn(request(i))).collect();
    let mut statuses = Vec::with_capacity(n);
    for t in tasks {
        statuses.push(t.await.unwrap().status().as_u16());
    }
    statuses
}

/// A form post to `url` as the hydrated page makes it, with `cookie` if any.
pub async fn post(
    url: String,
    cookie: Option<String>,
    form: Vec<(&'static str, String)>,
) -> reqwest::Response {
    let mut req = client()
        .post(url)
        .header("accept", "application/json")
        .form(&form);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    req.send().await.unwrap()
}

/// An HTTP client that keeps cookies and does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // A request that hangs fails its test instead of stalling the whole run.
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap()
}

impl TestApp {
    /// An absolute URL for `path` on this app.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The clock the app reads; advance it instead of sleeping.
    pub fn clock(&self) -> &Clock {
        &self.state.clock
    }

    /// Moves the app's clock on to the start of the next authenticator time step. The
    /// clock follows the system time, so a test that computes codes for "this step"
    /// could otherwise see the real time cross a step boundary between two of its codes;
    /// from here it has the whole step, 30 seconds, before that can happen.
    pub fn start_of_a_code_step(&self) {
        let now = self.clock().now();
        let step = app::server::crypto::totp::STEP;
        let next = (now.unix_timestamp().div_euclid(step) + 1) * step;
        let next = time::OffsetDateTime::from_unix_timestamp(next).unwrap();
        self.clock().advance(next - now);
    }

    /// Creates an account through the same service the `user add` command uses.
    pub async fn add_user(&self, username: &str, password: &str) -> i64 {
        self.create_account(username, password, None).await
    }

    /// Creates an account with two-factor authentication on, codes going to `phone`.
    pub async fn add_user_2fa(&self, username: &str, password: &str, phone: &str) -> i64 {
        self.create_account(username, password, Some(phone)).await
    }

    async fn create_account(&self, username: &str, password: &str, phone: Option<&str>) -> i64 {
        let request = app::server::account::provision::AccountRequest {
            username: username.into(),
            email: format!("{username}@example.com"),
            phone: phone.map(Into::into),
            two_factor: phone.is_some(),
            password: app::domain::Password::new(password),
        };
        let (state, pool) = (&self.state, &self.pool);
        app::server::account::provision::create(pool, &state.hasher, &state.clock, request)
            .await
            .unwrap()
            .0
    }

    /// Waits until the outbox has handed over every message queued so far (each sent, or
    /// failed at least once and waiting to be tried again); fails after 10 s.
    pub async fn outbox_settled(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let busy: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM outbox
                                WHERE state = 'queued' AND (attempts = 0 OR last_error IS NULL))",
            )
            .fetch_one(&self.pool)
            .await
            .unwrap();
            if !busy {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the outbox did not deliver its messages in 10 s"
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }

    /// The SMS messages delivered to `phone`, newest first (once the outbox has settled).
    pub async fn sms_to(&self, phone: &str) -> Vec<String> {
        self.outbox_settled().await;
        sqlx::query_scalar(
            "SELECT body FROM dev_mailbox WHERE channel = 'sms' AND recipient = $1
             ORDER BY id DESC",
        )
        .bind(phone)
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }

    /// Starts a second server instance on its own port and its own connection pool
    /// against this app's database, as a load balancer's second backend would be; returns
    /// its base URL. It runs until the test ends.
    pub async fn another_instance(&self) -> String {
        let pool = gatehouse_server::database::connect(&self.db.url, 5)
            .await
            .unwrap();
        let settings = (*self.state.settings).clone();
        let (addr, _) = serve(
            pool,
            settings,
            self.state.clock.clone(),
            Site::default(),
            std::future::pending(),
        )
        .await;
        format!("http://{addr}")
    }

    /// The emails delivered to `address` as (subject, body), newest first (once the
    /// outbox has settled).
    pub async fn emails_to(&self, address: &str) -> Vec<(String, String)> {
        self.outbox_settled().await;
        sqlx::query_as(
            "SELECT coalesce(subject, ''), body FROM dev_mailbox
             WHERE channel = 'email' AND recipient = $1 ORDER BY id DESC",
        )
        .bind(address)
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }

    /// Waits until `address` has at least `n` emails (sent from a background task), and
    /// returns them newest first. Polls the outbox; fails after 10 s.
    pub async fn wait_for_emails(&self, address: &str, n: usize) -> Vec<(String, String)> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let emails = self.emails_to(address).await;
            if emails.len() >= n {
                return emails;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "expected {n} emails to {address}, got {}",
                emails.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// A new browser, with no cookies, on this app.
    pub fn browser(&self) -> Browser {
        Browser::new(format!("http://{}", self.addr))
    }

    /// A new browser on this app that sends `user_agent`.
    pub fn browser_with_agent(&self, user_agent: &str) -> Browser {
        Browser::with_agent(format!("http://{}", self.addr), user_agent)
    }

    /// A new browser signed in to an account without 2FA.
    pub async fn signed_in(&self, username: &str, password: &str) -> Browser {
        let b = self.browser();
        assert_eq!(
            b.login(username, password).await.ok(),
            app::api::signin::LoginStep::SignedIn,
            "password step"
        );
        b
    }

    /// A new browser signed in with password and the texted code.
    pub async fn signed_in_2fa(&self, username: &str, password: &str, phone: &str) -> Browser {
        let (b, code) = self.pending_2fa(username, password, phone).await;
        b.verify(&code).await.ok();
        b
    }

    /// A new browser past the password step, and the code texted to `phone`.
    pub async fn pending_2fa(
        &self,
        username: &str,
        password: &str,
        phone: &str,
    ) -> (Browser, String) {
        let b = self.browser();
        let step = b.login(username, password).await.ok();
        assert!(
            matches!(step, app::api::signin::LoginStep::CodeSent(_)),
            "password step: {step:?}"
        );
        (b, self.latest_code(phone).await)
    }

    /// The code in the newest SMS to `phone`.
    pub async fn latest_code(&self, phone: &str) -> String {
        let body = self
            .sms_to(phone)
            .await
            .into_iter()
            .next()
            .expect("no SMS sent");
        code_in(&body)
    }

    /// The login history rows of an account, oldest first: (outcome, factor, ip).
    pub async fn history_of(&self, user_id: i64) -> Vec<(String, String, String)> {
        sqlx::query_as(
            "SELECT outcome, factor, ip FROM login_attempts WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
        .unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}
