//! What just happened, said once on the page the browser lands on next.
//!
//! Every form posts to its server function and the page is then rendered again by the
//! server (after a redirect without JavaScript, after a reload with it), so news of a
//! change travels with the browser: the server function sets a short-lived cookie
//! (`server::platform::flash`) naming one [`Notice`], and the next page render shows it
//! in its slot and clears it. A cookie can only ever choose among these texts.

/// A notice as a page shows it: what happened, and the argument its text takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    pub notice: Notice,
    pub arg: String,
}

impl Shown {
    /// What it says.
    pub fn text(&self) -> String {
        self.notice.text(&self.arg)
    }
}

/// One piece of news, shown in the slot (a card's id, mostly) it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// A resend texted a new code.
    CodeResent,
    /// Update turned two-factor authentication off.
    TwoFactorOff,
    /// Update found nothing to change.
    NothingChanged,
    /// A confirmed number turned two-factor authentication on (argument: masked number).
    TwoFactorOn,
    /// A confirmed number was saved, 2FA staying off (argument: masked number).
    PhoneSaved,
    /// The password was confirmed without JavaScript: the change is to be made again.
    SudoConfirmed,
    /// The authenticator app was confirmed.
    AppSetUp,
    /// A passkey was added (argument: its id, whose name the card then asks for).
    PasskeyAdded,
    /// The password was changed.
    PasswordChanged,
    /// A confirmation link went to a new address (argument: the address).
    EmailLinkSent,
    /// Forgot Username? was sent.
    UsernameSent,
    /// Forgot Password? was sent.
    ResetLinkSent,
    /// A reset link set a new password.
    PasswordReset,
    /// Support: nobody matched the search exactly.
    NoCustomer,
    /// Support: the customer's name was unlocked.
    Unlocked,
    /// Support: a reset link went to the customer.
    ResetLinkSentByStaff,
    /// Support: the customer's reset links for the hour are used up; nothing was sent.
    ResetLinkCapped,
    /// Support: a two-factor reset is waiting.
    ResetStarted,
}

/// Every notice, for parsing and tests.
const ALL: [Notice; 18] = [
    Notice::CodeResent,
    Notice::TwoFactorOff,
    Notice::NothingChanged,
    Notice::TwoFactorOn,
    Notice::PhoneSaved,
    Notice::SudoConfirmed,
    Notice::AppSetUp,
    Notice::PasskeyAdded,
    Notice::PasswordChanged,
    Notice::EmailLinkSent,
    Notice::UsernameSent,
    Notice::ResetLinkSent,
    Notice::PasswordReset,
    Notice::NoCustomer,
    Notice::Unlocked,
    Notice::ResetLinkSentByStaff,
    Notice::ResetLinkCapped,
    Notice::ResetStarted,
];

impl Notice {
    /// Its name in the cookie.
    pub fn key(self) -> &'static str {
        match self {
            Self::CodeResent => "code-resent",
            Self::TwoFactorOff => "two-factor-off",
            Self::NothingChanged => "nothing-changed",
            Self::TwoFactorOn => "two-factor-on",
            Self::PhoneSaved => "phone-saved",
            Self::SudoConfirmed => "sudo-confirmed",
            Self::AppSetUp => "app-set-up",
            Self::PasskeyAdded => "passkey-added",
            Self::PasswordChanged => "password-changed",
            Self::EmailLinkSent => "email-link-sent",
            Self::UsernameSent => "username-sent",
            Self::ResetLinkSent => "reset-link-sent",
            Self::PasswordReset => "password-reset",
            Self::NoCustomer => "no-customer",
            Self::Unlocked => "unlocked",
            Self::ResetLinkSentByStaff => "staff-reset-link-sent",
            Self::ResetLinkCapped => "staff-reset-link-capped",
            Self::ResetStarted => "reset-started",
        }
    }

    /// The notice named `key`, if there is one.
    pub fn from_key(key: &str) -> Option<Self> {
        ALL.into_iter().find(|n| n.key() == key)
    }

    /// Where it is shown: the id of the card (or form) it is news of.
    pub fn slot(self) -> &'static str {
        match self {
            Self::CodeResent => "code",
            Self::TwoFactorOff | Self::NothingChanged | Self::TwoFactorOn | Self::PhoneSaved => {
                "tfa"
            }
            Self::SudoConfirmed => "page",
            Self::AppSetUp => "app",
            Self::PasskeyAdded => "passkey-added",
            Self::PasswordChanged => "password",
            Self::EmailLinkSent => "email",
            Self::UsernameSent | Self::ResetLinkSent => "forgot",
            Self::PasswordReset => "reset",
            Self::NoCustomer => "find",
            Self::Unlocked => "unlock",
            Self::ResetLinkSentByStaff | Self::ResetLinkCapped => "reset-link",
            Self::ResetStarted => "reset-2fa",
        }
    }

    /// The `data-testid` the end-to-end tests find it by, where they do.
    pub fn testid(self) -> Option<&'static str> {
        match self {
            Self::PasswordChanged => Some("password-changed"),
            Self::EmailLinkSent => Some("email-link-sent"),
            Self::UsernameSent | Self::ResetLinkSent => Some("forgot-sent"),
            Self::PasswordReset => Some("reset-done"),
            Self::NoCustomer => Some("no-customer"),
            _ => None,
        }
    }

    /// What it says; `arg` is what the server function gave it (a masked number, an
    /// address), already checked to belong to the account.
    pub fn text(self, arg: &str) -> String {
        match self {
            Self::CodeResent => "We sent you a new code.".into(),
            Self::TwoFactorOff => {
                "Two Factor Authentication is off. Your trusted devices were signed out of it too."
                    .into()
            }
            Self::NothingChanged => "Nothing to change.".into(),
            Self::TwoFactorOn => {
                format!("Two Factor Authentication is on. Codes will go to {arg}.")
            }
            Self::PhoneSaved => format!("Your mobile number {arg} is saved."),
            Self::SudoConfirmed => "Thanks. Make the change again to go ahead.".into(),
            Self::AppSetUp => {
                "Your authenticator app is set up. Sign-in will ask for its code.".into()
            }
            Self::PasskeyAdded => "Passkey added. You can sign in with it now.".into(),
            Self::PasswordChanged => concat!(
                "Your password was changed. Your other sessions were signed out and trusted ",
                "devices forgotten."
            )
            .into(),
            Self::EmailLinkSent => format!(
                "We sent a link to {arg}. Your address changes when you follow it (within an hour)."
            ),
            Self::UsernameSent => {
                "If an account uses that address, we've emailed its username.".into()
            }
            Self::ResetLinkSent => concat!(
                "If an account matches, we've emailed it a link to choose a new password. ",
                "The link works for one hour."
            )
            .into(),
            Self::PasswordReset => concat!(
                "Your password has been changed and every session signed out. ",
                "Log in with your new password."
            )
            .into(),
            Self::NoCustomer => "No customer matches exactly.".into(),
            Self::Unlocked => "Unlocked. The customer was emailed.".into(),
            Self::ResetLinkSentByStaff => "A reset link went to the address on file.".into(),
            Self::ResetLinkCapped => {
                "Nothing sent: the hourly limit of reset links for this account is reached.".into()
            }
            Self::ResetStarted => concat!(
                "Reset started. It takes effect after the waiting period unless the customer ",
                "cancels it."
            )
            .into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_parses_back_from_its_key_and_keys_are_distinct() {
        let mut keys = std::collections::HashSet::new();
        for n in ALL {
            assert_eq!(Notice::from_key(n.key()), Some(n));
            assert!(keys.insert(n.key()), "{} twice", n.key());
            assert!(n.key().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
        }
        assert_eq!(Notice::from_key("<script>"), None);
    }

    #[test]
    fn notices_with_an_argument_say_it() {
        assert_eq!(
            Notice::TwoFactorOn.text("•••• 1234"),
            "Two Factor Authentication is on. Codes will go to •••• 1234."
        );
        assert!(Notice::EmailLinkSent
            .text("a@b.example")
            .contains("a@b.example"));
    }
}
