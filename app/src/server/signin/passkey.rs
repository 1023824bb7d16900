//! Signing in with a passkey: from the first page with no username or password (a
//! discoverable, user-verified credential is a complete sign-in), or as the second step
//! of a password sign-in. Each ceremony is used once, whatever its outcome; each answer is
//! reserved on the name's lock ladder before it is checked, like a password or a code.

use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PublicKeyCredential, WebauthnError,
};

use crate::server::crypto::webauthn::{self, Binding, CeremonyError, RelyingParty, Started};
use crate::server::db::history::{Factor, Outcome};
use crate::server::db::passkey_ceremonies::Kind;
use crate::server::db::passkeys::{self, Stored};
use crate::server::db::users;
use crate::server::messaging::notify::{self, Notice, Origin};

use super::finish::complete_without_code;
use super::guess::{reserve_guess, wrong_guess, GuessKind};
use super::password_step::start_full_session;
use super::second_step::pending_session;
use super::*;

impl From<CeremonyError> for SignInError {
    fn from(e: CeremonyError) -> Self {
        match e {
            CeremonyError::Expired => SignInError::NoPendingSignIn,
            CeremonyError::Malformed => SignInError::PasskeyMalformed,
            CeremonyError::Database(e) => e.into(),
        }
    }
}

fn relying_party(req: &Ctx) -> Result<&RelyingParty, SignInError> {
    req.state.passkeys.as_ref().ok_or(SignInError::PasskeysOff)
}

/// The options for `navigator.credentials.get`: from the first page, any discoverable
/// credential of this site (the browser offers them in the Username field's autofill or
/// on the button); at the second step, the pending account's passkeys.
pub async fn begin(req: &Ctx) -> Result<Started, SignInError> {
    let rp = relying_party(req)?;
    if let Ok((pending, challenge)) = pending_session(req).await {
        let credentials = credentials_of(req, challenge.user_id).await?;
        if credentials.is_empty() {
            return Err(SignInError::NoPasskey);
        }
        let (options, state) = rp
            .webauthn()
            .start_passkey_authentication(&credentials)
            .map_err(refused)?;
        let binding = Binding {
            kind: Kind::SecondStep,
            user_id: Some(challenge.user_id),
            session_hash: Some(&pending.id_hash),
        };
        let mut conn = req.state.pool.acquire().await?;
        return Ok(webauthn::store(&mut conn, &binding, &state, &options, req.now).await?);
    }
    let (options, state) = rp
        .webauthn()
        .start_discoverable_authentication()
        .map_err(refused)?;
    let binding = Binding {
        kind: Kind::SignIn,
        user_id: None,
        session_hash: None,
    };
    let mut conn = req.state.pool.acquire().await?;
    Ok(webauthn::store(&mut conn, &binding, &state, &options, req.now).await?)
}

fn refused(e: WebauthnError) -> SignInError {
    tracing::warn!(error = %e, "webauthn refused to start a ceremony");
    SignInError::PasskeyRefused
}

async fn credentials_of(req: &Ctx, user_id: i64) -> Result<Vec<Passkey>, SignInError> {
    let stored = passkeys::credentials_of(&req.state.pool, user_id).await?;
    Ok(stored
        .iter()
        .filter_map(|json| serde_json::from_str(json).ok())
        .collect())
}

/// The browser's answer to [`begin`]: a complete sign-in from the first page, or the
/// pending sign-in's second step, whichever ceremony `ceremony` is.
pub async fn finish(req: &Ctx, ceremony: &str, answer: &str) -> Result<CodeAccepted, SignInError> {
    let rp = relying_party(req)?;
    let answer: PublicKeyCredential = webauthn::parse_answer(answer)?;
    let first_page = Binding {
        kind: Kind::SignIn,
        user_id: None,
        session_hash: None,
    };
    let mut conn = req.state.pool.acquire().await?;
    match webauthn::take(&mut conn, ceremony, &first_page, req.now).await {
        Ok((_, state)) => {
            drop(conn);
            let session_cookie = first_page_sign_in(req, rp, &answer, state).await?;
            Ok(CodeAccepted {
                session_cookie,
                device_cookie: None,
            })
        }
        Err(CeremonyError::Expired) => {
            drop(conn);
            second_step(req, rp, ceremony, &answer).await
        }
        Err(e) => Err(e.into()),
    }
}

/// A sign-in from the first page. The credential names its account (its user handle and
/// id must both match a stored passkey); the answer is reserved on that account's name
/// and the IP before it is checked, so failed answers count towards the lock like wrong
/// passwords, and a locked name refuses even a right one.
async fn first_page_sign_in(
    req: &Ctx,
    rp: &RelyingParty,
    answer: &PublicKeyCredential,
    state: DiscoverableAuthentication,
) -> Result<HeaderValue, SignInError> {
    let pool = &req.state.pool;
    let (handle, credential_id) = rp
        .webauthn()
        .identify_discoverable_authentication(answer)
        .map_err(|_| SignInError::PasskeyRefused)?;
    // Another account's credential, a removed one, or a handle that is not its owner's.
    let stored = passkeys::find(pool, credential_id)
        .await?
        .filter(|s| s.handle.as_deref() == Some(handle.as_bytes().as_slice()))
        .ok_or(SignInError::PasskeyRefused)?;
    let username = users::profile(pool, stored.user_id)
        .await?
        .map(|p| p.username)
        .ok_or(SignInError::PasskeyRefused)?;
    let user = Some(stored.user_id);
    let factor = Factor::Passkey;

    let subject = throttle::Subject::name(&username);
    let grant = match throttle::reserve(&req.state, &subject, &req.client).await? {
        Ok(grant) => grant,
        Err(refusal) => {
            let until = match refusal {
                throttle::Refusal::Locked(until) => Some(until),
                throttle::Refusal::IpBlocked => None,
            };
            req.record_with(user, &username, Outcome::Locked, factor, until)
                .await;
            return Err(SignInError::TooManyAttempts);
        }
    };
    let passkey = parse_stored(&stored)?;
    let checked = rp
        .webauthn()
        .finish_discoverable_authentication_v2(answer, state, &passkey);
    let result = match checked {
        Ok(result) => result,
        Err(e) => {
            refuse(req, &stored, &username, &e).await;
            if let Some(until) = grant.locks_until() {
                req.record_with(user, &username, Outcome::Locked, factor, Some(until))
                    .await;
            }
            return Err(SignInError::PasskeyRefused);
        }
    };
    // A right answer is no failure: its reservation is given back.
    throttle::release(&req.state, &grant).await;
    let mut tx = pool.begin().await?;
    record_use(&mut tx, &stored, passkey, &result, req.now).await?;
    start_full_session(req, tx, stored.user_id, &username, factor).await
}

/// "Use a passkey" at the second step: one of the pending sign-in's guesses, finished
/// like an app code or the recovery token.
async fn second_step(
    req: &Ctx,
    rp: &RelyingParty,
    ceremony: &str,
    answer: &PublicKeyCredential,
) -> Result<CodeAccepted, SignInError> {
    let (pending, challenge) = pending_session(req).await?;
    let binding = Binding {
        kind: Kind::SecondStep,
        user_id: Some(challenge.user_id),
        session_hash: Some(&pending.id_hash),
    };
    let mut conn = req.state.pool.acquire().await?;
    let (_, state): (_, PasskeyAuthentication) =
        webauthn::take(&mut conn, ceremony, &binding, req.now).await?;
    drop(conn);
    let factor = Factor::Passkey;
    let guess = reserve_guess(req, &pending, &challenge, GuessKind::Passkey, factor).await?;
    let user = Some(challenge.user_id);
    let name = challenge.username.clone();
    let stored = passkeys::find(&req.state.pool, answer.get_credential_id())
        .await?
        .filter(|s| s.user_id == challenge.user_id);
    let Some(stored) = stored else {
        return Err(as_refusal(
            wrong_guess(req, &guess, user, &name, factor).await,
        ));
    };
    let passkey = parse_stored(&stored)?;
    let result = match rp.webauthn().finish_passkey_authentication(answer, &state) {
        Ok(result) => result,
        Err(e) => {
            if webauthn::counter_went_back(&e) {
                tell_owner_of_clone(req, &stored).await;
            }
            tracing::info!(error = %e, "a passkey answer at the second step was refused");
            return Err(as_refusal(
                wrong_guess(req, &guess, user, &name, factor).await,
            ));
        }
    };
    let mut tx = req.state.pool.begin().await?;
    record_use(&mut tx, &stored, passkey, &result, req.now).await?;
    let user_id = challenge.user_id;
    complete_without_code(req, tx, &pending, &guess, user_id, &name, factor).await
}

/// A wrong second-step guess reads as a refused passkey, unless it ended the sign-in.
fn as_refusal(e: SignInError) -> SignInError {
    match e {
        SignInError::WrongCode { .. } => SignInError::PasskeyRefused,
        other => other,
    }
}

fn parse_stored(stored: &Stored) -> Result<Passkey, SignInError> {
    serde_json::from_str(&stored.credential).map_err(|e| {
        tracing::error!(error = %e, passkey = stored.id, "a stored passkey does not read back");
        SignInError::PasskeyRefused
    })
}

/// Stores the verified use in `tx`: the new sign count and backup state, checked once
/// more in the statement itself so two answers racing with the same count cannot both
/// pass.
async fn record_use(
    tx: &mut sqlx::PgConnection,
    stored: &Stored,
    mut passkey: Passkey,
    result: &webauthn_rs::prelude::AuthenticationResult,
    now: time::OffsetDateTime,
) -> Result<(), SignInError> {
    passkey.update_credential(result);
    let json = serde_json::to_string(&passkey).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let count = i64::from(result.counter());
    if !passkeys::record_use(tx, stored.id, &json, count, result.backup_state(), now).await? {
        return Err(SignInError::PasskeyRefused);
    }
    Ok(())
}

/// Records a refused first-page answer (already counted when it was reserved), telling the
/// owner when the sign count went backwards.
async fn refuse(req: &Ctx, stored: &Stored, username: &str, e: &WebauthnError) {
    tracing::info!(error = %e, passkey = stored.id, "a passkey sign-in was refused");
    if webauthn::counter_went_back(e) {
        tell_owner_of_clone(req, stored).await;
    }
    let user = Some(stored.user_id);
    req.record(user, username, Outcome::PasskeyRefused, Factor::Passkey)
        .await;
}

async fn tell_owner_of_clone(req: &Ctx, stored: &Stored) {
    tracing::warn!(
        passkey = stored.id,
        user_id = stored.user_id,
        "a passkey's sign count went backwards: possibly cloned"
    );
    let notice = Notice::PasskeyCounterWentBack {
        name: stored.name.clone(),
    };
    let origin = Origin::of(&req.client, req.now);
    notify::notify_after(&req.state, stored.user_id, notice, origin).await;
}
