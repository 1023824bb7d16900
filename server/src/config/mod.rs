//! Command line and environment, read once at start-up.

use clap::{Args, Parser, Subcommand, ValueEnum};

use app::server::crypto::password::HashPriority;
use app::server::messaging::email::{EmailConfig, SmtpConfig};
use app::server::messaging::sms::{SmsConfig, TwilioConfig};
use app::server::platform::settings::Argon2Settings;
use app::server::{Environment, Settings};

mod settings;

/// Gatehouse: the account-security area of a hosting control panel.
#[derive(Debug, Parser)]
#[command(name = "server", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What to do; `serve` when none is given.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database if needed, run migrations, and serve HTTP (the default).
    Serve,
    /// Run database migrations and exit.
    Migrate,
    /// Delete expired rows now, as the instances' sweeper does every five minutes (and
    /// with the same lock: nothing happens while an instance sweeps).
    Sweep,
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The support console's audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

/// `server audit …`
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Every staff action since a time, as JSON lines on standard output, oldest first.
    Export {
        /// RFC 3339 time (2026-11-29T00:00:00Z) or a date (2026-11-29, midnight UTC).
        #[arg(long)]
        since: String,
    },
}

/// An account's role: only the command line sets one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Role {
    Customer,
    Support,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Support => "support",
        }
    }
}

/// `server user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account. The password comes from GATEHOUSE_PASSWORD or, if unset, the
    /// first line of standard input.
    Add {
        /// Sign-in name: 3–32 of a-z, 0-9, '.', '_', '-'.
        username: String,
        /// Where account notifications go.
        #[arg(long)]
        email: String,
        /// Mobile number in international (E.164) form, e.g. +447400123456.
        #[arg(long)]
        phone: Option<String>,
        /// Turn on two-factor authentication (needs --phone).
        #[arg(long)]
        two_factor: bool,
        /// `support` makes a staff account for the support console.
        #[arg(long, value_enum, default_value = "customer")]
        role: Role,
    },
    /// Make an account staff (`support`) or a customer again.
    Role {
        username: String,
        #[arg(value_enum)]
        role: Role,
    },
}

/// The deployment kind, from `GATEHOUSE_ENV`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvName {
    Dev,
    Production,
}

fn parse_region(s: &str) -> Result<phonenumber::country::Id, String> {
    s.trim()
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| format!("'{s}' is not a country code like GB or US"))
}

/// The SMS provider, from `GATEHOUSE_SMS_PROVIDER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmsProvider {
    Outbox,
    Twilio,
}

/// The password-hashing threads' priority, from `GATEHOUSE_HASH_PRIORITY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum HashPriorityArg {
    Normal,
    Low,
    Idle,
}

/// A configuration that cannot work.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("GATEHOUSE_SMS_PROVIDER=twilio needs {0}")]
    MissingTwilio(&'static str),
    /// Not 64 hex digits, or all zeros (the message says which).
    #[error(transparent)]
    BadSecretKey(#[from] app::server::crypto::secret_box::SecretBoxError),
    #[error("Argon2id below OWASP's minimum (m=19456 KiB, t=2, p=1) is refused outside dev")]
    WeakArgon2,
}

/// Settings from the environment (each also a flag).
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// PostgreSQL connection URL; the database is created if it does not exist.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/gatehouse",
        global = true
    )]
    pub database_url: String,

    /// `dev` enables the outbox pages and the demo account; `production` is the default.
    #[arg(
        long = "env",
        env = "GATEHOUSE_ENV",
        value_enum,
        default_value = "production",
        global = true
    )]
    pub environment: EnvName,

    /// Mark cookies Secure with the __Host- prefix (needs HTTPS). Default: true in
    /// production, false in dev.
    #[arg(long, env = "GATEHOUSE_COOKIE_SECURE", global = true)]
    pub cookie_secure: Option<bool>,

    /// Minutes of inactivity after which a session ends.
    #[arg(
        long,
        env = "GATEHOUSE_SESSION_IDLE_MINUTES",
        default_value_t = 30,
        global = true
    )]
    pub session_idle_minutes: i64,

    /// Hours after sign-in at which a session ends, however active.
    #[arg(
        long,
        env = "GATEHOUSE_SESSION_ABSOLUTE_HOURS",
        default_value_t = 12,
        global = true
    )]
    pub session_absolute_hours: i64,

    /// Argon2id memory cost in KiB (OWASP minimum 19456).
    #[arg(
        long,
        env = "GATEHOUSE_ARGON2_MEMORY_KIB",
        default_value_t = 19_456,
        global = true
    )]
    pub argon2_memory_kib: u32,

    /// Argon2id iterations (OWASP minimum 2 at 19 MiB).
    #[arg(
        long,
        env = "GATEHOUSE_ARGON2_ITERATIONS",
        default_value_t = 2,
        global = true
    )]
    pub argon2_iterations: u32,

    /// Argon2id parallelism.
    #[arg(
        long,
        env = "GATEHOUSE_ARGON2_PARALLELISM",
        default_value_t = 1,
        global = true
    )]
    pub argon2_parallelism: u32,

    /// Password hashes computed at once (each holds the memory cost); default: CPU count.
    #[arg(long, env = "GATEHOUSE_HASH_CONCURRENCY", global = true)]
    pub hash_concurrency: Option<usize>,

    /// Most password hashes waiting or running at once; past it sign-ins get a 503 with
    /// Retry-After at once instead of queueing. Default: 64 × GATEHOUSE_HASH_CONCURRENCY,
    /// about a second of waiting at the back at OWASP's cost (see `Settings::hash_queue`).
    #[arg(long, env = "GATEHOUSE_HASH_QUEUE", value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub hash_queue: Option<u32>,

    /// How the hashing threads share the CPU: `low` (SCHED_BATCH, nice 19; pages first),
    /// `idle` (SCHED_IDLE; hashing only on idle cores) or `normal`. See
    /// docs/performance.md for what each costs.
    #[arg(long, env = "GATEHOUSE_HASH_PRIORITY", value_enum, default_value_t = HashPriorityArg::Low, global = true)]
    pub hash_priority: HashPriorityArg,

    /// Proxies (CIDRs, comma-separated) whose X-Forwarded-For is believed, e.g.
    /// "10.0.0.0/8,127.0.0.1/32". Empty: the socket's peer is the client.
    #[arg(
        long,
        env = "GATEHOUSE_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// The name that starts every SMS ("Gatehouse: your sign-in code is …").
    #[arg(
        long,
        env = "GATEHOUSE_BRAND",
        default_value = "Gatehouse",
        global = true
    )]
    pub brand: String,

    /// Seconds a customer waits before "Resend code" sends another code.
    #[arg(
        long,
        env = "GATEHOUSE_RESEND_COOLDOWN_SECONDS",
        default_value_t = 30,
        global = true
    )]
    pub resend_cooldown_seconds: i64,

    /// Where SMS go: `outbox` (stored for /dev/outbox) or `twilio`.
    #[arg(
        long,
        env = "GATEHOUSE_SMS_PROVIDER",
        value_enum,
        default_value = "outbox",
        global = true
    )]
    pub sms_provider: SmsProvider,

    /// Twilio account SID (with GATEHOUSE_SMS_PROVIDER=twilio).
    #[arg(long, env = "TWILIO_ACCOUNT_SID", global = true)]
    pub twilio_account_sid: Option<String>,

    /// Twilio auth token.
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true, global = true)]
    pub twilio_auth_token: Option<String>,

    /// The number (E.164) or messaging service SMS are sent from.
    #[arg(long, env = "TWILIO_FROM", global = true)]
    pub twilio_from: Option<String>,

    /// Twilio's API base URL.
    #[arg(
        long,
        env = "TWILIO_API_BASE",
        default_value = "https://api.twilio.com",
        global = true
    )]
    pub twilio_api_base: String,

    /// The public base URL, e.g. https://panel.example: its origin may post forms, and
    /// an https URL turns on HSTS.
    #[arg(long, env = "GATEHOUSE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Country (ISO 3166 code, e.g. GB, US) for mobile numbers typed without +country.
    #[arg(long, env = "GATEHOUSE_DEFAULT_REGION", default_value = "GB", value_parser = parse_region, global = true)]
    pub default_region: phonenumber::country::Id,

    /// SMTP server for email, e.g. smtps://user:password@mail.example:465 or
    /// smtp://mail.example:587?tls=required. Unset: email goes to the outbox table.
    #[arg(
        long,
        env = "GATEHOUSE_SMTP_URL",
        hide_env_values = true,
        global = true
    )]
    pub smtp_url: Option<String>,

    /// The sender of every email.
    #[arg(
        long,
        env = "GATEHOUSE_EMAIL_FROM",
        default_value = "Gatehouse <no-reply@localhost>",
        global = true
    )]
    pub email_from: String,

    /// Send accounts without two-factor authentication to Account › Security after
    /// sign-in until they turn it on.
    #[arg(long, env = "GATEHOUSE_REQUIRE_2FA", default_value_t = false, action = clap::ArgAction::Set, global = true)]
    pub require_2fa: bool,

    /// Where `/metrics` (Prometheus text format) listens, e.g. 127.0.0.1:9300; off when
    /// unset. Never the public address.
    #[arg(long, env = "GATEHOUSE_METRICS_ADDR", global = true)]
    pub metrics_addr: Option<std::net::SocketAddr>,

    /// Seconds between SIGTERM and stopping, with /readyz answering 503 meanwhile so a load
    /// balancer stops sending new requests first.
    #[arg(
        long,
        env = "GATEHOUSE_DRAIN_SECONDS",
        default_value_t = 5,
        global = true
    )]
    pub drain_seconds: u64,

    /// How many times the outbox tries a message (with growing back-off between tries)
    /// before marking it failed.
    #[arg(long, env = "GATEHOUSE_OUTBOX_MAX_ATTEMPTS", default_value_t = 10, value_parser = clap::value_parser!(i32).range(1..=100), global = true)]
    pub outbox_max_attempts: i32,

    /// How long an instance holds a message it is sending: a send is abandoned after half
    /// of it, and another instance takes over a dead instance's messages after all of it.
    #[arg(long, env = "GATEHOUSE_OUTBOX_LEASE_SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u32).range(2..=3600), global = true)]
    pub outbox_lease_seconds: u32,

    /// How many days of Login History are kept; older rows are swept.
    #[arg(long, env = "GATEHOUSE_HISTORY_DAYS", default_value_t = 400, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub history_days: u32,

    /// How long a two-factor reset started by support waits before it takes effect.
    #[arg(
        long,
        env = "GATEHOUSE_SUPPORT_RESET_DELAY_HOURS",
        default_value_t = 24,
        global = true
    )]
    pub support_reset_delay_hours: u32,

    /// Offer passkeys (WebAuthn). Their relying party id is GATEHOUSE_PUBLIC_URL's host,
    /// so production refuses to start with passkeys on and no public URL.
    #[arg(long, env = "GATEHOUSE_PASSKEYS", default_value_t = true, action = clap::ArgAction::Set, global = true)]
    pub passkeys: bool,

    /// Country calling codes SMS may be sent to, comma-separated (e.g. "44,353,1");
    /// empty: any country.
    #[arg(
        long,
        env = "GATEHOUSE_SMS_COUNTRIES",
        value_delimiter = ',',
        global = true
    )]
    pub sms_countries: Vec<u16>,

    /// Most texts to one number per day.
    #[arg(
        long,
        env = "GATEHOUSE_SMS_PER_NUMBER_PER_DAY",
        default_value_t = 10,
        global = true
    )]
    pub sms_per_number_per_day: i32,

    /// Most texts for one account per day.
    #[arg(
        long,
        env = "GATEHOUSE_SMS_PER_ACCOUNT_PER_DAY",
        default_value_t = 20,
        global = true
    )]
    pub sms_per_account_per_day: i32,

    /// Most texts requested from one IP per day.
    #[arg(
        long,
        env = "GATEHOUSE_SMS_PER_IP_PER_DAY",
        default_value_t = 50,
        global = true
    )]
    pub sms_per_ip_per_day: i32,

    /// 64 hex digits (32 random bytes, e.g. `openssl rand -hex 32`) that seal the
    /// authenticator apps' secrets at rest. Required for the authenticator app in
    /// production; dev uses a fixed development key.
    #[arg(
        long,
        env = "GATEHOUSE_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub secret_key: Option<String>,

    /// Largest database pool per instance.
    #[arg(
        long,
        env = "GATEHOUSE_DB_POOL_SIZE",
        default_value_t = 16,
        global = true
    )]
    pub db_pool_size: u32,
}
