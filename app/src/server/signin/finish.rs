//! The one way a second step ends: the pending session replaced by a full one.

use crate::server::db::devices;
use crate::server::db::history::Factor;
use crate::server::db::sessions::{self, Stage};
use crate::server::signin::session::{self, CookieKind, PendingSession, SecretToken};

use super::guess::Guess;
use super::*;

/// A second step that succeeded: whose sign-in, how, the guess that did it, and whether
/// to trust the device.
pub(super) struct Finish<'a> {
    pub(super) guess: &'a Guess,
    pub(super) user_id: i64,
    pub(super) name: &'a str,
    pub(super) trust_device: bool,
    pub(super) factor: Factor,
}

/// Ends a pending sign-in whose second step succeeded inside `tx` (its challenge already
/// consumed or finished there): the guess's slots given back, the pending session
/// replaced by a full one, the device trusted if asked, the sign-in recorded. The one way
/// every second factor finishes.
pub(super) async fn complete(
    req: &Ctx,
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    pending: &PendingSession,
    finished: Finish<'_>,
) -> Result<CodeAccepted, SignInError> {
    let state = &req.state;
    let settings = &state.settings;
    let now = req.now;
    let user_id = finished.user_id;
    finished.guess.accepted(&mut tx).await?;
    // The pending sign-in ends once, whatever else races it.
    if !sessions::delete_returning(&mut tx, &pending.id_hash).await? {
        return Err(SignInError::NoPendingSignIn);
    }
    let proven_at = pending.authenticated_at;
    let factor = finished.factor;
    let (_, session_cookie) =
        session::begin(&mut tx, req, user_id, Stage::Full, proven_at, factor).await?;

    let device_cookie = if finished.trust_device {
        let token = SecretToken::generate();
        let expires = now + settings.sessions.trusted_device_ttl;
        devices::insert(
            &mut *tx,
            &token.hash(),
            user_id,
            now,
            expires,
            &req.client.ip_text(),
            &req.client.device(),
        )
        .await?;
        Some(session::set_cookie(
            settings,
            CookieKind::TrustedDevice,
            &token,
            settings.sessions.trusted_device_ttl,
        ))
    } else {
        None
    };
    let signed_in = record_sign_in(req, &mut tx, user_id, finished.name, finished.factor).await?;
    tx.commit().await?;
    signed_in.notify(req).await;
    Ok(CodeAccepted {
        session_cookie,
        device_cookie,
    })
}

/// Ends a pending sign-in that the recovery token or a passkey answered (no texted code
/// to consume, no device to trust) inside `tx`: the challenge ended, then [`complete`].
pub(super) async fn complete_without_code(
    req: &Ctx,
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    pending: &PendingSession,
    guess: &Guess,
    user_id: i64,
    name: &str,
    factor: Factor,
) -> Result<CodeAccepted, SignInError> {
    end_challenge(&mut tx, pending, req.now).await?;
    let finished = Finish {
        guess,
        user_id,
        name,
        trust_device: false,
        factor,
    };
    complete(req, tx, pending, finished).await
}

/// Ends the challenge of a pending sign-in that an app code or the recovery token
/// finished (no texted code to consume), inside `tx`; refused when another request ended
/// it first.
pub(super) async fn end_challenge(
    tx: &mut sqlx::PgConnection,
    pending: &PendingSession,
    now: time::OffsetDateTime,
) -> Result<(), SignInError> {
    match crate::server::db::challenges::finish(tx, &pending.id_hash, now).await? {
        Some(_) => Ok(()),
        None => Err(SignInError::NoPendingSignIn),
    }
}
