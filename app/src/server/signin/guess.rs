//! A second-step guess, reserved before it is checked.

use time::Duration;

use crate::server::db::challenges;
use crate::server::db::history::{Factor, Outcome};
use crate::server::db::rate_limits::{self, Slot};
use crate::server::messaging::notify::{self, Notice, Origin};
use crate::server::signin::session::{PendingSession, TokenHash};
use crate::server::signin::throttle;

use super::*;

/// What a second-step guess is: a six-digit code (texted or from the app) or the
/// recovery token. Codes also count against the account's daily budget of wrong codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum GuessKind {
    Code,
    RecoveryToken,
    /// A passkey's assertion: not guessable, but counted like any second-step attempt.
    Passkey,
}

/// A second-step guess reserved before it is checked: one of the pending sign-in's
/// guesses, an attempt on the name's lock ladder and the IP, and (for codes) one of the
/// account's wrong codes for the day. A wrong guess keeps them all; a right one gives
/// back what its sign-in does not clear.
pub(super) struct Guess {
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
pub(super) async fn reserve_guess(
    req: &Ctx,
    pending: &PendingSession,
    challenge: &challenges::Challenge,
    kind: GuessKind,
    factor: Factor,
) -> Result<Guess, SignInError> {
    let state = &req.state;
    let settings = &state.settings;
    let name = &challenge.username;
    let user = Some(challenge.user_id);
    let mut tx = state.pool.begin().await?;
    let Some(taken) =
        challenges::reserve_guess(&mut tx, &pending.id_hash, settings.codes.max_attempts).await?
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
        let cap = settings.codes.guesses_per_account_per_day;
        let key = daily_key(challenge.user_id);
        let now = req.now;
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
    /// Guesses this pending sign-in has had, this one included.
    pub(super) fn taken(&self) -> i32 {
        self.taken
    }

    /// Gives back what a guess that was never checked took (the code had expired).
    pub(super) async fn unchecked(self, req: &Ctx, session_hash: &TokenHash) {
        let state = &req.state;
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
    pub(super) async fn accepted(&self, tx: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
        self.grant.release_ip(&mut *tx).await?;
        if let Some(slot) = &self.daily {
            rate_limits::release(&mut *tx, slot).await?;
        }
        Ok(())
    }
}

/// Records a wrong guess (its counts were taken when it was reserved) and returns the
/// error the customer sees: the attempts left, or that there are none.
pub(super) async fn wrong_guess(
    req: &Ctx,
    guess: &Guess,
    user: Option<i64>,
    name: &str,
    factor: Factor,
) -> SignInError {
    let max = req.state.settings.codes.max_attempts;
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
                let origin = Origin::of(&req.client, req.now);
                notify::notify_after(&req.state, user_id, notice, origin).await;
            }
        }
        return SignInError::TooManyAttempts;
    }
    let outcome = match factor {
        Factor::Passkey => Outcome::PasskeyRefused,
        _ => Outcome::WrongCode,
    };
    req.record(user, name, outcome, factor).await;
    SignInError::WrongCode {
        attempts_left: (max - taken) as u32,
    }
}
