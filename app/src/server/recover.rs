//! Forgot Username?, Forgot Password? with its reset link, and changing the password while
//! signed in (SECURITY.md 1, 5, 11).
//!
//! The two Forgot requests answer the same whatever was entered: the lookups and the
//! rate-limit counters run for every request, and the email (with the reset token, for a
//! password) is prepared and sent after the answer is decided, in a task of its own, so
//! neither the answer nor its timing says whether an account exists.

use time::Duration;

use super::client::ClientInfo;
use super::db::history::{self, Attempt, Factor, Outcome};
use super::db::users::{self, Contact};
use super::db::{devices, password_resets, rate_limits, sessions};
use super::email::Email;
use super::notify::{self, Notice, Origin};
use super::password::HashError;
use super::password_policy::{self, WeakPassword};
use super::session::{CurrentUser, SecretToken};
use super::AppState;
use crate::domain::{EmailAddress, EmailError, Password, Username};

/// Why a recovery step failed.
#[derive(Debug, thiserror::Error)]
pub enum RecoverError {
    #[error("invalid email address: {0}")]
    Email(#[from] EmailError),
    #[error("nothing was entered")]
    Empty,
    #[error("the reset link is not valid")]
    InvalidLink,
    #[error("weak password: {0}")]
    Weak(#[from] WeakPassword),
    #[error("wrong current password")]
    WrongPassword,
    #[error("password hashing failed: {0}")]
    Hash(#[from] HashError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<super::throttle::CheckError> for RecoverError {
    fn from(e: super::throttle::CheckError) -> Self {
        match e {
            super::throttle::CheckError::Hash(e) => Self::Hash(e),
            super::throttle::CheckError::Database(e) => Self::Database(e),
        }
    }
}

/// Reserves a Forgot request against the IP and then the address (or username), per
/// hour, before anything is sent: each an `UPDATE … WHERE hits < cap`, so no burst of
/// parallel requests gets more emails than the caps. Every request counts against its
/// IP (one budget for both flows), even one the address's cap refuses. Returns whether it
/// is within both. Identifiers are stored hashed.
async fn within_caps(
    state: &AppState,
    flow: &str,
    identifier: &str,
    client: &ClientInfo,
) -> Result<bool, sqlx::Error> {
    use sha2::{Digest, Sha256};
    let now = state.clock.now();
    let hour = Duration::hours(1);
    let limits = &state.settings;
    let id = hex::encode(Sha256::digest(identifier.to_lowercase().as_bytes()));
    let by_ip = format!("forgot:ip:{}", client.ip_bucket());
    let by_id = format!("{flow}:id:{id}");
    let mut conn = state.pool.acquire().await?;
    let ip_cap = limits.forgot_per_ip_per_hour;
    if rate_limits::reserve(&mut conn, &by_ip, hour, now, ip_cap)
        .await?
        .is_none()
    {
        return Ok(false);
    }
    let id_cap = limits.forgot_per_address_per_hour;
    let by_id = rate_limits::reserve(&mut conn, &by_id, hour, now, id_cap).await?;
    Ok(by_id.is_some())
}

/// Sends `emails` in the background; failures are logged.
fn send_later(state: &AppState, emails: Vec<Email>) {
    let state = state.clone();
    tokio::spawn(async move { send_all(&state, emails).await });
}

/// Sends `emails` one after another; failures are logged.
async fn send_all(state: &AppState, emails: Vec<Email>) {
    for email in emails {
        if let Err(e) = state.email.send_email(&email).await {
            tracing::error!(error = %e, subject = %email.subject, "sending a recovery email");
        }
    }
}

fn base_url(state: &AppState) -> &str {
    state.settings.link_base.trim_end_matches('/')
}

/// Forgot Username?: emails the usernames registered to `email_raw`, if any.
pub async fn remind_username(
    state: &AppState,
    client: &ClientInfo,
    email_raw: &str,
) -> Result<(), RecoverError> {
    let email = EmailAddress::parse(email_raw)?;
    let allowed = within_caps(state, "forgot-username", email.as_str(), client).await?;
    let accounts = users::by_email(&state.pool, email.as_str()).await?;
    if !allowed || accounts.is_empty() {
        return Ok(());
    }
    let brand = &state.settings.brand;
    let names: Vec<String> = accounts
        .iter()
        .map(|a| format!("  {}", a.username))
        .collect();
    let (one, these) = if accounts.len() == 1 {
        ("username is", "it")
    } else {
        ("usernames are", "any of them")
    };
    let body = format!(
        "Hello,\n\nSomeone (we hope you) asked for the {brand} username registered to this \
         address. Your {one}:\n\n{}\n\nSign in with {these} at {}/login\n\nIf you did not ask, \
         you can ignore this email: nothing has changed.\n\n— {brand}\n",
        names.join("\n"),
        base_url(state),
    );
    send_later(
        state,
        vec![Email {
            to: accounts[0].email.clone(),
            subject: format!("{brand}: your username"),
            body,
        }],
    );
    Ok(())
}

/// Forgot Password?: emails a reset link (valid for an hour, single-use, replacing any
/// earlier one) to the account named by `login`, a username or an email address.
pub async fn request_reset(
    state: &AppState,
    client: &ClientInfo,
    login: &str,
) -> Result<(), RecoverError> {
    let login = login.trim();
    if login.is_empty() {
        return Err(RecoverError::Empty);
    }
    let allowed = within_caps(state, "forgot-password", login, client).await?;
    let accounts: Vec<Contact> = if login.contains('@') {
        match EmailAddress::parse(login) {
            Ok(email) => users::by_email(&state.pool, email.as_str()).await?,
            Err(_) => Vec::new(),
        }
    } else {
        match Username::parse(login) {
            Ok(name) => users::by_username(&state.pool, &name)
                .await?
                .into_iter()
                .collect(),
            Err(_) => Vec::new(),
        }
    };
    if !allowed || accounts.is_empty() {
        return Ok(());
    }
    // The tokens are made and stored after the answer is settled, off the request path.
    let state = state.clone();
    tokio::spawn(async move {
        let now = state.clock.now();
        let mut emails = Vec::new();
        for account in accounts {
            let token = SecretToken::generate();
            let stored = password_resets::replace(
                &state.pool,
                account.id,
                &token.hash(),
                now,
                now + state.settings.reset_ttl,
            )
            .await;
            if let Err(e) = stored {
                tracing::error!(error = %e, "storing a password reset");
                continue;
            }
            emails.push(reset_email(&state, &account, &token));
        }
        // Already off the request path: send from this task.
        send_all(&state, emails).await;
    });
    Ok(())
}

fn reset_email(state: &AppState, account: &Contact, token: &SecretToken) -> Email {
    let brand = &state.settings.brand;
    let minutes = state.settings.reset_ttl.whole_minutes();
    Email {
        to: account.email.clone(),
        subject: format!("{brand}: reset your password"),
        body: format!(
            "Hello {},\n\nSomeone (we hope you) asked to reset the password of your {brand} \
             account. Choose a new one here:\n\n{}/reset-password?token={}\n\nThe link works \
             once, for {minutes} minutes. Resetting signs out every session. If two-factor \
             authentication is on, you will still need your texted code to sign in.\n\nIf you \
             did not ask, ignore this email: your password has not changed.\n\n— {brand}\n",
            account.username,
            base_url(state),
            token.encoded(),
        ),
    }
}

/// Whether `token` is a live reset link (for the page that opens it).
pub async fn link_is_live(state: &AppState, token: &str) -> Result<bool, RecoverError> {
    let Some(token) = SecretToken::from_cookie_value(token.trim()) else {
        return Ok(false);
    };
    Ok(
        password_resets::peek(&state.pool, &token.hash(), state.clock.now())
            .await?
            .is_some(),
    )
}

/// Sets a new password from a reset link: the link is used up, every session and trusted
/// device of the account ends, the reset is recorded and the account is told. It does not
/// sign anyone in.
pub async fn reset(
    state: &AppState,
    client: &ClientInfo,
    token: &str,
    password: Password,
    again: &Password,
) -> Result<(), RecoverError> {
    let now = state.clock.now();
    let token = SecretToken::from_cookie_value(token.trim()).ok_or(RecoverError::InvalidLink)?;
    let hash = token.hash();
    let user_id = password_resets::peek(&state.pool, &hash, now)
        .await?
        .ok_or(RecoverError::InvalidLink)?;
    let profile = users::profile(&state.pool, user_id)
        .await?
        .ok_or(RecoverError::InvalidLink)?;
    let new = password_policy::check(password, again, &profile.username)?;
    let password_hash = state.hasher.hash(new.password()).await?;

    let mut tx = state.pool.begin().await?;
    // The one statement that decides which of concurrent uses wins.
    if password_resets::consume(&mut tx, &hash, now).await? != Some(user_id) {
        return Err(RecoverError::InvalidLink);
    }
    users::replace_password(&mut tx, user_id, &password_hash).await?;
    sessions::delete_all_for(&mut tx, user_id, None).await?;
    devices::revoke_all(&mut *tx, user_id).await?;
    tx.commit().await?;

    // The owner has proven the email address: a lock from others' guesses ends too.
    let name = super::throttle::normalise(&profile.username);
    if let Err(e) = super::throttle::succeeded(state, &name).await {
        tracing::error!(error = %e, "clearing the failure count after a reset");
    }
    record(
        state,
        client,
        user_id,
        &profile.username,
        Outcome::PasswordReset,
        Factor::EmailLink,
    )
    .await;
    notify::notify(
        state,
        user_id,
        Notice::PasswordReset,
        Origin::of(client, now),
    )
    .await;
    Ok(())
}

/// Change password (signed in): needs the current password; ends every other session,
/// forgets trusted devices and any reset link, and tells the account.
pub async fn change(
    state: &AppState,
    user: &CurrentUser,
    client: &ClientInfo,
    current: &Password,
    password: Password,
    again: &Password,
) -> Result<(), RecoverError> {
    let now = state.clock.now();
    let stored = users::password_hash(&state.pool, user.user_id)
        .await?
        .ok_or(RecoverError::WrongPassword)?;
    let profile = users::profile(&state.pool, user.user_id)
        .await?
        .ok_or(RecoverError::WrongPassword)?;
    let username = &profile.username;
    if !super::throttle::verify_current_password(state, username, client, current, &stored).await? {
        return Err(RecoverError::WrongPassword);
    }
    let new = password_policy::check(password, again, &profile.username)?;
    let password_hash = state.hasher.hash(new.password()).await?;

    let mut tx = state.pool.begin().await?;
    users::replace_password(&mut tx, user.user_id, &password_hash).await?;
    sessions::delete_all_for(&mut tx, user.user_id, Some(&user.session_hash)).await?;
    devices::revoke_all(&mut *tx, user.user_id).await?;
    password_resets::delete_for(&mut tx, user.user_id).await?;
    tx.commit().await?;
    // The password was just entered: this counts for sudo mode.
    sessions::reauthenticate(&state.pool, &user.session_hash, now).await?;

    record(
        state,
        client,
        user.user_id,
        &profile.username,
        Outcome::PasswordChanged,
        Factor::Password,
    )
    .await;
    notify::notify(
        state,
        user.user_id,
        Notice::PasswordChanged,
        Origin::of(client, now),
    )
    .await;
    Ok(())
}

async fn record(
    state: &AppState,
    client: &ClientInfo,
    user_id: i64,
    username: &str,
    outcome: Outcome,
    factor: Factor,
) {
    let attempt = Attempt {
        user_id: Some(user_id),
        username_typed: username,
        at: state.clock.now(),
        ip: &client.ip_text(),
        user_agent: &client.user_agent,
        outcome,
        factor,
        locked_until: None,
    };
    if let Err(e) = history::record(&state.pool, &attempt).await {
        tracing::error!(error = %e, "recording a password change");
    }
}
