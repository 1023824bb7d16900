//! Signing in: the password step, the texted code, resends, trusted devices, and the
//! login history row each attempt leaves.

use http::{HeaderMap, HeaderValue};
use time::{Duration, OffsetDateTime};

use super::client::ClientInfo;
use super::db::challenges::{self, IssuedCode};
use super::db::history::{self, Attempt, Factor, Outcome};
use super::db::rate_limits::{self, Slot};
use super::db::sessions::{self, Stage};
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
///
/// The attempt is reserved against the name (or the trusted device presented) and the
/// IP before the hash ([`throttle::reserve`]); a right password gives it back.
pub async fn password_step(
    req: &Request<'_>,
    username: &str,
    password: &Password,
) -> Result<PasswordOutcome, SignInError> {
    let state = req.state;
    let now = req.now();
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
    let delay = throttle::slowdown(state.settings.slowdown_per_failure, grant.failures_before());
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

    // Two-factor authentication on means a second step, even with no factor to offer
    // (only the recovery token works then): it fails closed.
    if !account.two_factor_enabled {
        let cookie = start_full_session(req, account.id, &typed, Factor::Password).await?;
        return Ok(PasswordOutcome::SignedIn { cookie });
    }
    if device.is_some() {
        if let Some(token) = trusted_device_token(req) {
            if devices::use_for(&state.pool, &token.hash(), account.id, now).await? {
                let cookie =
                    start_full_session(req, account.id, &typed, Factor::TrustedDevice).await?;
                return Ok(PasswordOutcome::SignedIn { cookie });
            }
        }
    }
    open_pending(req, &account, &typed).await
}

fn trusted_device_token(req: &Request<'_>) -> Option<SecretToken> {
    session::token_from_headers(&req.state.settings, CookieKind::TrustedDevice, req.headers)
}

/// The second step begins: a pending session (new id) and its challenge, in one
/// transaction that also makes room (at most `max_pending_signins` per account) and
/// reserves the text against the SMS caps. A text the caps refuse leaves a challenge
/// with no code at all: only the recovery token can finish it.
async fn open_pending(
    req: &Request<'_>,
    account: &users::Credentials,
    typed: &str,
) -> Result<PasswordOutcome, SignInError> {
    let state = req.state;
    let settings = &state.settings;
    let now = req.now();
    let code = otp::generate();
    let issued = IssuedCode {
        salt: &code.salt,
        hash: &code.hash,
        expires_at: now + settings.code_ttl,
    };
    let mut tx = state.pool.begin().await?;
    session::end_current(&mut tx, settings, req.headers).await?;
    let keep = (settings.max_pending_signins - 1).max(0);
    sessions::make_room_for_pending(&mut tx, account.id, keep, now).await?;
    let (token, cookie) =
        session::begin(&mut tx, settings, now, account.id, Stage::Pending, now).await?;
    // With an authenticator app nothing is texted unless asked ("Text me a code instead").
    let sms_refused = match (&account.phone, account.has_app) {
        (_, true) => None,
        (None, false) => Some(SmsRefusal::NoPhone),
        (Some(phone), false) => {
            // The SMS caps' reservations join this transaction only when granted.
            let mut sp = sqlx::Connection::begin(&mut *tx).await?;
            match sms_guard::reserve_in(&mut sp, state, phone, account.id, &req.client).await? {
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
        attempts_left: settings.max_code_attempts as u32,
        sms_refused,
        app: account.has_app,
        can_text: account.phone.is_some(),
    };
    if text_now {
        let phone = account.phone.as_deref().unwrap_or_default();
        if let Err(e) = text_code(state, phone, &code.digits).await {
            // Without a code the pending sign-in is useless; do not leave it behind.
            let mut conn = state.pool.acquire().await?;
            sessions::delete(&mut conn, &token.hash()).await?;
            return Err(e);
        }
        pending.resend_in_seconds = settings.resend_cooldown.whole_seconds() as u32;
    }
    req.record(Some(account.id), typed, Outcome::CodeSent, Factor::Password)
        .await;
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
        // Nothing was texted and no app asked: the text was refused (or there is no
        // phone), and only the recovery token can finish this sign-in.
        sms_refused: (!c.has_app && c.sends == 0).then(|| match &c.phone {
            None => SmsRefusal::NoPhone,
            Some(p) if !sms_guard::country_allowed(state, p) => SmsRefusal::Country,
            Some(_) => SmsRefusal::DailyLimit,
        }),
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

/// What a second-step guess is: a six-digit code (texted or from the app) or the
/// recovery token. Codes also count against the account's daily budget of wrong codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum GuessKind {
    Code,
    RecoveryToken,
}

/// A second-step guess reserved before it is checked: one of the pending sign-in's
/// guesses, an attempt on the name's lock ladder and the IP, and (for codes) one of the
/// account's wrong codes for the day. A wrong guess keeps them all; a right one gives
/// back what its sign-in does not clear.
struct Guess {
    /// Guesses this pending sign-in has had, this one included.
    taken: i32,
    grant: throttle::Grant,
    daily: Option<Slot>,
}

fn daily_key(user_id: i64) -> String {
    format!("code-guess:account:{user_id}")
}

/// Reserves one guess for the pending sign-in, in one transaction: the challenge's
/// count first, then the name and IP, then the account's day; any refusal rolls the
/// others back, is recorded, and refuses the guess unchecked. While the name is locked
/// (by passwords or by guesses at any of its pending sign-ins) every pending sign-in
/// of it refuses.
async fn reserve_guess(
    req: &Request<'_>,
    pending: &PendingSession,
    challenge: &challenges::Challenge,
    kind: GuessKind,
    factor: Factor,
) -> Result<Guess, SignInError> {
    let state = req.state;
    let settings = &state.settings;
    let name = &challenge.username;
    let user = Some(challenge.user_id);
    let mut tx = state.pool.begin().await?;
    let Some(taken) =
        challenges::reserve_guess(&mut tx, &pending.id_hash, settings.max_code_attempts).await?
    else {
        drop(tx);
        req.record(user, name, Outcome::TooManyAttempts, factor)
            .await;
        return Err(SignInError::TooManyAttempts);
    };
    let subject = throttle::Subject::name(name);
    let grant = match throttle::reserve_in(&mut tx, state, &subject, &req.client).await? {
        Ok(grant) => grant,
        Err(refusal) => {
            drop(tx);
            let until = match refusal {
                throttle::Refusal::Locked(until) => Some(until),
                throttle::Refusal::IpBlocked => None,
            };
            req.record_with(user, name, Outcome::Locked, factor, until)
                .await;
            return Err(SignInError::TooManyAttempts);
        }
    };
    let daily = if kind == GuessKind::Code {
        let cap = settings.code_guesses_per_account_per_day;
        let key = daily_key(challenge.user_id);
        let now = req.now();
        match rate_limits::reserve(&mut tx, &key, Duration::days(1), now, cap).await? {
            Some(slot) => Some(slot),
            None => {
                drop(tx);
                req.record(user, name, Outcome::TooManyAttempts, factor)
                    .await;
                return Err(SignInError::TooManyAttempts);
            }
        }
    } else {
        None
    };
    tx.commit().await?;
    Ok(Guess {
        taken,
        grant,
        daily,
    })
}

impl Guess {
    /// Gives back what a guess that was never checked took (the code had expired).
    async fn unchecked(self, req: &Request<'_>, session_hash: &[u8]) {
        let state = req.state;
        let released = async {
            challenges::release_guess(&state.pool, session_hash).await?;
            let mut conn = state.pool.acquire().await?;
            self.grant.release(&mut conn).await?;
            if let Some(slot) = &self.daily {
                rate_limits::release(&mut *conn, slot).await?;
            }
            Ok::<_, sqlx::Error>(())
        }
        .await;
        if let Err(e) = released {
            tracing::error!(error = %e, "giving back an unchecked guess");
        }
    }

    /// Gives back, inside the transaction of the sign-in it finished, what that sign-in
    /// does not clear by itself: the IP's slot and the day's wrong-code slot.
    async fn accepted(&self, tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
        self.grant.release_ip(&mut *tx).await?;
        if let Some(slot) = &self.daily {
            rate_limits::release(&mut *tx, slot).await?;
        }
        Ok(())
    }
}

/// Records a wrong guess (its counts were taken when it was reserved) and returns the
/// error the customer sees: the attempts left, or that there are none.
async fn wrong_guess(
    req: &Request<'_>,
    guess: &Guess,
    user: Option<i64>,
    name: &str,
    factor: Factor,
) -> SignInError {
    let max = req.state.settings.max_code_attempts;
    let taken = guess.taken;
    if let Some(until) = guess.grant.locks_until() {
        req.record_with(user, name, Outcome::Locked, factor, Some(until))
            .await;
    }
    if taken >= max {
        req.record(user, name, Outcome::TooManyAttempts, factor)
            .await;
        if taken == max {
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
        return SignInError::TooManyAttempts;
    }
    req.record(user, name, Outcome::WrongCode, factor).await;
    SignInError::WrongCode {
        attempts_left: (max - taken) as u32,
    }
}

/// The second step: the authenticator app's code when the account has one, else (or
/// after "Text me a code instead") the texted code. The guess is reserved before it is
/// checked. On success the pending session is replaced with a full one (a new id) and,
/// if asked, this device is trusted.
pub async fn verify_code(
    req: &Request<'_>,
    code: &OtpCode,
    trust_device: bool,
) -> Result<CodeAccepted, SignInError> {
    let state = req.state;
    let (pending, challenge) = pending_session(req).await?;
    let factor = if challenge.has_app && challenge.sends == 0 {
        Factor::AuthenticatorApp
    } else {
        Factor::SmsCode
    };
    let guess = reserve_guess(req, &pending, &challenge, GuessKind::Code, factor).await?;
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
                guess.accepted(&mut tx).await?;
                let finished = Finish {
                    user_id: challenge.user_id,
                    name: &name,
                    trust_device,
                    factor: Factor::AuthenticatorApp,
                };
                return complete(req, tx, &pending, finished).await;
            }
            // A replayed code (its step, or a later one, was used already).
        }
        if challenge.sends == 0 {
            // Nothing was texted: only the app's code could have been right.
            let factor = Factor::AuthenticatorApp;
            return Err(wrong_guess(req, &guess, user, &name, factor).await);
        }
    }

    if now >= challenge.code_expires_at {
        guess.unchecked(req, &pending.id_hash).await;
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
        return Err(wrong_guess(req, &guess, user, &name, Factor::SmsCode).await);
    }

    let mut tx = state.pool.begin().await?;
    let code_hash = otp::hash(&challenge.code_salt, code);
    let Some(user_id) = challenges::consume(&mut tx, &pending.id_hash, &code_hash, now).await?
    else {
        // Another request used it first, or it was replaced meanwhile.
        return Err(SignInError::NoPendingSignIn);
    };
    guess.accepted(&mut tx).await?;
    let finished = Finish {
        user_id,
        name: &name,
        trust_device,
        factor: Factor::SmsCode,
    };
    complete(req, tx, &pending, finished).await
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

/// A second step that succeeded: whose sign-in, how, and whether to trust the device.
struct Finish<'a> {
    user_id: i64,
    name: &'a str,
    trust_device: bool,
    factor: Factor,
}

/// Ends a pending sign-in whose second step succeeded inside `tx`: the pending session
/// is replaced by a full one, the device trusted if asked, the sign-in recorded. The one
/// way every second factor finishes.
async fn complete(
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

/// The second step with the Recovery Token instead of the texted code. A wrong token
/// counts as a wrong code (it is reserved like one, though not against the day's wrong
/// codes: 120 bits are not guessed); the right one works once and marks the account so
/// the Security tab asks for a new token.
pub async fn verify_recovery(
    req: &Request<'_>,
    token: &RecoveryToken,
) -> Result<CodeAccepted, SignInError> {
    let state = req.state;
    let (pending, challenge) = pending_session(req).await?;
    let factor = Factor::RecoveryToken;
    let guess = reserve_guess(req, &pending, &challenge, GuessKind::RecoveryToken, factor).await?;
    let now = req.now();
    let user = Some(challenge.user_id);
    let name = challenge.username.clone();
    let mut tx = state.pool.begin().await?;
    let hash = super::recovery::hash(token);
    if !super::db::recovery::consume(&mut tx, challenge.user_id, &hash, now).await? {
        drop(tx);
        return Err(wrong_guess(req, &guess, user, &name, factor).await);
    }
    if challenges::finish(&mut tx, &pending.id_hash, now)
        .await?
        .is_none()
    {
        return Err(SignInError::NoPendingSignIn);
    }
    guess.accepted(&mut tx).await?;
    let finished = Finish {
        user_id: challenge.user_id,
        name: &name,
        trust_device: false,
        factor,
    };
    complete(req, tx, &pending, finished).await
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

/// Replaces the pending sign-in's code and texts it: the new code and the SMS caps'
/// reservations commit together, before the text goes out, or not at all (a refused
/// text leaves the old code, or none, in place).
async fn issue_new_code(
    req: &Request<'_>,
    pending: &PendingSession,
    challenge: &challenges::Challenge,
    now: OffsetDateTime,
    cooldown_cutoff: OffsetDateTime,
) -> Result<(), SignInError> {
    let state = req.state;
    let settings = &state.settings;
    let phone = challenge
        .phone
        .clone()
        .ok_or(SignInError::SmsRefused(SmsRefusal::NoPhone))?;
    let code = otp::generate();
    let issued = IssuedCode {
        salt: &code.salt,
        hash: &code.hash,
        expires_at: now + settings.code_ttl,
    };
    let limits = challenges::SendLimits {
        max_sends: settings.max_sends_per_signin,
        max_attempts: settings.max_code_attempts,
    };
    let mut tx = state.pool.begin().await?;
    let replaced = challenges::replace_code(
        &mut tx,
        &pending.id_hash,
        &issued,
        now,
        cooldown_cutoff,
        limits,
    )
    .await?;
    if replaced.is_none() {
        return Err(if challenge.failed_attempts >= settings.max_code_attempts {
            SignInError::TooManyAttempts
        } else if challenge.sends >= settings.max_sends_per_signin {
            SignInError::ResendLimit
        } else {
            SignInError::ResendTooSoon {
                wait_seconds: seconds_until(now, challenge.last_sent_at + settings.resend_cooldown)
                    .max(1),
            }
        });
    }
    if let Err(refusal) =
        sms_guard::reserve_in(&mut tx, state, &phone, challenge.user_id, &req.client).await?
    {
        return Err(SignInError::SmsRefused(refusal));
    }
    tx.commit().await?;
    text_code(state, &phone, &code.digits).await
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
