//! The signed-in customer's login history.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// Attempts shown per page.
pub const PAGE_SIZE: i64 = 50;

/// Whether an attempt let someone in, was a step on the way, or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttemptKind {
    Success,
    Step,
    Failure,
}

/// One attempt as the history table shows it. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttemptView {
    pub id: i64,
    /// RFC 3339, UTC; the browser shows it in its own time zone.
    pub at: String,
    pub ip: String,
    pub device: String,
    pub outcome: String,
    pub factor: String,
    pub kind: AttemptKind,
    /// The sign-in of the session looking at the page: the one row without "This wasn't
    /// me".
    pub mine: bool,
}

/// One page of the history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryPage {
    /// How many days of attempts are kept (older ones are deleted).
    pub kept_days: u32,
    pub page: u32,
    pub attempts: Vec<AttemptView>,
    pub has_next: bool,
}

/// Page `page` (from 1) of the signed-in customer's own attempts.
#[server(endpoint = "login-history")]
pub async fn login_history(page: u32) -> Result<HistoryPage, AppError> {
    use crate::server::db::history;
    use crate::server::Ctx;
    let ctx = Ctx::current();
    let user = ctx.user_past_2fa_policy().await?;
    let page = page.clamp(1, 100_000);
    let offset = i64::from(page - 1) * PAGE_SIZE;
    let mut rows = history::page(&ctx.state.pool, user.user_id, offset, PAGE_SIZE).await?;
    let has_next = rows.len() as i64 > PAGE_SIZE;
    rows.truncate(PAGE_SIZE as usize);
    let attempts = rows
        .into_iter()
        .map(|r| {
            let mine = r.outcome == "signed_in" && r.at == user.signed_in_at;
            AttemptView::of(r, mine)
        })
        .collect();
    Ok(HistoryPage {
        kept_days: ctx.state.settings.history_retention.whole_days().max(1) as u32,
        page,
        attempts,
        has_next,
    })
}

#[cfg(feature = "ssr")]
impl AttemptView {
    /// A stored row as the history table shows it; `mine` marks this session's sign-in.
    pub(crate) fn of(r: crate::server::db::history::Row, mine: bool) -> Self {
        use crate::server::platform::client::describe_device;
        use time::format_description::well_known::Rfc3339;
        let (outcome, kind) = outcome_label(&r.outcome);
        let outcome = match (r.outcome.as_str(), r.locked_until) {
            ("support_reset_started", Some(at)) => format!(
                "{outcome}: takes effect at {}",
                crate::server::messaging::notify::when(at)
            ),
            _ => outcome.to_owned(),
        };
        AttemptView {
            id: r.id,
            at: r.at.format(&Rfc3339).unwrap_or_default(),
            ip: r.ip,
            device: describe_device(&r.user_agent),
            outcome,
            factor: factor_label(&r.factor).to_owned(),
            kind,
            mine,
        }
    }
}

#[cfg(feature = "ssr")]
fn outcome_label(stored: &str) -> (&'static str, AttemptKind) {
    match stored {
        "signed_in" => ("Signed in", AttemptKind::Success),
        "code_sent" => ("Password OK, code sent", AttemptKind::Step),
        "wrong_password" => ("Wrong username or password", AttemptKind::Failure),
        "wrong_code" => ("Wrong code", AttemptKind::Failure),
        "expired_code" => ("Expired code", AttemptKind::Failure),
        "too_many_attempts" => ("Too many attempts", AttemptKind::Failure),
        "locked" => ("Account locked", AttemptKind::Failure),
        "password_reset" => ("Password reset", AttemptKind::Step),
        "password_changed" => ("Password changed", AttemptKind::Step),
        "locked_down" => ("Locked down from this device", AttemptKind::Step),
        "passkey_refused" => ("Passkey refused", AttemptKind::Failure),
        "support_unlocked" => ("Support unlocked your account", AttemptKind::Step),
        "support_reset_link" => ("Support sent you a password reset link", AttemptKind::Step),
        "support_reset_started" => ("Support started a two-factor reset", AttemptKind::Step),
        "support_reset_cancelled" => (
            "Support's two-factor reset was cancelled",
            AttemptKind::Step,
        ),
        "support_reset_done" => ("Support's two-factor reset took effect", AttemptKind::Step),
        _ => ("Unknown", AttemptKind::Failure),
    }
}

#[cfg(feature = "ssr")]
pub(crate) fn factor_label(stored: &str) -> &'static str {
    match stored {
        "password" => "Password",
        "sms_code" => "SMS code",
        "trusted_device" => "Trusted device",
        "recovery_token" => "Recovery token",
        "email_link" => "Email link",
        "authenticator_app" => "Authenticator app",
        "passkey" => "Passkey",
        "support" => "Support",
        _ => "Unknown",
    }
}
