//! Account notifications: an email to the account's address after every security change
//! (and an SMS to a number that was replaced). They say what happened, when and from
//! where, and what to do if it was not the customer — never a code, token or password.
//!
//! A notification is queued in the durable outbox on the transaction of the change it
//! reports (SECURITY.md 29): both are stored, or neither.

use time::OffsetDateTime;

use crate::domain::PhoneNumber;
use crate::server::db::users;
use crate::server::messaging::email::Email;
use crate::server::messaging::outbox;
use crate::server::platform::client::ClientInfo;
use crate::server::AppState;
use sqlx::PgConnection;

/// Where and when something happened, as the customer will read it.
#[derive(Debug, Clone)]
pub struct Origin {
    pub at: OffsetDateTime,
    pub ip: String,
    pub device: String,
}

impl Origin {
    /// The request's client at `at`.
    pub fn of(client: &ClientInfo, at: OffsetDateTime) -> Self {
        Self {
            at,
            ip: client.ip_text(),
            device: client.device(),
        }
    }

    fn lines(&self) -> String {
        format!(
            "When:   {}\nIP:     {}\nDevice: {}\n",
            when(self.at),
            self.ip,
            self.device
        )
    }
}

/// What happened to the account.
#[derive(Debug, Clone)]
pub enum Notice {
    TwoFactorOn {
        phone: PhoneNumber,
    },
    TwoFactorOff,
    PhoneChanged {
        old: PhoneNumber,
        new: PhoneNumber,
    },
    /// A first number on an account (its 2FA rests on the app, or is off).
    PhoneAdded {
        phone: PhoneNumber,
    },
    RecoveryTokenCreated,
    RecoveryTokenRevoked,
    RecoveryTokenUsed,
    NewDeviceSignIn,
    PasswordChanged,
    PasswordReset,
    AuthenticatorAdded,
    AuthenticatorRemoved,
    PasskeyAdded {
        name: String,
    },
    PasskeyRemoved {
        name: String,
    },
    SupportUnlocked,
    SupportResetLinkSent,
    /// Support started a two-factor reset; the link cancels it.
    SupportResetStarted {
        effective_at: OffsetDateTime,
        cancel_url: String,
    },
    SupportResetCancelled,
    SupportResetDone,
    /// A passkey answered with a sign count at or below the stored one: it may have been
    /// copied. The sign-in was refused.
    PasskeyCounterWentBack {
        name: String,
    },
    /// Several wrong codes or tokens after a correct password.
    SecondFactorFailures {
        failures: u32,
    },
    /// "This wasn't me": everything but the session that asked was ended.
    LockedDown,
    /// A new address was asked for; told to the old one at once.
    EmailChangeRequested {
        new_masked: String,
    },
    /// The new address was confirmed (sent to it).
    EmailChanged,
}

impl Notice {
    fn subject(&self) -> &'static str {
        match self {
            Self::TwoFactorOn { .. } => "Two-factor authentication is on",
            Self::TwoFactorOff => "Two-factor authentication was turned off",
            Self::PhoneChanged { .. } => "Your mobile number was changed",
            Self::PhoneAdded { .. } => "A mobile number was added to your account",
            Self::RecoveryTokenCreated => "A new recovery token was created",
            Self::RecoveryTokenRevoked => "Your recovery token was revoked",
            Self::RecoveryTokenUsed => "Your recovery token was used to sign in",
            Self::NewDeviceSignIn => "New sign-in to your account",
            Self::PasswordChanged => "Your password was changed",
            Self::PasswordReset => "Your password was reset",
            Self::AuthenticatorAdded => "An authenticator app was added",
            Self::AuthenticatorRemoved => "Your authenticator app was removed",
            Self::SupportUnlocked => "Support unlocked your account",
            Self::SupportResetLinkSent => "Support sent you a password reset link",
            Self::SupportResetStarted { .. } => {
                "Support started a two-factor reset of your account"
            }
            Self::SupportResetCancelled => "The two-factor reset of your account was cancelled",
            Self::SupportResetDone => "The two-factor reset of your account took effect",
            Self::PasskeyAdded { .. } => "A passkey was added to your account",
            Self::PasskeyRemoved { .. } => "A passkey was removed from your account",
            Self::PasskeyCounterWentBack { .. } => "A sign-in with a copied passkey was refused",
            Self::SecondFactorFailures { .. } => "Failed attempts to sign in to your account",
            Self::LockedDown => "Your account was locked down",
            Self::EmailChangeRequested { .. } => "A new email address was requested",
            Self::EmailChanged => "Your email address was changed",
        }
    }

    fn what(&self) -> String {
        match self {
            Self::TwoFactorOn { phone } => format!(
                "Two-factor authentication was turned on. Sign-in codes now go to {}.",
                phone.masked()
            ),
            Self::TwoFactorOff => "Two-factor authentication was turned off. Signing in now \
                needs only your password, and every trusted device was forgotten."
                .to_owned(),
            Self::PhoneChanged { old, new } => format!(
                "The mobile number for sign-in codes was changed from {} to {}. Trusted \
                 devices were forgotten.",
                old.masked(),
                new.masked()
            ),
            Self::PhoneAdded { phone } => format!(
                "The mobile number {} was added to your account. Sign-in codes can now be \
                 texted to it.",
                phone.masked()
            ),
            Self::RecoveryTokenCreated => "A new recovery token was created. Any earlier \
                token no longer works."
                .to_owned(),
            Self::RecoveryTokenRevoked => {
                "Your recovery token was revoked. It no longer works.".to_owned()
            }
            Self::RecoveryTokenUsed => "Your recovery token was used instead of a texted code \
                to sign in. It cannot be used again: create a new one under Account › \
                Security, and check your mobile number."
                .to_owned(),
            Self::NewDeviceSignIn => {
                "Your account was signed in to from a device it has not used before.".to_owned()
            }
            Self::PasswordChanged => "Your password was changed. Every other session was \
                signed out and trusted devices were forgotten."
                .to_owned(),
            Self::PasswordReset => "Your password was reset with a link sent to this address. \
                Every session was signed out and trusted devices were forgotten."
                .to_owned(),
            Self::AuthenticatorAdded => "An authenticator app was set up for your account. \
                Sign-in now asks for its code."
                .to_owned(),
            Self::SupportUnlocked => "Our support team unlocked your account name after failed \
                sign-in attempts. Your password and sign-in methods are unchanged."
                .to_owned(),
            Self::SupportResetLinkSent => "Our support team sent a password reset link to this \
                address, in a separate email. Nothing changes unless the link is used."
                .to_owned(),
            Self::SupportResetStarted {
                effective_at,
                cancel_url,
            } => format!(
                "Our support team started a reset of your two-factor authentication, as asked \
                 by someone who said they had lost every sign-in method. On {} your phone \
                 number, authenticator app, passkeys, Recovery Token and trusted devices will be \
                 removed and every session signed out.\n\nIf you did not ask for this, cancel \
                 it now: {cancel_url}\nSigning in with your phone, app or a passkey also \
                 cancels it.",
                when(*effective_at)
            ),
            Self::SupportResetCancelled => "The two-factor reset our support team started was \
                cancelled. Nothing was removed."
                .to_owned(),
            Self::SupportResetDone => "The two-factor reset took effect: your phone number, \
                authenticator app, passkeys, Recovery Token and trusted devices were removed \
                and every session was signed out. Sign in with your password and set up a \
                sign-in method again."
                .to_owned(),
            Self::PasskeyAdded { name } => format!(
                "The passkey \"{name}\" was added to your account. It signs in without a \
                 password or a code."
            ),
            Self::PasskeyRemoved { name } => format!(
                "The passkey \"{name}\" was removed from your account. It no longer signs in."
            ),
            Self::PasskeyCounterWentBack { name } => format!(
                "A sign-in with your passkey \"{name}\" was refused: the security key \
                 reported a use count lower than one it reported before, which happens when \
                 a key has been copied. If you did not copy it, remove it under Account › \
                 Security and change your password."
            ),
            Self::AuthenticatorRemoved => {
                "The authenticator app was removed from your account.".to_owned()
            }
            Self::SecondFactorFailures { failures } => format!(
                "Someone entered your password correctly and then {failures} wrong codes. \
                 If it was not you, change your password now."
            ),
            Self::EmailChangeRequested { new_masked } => format!(
                "A change of your account's email address to {new_masked} was requested. It \
                 happens only when the link sent there is followed, within an hour."
            ),
            Self::EmailChanged => "This is now your account's email address: password \
                resets, usernames and security notices come here."
                .to_owned(),
            Self::LockedDown => "\"This wasn't me\" was pressed: every other session and \
                sign-in in progress was ended, trusted devices, passkeys and the recovery \
                token were revoked, and a new password must be set before anything else."
                .to_owned(),
        }
    }
}

/// A UTC time as people write it: "28 November 2026 at 09:41 UTC".
pub fn when(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {} {} at {:02}:{:02} UTC",
        at.day(),
        at.month(),
        at.year(),
        at.hour(),
        at.minute()
    )
}

/// The email for `notice`, to the account `username` at `to`.
pub fn compose(
    state: &AppState,
    to: &str,
    username: &str,
    notice: &Notice,
    origin: &Origin,
) -> Email {
    let brand = &state.settings.brand;
    let security = match &state.settings.public_url {
        Some(url) => format!("{}/account/security", url.trim_end_matches('/')),
        None => "Account › Security".to_owned(),
    };
    let this_wasnt_me = format!(
        "{}/this-wasnt-me",
        crate::server::messaging::texts::base_url(&state.settings)
    );
    let body = format!(
        "Hello {username},\n\n{}\n\n{}\nIf this was you, there is nothing to do.\n\nIf it \
         was not you: {this_wasnt_me}\n(sign in there to end every other session and set a \
         new password; the link alone changes nothing), then check your mobile number and \
         trusted devices under {security}. If you cannot sign in, contact support.\n\n— {brand}\n",
        notice.what(),
        origin.lines(),
    );
    Email {
        to: to.to_owned(),
        subject: format!("{brand}: {}", notice.subject()),
        body,
    }
}

/// Tells a number that was replaced that it gets no more codes, within the number's and
/// the account's daily SMS caps like every other text.
async fn text_replaced_number(
    state: &AppState,
    conn: &mut PgConnection,
    user_id: i64,
    old: &PhoneNumber,
) -> Result<(), sqlx::Error> {
    let body = format!(
        "{}: this number was removed from a {} account and will no longer get its \
         sign-in codes. If you did not do this, contact support.",
        state.settings.brand, state.settings.brand
    );
    let within_caps =
        crate::server::messaging::limits::reserve_for_account(conn, state, old.as_str(), user_id)
            .await?;
    if within_caps {
        outbox::enqueue_sms(state, conn, old.as_str(), &body).await?;
    } else {
        tracing::warn!("not texting the replaced number: an SMS cap is reached");
    }
    Ok(())
}

/// Queues the email to the account about `notice` (and the SMS to a number that was
/// replaced) on `conn`'s transaction: call it before the transaction that made the
/// change commits, so the change and its notice are stored together or not at all.
pub async fn notify(
    state: &AppState,
    conn: &mut PgConnection,
    user_id: i64,
    notice: Notice,
    origin: Origin,
) -> Result<(), sqlx::Error> {
    if let Notice::PhoneChanged { old, .. } = &notice {
        text_replaced_number(state, conn, user_id, old).await?;
    }
    let Some(profile) = users::profile(&mut *conn, user_id).await? else {
        return Ok(());
    };
    let email = compose(state, &profile.email, &profile.username, &notice, &origin);
    outbox::enqueue_email(state, conn, &email).await
}

/// Queues a notice on a transaction of its own, for a change that was not made in one
/// (a support action's several steps); a failure is logged: the change stands.
pub async fn notify_after(state: &AppState, user_id: i64, notice: Notice, origin: Origin) {
    let queued = async {
        let mut tx = state.pool.begin().await?;
        notify(state, &mut tx, user_id, notice, origin).await?;
        tx.commit().await
    };
    if let Err(e) = queued.await {
        tracing::error!(error = %e, "queueing a notification");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_naturally_in_utc() {
        let at = time::macros::datetime!(2027-03-03 09:05 +01:00);
        assert_eq!(when(at), "3 March 2027 at 08:05 UTC");
    }
}
