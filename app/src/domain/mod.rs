//! Domain types parsed at the boundary.
//!
//! Everything here compiles for the browser too, so a form can run the same checks as
//! the server before it submits. A value of one of these types is valid by construction:
//! the fields are private and `parse` is the only way in.

#[cfg(feature = "ssr")]
mod countries;
mod email;
mod next;
mod otp;
mod passkey_name;
mod password;
mod phone;
mod recovery;
mod username;

pub use email::{EmailAddress, EmailError};
pub use next::{encode_query_value, local_path};
pub use otp::{OtpCode, OtpCodeError};
pub use passkey_name::{PasskeyName, PasskeyNameError, MAX_PASSKEYS, MAX_PASSKEY_NAME_CHARS};
pub use password::{
    NewPassword, Password, PasswordPolicyError, MAX_PASSWORD_CHARS, MIN_PASSWORD_CHARS,
};
pub use phone::{PhoneError, PhoneNumber};
pub use recovery::{RecoveryToken, RecoveryTokenError, RECOVERY_ALPHABET};
pub use username::{Username, UsernameError};
