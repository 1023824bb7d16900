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
    pub sessions: SessionSettings,
    pub codes: CodeSettings,
    pub lockout: LockoutSettings,
    pub sms_limits: SmsLimits,
    pub forgot: ForgotSettings,
    pub argon2: Argon2Settings,
    /// How many password hashes may run at once; each holds `memory_kib` of memory.
    pub hash_concurrency: usize,
    /// Most password hashes queued or running at once; past it a sign-in or password
    /// change gets a 503 with `Retry-After` at once. `None`: 64 per hashing thread
    /// ([`PasswordHasher::DEFAULT_QUEUE_PER_THREAD`](crate::server::crypto::password::PasswordHasher::DEFAULT_QUEUE_PER_THREAD)).
    /// A queued hash holds only its password and a channel, so the bound is about
    /// waiting, not memory: at OWASP's cost one thread verifies a password in about
    /// 18 ms (docs/performance.md: ~110 hashes/s on two cores), so the last of 64 waits
    /// about a second — longer is worse than a quick "try again", as clients and proxies
    /// give up and the work is wasted.
    pub hash_queue: Option<usize>,
    /// How the hashing threads share the CPU with pages and health checks.
    pub hash_priority: crate::server::crypto::password::HashPriority,
    /// The name at the start of every SMS ("Gatehouse: your sign-in code is …").
    pub brand: String,
    /// Peers whose `X-Forwarded-For` is believed (load balancers, TLS terminators).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where SMS go.
    pub sms: crate::server::messaging::sms::SmsConfig,
    /// Where email goes.
    pub email: crate::server::messaging::email::EmailConfig,
    /// Send accounts without two-factor authentication to the Security tab after sign-in
    /// until they turn it on.
    pub require_two_factor: bool,
    /// The address customers use (`https://panel.example`); its origin is accepted for
    /// form posts, and an `https` URL turns on HSTS.
    pub public_url: Option<String>,
    /// The start of links in emails (`https://panel.example`): the public URL, or in its
    /// absence the address the server listens on. Never taken from a request's Host.
    pub link_base: String,
    /// Seals the authenticator apps' secrets at rest (`GATEHOUSE_SECRET_KEY`); without it
    /// the app cannot be set up.
    pub secret_key: Option<crate::server::crypto::secret_box::SecretKey>,
    /// Passkeys are offered (`GATEHOUSE_PASSKEYS`, on by default). Their relying party
    /// id is the public URL's host, so production needs `public_url` for them.
    pub passkeys: bool,
    /// How long a two-factor reset started by support waits before it takes effect
    /// (`GATEHOUSE_SUPPORT_RESET_DELAY_HOURS`, 24 by default).
    pub support_reset_delay: Duration,
    /// How long Login History rows are kept (`GATEHOUSE_HISTORY_DAYS`, 400 by default).
    pub history_retention: Duration,
    /// Searches one staff member may make in an hour.
    pub support_searches_per_hour: i32,
    /// Country for numbers typed without `+` and a country code.
    pub default_region: Option<phonenumber::country::Id>,
    /// How the outbox's senders deliver queued messages.
    pub outbox: OutboxSettings,
}

/// The outbox's delivery: tries, back-off between them, and how long a sender holds a
/// message it took before another instance may take it over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxSettings {
    /// Tries before a message is marked failed.
    pub max_attempts: i32,
    /// The first back-off; each later one doubles, up to `backoff_cap` (with jitter).
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// A sender's hold on a message it is sending; a send taking longer is abandoned as
    /// timed out, and a sender that died leaves the message to another after this.
    pub lease: Duration,
    /// How often senders look for due messages without being woken (retries, leases run
    /// out, a missed notification).
    pub poll: std::time::Duration,
}

impl Settings {
    /// Production's settings: the base every deployment starts from. Secure cookies, no
    /// key for authenticator secrets until one is configured, links to the local address
    /// until a public URL is.
    pub fn production() -> Self {
        Self {
            environment: Environment::Production,
            cookie_secure: true,
            sessions: SessionSettings {
                idle: Duration::minutes(30),
                absolute: Duration::hours(12),
                trusted_device_ttl: Duration::days(30),
            },
            codes: CodeSettings {
                ttl: Duration::minutes(10),
                resend_cooldown: Duration::seconds(30),
                max_sends_per_signin: 5,
                max_attempts: 5,
                guesses_per_account_per_day: 10,
                max_pending_signins: 3,
            },
            lockout: LockoutSettings {
                slowdown_per_failure: std::time::Duration::from_millis(250),
                max_failures_per_hour: 100,
                ip_max_failures_per_hour: 100,
            },
            sms_limits: SmsLimits {
                countries: Vec::new(),
                per_number_per_day: 10,
                per_account_per_day: 20,
                per_ip_per_day: 50,
            },
            forgot: ForgotSettings {
                reset_ttl: Duration::hours(1),
                per_address_per_hour: 3,
                per_ip_per_hour: 20,
            },
            argon2: Argon2Settings::default(),
            hash_concurrency: std::thread::available_parallelism().map_or(2, |n| n.get()),
            hash_queue: None,
            hash_priority: crate::server::crypto::password::HashPriority::default(),
            brand: "Gatehouse".to_owned(),
            trusted_proxies: Vec::new(),
            sms: crate::server::messaging::sms::SmsConfig::Outbox,
            email: crate::server::messaging::email::EmailConfig::Outbox,
            require_two_factor: false,
            public_url: None,
            link_base: "http://127.0.0.1:3000".to_owned(),
            secret_key: None,
            passkeys: true,
            support_reset_delay: Duration::hours(24),
            support_searches_per_hour: 60,
            history_retention: Duration::days(400),
            default_region: Some(phonenumber::country::Id::GB),
            outbox: OutboxSettings {
                max_attempts: 10,
                backoff_base: Duration::seconds(5),
                backoff_cap: Duration::minutes(15),
                lease: Duration::seconds(60),
                poll: std::time::Duration::from_secs(1),
            },
        }
    }

    /// Local development and tests: production's settings but for the environment,
    /// cookies without `Secure` (plain HTTP on localhost), and a fixed development key
    /// for authenticator secrets. Nothing else differs, so a new setting's production
    /// value is the one tests run with.
    pub fn dev() -> Self {
        Self {
            environment: Environment::Dev,
            cookie_secure: false,
            secret_key: Some(crate::server::crypto::secret_box::SecretKey::development()),
            ..Self::production()
        }
    }

    /// Whether this is a development deployment.
    pub fn is_dev(&self) -> bool {
        self.environment == Environment::Dev
    }
}

/// How long sessions and trusted devices last.
#[derive(Debug, Clone)]
pub struct SessionSettings {
    /// A session unused for this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub absolute: Duration,
    /// How long "Trust this device" lasts.
    pub trusted_device_ttl: Duration,
}

/// The second step's codes: how long they live and how many a sign-in may have.
#[derive(Debug, Clone)]
pub struct CodeSettings {
    /// How long a texted code is valid (NIST SP 800-63B: at most 10 minutes).
    pub ttl: Duration,
    /// Least time between two codes for one sign-in.
    pub resend_cooldown: Duration,
    /// Most codes one sign-in may send (the first included).
    pub max_sends_per_signin: i32,
    /// Wrong codes one sign-in may make before it is over.
    pub max_attempts: i32,
    /// Wrong six-digit codes (texted or from the app) one account may get per day, over
    /// all its pending sign-ins: the bound behind docs/security.md's daily guess figure.
    pub guesses_per_account_per_day: i32,
    /// Pending sign-ins (password proven, second step not yet) one account may have at
    /// once; a new password step ends the oldest.
    pub max_pending_signins: i64,
}

/// Lockout and slow-down of password and code guesses.
#[derive(Debug, Clone)]
pub struct LockoutSettings {
    /// Extra delay per failure (past the second) before a password answer.
    pub slowdown_per_failure: std::time::Duration,
    /// Failures one account name may have in an hour before it is locked to its end.
    pub max_failures_per_hour: i32,
    /// Failures one IP may have in an hour before its sign-ins are refused.
    pub ip_max_failures_per_hour: i32,
}

/// Where texts may go and how many a day.
#[derive(Debug, Clone)]
pub struct SmsLimits {
    /// Country calling codes SMS may go to (empty: any).
    pub countries: Vec<u16>,
    /// Texts per number, per account and per IP per day.
    pub per_number_per_day: i32,
    pub per_account_per_day: i32,
    pub per_ip_per_day: i32,
}

/// Forgot Username/Password.
#[derive(Debug, Clone)]
pub struct ForgotSettings {
    /// How long a password reset link works.
    pub reset_ttl: Duration,
    /// Requests per address (or username) per hour; past it the answer is the same and
    /// no email goes out.
    pub per_address_per_hour: i32,
    /// Requests per IP per hour.
    pub per_ip_per_hour: i32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_differs_from_production_only_where_it_must() {
        let (dev, prod) = (Settings::dev(), Settings::production());
        assert!(prod.cookie_secure && !dev.cookie_secure);
        assert!(prod.secret_key.is_none() && dev.secret_key.is_some());
        assert_eq!(prod.environment, Environment::Production);
        // Everything else is production's: compare the Debug text of the rest.
        let rest = |s: &Settings| {
            let mut s = s.clone();
            s.environment = Environment::Production;
            s.cookie_secure = true;
            s.secret_key = None;
            format!("{s:?}")
        };
        assert_eq!(rest(&dev), rest(&prod));
    }
}
