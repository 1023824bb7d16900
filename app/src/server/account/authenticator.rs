//! Account › Security › Authenticator app (docs/security.md §9): set up with a QR code or the
//! typed secret, confirmed with a first code before it is saved, removed in sudo mode.

use crate::domain::OtpCode;
use crate::error::AppError;
use crate::server::account::sudo::Sudo;
use crate::server::crypto::secret_box::{SecretBoxError, SecretKey};
use crate::server::crypto::totp;
use crate::server::db::{authenticator, devices, users};
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::platform::ctx::Ctx;
use crate::server::platform::respond::{self, unexpected_from, Unexpected};
use crate::server::AppState;

/// What the customer needs to add the account to an app.
pub struct Setup {
    /// The secret in base32, grouped for typing.
    pub secret_text: String,
    pub otpauth_uri: String,
    pub qr_svg: String,
}

/// Why an authenticator step failed.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticatorError {
    #[error("no GATEHOUSE_SECRET_KEY is configured")]
    NoKey,
    #[error("an authenticator app is already set up")]
    AlreadySetUp,
    #[error("no set-up is waiting for a code")]
    NothingToConfirm,
    #[error("wrong code")]
    WrongCode,
    #[error(transparent)]
    Sealed(#[from] SecretBoxError),
    #[error(transparent)]
    Unexpected(#[from] Unexpected),
}

unexpected_from!(AuthenticatorError);

impl From<AuthenticatorError> for AppError {
    fn from(e: AuthenticatorError) -> Self {
        use AuthenticatorError as E;
        match e {
            E::NoKey => AppError::invalid(
                "app_code",
                "The authenticator app isn't available on this server yet.",
            ),
            E::AlreadySetUp => AppError::invalid(
                "app_code",
                "An authenticator app is already set up. Remove it first to set up another.",
            ),
            E::NothingToConfirm => AppError::NothingToConfirm,
            E::WrongCode => AppError::invalid(
                "app_code",
                "That code isn't right. Enter the 6-digit code your app shows now.",
            ),
            E::Unexpected(e) => e.into(),
            E::Sealed(e) => respond::internal("authenticator app", e),
        }
    }
}

/// The associated data an account's secret is sealed with: its user id, so that a sealed
/// secret copied onto another account's row does not open there.
fn bound_to(user_id: i64) -> [u8; 8] {
    user_id.to_be_bytes()
}

/// Opens the secret of `user_id`'s app. A legacy row (sealed before secrets were bound
/// to their account) opens without associated data and is then re-sealed bound to the
/// account; that is best effort, since the next opening tries again.
async fn open_secret(
    state: &AppState,
    user_id: i64,
    app: &authenticator::App,
) -> Result<zeroize::Zeroizing<Vec<u8>>, AuthenticatorError> {
    let key = key(state)?;
    if app.bound_to_user {
        return Ok(key.open(&app.secret_nonce, &app.secret_sealed, &bound_to(user_id))?);
    }
    let secret = key.open(&app.secret_nonce, &app.secret_sealed, &[])?;
    let (nonce, sealed) = key.seal(&secret, &bound_to(user_id));
    match authenticator::bind_to_user(&state.pool, user_id, &app.secret_nonce, &nonce, &sealed)
        .await
    {
        Ok(true) => tracing::info!(
            user_id,
            "authenticator secret re-sealed bound to its account"
        ),
        Ok(false) => {}
        Err(e) => tracing::warn!(
            user_id,
            error = %e,
            "could not re-seal a legacy authenticator secret; will retry at its next use"
        ),
    }
    Ok(secret)
}

fn key(state: &AppState) -> Result<&SecretKey, AuthenticatorError> {
    state
        .settings
        .secret_key
        .as_ref()
        .ok_or(AuthenticatorError::NoKey)
}

/// The account's confirmed app's secret, opened, if it has one.
pub async fn confirmed_secret(
    state: &AppState,
    user_id: i64,
) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>, AuthenticatorError> {
    let Some(app) = authenticator::find(&state.pool, user_id).await? else {
        return Ok(None);
    };
    if app.confirmed_at.is_none() {
        return Ok(None);
    }
    Ok(Some(open_secret(state, user_id, &app).await?))
}

/// How long a set-up waiting for its first code is shown again: as long as the sudo
/// mode that started it lasts.
const SETUP_SHOWN_FOR: time::Duration = crate::server::account::sudo::SUDO_WINDOW;

/// What the app needs to add `user_id`'s account: `secret` as text, URI and QR code.
async fn setup_of(
    state: &AppState,
    user_id: i64,
    secret: &[u8],
) -> Result<Setup, AuthenticatorError> {
    let username = users::profile(&state.pool, user_id)
        .await?
        .map(|p| p.username)
        .unwrap_or_default();
    let issuer = &state.settings.brand;
    let otpauth_uri = totp::otpauth_uri(secret, &username, issuer).unwrap_or_default();
    Ok(Setup {
        secret_text: totp::grouped_base32(secret),
        qr_svg: totp::qr_svg(&otpauth_uri).unwrap_or_default(),
        otpauth_uri,
    })
}

/// Set up: a fresh 160-bit secret, stored sealed and unconfirmed.
pub async fn begin_setup(ctx: &Ctx, sudo: &Sudo<'_>) -> Result<Setup, AuthenticatorError> {
    let (state, user_id) = (&ctx.state, sudo.user().user_id);
    let key = key(state)?;
    let secret = zeroize::Zeroizing::new(totp::new_secret());
    let (nonce, sealed) = key.seal(&*secret, &bound_to(user_id));
    if !authenticator::start(&state.pool, user_id, &nonce, &sealed, ctx.now).await? {
        return Err(AuthenticatorError::AlreadySetUp);
    }
    setup_of(state, user_id, &*secret).await
}

/// `app` (the account's row) as a set-up waiting for its first code, while the page may
/// show it again: begun in the last [`SETUP_SHOWN_FOR`], and this session in sudo mode
/// (the secret is shown only to someone who proved the password moments ago, as "Set up"
/// itself needs).
pub async fn waiting_setup(
    ctx: &Ctx,
    sudo: &Sudo<'_>,
    app: &authenticator::App,
) -> Result<Option<Setup>, AuthenticatorError> {
    let (state, user_id) = (&ctx.state, sudo.user().user_id);
    if app.confirmed_at.is_some() || ctx.now - app.created_at >= SETUP_SHOWN_FOR {
        return Ok(None);
    }
    let secret = open_secret(state, user_id, app).await?;
    Ok(Some(setup_of(state, user_id, &secret).await?))
}

/// "Code from the app": only a current code saves the app and turns 2FA on. The set-up
/// it confirms was made in sudo mode.
pub async fn confirm_setup(
    ctx: &Ctx,
    user: &crate::server::signin::session::User,
    code: &OtpCode,
) -> Result<(), AuthenticatorError> {
    let (state, now) = (&ctx.state, ctx.now);
    let app = authenticator::find(&state.pool, user.user_id)
        .await?
        .filter(|a| a.confirmed_at.is_none())
        .ok_or(AuthenticatorError::NothingToConfirm)?;
    let secret = open_secret(state, user.user_id, &app).await?;
    let step =
        totp::matching_step(&secret, code.as_str(), now).ok_or(AuthenticatorError::WrongCode)?;
    let mut tx = state.pool.begin().await?;
    if !authenticator::confirm(&mut tx, user.user_id, step, now).await? {
        return Err(AuthenticatorError::NothingToConfirm);
    }
    users::enable_two_factor(&mut tx, user.user_id).await?;
    let origin = Origin::of(&ctx.client, now);
    notify::notify(
        state,
        &mut tx,
        user.user_id,
        Notice::AuthenticatorAdded,
        origin,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Remove. Without a phone either, 2FA goes off and trusted devices go.
pub async fn remove(ctx: &Ctx, sudo: &Sudo<'_>) -> Result<(), AuthenticatorError> {
    let (state, user_id) = (&ctx.state, sudo.user().user_id);
    let has_phone = users::profile(&state.pool, user_id)
        .await?
        .is_some_and(|p| p.phone.is_some());
    let mut tx = state.pool.begin().await?;
    let removed = authenticator::remove(&mut tx, user_id).await?;
    if !has_phone {
        users::disable_two_factor(&mut tx, user_id).await?;
        devices::revoke_all(&mut *tx, user_id).await?;
    }
    if removed {
        let origin = Origin::of(&ctx.client, ctx.now);
        notify::notify(
            state,
            &mut tx,
            user_id,
            Notice::AuthenticatorRemoved,
            origin,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
