//! Forgot Password?: the reset link, and the new password it sets.

use super::{within_caps, ForgotError};
use crate::domain::{EmailAddress, Password, Username};
use crate::server::crypto::password_policy;
use crate::server::db::history::{Factor, Outcome};
use crate::server::db::users::{self, Contact};
use crate::server::db::{devices, password_resets, sessions};
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::messaging::outbox;
use crate::server::messaging::texts;
use crate::server::platform::ctx::Ctx;
use crate::server::signin::session::SecretToken;
use crate::server::signin::throttle;

/// Forgot Password?: emails a reset link (valid for an hour, single-use, replacing any
/// earlier one) to the account named by `login`, a username or an email address.
pub async fn request_reset(ctx: &Ctx, login: &str) -> Result<(), ForgotError> {
    let login = login.trim();
    if login.is_empty() {
        return Err(ForgotError::Empty);
    }
    let pool = &ctx.state.pool;
    let allowed = within_caps(ctx, "forgot-password", login).await?;
    let accounts: Vec<Contact> = if login.contains('@') {
        match EmailAddress::parse(login) {
            Ok(email) => users::by_email(pool, email.as_str()).await?,
            Err(_) => Vec::new(),
        }
    } else {
        match Username::parse(login) {
            Ok(name) => users::by_username(pool, &name).await?.into_iter().collect(),
            Err(_) => Vec::new(),
        }
    };
    if !allowed || accounts.is_empty() {
        return Ok(());
    }
    send_links(ctx, accounts);
    Ok(())
}

/// Support's "Send a password reset link": the customer's own Forgot Password flow for
/// the account `username`, within the same caps. Returns whether a link is on its way.
pub async fn send_link_for(ctx: &Ctx, username: &Username) -> Result<bool, ForgotError> {
    let allowed = within_caps(ctx, "forgot-password", username.as_str()).await?;
    let accounts: Vec<Contact> = users::by_username(&ctx.state.pool, username)
        .await?
        .into_iter()
        .collect();
    if !allowed || accounts.is_empty() {
        return Ok(false);
    }
    send_links(ctx, accounts);
    Ok(true)
}

/// The tokens are made and stored after the answer is settled, off the request path.
fn send_links(ctx: &Ctx, accounts: Vec<Contact>) {
    let state = ctx.state.clone();
    tokio::spawn(async move {
        let now = state.clock.now();
        for account in accounts {
            // The link and its email are stored together: a link is never made without
            // its email queued, nor an email queued for a link that was not stored.
            let stored = async {
                let token = SecretToken::generate();
                let mut tx = state.pool.begin().await?;
                let expires = now + state.settings.forgot.reset_ttl;
                password_resets::replace(&mut *tx, account.id, &token.hash(), now, expires).await?;
                let (to, name) = (&account.email, &account.username);
                let email = texts::reset_link(&state.settings, to, name, &token.encoded());
                outbox::enqueue_email(&state, &mut tx, &email).await?;
                tx.commit().await
            };
            if let Err(e) = stored.await {
                tracing::error!(error = %e, "storing a password reset");
            }
        }
    });
}

/// Whether `token` is a live reset link (for the page that opens it).
pub async fn link_is_live(ctx: &Ctx, token: &str) -> Result<bool, ForgotError> {
    let Some(token) = SecretToken::from_cookie_value(token.trim()) else {
        return Ok(false);
    };
    let found = password_resets::peek(&ctx.state.pool, &token.hash(), ctx.now).await?;
    Ok(found.is_some())
}

/// Sets a new password from a reset link: the link is used up, every session and trusted
/// device of the account ends, the reset is recorded and the account is told. It does not
/// sign anyone in.
pub async fn reset(
    ctx: &Ctx,
    token: &str,
    password: Password,
    again: &Password,
) -> Result<(), ForgotError> {
    let (state, now) = (&ctx.state, ctx.now);
    let token = SecretToken::from_cookie_value(token.trim()).ok_or(ForgotError::InvalidLink)?;
    let hash = token.hash();
    let user_id = password_resets::peek(&state.pool, &hash, now)
        .await?
        .ok_or(ForgotError::InvalidLink)?;
    let profile = users::profile(&state.pool, user_id)
        .await?
        .ok_or(ForgotError::InvalidLink)?;
    let new = password_policy::check(password, again, &profile.username)?;
    let password_hash = state.hasher.hash(new.password()).await?;

    let mut tx = state.pool.begin().await?;
    // The one statement that decides which of concurrent uses wins.
    if password_resets::consume(&mut tx, &hash, now).await? != Some(user_id) {
        return Err(ForgotError::InvalidLink);
    }
    users::replace_password(&mut tx, user_id, &password_hash).await?;
    sessions::delete_all_for(&mut tx, user_id, None).await?;
    devices::revoke_all(&mut *tx, user_id).await?;
    let origin = Origin::of(&ctx.client, now);
    notify::notify(state, &mut tx, user_id, Notice::PasswordReset, origin).await?;
    tx.commit().await?;

    // The owner has proven the email address: a lock from others' guesses ends too.
    let name = throttle::normalise(&profile.username);
    if let Err(e) = throttle::succeeded(state, &name).await {
        tracing::error!(error = %e, "clearing the failure count after a reset");
    }
    let (outcome, factor) = (Outcome::PasswordReset, Factor::EmailLink);
    ctx.record(Some(user_id), &profile.username, outcome, factor)
        .await;
    Ok(())
}
