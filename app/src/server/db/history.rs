//! The `login_attempts` table: every sign-in attempt, successful or not.

use sqlx::{PgExecutor, PgPool};
use time::OffsetDateTime;

/// How an attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    SignedIn,
    CodeSent,
    WrongPassword,
    WrongCode,
    ExpiredCode,
    TooManyAttempts,
    Locked,
    PasswordReset,
    PasswordChanged,
    /// "This wasn't me": everything else of the account ended from this device.
    LockedDown,
    /// A passkey's answer was refused (a bad signature, no user verification, a sign
    /// count that went backwards).
    PasskeyRefused,
    /// Support's actions on the account, shown in its owner's Login History.
    SupportUnlocked,
    SupportResetLink,
    /// `locked_until` holds when the reset takes effect.
    SupportResetStarted,
    SupportResetCancelled,
    SupportResetDone,
}

impl Outcome {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SignedIn => "signed_in",
            Self::CodeSent => "code_sent",
            Self::WrongPassword => "wrong_password",
            Self::WrongCode => "wrong_code",
            Self::ExpiredCode => "expired_code",
            Self::TooManyAttempts => "too_many_attempts",
            Self::Locked => "locked",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::LockedDown => "locked_down",
            Self::PasskeyRefused => "passkey_refused",
            Self::SupportUnlocked => "support_unlocked",
            Self::SupportResetLink => "support_reset_link",
            Self::SupportResetStarted => "support_reset_started",
            Self::SupportResetCancelled => "support_reset_cancelled",
            Self::SupportResetDone => "support_reset_done",
        }
    }
}

/// Which factor the attempt used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Password,
    SmsCode,
    TrustedDevice,
    RecoveryToken,
    /// A password reset link from an email.
    EmailLink,
    AuthenticatorApp,
    /// A passkey: a complete sign-in, or the second step.
    Passkey,
    /// An action of the support team.
    Support,
}

impl Factor {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::SmsCode => "sms_code",
            Self::TrustedDevice => "trusted_device",
            Self::RecoveryToken => "recovery_token",
            Self::EmailLink => "email_link",
            Self::AuthenticatorApp => "authenticator_app",
            Self::Passkey => "passkey",
            Self::Support => "support",
        }
    }
}

/// One attempt to record.
pub struct Attempt<'a> {
    pub user_id: Option<i64>,
    pub username_typed: &'a str,
    pub at: OffsetDateTime,
    pub ip: &'a str,
    pub user_agent: &'a str,
    pub outcome: Outcome,
    pub factor: Factor,
    /// For `Locked`: when the lock ends.
    pub locked_until: Option<OffsetDateTime>,
}

/// A recorded attempt, for its account's history page.
pub struct Row {
    pub id: i64,
    pub at: OffsetDateTime,
    pub ip: String,
    pub user_agent: String,
    pub outcome: String,
    pub factor: String,
    /// For a lock, when it ends; for support's two-factor reset, when it takes effect.
    pub locked_until: Option<OffsetDateTime>,
}

/// Records one attempt.
pub async fn record(db: impl PgExecutor<'_>, a: &Attempt<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO login_attempts
             (user_id, username_typed, at, ip, user_agent, outcome, factor, locked_until)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        a.user_id,
        a.username_typed,
        a.at,
        a.ip,
        a.user_agent,
        a.outcome.as_str(),
        a.factor.as_str(),
        a.locked_until,
    )
    .execute(db)
    .await?;
    Ok(())
}

/// Whether a successful sign-in to this account from a browser with this user agent would
/// be its first: true only when the account has signed in before, from other browsers.
pub async fn is_new_device(
    db: impl PgExecutor<'_>,
    user_id: i64,
    user_agent: &str,
) -> Result<bool, sqlx::Error> {
    // EXISTS stops at the first match: a long history costs no more than a short one,
    // except on a browser's first sign-in.
    let row = sqlx::query!(
        r#"SELECT
             EXISTS (SELECT 1 FROM login_attempts
                     WHERE user_id = $1 AND outcome = 'signed_in') AS "any!",
             EXISTS (SELECT 1 FROM login_attempts
                     WHERE user_id = $1 AND outcome = 'signed_in' AND user_agent = $2) AS "same!""#,
        user_id,
        user_agent,
    )
    .fetch_one(db)
    .await?;
    Ok(row.any && !row.same)
}

/// One page of an account's attempts, newest first; `limit + 1` rows are asked for so
/// the caller can tell whether another page follows.
pub async fn page(
    pool: &PgPool,
    user_id: i64,
    offset: i64,
    limit: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        "SELECT id, at, ip, user_agent, outcome, factor, locked_until FROM login_attempts
         WHERE user_id = $1 ORDER BY at DESC, id DESC OFFSET $2 LIMIT $3",
        user_id,
        offset,
        limit + 1,
    )
    .fetch_all(pool)
    .await
}
