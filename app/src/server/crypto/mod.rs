//! Primitives with no policy of their own: password hashing and the password rules,
//! one-time codes, authenticator-app codes, sealing secrets at rest, and WebAuthn's
//! relying party and ceremony state.

pub mod otp;
pub mod password;
pub mod password_policy;
pub mod secret_box;
pub mod tokens;
pub mod totp;
pub mod webauthn;
