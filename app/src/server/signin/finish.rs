//! The one way a second step ends: the pending session replaced by a full one.

use crate::server::db::devices;
use crate::server::db::history::Factor;
use crate::server::db::sessions::{self, Stage};
use crate::server::session::{self, CookieKind, PendingSession, SecretToken};

use super::*;

/// A second step that succeeded: whose sign-in, how, and whether to trust the device.
pub(super) struct Finish<'a> {
    pub(super) user_id: i64,
    pub(super) name: &'a str,
    pub(super) trust_device: bool,
    pub(super) factor: Factor,
}

/// Ends a pending sign-in whose second step succeeded inside `tx`: the pending session
/// is replaced by a full one, the device trusted if asked, the sign-in recorded. The one
/// way every second factor finishes.
pub(super) async fn complete(
    req: &Request<'_>,
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    pending: &PendingSession,
    finished: Finish<'_>,
) -> Result<CodeAccepted, SignInError> {
    let state = req.state;
    let settings = &state.settings;
    let now = req.now();
    let user_id = finished.user_id;
    // The pending sign-in ends once, whatever else races it.
    if !sessions::delete_returning(&mut tx, &pending.id_hash).await? {
        return Err(SignInError::NoPendingSignIn);
    }
    let (_, session_cookie) = session::begin(
        &mut tx,
        settings,
        now,
        user_id,
        Stage::Full,
        pending.authenticated_at,
    )
    .await?;

    let device_cookie = if finished.trust_device {
        let token = SecretToken::generate();
        let expires = now + settings.trusted_device_ttl;
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
            settings.trusted_device_ttl,
        ))
    } else {
        None
    };
    let signed_in = req
        .record_sign_in(&mut tx, user_id, finished.name, finished.factor)
        .await?;
    tx.commit().await?;
    signed_in.notify(req).await;
    Ok(CodeAccepted {
        session_cookie,
        device_cookie,
    })
}
