//! Server functions, by feature, named as in `crate::server` and `crate::pages`. Each is
//! a few lines: the request's context, one service call, the answer; a service's error
//! becomes an [`AppError`](crate::error::AppError) by its `From` impl, beside the service.

pub mod authenticator;
pub mod devices;
pub mod email_change;
pub mod forgot;
pub mod history;
pub mod lockdown;
pub mod passkeys;
pub mod password_change;
pub mod profile;
pub mod recovery_token;
pub mod sessions;
pub mod signin;
pub mod sudo;
pub mod support;
pub mod two_factor;
