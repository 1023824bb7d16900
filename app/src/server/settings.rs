use time::Duration;

/// Which kind of deployment this is. `Dev` turns on the outbox pages and the demo account
/// and allows cookies without `Secure`; it is never inferred, only configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Dev,
    Production,
}

/// Argon2id cost parameters (OWASP's minimum is m = 19 456 KiB, t = 2, p = 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Settings {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Settings {
    fn default() -> Self {
        Self {
            memory_kib: 19_456,
            iterations: 2,
            parallelism: 1,
        }
    }
}

/// Settings the application reads at run time; built once from the environment by the
/// server binary (or directly by tests).
#[derive(Debug, Clone)]
pub struct Settings {
    pub environment: Environment,
    /// Mark cookies `Secure` and use the `__Host-` prefix (needs HTTPS).
    pub cookie_secure: bool,
    /// A session unused for this long ends.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub session_absolute: Duration,
    pub argon2: Argon2Settings,
    /// How many password hashes may run at once; each holds `memory_kib` of memory.
    pub hash_concurrency: usize,
    /// Most password hashes queued or running at once; past it a sign-in or password
    /// change gets a 503 with `Retry-After` at once. `None`: 64 per hashing thread
    /// ([`PasswordHasher::DEFAULT_QUEUE_PER_THREAD`](super::password::PasswordHasher::DEFAULT_QUEUE_PER_THREAD)).
    /// A queued hash holds only its password and a channel, so the bound is about
    /// waiting, not memory: at OWASP's cost one thread verifies a password in about
    /// 18 ms (docs/performance.md: ~110 hashes/s on two cores), so the last of 64 waits
    /// about a second — longer is worse than a quick "try again", as clients and proxies
    /// give up and the work is wasted.
    pub hash_queue: Option<usize>,
    /// How the hashing threads share the CPU with pages and health checks.
    pub hash_priority: super::password::HashPriority,
    /// The name at the start of every SMS ("Gatehouse: your sign-in code is …").
    pub brand: String,
    /// Peers whose `X-Forwarded-For` is believed (load balancers, TLS terminators).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How long a texted code is valid (NIST SP 800-63B: at most 10 minutes).
    pub code_ttl: Duration,
    /// Least time between two codes for one sign-in.
    pub resend_cooldown: Duration,
    /// Most codes one sign-in may send (the first included).
    pub max_sends_per_signin: i32,
    /// Wrong codes one sign-in may make before it is over.
    pub max_code_attempts: i32,
    /// Wrong six-digit codes (texted or from the app) one account may get per day, over
    /// all its pending sign-ins: the bound behind docs/security.md's daily guess figure.
    pub code_guesses_per_account_per_day: i32,
    /// Pending sign-ins (password proven, second step not yet) one account may have at
    /// once; a new password step ends the oldest.
    pub max_pending_signins: i64,
    /// How long "Trust this device" lasts.
    pub trusted_device_ttl: Duration,
    /// Where SMS go.
    pub sms: super::sms::SmsConfig,
    /// Where email goes.
    pub email: super::email::EmailConfig,
    /// Send accounts without two-factor authentication to the Security tab after sign-in
    /// until they turn it on.
    pub require_two_factor: bool,
    /// The address customers use (`https://panel.example`); its origin is accepted for
    /// form posts, and an `https` URL turns on HSTS.
    pub public_url: Option<String>,
    /// The start of links in emails (`https://panel.example`): the public URL, or in its
    /// absence the address the server listens on. Never taken from a request's Host.
    pub link_base: String,
    /// How long a password reset link works.
    pub reset_ttl: Duration,
    /// Forgot Username/Password requests per address (or username) per hour; past it
    /// the answer is the same and no email goes out.
    pub forgot_per_address_per_hour: i32,
    /// Forgot requests per IP per hour.
    pub forgot_per_ip_per_hour: i32,
    /// Extra delay per failure (past the second) before a password answer.
    pub slowdown_per_failure: std::time::Duration,
    /// Failures one account name may have in an hour before it is locked to its end.
    pub max_failures_per_hour: i32,
    /// Failures one IP may have in an hour before its sign-ins are refused.
    pub ip_max_failures_per_hour: i32,
    /// Country calling codes SMS may go to (empty: any).
    pub sms_countries: Vec<u16>,
    /// Texts per number, per account and per IP per day.
    pub sms_per_number_per_day: i32,
    pub sms_per_account_per_day: i32,
    pub sms_per_ip_per_day: i32,
    /// Seals the authenticator apps' secrets at rest (`GATEHOUSE_SECRET_KEY`); without it
    /// the app cannot be set up.
    pub secret_key: Option<super::secret_box::SecretKey>,
    /// Country for numbers typed without `+` and a country code.
    pub default_region: Option<phonenumber::country::Id>,
}

impl Settings {
    /// Settings for local development and tests: dev environment, cookies without `Secure`.
    pub fn dev() -> Self {
        Self {
            environment: Environment::Dev,
            cookie_secure: false,
            session_idle: Duration::minutes(30),
            session_absolute: Duration::hours(12),
            argon2: Argon2Settings::default(),
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            hash_queue: None,
            hash_priority: super::password::HashPriority::default(),
            brand: "Gatehouse".to_owned(),
            trusted_proxies: Vec::new(),
            code_ttl: Duration::minutes(10),
            resend_cooldown: Duration::seconds(30),
            max_sends_per_signin: 5,
            max_code_attempts: 5,
            code_guesses_per_account_per_day: 10,
            max_pending_signins: 3,
            trusted_device_ttl: Duration::days(30),
            sms: super::sms::SmsConfig::Outbox,
            email: super::email::EmailConfig::Outbox,
            require_two_factor: false,
            public_url: None,
            link_base: "http://127.0.0.1:3000".to_owned(),
            reset_ttl: Duration::hours(1),
            forgot_per_address_per_hour: 3,
            forgot_per_ip_per_hour: 20,
            slowdown_per_failure: std::time::Duration::from_millis(250),
            max_failures_per_hour: 100,
            ip_max_failures_per_hour: 100,
            sms_countries: Vec::new(),
            secret_key: Some(super::secret_box::SecretKey::development()),
            sms_per_number_per_day: 10,
            sms_per_account_per_day: 20,
            sms_per_ip_per_day: 50,
            default_region: Some(phonenumber::country::Id::GB),
        }
    }

    /// Whether this is a development deployment.
    pub fn is_dev(&self) -> bool {
        self.environment == Environment::Dev
    }
}
