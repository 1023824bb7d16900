//! The Gatehouse server: configuration, start-up, the router, and operator subcommands.
//! `main.rs` only parses the command line and calls [`run`].

pub mod config;
pub mod database;
pub mod metrics;
pub mod middleware;
pub mod router;

use std::io::BufRead;
use std::sync::Arc;

use leptos::prelude::LeptosOptions;
use sqlx::PgPool;
use tokio::net::TcpListener;
use zeroize::Zeroize;

use app::domain::Password;
use app::server::account::provision::{self, AccountRequest, CreateAccountError};
use app::server::crypto::password::{HashError, PasswordHasher};
use app::server::{AppState, Clock, Settings};
use config::{AuditCommand, Cli, Command, Config, UserCommand};
use database::DatabaseError;

/// Why the server or a subcommand stopped; printed as one line (plus a hint).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Database(#[from] DatabaseError),
    #[error("cannot read the Leptos configuration: {0}")]
    LeptosConfig(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
    #[error("invalid password settings: {0}")]
    Hasher(#[from] HashError),
    #[error("no password given: set GATEHOUSE_PASSWORD or pipe it on standard input")]
    NoPassword,
    #[error("cannot read the password from standard input: {0}")]
    ReadPassword(std::io::Error),
    #[error("{0}")]
    Account(#[from] CreateAccountError),
    #[error("cannot set up the SMS sender: {0}")]
    Sms(String),
    #[error("cannot set up the email sender: {0}")]
    Email(String),
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error(transparent)]
    Passkeys(#[from] app::server::crypto::webauthn::RelyingPartyError),
    #[error("no account is called '{0}'")]
    NoSuchAccount(String),
    #[error("--since: {0}")]
    Since(String),
}

/// `--since`: an RFC 3339 time or a date (midnight UTC).
fn parse_since(raw: &str) -> Result<time::OffsetDateTime, RunError> {
    use time::format_description::well_known::Rfc3339;
    if let Ok(at) = time::OffsetDateTime::parse(raw, &Rfc3339) {
        return Ok(at);
    }
    let date_format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(raw, &date_format)
        .map(|d| d.midnight().assume_utc())
        .map_err(|_| {
            RunError::Since(format!(
                "'{raw}' is neither a date (2026-11-29) nor an RFC 3339 time"
            ))
        })
}

/// Runs the command the command line asked for.
pub async fn run(cli: Cli) -> Result<(), RunError> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(&cli.config).await,
        Command::Migrate => {
            let pool = prepare_database(&cli.config).await?;
            pool.close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::Sweep => {
            let settings = cli.config.settings()?;
            let pool = prepare_database(&cli.config).await?;
            let now = Clock::system().now();
            let swept = app::server::platform::sweeper::sweep(&pool, &settings, now)
                .await
                .map_err(|e| RunError::Database(DatabaseError::Query(e)));
            pool.close().await;
            match swept? {
                None => println!("another instance is sweeping; nothing done"),
                Some(tables) if tables.is_empty() => println!("nothing to sweep"),
                Some(tables) => {
                    for (table, rows) in tables {
                        println!("{table}: {rows} rows deleted");
                    }
                }
            }
            Ok(())
        }
        Command::User(UserCommand::Role { username, role }) => {
            let pool = prepare_database(&cli.config).await?;
            let name = app::domain::Username::parse(&username)
                .map_err(|e| RunError::Account(CreateAccountError::Username(e)))?;
            let found =
                app::server::db::support::set_role(&pool, name.as_str(), role.as_str()).await;
            pool.close().await;
            if !found.map_err(|e| RunError::Database(DatabaseError::Query(e)))? {
                return Err(RunError::NoSuchAccount(name.as_str().to_owned()));
            }
            println!("'{}' is now {}", name.as_str(), role.as_str());
            Ok(())
        }
        Command::Audit(AuditCommand::Export { since }) => {
            let since = parse_since(&since)?;
            let pool = prepare_database(&cli.config).await?;
            let rows = app::server::db::support::audit_since(&pool, since)
                .await
                .map_err(|e| RunError::Database(DatabaseError::Query(e)));
            pool.close().await;
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            for row in rows? {
                let line = serde_json::to_string(&row).unwrap_or_default();
                let _ = writeln!(out, "{line}");
            }
            Ok(())
        }
        Command::User(UserCommand::Add {
            username,
            email,
            phone,
            two_factor,
            role,
        }) => {
            let password = read_password()?;
            let pool = prepare_database(&cli.config).await?;
            let settings = cli.config.settings()?;
            let hasher = PasswordHasher::new(settings.argon2, 1, settings.hash_priority).await?;
            let request = AccountRequest {
                username,
                email,
                phone,
                two_factor,
                password,
            };
            let (_, username) =
                provision::create(&pool, &hasher, &Clock::system(), request).await?;
            if role != config::Role::Customer {
                app::server::db::support::set_role(&pool, username.as_str(), role.as_str())
                    .await
                    .map_err(|e| RunError::Database(DatabaseError::Query(e)))?;
            }
            pool.close().await;
            println!("created account '{username}'");
            Ok(())
        }
    }
}

/// Creates the database if missing, connects, and migrates.
pub async fn prepare_database(config: &Config) -> Result<PgPool, RunError> {
    database::ensure_exists(&config.database_url).await?;
    let pool = database::connect(&config.database_url, config.db_pool_size).await?;
    database::migrate(&pool).await?;
    Ok(pool)
}

/// The Leptos options: from cargo-leptos's environment when present, otherwise defaults
/// that fit a binary started from the workspace root (`target/site`, output `gatehouse`).
pub fn leptos_options() -> Result<LeptosOptions, RunError> {
    let mut options = leptos::config::get_configuration(None)
        .map_err(|e| RunError::LeptosConfig(e.to_string()))?
        .leptos_options;
    if options.output_name.is_empty() {
        options.output_name = "gatehouse".into();
    }
    if std::env::var_os("LEPTOS_HASH_FILES").is_none() {
        options.hash_files = built_with_hashed_names(&options);
    }
    Ok(options)
}

/// Whether the site was last built with content-hashed file names
/// (`LEPTOS_HASH_FILES=true cargo leptos build --release`): cargo-leptos then writes the
/// names to `hash.txt` beside the server binary. A later unhashed build leaves that file
/// behind but writes `pkg/gatehouse.wasm` after it, so the newer of the two wins.
fn built_with_hashed_names(options: &LeptosOptions) -> bool {
    let modified = |path: &std::path::Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let Some(hashes) = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(|dir| dir.join(&*options.hash_file)))
        .and_then(|path| modified(&path))
    else {
        return false;
    };
    let unhashed = std::path::Path::new(&*options.site_root)
        .join(&*options.site_pkg_dir)
        .join(format!("{}.wasm", options.output_name));
    modified(&unhashed).is_none_or(|wasm| wasm <= hashes)
}

/// Builds the application state for `settings` around an open pool.
pub async fn build_state(
    leptos_options: LeptosOptions,
    pool: PgPool,
    settings: Settings,
    clock: Clock,
) -> Result<AppState, RunError> {
    let mut settings = settings;
    if settings.public_url.is_none() {
        // Links in emails point at this server; production deployments set the URL. In
        // development on a loopback address they say `localhost`, the host passkeys'
        // relying party is (an IP cannot be one), so links land where the cookies are.
        let addr = leptos_options.site_addr;
        settings.link_base = if settings.is_dev() && addr.ip().is_loopback() {
            format!("http://localhost:{}", addr.port())
        } else {
            format!("http://{addr}")
        };
    }
    let hasher = PasswordHasher::new(
        settings.argon2,
        settings.hash_concurrency,
        settings.hash_priority,
    )
    .await?;
    let hasher = match settings.hash_queue {
        Some(limit) => hasher.with_queue_limit(limit),
        None => hasher,
    };
    let sms = app::server::messaging::sms::sender(&settings.sms, &pool, &clock)
        .map_err(|e| RunError::Sms(e.to_string()))?;
    let email = app::server::messaging::email::sender(&settings.email, &pool, &clock)
        .map_err(|e| RunError::Email(e.to_string()))?;
    let passkeys = relying_party(&settings, leptos_options.site_addr.port())?;
    Ok(AppState {
        passkeys,
        lifecycle: Default::default(),
        sms,
        leptos_options,
        email,
        pool,
        settings: Arc::new(settings),
        hasher,
        clock,
    })
}

/// Passkeys' relying party: the public URL's host, or in development without one
/// `localhost` on the listening port (an IP address cannot be a relying party id, so
/// development and tests reach the app as `localhost`). Production refuses to start with
/// passkeys on and no usable public URL; development goes on without passkeys.
fn relying_party(
    settings: &Settings,
    port: u16,
) -> Result<Option<app::server::crypto::webauthn::RelyingParty>, RunError> {
    use app::server::crypto::webauthn::{RelyingParty, RelyingPartyError};
    if !settings.passkeys {
        return Ok(None);
    }
    let made = match (&settings.public_url, settings.is_dev()) {
        (Some(url), _) => RelyingParty::new(url, &settings.brand),
        (None, true) => RelyingParty::new(&format!("http://localhost:{port}"), &settings.brand),
        (None, false) => Err(RelyingPartyError::NoPublicUrl),
    };
    match made {
        Ok(rp) => Ok(Some(rp)),
        Err(e) if settings.is_dev() => {
            tracing::warn!(error = %e, "passkeys are off");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// Serves `state` on `listener`, and delivers the outbox's messages, until `shutdown`
/// completes; the messages in hand are sent before it returns.
pub async fn serve_on(
    listener: TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let sender = app::server::messaging::outbox::worker::spawn(state.clone(), stopped);
    let app = router::build(state);
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    let _ = stop.send(true);
    let _ = sender.await;
    served
}

async fn serve(config: &Config) -> Result<(), RunError> {
    let options = leptos_options()?;
    // The port opens first: while migrations run, `/healthz` says the process is alive
    // and everything else (`/readyz` too) answers 503, so a balancer waits for it.
    let addr = options.site_addr;
    let bound = std::net::TcpListener::bind(addr)
        .and_then(|l| l.set_nonblocking(true).map(|()| l))
        .map_err(|source| RunError::Bind {
            addr: addr.to_string(),
            source,
        })?;
    let starting = bound
        .try_clone()
        .and_then(TcpListener::from_std)
        .map_err(RunError::Serve)?;
    let (started, starting_done) = tokio::sync::oneshot::channel::<()>();
    let starting = tokio::spawn(async move {
        let stop = async {
            let _ = starting_done.await;
        };
        axum::serve(starting, router::starting())
            .with_graceful_shutdown(stop)
            .await
    });
    let pool = prepare_database(config).await?;
    let settings = config.settings()?;
    let state = build_state(options.clone(), pool.clone(), settings, Clock::system()).await?;

    if matches!(
        state.settings.sms,
        app::server::messaging::sms::SmsConfig::Outbox
    ) && !state.settings.is_dev()
    {
        tracing::warn!(
            "SMS go to the outbox table, not to phones: set GATEHOUSE_SMS_PROVIDER=twilio"
        );
    }
    if matches!(
        state.settings.email,
        app::server::messaging::email::EmailConfig::Outbox
    ) && !state.settings.is_dev()
    {
        tracing::warn!("email goes to the outbox table, not to inboxes: set GATEHOUSE_SMTP_URL");
    }
    if state.settings.secret_key.is_none() {
        tracing::warn!(
            "GATEHOUSE_SECRET_KEY is not set: queued emails (reset links among them) wait \
             in the outbox unsealed until they are sent"
        );
    }
    if state.settings.public_url.is_none() && !state.settings.is_dev() {
        tracing::warn!(
            link_base = %state.settings.link_base,
            "GATEHOUSE_PUBLIC_URL is not set: links in emails point at the listening address"
        );
    }
    if state.settings.is_dev() {
        provision::ensure_demo(&pool, &state.hasher, &state.clock).await?;
    }
    app::server::platform::sweeper::spawn(state.clone());
    if let Some(addr) = config.metrics_addr {
        let metrics = TcpListener::bind(addr)
            .await
            .map_err(|source| RunError::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let router = metrics::router(metrics::install(), state.clone());
        tracing::info!(%addr, "metrics at /metrics");
        tokio::spawn(async move {
            if let Err(e) = axum::serve(metrics, router).await {
                tracing::error!(error = %e, "the metrics listener stopped");
            }
        });
    }

    let listener = TcpListener::from_std(bound).map_err(RunError::Serve)?;
    let _ = started.send(());
    let _ = starting.await;
    tracing::info!(%addr, env = ?state.settings.environment, "Gatehouse listening");
    if state.settings.is_dev() {
        println!();
        let base = &state.settings.link_base;
        println!("  Gatehouse (dev) is running at {base}/login");
        println!(
            "  Demo accounts:   {} / {}   (2FA off)",
            provision::DEMO_USERNAME,
            provision::DEMO_PASSWORD
        );
        println!(
            "                   {} / {}   (2FA on, codes to {})",
            provision::DEMO_2FA_USERNAME,
            provision::DEMO_PASSWORD,
            provision::DEMO_2FA_PHONE
        );
        println!("  Outbox:          {base}/dev/outbox  (codes and emails land here)");
        println!();
    }
    let draining = state.lifecycle.clone();
    let drain_for = std::time::Duration::from_secs(config.drain_seconds);
    let shutdown = async move {
        shutdown_signal().await;
        // Tell the balancer first (/readyz answers 503), keep serving meanwhile, then stop.
        draining.drain();
        tracing::info!(seconds = drain_for.as_secs(), "draining before stopping");
        tokio::time::sleep(drain_for).await;
    };
    serve_on(listener, state, shutdown)
        .await
        .map_err(RunError::Serve)?;
    pool.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// The new account's password: `GATEHOUSE_PASSWORD`, or the first line of standard input.
fn read_password() -> Result<Password, RunError> {
    if let Ok(p) = std::env::var("GATEHOUSE_PASSWORD") {
        return Ok(Password::new(p));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(RunError::ReadPassword)?;
    let password = Password::new(line.trim_end_matches(['\r', '\n']));
    line.zeroize();
    if password.expose().is_empty() {
        return Err(RunError::NoPassword);
    }
    Ok(password)
}
