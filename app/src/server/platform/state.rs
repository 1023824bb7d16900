use std::sync::Arc;

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;
use sqlx::PgPool;

use crate::server::crypto::password::PasswordHasher;
use crate::server::messaging::email::EmailSender;
use crate::server::messaging::sms::SmsSender;
use crate::server::{Clock, Settings};

/// Everything a request handler or server function needs, provided to Leptos as context.
///
/// It holds handles only (a pool, settings, a hasher with its concurrency limit): all
/// shared state lives in PostgreSQL, so any number of instances can serve one database.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub hasher: PasswordHasher,
    pub clock: Clock,
    pub email: Arc<dyn EmailSender>,
    pub sms: Arc<dyn SmsSender>,
    /// Passkeys' relying party; `None` when passkeys are off.
    pub passkeys: Option<crate::server::crypto::webauthn::RelyingParty>,
    /// Whether this instance is draining before it stops (`/readyz` then answers 503).
    pub lifecycle: Lifecycle,
}

/// This process's own state as a load balancer sees it: the one thing that is rightly
/// per instance rather than in PostgreSQL.
#[derive(Clone, Debug, Default)]
pub struct Lifecycle(Arc<std::sync::atomic::AtomicBool>);

impl Lifecycle {
    /// From now on `/readyz` answers 503, so the balancer stops sending new requests.
    pub fn drain(&self) {
        self.0.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn is_draining(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}
