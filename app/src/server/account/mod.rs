//! What a signed-in customer changes under Account › Security, and how accounts are made.

pub mod authenticator;
pub mod email_change;
pub mod lockdown;
pub mod passkeys;
pub mod password_change;
pub mod provision;
pub mod recovery_token;
pub mod sessions;
pub mod sudo;
pub mod two_factor;
