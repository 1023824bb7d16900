//! Account › Profile › Email address: a link to the new address, and the change only when
//! it is followed. The old address is told at once.

use crate::domain::{EmailAddress, EmailError};
use crate::error::AppError;
use crate::server::account::sudo::Sudo;
use crate::server::db::{email_changes, users};
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::messaging::outbox;
use crate::server::messaging::texts;
use crate::server::platform::ctx::Ctx;
use crate::server::platform::respond::{unexpected_from, Unexpected};
use crate::server::signin::session::SecretToken;

/// How long the link to the new address works.
pub const LINK_TTL: time::Duration = time::Duration::hours(1);

/// Why the address was not changed.
#[derive(Debug, thiserror::Error)]
pub enum EmailChangeError {
    #[error("invalid email address: {0}")]
    Email(#[from] EmailError),
    #[error("that is already the account's address")]
    Same,
    /// Another account uses it; which one is never said.
    #[error("the address is in use")]
    InUse,
    #[error("the link is not valid")]
    InvalidLink,
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

unexpected_from!(EmailChangeError);

impl From<EmailChangeError> for AppError {
    fn from(e: EmailChangeError) -> Self {
        use EmailChangeError as E;
        match e {
            E::Email(e) => AppError::invalid("new_email", e),
            E::Same => AppError::invalid("new_email", "That is already your email address."),
            E::InUse => AppError::invalid(
                "new_email",
                "That email address can't be used. Choose another one.",
            ),
            E::InvalidLink => AppError::invalid(
                "token",
                "This link has expired or has already been used. Ask for a new one under Account › Profile.",
            ),
            E::Unexpected(e) => e.into(),
        }
    }
}

/// Sends a confirmation link to `new_raw` and tells the current address at once. Returns
/// the new address as parsed.
pub async fn request(
    ctx: &Ctx,
    sudo: &Sudo<'_>,
    new_raw: &str,
) -> Result<EmailAddress, EmailChangeError> {
    let (state, user_id) = (&ctx.state, sudo.user().user_id);
    let new = EmailAddress::parse(new_raw)?;
    // The session's own account: gone only if it was deleted under the request.
    let profile = users::profile(&state.pool, user_id)
        .await?
        .ok_or(sqlx::Error::RowNotFound)?;
    if profile.email.eq_ignore_ascii_case(new.as_str()) {
        return Err(EmailChangeError::Same);
    }
    if users::email_used_by_another(&state.pool, user_id, new.as_str()).await? {
        return Err(EmailChangeError::InUse);
    }
    let token = SecretToken::generate();
    let expires = ctx.now + LINK_TTL;
    let hash = token.hash();
    let mut tx = state.pool.begin().await?;
    email_changes::replace(&mut *tx, user_id, &hash, new.as_str(), ctx.now, expires).await?;
    let link = texts::email_change_link(
        &state.settings,
        new.as_str(),
        &profile.username,
        &token.encoded(),
    );
    outbox::enqueue_email(state, &mut tx, &link).await?;
    let notice = Notice::EmailChangeRequested {
        new_masked: texts::masked_email(new.as_str()),
    };
    let origin = Origin::of(&ctx.client, ctx.now);
    notify::notify(state, &mut tx, user_id, notice, origin).await?;
    tx.commit().await?;
    Ok(new)
}

/// Follows the link: the account's address becomes the new one, if no other account has
/// taken it meanwhile. The link works once.
pub async fn confirm(ctx: &Ctx, token: &str) -> Result<(), EmailChangeError> {
    let state = &ctx.state;
    let token =
        SecretToken::from_cookie_value(token.trim()).ok_or(EmailChangeError::InvalidLink)?;
    let mut tx = state.pool.begin().await?;
    let used = email_changes::consume(&mut tx, &token.hash(), ctx.now)
        .await?
        .ok_or(EmailChangeError::InvalidLink)?;
    if !users::set_email_if_free(&mut tx, used.user_id, &used.new_email).await? {
        return Err(EmailChangeError::InUse);
    }
    let origin = Origin::of(&ctx.client, ctx.now);
    notify::notify(state, &mut tx, used.user_id, Notice::EmailChanged, origin).await?;
    tx.commit().await?;
    Ok(())
}
