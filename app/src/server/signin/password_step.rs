//! The password step: the attempt reserved, the hash, then a full session or a pending
//! sign-in with its texted code.

use http::HeaderValue;

use crate::domain::{Password, PhoneNumber, Username};
use crate::server::crypto::password::Verification;
use crate::server::db::challenges::{self, IssuedCode};
use crate::server::db::history::{Factor, Outcome};
use crate::server::db::sessions::{self, Stage};
use crate::server::db::{devices, users};
use crate::server::messaging::limits::{self, SmsRefusal};
use crate::server::signin::session::{self, CookieKind, SecretToken};
use crate::server::{crypto::otp, signin::throttle, AppState};

use super::*;

/// Username and password. Unknown and malformed usernames are checked against a dummy
/// hash, so they take as long as a wrong password and read the same.
///
/// The attempt is reserved against the name (or the trusted device presented) and the
/// IP before the hash ([`throttle::reserve`]); a right password gives it back.
pub async fn password_step(
    req: &Ctx,
    username: &str,
    password: &Password,
) -> Result<PasswordOutcome, SignInError> {
    let state = &req.state;
    let now = req.now;
    // What the customer typed, bounded, for the history.
    let typed: String = username.trim().chars().take(64).collect();
    let account = match Username::parse(username) {
        Ok(name) => users::credentials(&state.pool, &name).await?,
        Err(_) => None,
    };
    let user_id = account.as_ref().map(|a| a.id);
    // A trusted device of this account is counted under its own key, past a lock that
    // strangers' guesses put on the name.
    let device = match (&account, trusted_device_token(req)) {
        (Some(account), Some(token)) => {
            devices::live_id(&state.pool, &token.hash(), account.id, now).await?
        }
        _ => None,
    };
    let subject = match device {
        Some(id) => throttle::Subject::Device(id),
        None => throttle::Subject::name(username),
    };

    // Locked names and blocked IPs cost the same hashing and read the same as a wrong
    // password, whether or not the account exists.
    let grant = match throttle::reserve(state, &subject, &req.client).await? {
        Ok(grant) => grant,
        Err(refusal) => {
            state.hasher.verify_dummy(password).await?;
            let until = match refusal {
                throttle::Refusal::Locked(until) => Some(until),
                throttle::Refusal::IpBlocked => None,
            };
            req.record_with(user_id, &typed, Outcome::Locked, Factor::Password, until)
                .await;
            return Err(SignInError::InvalidCredentials);
        }
    };
    let delay = throttle::slowdown(
        state.settings.lockout.slowdown_per_failure,
        grant.failures_before(),
    );
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    let verified = match &account {
        Some(account) => state.hasher.verify(password, &account.password_hash).await,
        None => state
            .hasher
            .verify_dummy(password)
            .await
            .map(|_| Verification::Mismatch),
    };
    let verified = match verified {
        Ok(v) => v,
        Err(e) => {
            // Never checked: the attempt does not count.
            throttle::release(state, &grant).await;
            return Err(e.into());
        }
    };
    let (account, needs_rehash) = match (verified, account) {
        (Verification::Match { needs_rehash }, Some(account)) => (account, needs_rehash),
        _ => {
            // The failure was counted when the attempt was reserved.
            req.record(user_id, &typed, Outcome::WrongPassword, Factor::Password)
                .await;
            if let Some(until) = grant.locks_until() {
                req.record_with(
                    user_id,
                    &typed,
                    Outcome::Locked,
                    Factor::Password,
                    Some(until),
                )
                .await;
            }
            return Err(SignInError::InvalidCredentials);
        }
    };
    // The password was right: the attempt was no failure. (Second-step guesses are
    // reserved on the name one by one; only a finished sign-in clears it.)
    throttle::release(state, &grant).await;
    if needs_rehash {
        let hash = state.hasher.hash(password).await?;
        users::rehash_password(&state.pool, account.id, &account.password_hash, &hash).await?;
    }

    match route(account.two_factor_enabled, device.is_some()) {
        Route::SignIn => {
            let tx = state.pool.begin().await?;
            let cookie = start_full_session(req, tx, account.id, &typed, Factor::Password).await?;
            return Ok(PasswordOutcome::SignedIn { cookie });
        }
        Route::TrustedDevice => {
            // Used in one statement: a device revoked since it was looked up falls
            // through to the second step.
            if let Some(token) = trusted_device_token(req) {
                if devices::use_for(&state.pool, &token.hash(), account.id, now).await? {
                    let factor = Factor::TrustedDevice;
                    let tx = state.pool.begin().await?;
                    let cookie = start_full_session(req, tx, account.id, &typed, factor).await?;
                    return Ok(PasswordOutcome::SignedIn { cookie });
                }
            }
        }
        Route::SecondStep => {}
    }
    open_pending(req, &account, &typed).await
}

/// Where a right password leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Two-factor authentication is off: a full session now.
    SignIn,
    /// A live trusted device of the account: a full session, no code.
    TrustedDevice,
    /// A pending sign-in and its second step.
    SecondStep,
}

/// The password step's decision, without IO. Two-factor authentication on means a second
/// step, even with no factor to offer (only the recovery token works then): it fails
/// closed.
pub fn route(two_factor_enabled: bool, trusted_device: bool) -> Route {
    match (two_factor_enabled, trusted_device) {
        (false, _) => Route::SignIn,
        (true, true) => Route::TrustedDevice,
        (true, false) => Route::SecondStep,
    }
}

fn trusted_device_token(req: &Ctx) -> Option<SecretToken> {
    session::token_from_headers(&req.state.settings, CookieKind::TrustedDevice, &req.headers)
}

/// The second step begins: a pending session (new id) and its challenge, in one
/// transaction that also makes room (at most `max_pending_signins` per account) and
/// reserves the text against the SMS caps. A text the caps refuse leaves a challenge
/// with no code at all: only the recovery token can finish it.
async fn open_pending(
    req: &Ctx,
    account: &users::Credentials,
    typed: &str,
) -> Result<PasswordOutcome, SignInError> {
    let state = &req.state;
    let settings = &state.settings;
    let now = req.now;
    let code = otp::generate();
    let issued = IssuedCode {
        salt: &code.salt,
        hash: &code.hash,
        expires_at: now + settings.codes.ttl,
    };
    let mut tx = state.pool.begin().await?;
    session::end_current(&mut tx, settings, &req.headers).await?;
    let keep = (settings.codes.max_pending_signins - 1).max(0);
    sessions::make_room_for_pending(&mut tx, account.id, keep, now).await?;
    let (token, cookie) = session::begin(
        &mut tx,
        req,
        account.id,
        Stage::Pending,
        now,
        Factor::Password,
    )
    .await?;
    // With an authenticator app nothing is texted unless asked ("Text me a code instead").
    let sms_refused = match (&account.phone, account.has_app) {
        (_, true) => None,
        (None, false) => Some(SmsRefusal::NoPhone),
        (Some(phone), false) => {
            // The SMS caps' reservations join this transaction only when granted.
            let mut sp = sqlx::Connection::begin(&mut *tx).await?;
            match limits::reserve_in(&mut sp, state, phone, account.id, &req.client).await? {
                Ok(()) => {
                    sp.commit().await?;
                    None
                }
                Err(refusal) => {
                    sp.rollback().await?;
                    Some(refusal)
                }
            }
        }
    };
    let text_now = !account.has_app && sms_refused.is_none();
    challenges::insert(&mut tx, &token.hash(), account.id, &issued, now, text_now).await?;
    tx.commit().await?;

    let masked_phone = account
        .phone
        .clone()
        .map(|p| PhoneNumber::from_trusted_e164(p).masked())
        .unwrap_or_default();
    let mut pending = Pending {
        masked_phone,
        resend_in_seconds: 0,
        attempts_left: settings.codes.max_attempts as u32,
        sms_refused,
        app: account.has_app,
        can_text: account.phone.is_some(),
        passkey: account.has_passkey,
    };
    if text_now {
        let phone = account.phone.as_deref().unwrap_or_default();
        if let Err(e) = text_code(state, phone, &code.digits).await {
            // Without a code the pending sign-in is useless; do not leave it behind.
            let mut conn = state.pool.acquire().await?;
            sessions::delete(&mut conn, &token.hash()).await?;
            return Err(e);
        }
        pending.resend_in_seconds = settings.codes.resend_cooldown.whole_seconds() as u32;
    }
    req.record(Some(account.id), typed, Outcome::CodeSent, Factor::Password)
        .await;
    Ok(PasswordOutcome::CodeSent { cookie, pending })
}

/// A sign-in that needs no second step: the full session and its record in `tx` (which
/// may hold more of the sign-in, such as a passkey's new sign count), committed here.
pub(super) async fn start_full_session(
    req: &Ctx,
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    user_id: i64,
    username: &str,
    factor: Factor,
) -> Result<HeaderValue, SignInError> {
    let now = req.now;
    session::end_current(&mut tx, &req.state.settings, &req.headers).await?;
    let (_, cookie) = session::begin(&mut tx, req, user_id, Stage::Full, now, factor).await?;
    let signed_in = record_sign_in(req, &mut tx, user_id, username, factor).await?;
    tx.commit().await?;
    signed_in.notify(req).await;
    Ok(cookie)
}

/// The SMS itself. The error names the provider's failure, never the message.
pub(super) async fn text_code(
    state: &AppState,
    phone: &str,
    digits: &str,
) -> Result<(), SignInError> {
    let body = crate::server::messaging::texts::sign_in_code(&state.settings, digits);
    crate::server::messaging::text_code_now(state, phone, &body)
        .await
        .map_err(Into::into)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_right_password_goes_where_the_account_and_device_say() {
        let table = [
            (false, false, Route::SignIn),
            (false, true, Route::SignIn),
            (true, true, Route::TrustedDevice),
            (true, false, Route::SecondStep),
        ];
        for (two_factor, device, expected) in table {
            assert_eq!(route(two_factor, device), expected, "{two_factor} {device}");
        }
    }
}
