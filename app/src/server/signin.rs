//! Signing in: the password step, the texted code, resends, trusted devices, and the
//! login history row each attempt leaves.

use http::{HeaderMap, HeaderValue};
use time::{Duration, OffsetDateTime};

use super::client::ClientInfo;
use super::db::challenges::{self, IssuedCode};
use super::db::history::{self, Attempt, Factor, Outcome};
use super::db::sessions::Stage;
use super::db::{authenticator, devices, throttles, users};
use super::notify::{self, Notice, Origin};
use super::password::{HashError, Verification};
use super::session::{self, CookieKind, PendingSession, SecretToken};
use super::sms_guard::{self, SmsRefusal};
use super::throttle;
use super::{otp, AppState};
use crate::domain::{OtpCode, Password, PhoneNumber, RecoveryToken, Username};

/// Everything about the request a sign-in step needs.
pub struct Request<'a> {
    pub state: &'a AppState,
    pub headers: &'a HeaderMap,
    pub client: ClientInfo,
}

/// What a pending sign-in shows: where the code went and when another may be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub masked_phone: String,
    pub resend_in_seconds: u32,
    pub attempts_left: u32,
    /// No code could be texted (daily limit or country); the recovery token still works.
    pub sms_refused: Option<SmsRefusal>,
    /// The authenticator app is asked for (nothing has been texted yet).
    pub app: bool,
    /// "Text me a code instead" is possible (the account has a phone).
    pub can_text: bool,
}

/// The result of the password step.
pub enum PasswordOutcome {
    /// Signed in (no 2FA, or a trusted device); the session cookie to set.
    SignedIn { cookie: HeaderValue },
    /// A code was texted; the pending session's cookie to set.
    CodeSent {
        cookie: HeaderValue,
        pending: Pending,
    },
}

/// The result of a correct code: the new session, and the device cookie if trusted.
pub struct CodeAccepted {
    pub session_cookie: HeaderValue,
    pub device_cookie: Option<HeaderValue>,
}

/// Why a sign-in step failed.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// Unknown user or wrong password: deliberately one case.
    #[error("invalid username or password")]
    InvalidCredentials,
    #[error("no pending sign-in")]
    NoPendingSignIn,
    #[error("wrong code")]
    WrongCode { attempts_left: u32 },
    #[error("code expired; a new one was sent")]
    CodeExpired,
    #[error("too many wrong codes")]
    TooManyAttempts,
    #[error("resend refused: cooldown")]
    ResendTooSoon { wait_seconds: u32 },
    #[error("resend refused: cap reached")]
    ResendLimit,
    #[error("sending the SMS failed: {0}")]
    Sms(String),
    #[error("SMS refused: {0:?}")]
    SmsRefused(SmsRefusal),
    #[error("password hashing failed: {0}")]
    Hash(#[from] HashError),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl Request<'_> {
    fn now(&self) -> OffsetDateTime {
        self.state.clock.now()
    }

    async fn record(&self, user_id: Option<i64>, username: &str, outcome: Outcome, factor: Factor) {
        self.record_with(user_id, username, outcome, factor, None)
            .await;
    }

    async fn record_with(
        &self,
        user_id: Option<i64>,
        username: &str,
        outcome: Outcome,
        factor: Factor,
        locked_until: Option<OffsetDateTime>,
    ) {
        let pool = &self.state.pool;
        let written = self
            .write_attempt(pool, user_id, username, outcome, factor, locked_until)
            .await;
        // A lost row about a refused attempt must not change the answer, but it is logged.
        if let Err(e) = written {
            tracing::error!(error = %e, "recording a login attempt");
        }
    }

    /// Writes this request's attempt to the history with `db` (the pool, or the
    /// transaction of a sign-in).
    async fn write_attempt(
        &self,
        db: impl sqlx::PgExecutor<'_>,
        user_id: Option<i64>,
        username: &str,
        outcome: Outcome,
        factor: Factor,
        locked_until: Option<OffsetDateTime>,
    ) -> Result<(), sqlx::Error> {
        let ip = self.client.ip_text();
        let attempt = Attempt {
            user_id,
            username_typed: username,
            at: self.now(),
            ip: &ip,
            user_agent: &self.client.user_agent,
            outcome,
            factor,
            locked_until,
        };
        history::record(db, &attempt).await
    }
}

/// A sign-in recorded inside its session's transaction; the notices it calls for go out
/// once that transaction has committed ([`SignedIn::notify`]).
#[must_use]
struct SignedIn {
    user_id: i64,
    factor: Factor,
    new_device: bool,
}

impl Request<'_> {
    /// Records a completed sign-in in the transaction that creates its session — the
    /// history row and the cleared failure count commit with the session or not at all,
    /// so a database failure never leaves a sign-in half-recorded.
    async fn record_sign_in(
        &self,
        tx: &mut sqlx::PgConnection,
        user_id: i64,
        username: &str,
        factor: Factor,
    ) -> Result<SignedIn, sqlx::Error> {
        let new_device = match factor {
            Factor::TrustedDevice => false,
            _ => history::is_new_device(&mut *tx, user_id, &self.client.user_agent).await?,
        };
        let signed_in = Outcome::SignedIn;
        self.write_attempt(&mut *tx, Some(user_id), username, signed_in, factor, None)
            .await?;
        throttles::clear(&mut *tx, &throttle::normalise(username)).await?;
        Ok(SignedIn {
            user_id,
            factor,
            new_device,
        })
    }
}

impl SignedIn {
    /// Tells the customer when the sign-in used their recovery token or came from a
    /// browser the account has not signed in from before.
    async fn notify(self, req: &Request<'_>) {
        let (state, user_id, factor, new_device) =
            (req.state, self.user_id, self.factor, self.new_device);
        let origin = Origin::of(&req.client, req.state.clock.now());
        if factor == Factor::RecoveryToken {
            notify::notify(state, user_id, Notice::RecoveryTokenUsed, origin).await;
        } else if new_device {
            notify::notify(state, user_id, Notice::NewDeviceSignIn, origin).await;
        }
    }
}

/// Username and password. Unknown and malformed usernames are checked against a dummy
/// hash, so they take as long as a wrong password and read the same.
pub async fn password_step(
    req: &Request<'_>,
    username: &str,
    password: &Password,
) -> Result<PasswordOutcome, SignInError> {
    let state = req.state;
    // What the customer typed, bounded, for the history.
    let typed: String = username.trim().chars().take(64).collect();
    let key = throttle::normalise(username);
    let account = match Username::parse(username) {
        Ok(name) => users::credentials(&state.pool, &name).await?,
        Err(_) => None,
    };
    let user_id = account.as_ref().map(|a| a.id);

    // Locked names and blocked IPs cost the same hashing and read the same as a wrong
    // password, whether or not the account exists.
    let standing = throttle::check(state, &key, &req.client).await?;
    if let Some(refusal) = standing.refusal {
        state.hasher.verify_dummy(password).await?;
        let until = match refusal {
            throttle::Refusal::Locked(until) => Some(until),
            throttle::Refusal::IpBlocked => None,
        };
        req.record_with(user_id, &typed, Outcome::Locked, Factor::Password, until)
            .await;
        return Err(SignInError::InvalidCredentials);
    }
    let delay = throttle::slowdown(state.settings.slowdown_per_failure, standing.failures);
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }

    let verified = match &account {
        Some(account) => {
            state
                .hasher
                .verify(password, &account.password_hash)
                .await?
        }
        None => {
            state.hasher.verify_dummy(password).await?;
            Verification::Mismatch
        }
    };
    let (account, needs_rehash) = match (verified, account) {
        (Verification::Match { needs_rehash }, Some(account)) => (account, needs_rehash),
        _ => {
            req.record(user_id, &typed, Outcome::WrongPassword, Factor::Password)
                .await;
            let (_, locked) = throttle::failed(state, &key, &req.client).await?;
            if let Some(until) = locked {
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
    if needs_rehash {
        let hash = state.hasher.hash(password).await?;
        users::set_password_hash(&state.pool, account.id, &hash).await?;
    }

    let now = req.now();
    let second_factor = account.two_factor_enabled && (account.phone.is_some() || account.has_app);
    if !second_factor {
        let cookie = start_full_session(req, account.id, &typed, Factor::Password).await?;
        return Ok(PasswordOutcome::SignedIn { cookie });
    }
    if let Some(device) =
        session::token_from_headers(&state.settings, CookieKind::TrustedDevice, req.headers)
    {
        if devices::use_for(&state.pool, &device.hash(), account.id, now).await? {
            let cookie = start_full_session(req, account.id, &typed, Factor::TrustedDevice).await?;
            return Ok(PasswordOutcome::SignedIn { cookie });
        }
    }

    // Second factor: a pending session (new id) with its code, in one transaction.
    let code = otp::generate();
    let issued = IssuedCode {
        salt: &code.salt,
        hash: &code.hash,
        expires_at: now + state.settings.code_ttl,
    };
    let mut tx = state.pool.begin().await?;
    session::end_current(&mut tx, &state.settings, req.headers).await?;
    let (token, cookie) = session::begin(
        &mut tx,
        &state.settings,
        now,
        account.id,
        Stage::Pending,
        now,
    )
    .await?;
    // With an authenticator app nothing is texted unless asked ("Text me a code instead").
    let text_now = !account.has_app;
    challenges::insert(&mut tx, &token.hash(), account.id, &issued, now, text_now).await?;
    tx.commit().await?;
    let masked_phone = account
        .phone
        .clone()
        .map(|p| PhoneNumber::from_trusted_e164(p).masked())
        .unwrap_or_default();
    if !text_now {
        req.record(
            Some(account.id),
            &typed,
            Outcome::CodeSent,
            Factor::Password,
        )
        .await;
        let pending = Pending {
            masked_phone,
            resend_in_seconds: 0,
            attempts_left: state.settings.max_code_attempts as u32,
            sms_refused: None,
            app: true,
            can_text: account.phone.is_some(),
        };
        return Ok(PasswordOutcome::CodeSent { cookie, pending });
    }
    let phone = account.phone.clone().unwrap_or_default();

    let mut sms_refused = None;
    match send_code(req, account.id, &phone, &code.digits).await {
        Ok(()) => {}
        // The pending sign-in stays: the recovery token still works without a text.
        Err(SignInError::SmsRefused(r)) => sms_refused = Some(r),
        Err(e) => {
            // Without a code the pending sign-in is useless; do not leave it behind.
            let mut conn = state.pool.acquire().await?;
            super::db::sessions::delete(&mut conn, &token.hash()).await?;
            return Err(e);
        }
    }
    req.record(
        Some(account.id),
        &typed,
        Outcome::CodeSent,
        Factor::Password,
    )
    .await;
    let pending = Pending {
        masked_phone,
        resend_in_seconds: state.settings.resend_cooldown.whole_seconds() as u32,
        attempts_left: state.settings.max_code_attempts as u32,
        sms_refused,
        app: false,
        can_text: true,
    };
    Ok(PasswordOutcome::CodeSent { cookie, pending })
}

/// A sign-in that needs no second step: the full session and its record in one
/// transaction.
async fn start_full_session(
    req: &Request<'_>,
    user_id: i64,
    username: &str,
    factor: Factor,
) -> Result<HeaderValue, SignInError> {
    let now = req.now();
    let mut tx = req.state.pool.begin().await?;
    session::end_current(&mut tx, &req.state.settings, req.headers).await?;
    let (_, cookie) =
        session::begin(&mut tx, &req.state.settings, now, user_id, Stage::Full, now).await?;
    let signed_in = req
        .record_sign_in(&mut tx, user_id, username, factor)
        .await?;
    tx.commit().await?;
    signed_in.notify(req).await;
    Ok(cookie)
}

/// Texts a sign-in code, within the SMS limits.
async fn send_code(
    req: &Request<'_>,
    user_id: i64,
    phone: &str,
    digits: &str,
) -> Result<(), SignInError> {
    if let Err(refusal) = sms_guard::allow(req.state, phone, user_id, &req.client).await? {
        return Err(SignInError::SmsRefused(refusal));
    }
    text_code(req.state, phone, digits).await
}

/// The SMS itself. The error names the provider's failure, never the message.
async fn text_code(state: &AppState, phone: &str, digits: &str) -> Result<(), SignInError> {
    let minutes = state.settings.code_ttl.whole_minutes();
    let body = format!(
        "{}: your sign-in code is {digits}. It expires in {minutes} minutes. Don't share it.",
        state.settings.brand
    );
    state
        .sms
        .send_sms(phone, &body)
        .await
        .map_err(|e| SignInError::Sms(e.to_string()))
}

async fn pending_session(
    req: &Request<'_>,
) -> Result<(PendingSession, challenges::Challenge), SignInError> {
    let pending = session::current_pending(req.state, req.headers)
        .await?
        .ok_or(SignInError::NoPendingSignIn)?;
    let challenge = challenges::find(&req.state.pool, &pending.id_hash)
        .await?
        .filter(|c| c.consumed_at.is_none())
        .ok_or(SignInError::NoPendingSignIn)?;
    Ok((pending, challenge))
}

fn describe(state: &AppState, c: &challenges::Challenge, now: OffsetDateTime) -> Pending {
    let ready_at = c.last_sent_at + state.settings.resend_cooldown;
    Pending {
        masked_phone: c
            .phone
            .clone()
            .map(|p| PhoneNumber::from_trusted_e164(p).masked())
            .unwrap_or_default(),
        resend_in_seconds: seconds_until(now, ready_at),
        attempts_left: (state.settings.max_code_attempts - c.failed_attempts).max(0) as u32,
        sms_refused: None,
        app: c.has_app && c.sends == 0,
        can_text: c.phone.is_some(),
    }
}

fn seconds_until(now: OffsetDateTime, then: OffsetDateTime) -> u32 {
    let d = then - now;
    if d <= Duration::ZERO {
        0
    } else {
        // Round up so "0 seconds" is never shown while still refused.
        (d.whole_milliseconds() as u64).div_ceil(1000) as u32
    }
}

/// The pending sign-in of this request, for the second-step form.
pub async fn pending(req: &Request<'_>) -> Result<Option<Pending>, SignInError> {
    match pending_session(req).await {
        Ok((_, c)) => Ok(Some(describe(req.state, &c, req.now()))),
        Err(SignInError::NoPendingSignIn) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The pending sign-in and its challenge, unless it has used up its wrong guesses (then
/// the attempt is recorded and refused, whatever was entered).
async fn open_second_step(
    req: &Request<'_>,
    factor: Factor,
) -> Result<(PendingSession, challenges::Challenge), SignInError> {
    let (pending, challenge) = pending_session(req).await?;
    if challenge.failed_attempts >= req.state.settings.max_code_attempts {
        // Still a failed attempt: counted for the sign-in, the name and the IP.
        challenges::record_failure(&req.state.pool, &pending.id_hash).await?;
        throttle::failed(req.state, &challenge.username, &req.client).await?;
        req.record(
            Some(challenge.user_id),
            &challenge.username,
            Outcome::TooManyAttempts,
            factor,
        )
        .await;
        return Err(SignInError::TooManyAttempts);
    }
    Ok((pending, challenge))
}

/// Counts a wrong code (or token) against the pending sign-in, atomically, and records
/// it; returns the error the customer sees: the attempts left, or that there are none.
async fn wrong_guess(
    req: &Request<'_>,
    session_hash: &[u8],
    user: Option<i64>,
    name: &str,
    factor: Factor,
) -> Result<SignInError, SignInError> {
    let max = req.state.settings.max_code_attempts;
    let failures = challenges::record_failure(&req.state.pool, session_hash)
        .await?
        .ok_or(SignInError::NoPendingSignIn)?;
    throttle::failed(req.state, &throttle::normalise(name), &req.client).await?;
    if failures >= max {
        req.record(user, name, Outcome::TooManyAttempts, factor)
            .await;
        if failures == max {
            // Someone with the password is guessing codes: tell the owner, once.
            if let Some(user_id) = user {
                let notice = Notice::SecondFactorFailures {
                    failures: max as u32,
                };
                notify::notify(
                    req.state,
                    user_id,
                    notice,
                    Origin::of(&req.client, req.now()),
                )
                .await;
            }
        }
        return Ok(SignInError::TooManyAttempts);
    }
    req.record(user, name, Outcome::WrongCode, factor).await;
    Ok(SignInError::WrongCode {
        attempts_left: (max - failures) as u32,
    })
}

/// The second step: checks the code, and on success replaces the pending session with a
/// The second step: the authenticator app's code when the account has one, else (or
/// after "Text me a code instead") the texted code. On success the pending session is
/// replaced with a full one (a new id) and, if asked, this device is trusted.
pub async fn verify_code(
    req: &Request<'_>,
    code: &OtpCode,
    trust_device: bool,
) -> Result<CodeAccepted, SignInError> {
    let state = req.state;
    let settings = &state.settings;
    let (pending, challenge) = open_second_step(req, Factor::SmsCode).await?;
    let now = req.now();
    let user = Some(challenge.user_id);
    let name = challenge.username.clone();

    if challenge.has_app {
        if let Some(step) = app_step(state, challenge.user_id, code, now).await? {
            let mut tx = state.pool.begin().await?;
            // One statement each: the step is used once, the challenge ends once.
            if authenticator::use_step(&mut tx, challenge.user_id, step).await? {
                if challenges::finish(&mut tx, &pending.id_hash, now)
                    .await?
                    .is_none()
                {
                    return Err(SignInError::NoPendingSignIn);
                }
                return complete(
                    req,
                    tx,
                    &pending,
                    challenge.user_id,
                    &name,
                    trust_device,
                    Factor::AuthenticatorApp,
                )
                .await;
            }
            // A replayed code (its step, or a later one, was used already).
        }
        if challenge.sends == 0 {
            // Nothing was texted: only the app's code could have been right.
            let factor = Factor::AuthenticatorApp;
            return Err(wrong_guess(req, &pending.id_hash, user, &name, factor).await?);
        }
    }

    if now >= challenge.code_expires_at {
        req.record(user, &name, Outcome::ExpiredCode, Factor::SmsCode)
            .await;
        // Send a fresh code straight away, within the same cap as resends.
        return match issue_new_code(req, &pending, &challenge, now, now).await {
            Ok(()) => Err(SignInError::CodeExpired),
            Err(SignInError::ResendTooSoon { .. }) => Err(SignInError::CodeExpired),
            Err(e) => Err(e),
        };
    }
    if !otp::matches(&challenge.code_salt, code, &challenge.code_hash) {
        return Err(wrong_guess(req, &pending.id_hash, user, &name, Factor::SmsCode).await?);
    }

    let mut tx = state.pool.begin().await?;
    let code_hash = otp::hash(&challenge.code_salt, code);
    let Some(user_id) = challenges::consume(
        &mut tx,
        &pending.id_hash,
        &code_hash,
        now,
        settings.max_code_attempts,
    )
    .await?
    else {
        // Another request used it first, or it was replaced or exhausted meanwhile.
        return Err(SignInError::NoPendingSignIn);
    };
    complete(
        req,
        tx,
        &pending,
        user_id,
        &name,
        trust_device,
        Factor::SmsCode,
    )
    .await
}

/// The step of the account's app that `code` belongs to, if it is current (±1 step).
async fn app_step(
    state: &AppState,
    user_id: i64,
    code: &OtpCode,
    now: OffsetDateTime,
) -> Result<Option<i64>, SignInError> {
    let secret = match super::authenticator::confirmed_secret(state, user_id).await {
        Ok(Some(secret)) => secret,
        Ok(None) => return Ok(None),
        Err(super::authenticator::AuthenticatorError::Database(e)) => return Err(e.into()),
        Err(e) => {
            // A missing or wrong GATEHOUSE_SECRET_KEY: the app cannot answer; SMS still can.
            tracing::error!(error = %e, "opening an authenticator secret");
            return Ok(None);
        }
    };
    Ok(super::totp::matching_step(&secret, code.as_str(), now))
}

/// Ends a pending sign-in whose second step succeeded inside `tx`: the pending session
/// is replaced by a full one, the device trusted if asked, the sign-in recorded.
async fn complete(
    req: &Request<'_>,
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    pending: &PendingSession,
    user_id: i64,
    name: &str,
    trust_device: bool,
    factor: Factor,
) -> Result<CodeAccepted, SignInError> {
    let state = req.state;
    let settings = &state.settings;
    let now = req.now();
    super::db::sessions::delete(&mut tx, &pending.id_hash).await?;
    let (_, session_cookie) = session::begin(
        &mut tx,
        settings,
        now,
        user_id,
        Stage::Full,
        pending.authenticated_at,
    )
    .await?;

    let device_cookie = if trust_device {
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
    let signed_in = req.record_sign_in(&mut tx, user_id, name, factor).await?;
    tx.commit().await?;
    signed_in.notify(req).await;
    Ok(CodeAccepted {
        session_cookie,
        device_cookie,
    })
}

/// The second step with the Recovery Token instead of the texted code. A wrong token
/// counts as a wrong code; the right one works once and marks the account so the
/// Security tab asks for a new token.
pub async fn verify_recovery(
    req: &Request<'_>,
    token: &RecoveryToken,
) -> Result<CodeAccepted, SignInError> {
    let state = req.state;
    let settings = &state.settings;
    let (pending, challenge) = open_second_step(req, Factor::RecoveryToken).await?;
    let now = req.now();
    let user = Some(challenge.user_id);
    let name = challenge.username.clone();
    let mut tx = state.pool.begin().await?;
    if !super::db::recovery::consume(
        &mut tx,
        challenge.user_id,
        &super::recovery::hash(token),
        now,
    )
    .await?
    {
        drop(tx);
        return Err(wrong_guess(req, &pending.id_hash, user, &name, Factor::RecoveryToken).await?);
    }
    // The pending sign-in ends with the token, whatever else races it.
    let ended = super::db::sessions::delete_returning(&mut tx, &pending.id_hash).await?;
    if !ended {
        return Err(SignInError::NoPendingSignIn);
    }
    let (_, session_cookie) = session::begin(
        &mut tx,
        settings,
        now,
        challenge.user_id,
        Stage::Full,
        pending.authenticated_at,
    )
    .await?;
    let signed_in = req
        .record_sign_in(&mut tx, challenge.user_id, &name, Factor::RecoveryToken)
        .await?;
    tx.commit().await?;
    signed_in.notify(req).await;
    Ok(CodeAccepted {
        session_cookie,
        device_cookie: None,
    })
}

/// Texts a new code for the pending sign-in, replacing the old one; refused during the
/// cooldown and past the cap. The failed-attempt count carries over.
pub async fn resend(req: &Request<'_>) -> Result<Pending, SignInError> {
    let (pending, challenge) = pending_session(req).await?;
    let now = req.now();
    if challenge.failed_attempts >= req.state.settings.max_code_attempts {
        return Err(SignInError::TooManyAttempts);
    }
    issue_new_code(
        req,
        &pending,
        &challenge,
        now,
        now - req.state.settings.resend_cooldown,
    )
    .await?;
    let fresh = challenges::find(&req.state.pool, &pending.id_hash)
        .await?
        .ok_or(SignInError::NoPendingSignIn)?;
    Ok(describe(req.state, &fresh, now))
}

async fn issue_new_code(
    req: &Request<'_>,
    pending: &PendingSession,
    challenge: &challenges::Challenge,
    now: OffsetDateTime,
    cooldown_cutoff: OffsetDateTime,
) -> Result<(), SignInError> {
    let settings = &req.state.settings;
    let phone = challenge
        .phone
        .clone()
        .ok_or(SignInError::NoPendingSignIn)?;
    let code = otp::generate();
    let issued = IssuedCode {
        salt: &code.salt,
        hash: &code.hash,
        expires_at: now + settings.code_ttl,
    };
    if let Err(refusal) =
        sms_guard::check(req.state, &phone, challenge.user_id, &req.client).await?
    {
        return Err(SignInError::SmsRefused(refusal));
    }
    let replaced = challenges::replace_code(
        &req.state.pool,
        &pending.id_hash,
        &issued,
        now,
        cooldown_cutoff,
        settings.max_sends_per_signin,
    )
    .await?;
    if replaced.is_none() {
        return Err(if challenge.sends >= settings.max_sends_per_signin {
            SignInError::ResendLimit
        } else {
            SignInError::ResendTooSoon {
                wait_seconds: seconds_until(now, challenge.last_sent_at + settings.resend_cooldown)
                    .max(1),
            }
        });
    }
    sms_guard::count(req.state, &phone, challenge.user_id, &req.client).await?;
    text_code(req.state, &phone, &code.digits).await
}

/// Abandons a pending sign-in ("Start over").
pub async fn cancel(req: &Request<'_>) -> Result<HeaderValue, SignInError> {
    if let Some(p) = session::current_pending(req.state, req.headers).await? {
        let mut conn = req.state.pool.acquire().await?;
        super::db::sessions::delete(&mut conn, &p.id_hash).await?;
    }
    Ok(session::clear_cookie(
        &req.state.settings,
        CookieKind::Session,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_round_up_and_never_go_negative() {
        let now = OffsetDateTime::UNIX_EPOCH;
        assert_eq!(seconds_until(now, now - Duration::seconds(5)), 0);
        assert_eq!(seconds_until(now, now), 0);
        assert_eq!(seconds_until(now, now + Duration::milliseconds(1)), 1);
        assert_eq!(seconds_until(now, now + Duration::seconds(30)), 30);
    }
}
