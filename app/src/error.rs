//! The error type every server function returns, as the browser sees it.
//!
//! Messages are written for the customer and never reveal whether another account exists;
//! internal causes are logged on the server and replaced by [`AppError::Internal`].

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// A failed server-function call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Unknown user, wrong password and locked account all read the same.
    #[error("Invalid username or password.")]
    InvalidCredentials,
    /// The caller is not (fully) signed in.
    #[error("Please sign in to continue.")]
    Unauthorized,
    /// A field did not parse; `field` names the form input it belongs to.
    #[error("{message}")]
    InvalidInput { field: String, message: String },
    /// The code does not match; the customer may try again.
    #[error("That code isn't right. {attempts_left} attempt{s} left.", s = if *attempts_left == 1 { "" } else { "s" })]
    WrongCode { attempts_left: u32 },
    /// The code's 10 minutes are over; a new one has been sent.
    #[error("That code has expired — we sent a new one.")]
    CodeExpired,
    /// Five wrong codes for this sign-in: it is over, even for the right code.
    #[error("Too many attempts. Log in again with your password to get a new code.")]
    TooManyAttempts,
    /// The sign-in waiting for a code has ended (timed out, used, or never started).
    #[error("Your sign-in has timed out. Please log in again.")]
    SignInExpired,
    /// A resend was asked for before the cooldown ended.
    #[error("You can ask for a new code in {wait_seconds} seconds.")]
    ResendTooSoon { wait_seconds: u32 },
    /// This sign-in has had all the codes it may have.
    #[error("You've asked for too many codes. Log in again to start over.")]
    ResendLimit,
    /// No text was sent: the country is not allowed or a daily limit is reached.
    #[error("{0}")]
    SmsRefused(String),
    /// The SMS provider failed or timed out.
    #[error("We couldn't send the code, try again.")]
    SmsFailed,
    /// This change needs the password again (it was last entered over 10 minutes ago).
    #[error("For your security, please enter your password again to make this change.")]
    SudoRequired,
    /// The operator requires two-factor authentication and this account has not turned
    /// it on yet: only Account › Security is open to it.
    #[error("Turn on two-factor authentication under Account › Security to continue.")]
    TwoFactorRequired,
    /// The account was locked down from this session ("This wasn't me"): a new password
    /// comes before anything else.
    #[error("Your account was locked down. Set a new password to continue.")]
    NewPasswordRequired,
    /// A passkey's answer was not accepted (a bad signature, no user verification, a
    /// credential this server does not know, or a sign count that went backwards).
    #[error("That passkey wasn't accepted. Try again, or log in with your password.")]
    PasskeyRefused,
    /// Nothing here: what a customer (or a visitor) gets from every page and server
    /// function of the support console, as if it did not exist.
    #[error("Not found.")]
    NotFound,
    /// Signed in, but not in a way that may do this; the message says what would.
    #[error("{0}")]
    Forbidden(String),
    /// A Confirmation code was entered with no number waiting for one.
    #[error("There's no number waiting for a code. Enter your mobile number and press Update.")]
    NothingToConfirm,
    /// The request itself was malformed (missing or mistyped fields).
    #[error("The request could not be understood: {0}")]
    BadRequest(String),
    /// The database or another dependency is down; try again shortly.
    #[error("Gatehouse is temporarily unavailable. Please try again in a moment.")]
    Unavailable,
    /// A bug or an unexpected failure; details are in the server log only.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    /// The browser could not reach the server, or could not read its answer.
    #[error("Couldn't reach Gatehouse. Check your connection and try again.")]
    Network,
}

impl AppError {
    /// Builds an [`AppError::InvalidInput`] for one form field.
    pub fn invalid(field: &str, message: impl std::fmt::Display) -> Self {
        Self::InvalidInput {
            field: field.to_owned(),
            message: message.to_string(),
        }
    }

    /// The HTTP status a client sees for this error.
    pub fn status(&self) -> u16 {
        match self {
            Self::InvalidCredentials | Self::Unauthorized | Self::SignInExpired => 401,
            Self::PasskeyRefused => 401,
            Self::NotFound => 404,
            Self::Forbidden(_) => 403,
            Self::SudoRequired | Self::TwoFactorRequired | Self::NewPasswordRequired => 403,
            Self::NothingToConfirm => 409,
            Self::WrongCode { .. } | Self::CodeExpired => 422,
            Self::TooManyAttempts | Self::ResendTooSoon { .. } | Self::ResendLimit => 429,
            Self::SmsFailed => 503,
            Self::SmsRefused(_) => 429,
            Self::InvalidInput { .. } => 422,
            Self::BadRequest(_) => 400,
            Self::Unavailable => 503,
            Self::Internal => 500,
            Self::Network => 502,
        }
    }

    /// The error without data whose name (serde's, on the wire) is `name`: the browser
    /// reads refusals with its own JSON parser rather than serde (`islands::call`).
    pub fn named(name: &str) -> Option<Self> {
        Some(match name {
            "InvalidCredentials" => Self::InvalidCredentials,
            "Unauthorized" => Self::Unauthorized,
            "CodeExpired" => Self::CodeExpired,
            "TooManyAttempts" => Self::TooManyAttempts,
            "SignInExpired" => Self::SignInExpired,
            "ResendLimit" => Self::ResendLimit,
            "SmsFailed" => Self::SmsFailed,
            "SudoRequired" => Self::SudoRequired,
            "TwoFactorRequired" => Self::TwoFactorRequired,
            "NewPasswordRequired" => Self::NewPasswordRequired,
            "PasskeyRefused" => Self::PasskeyRefused,
            "NotFound" => Self::NotFound,
            "NothingToConfirm" => Self::NothingToConfirm,
            "Unavailable" => Self::Unavailable,
            "Internal" => Self::Internal,
            "Network" => Self::Network,
            _ => return None,
        })
    }

    /// The message for `field`, if this error belongs to it.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            Self::InvalidInput { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(m) | ServerFnErrorErr::MissingArg(m) => Self::BadRequest(m),
            // On the server these mean the request's body could not be read (invalid
            // UTF-8, say): the client's fault. In the browser, the answer could not be.
            #[cfg(feature = "ssr")]
            ServerFnErrorErr::Request(m) | ServerFnErrorErr::Deserialization(m) => {
                Self::BadRequest(m)
            }
            #[cfg(not(feature = "ssr"))]
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Deserialization(_) => Self::Network,
            ServerFnErrorErr::Registration(_)
            | ServerFnErrorErr::UnsupportedRequestMethod(_)
            | ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::Response(_) => Self::Internal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_arguments_are_client_errors() {
        let e = AppError::from_server_fn_error(ServerFnErrorErr::Args("missing field".into()));
        assert_eq!(e.status(), 400);
        let e = AppError::from_server_fn_error(ServerFnErrorErr::MissingArg("username".into()));
        assert_eq!(e.status(), 400);
    }

    #[test]
    fn credential_errors_do_not_say_which_part_was_wrong() {
        let msg = AppError::InvalidCredentials.to_string();
        assert_eq!(msg, "Invalid username or password.");
        assert_eq!(AppError::InvalidCredentials.status(), 401);
    }

    #[test]
    fn code_errors_say_what_to_do() {
        assert_eq!(
            AppError::WrongCode { attempts_left: 1 }.to_string(),
            "That code isn't right. 1 attempt left."
        );
        assert_eq!(
            AppError::WrongCode { attempts_left: 3 }.to_string(),
            "That code isn't right. 3 attempts left."
        );
        assert_eq!(
            AppError::CodeExpired.to_string(),
            "That code has expired — we sent a new one."
        );
        assert_eq!(AppError::TooManyAttempts.status(), 429);
    }

    /// The browser's reading of a refusal (`islands::call::refusal`) relies on serde's
    /// shape for each variant: a unit variant is its name, one with a text is
    /// `{"Name":"text"}`, one with fields `{"Name":{"field":…}}`.
    #[test]
    fn the_wire_shape_of_every_error_is_what_the_browser_reads() {
        let units = [
            AppError::InvalidCredentials,
            AppError::Unauthorized,
            AppError::CodeExpired,
            AppError::TooManyAttempts,
            AppError::SignInExpired,
            AppError::ResendLimit,
            AppError::SmsFailed,
            AppError::SudoRequired,
            AppError::TwoFactorRequired,
            AppError::NewPasswordRequired,
            AppError::PasskeyRefused,
            AppError::NotFound,
            AppError::NothingToConfirm,
            AppError::Unavailable,
            AppError::Internal,
            AppError::Network,
        ];
        for e in units {
            let json = serde_json::to_string(&e).unwrap();
            let name = json.trim_matches('"');
            assert_eq!(AppError::named(name), Some(e), "{json}");
        }
        let shapes = [
            (
                AppError::invalid("phone", "Too short."),
                r#"{"InvalidInput":{"field":"phone","message":"Too short."}}"#,
            ),
            (
                AppError::WrongCode { attempts_left: 3 },
                r#"{"WrongCode":{"attempts_left":3}}"#,
            ),
            (
                AppError::ResendTooSoon { wait_seconds: 9 },
                r#"{"ResendTooSoon":{"wait_seconds":9}}"#,
            ),
            (
                AppError::SmsRefused("No.".into()),
                r#"{"SmsRefused":"No."}"#,
            ),
            (AppError::Forbidden("No.".into()), r#"{"Forbidden":"No."}"#),
            (
                AppError::BadRequest("No.".into()),
                r#"{"BadRequest":"No."}"#,
            ),
        ];
        for (e, json) in shapes {
            assert_eq!(serde_json::to_string(&e).unwrap(), json);
        }
    }

    #[test]
    fn field_errors_attach_to_their_field() {
        let e = AppError::invalid("phone", "Enter a mobile number.");
        assert_eq!(
            e.for_field("phone").as_deref(),
            Some("Enter a mobile number.")
        );
        assert_eq!(e.for_field("username"), None);
    }
}
