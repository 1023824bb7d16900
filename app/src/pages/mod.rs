//! One module per page.

pub mod account;
pub mod confirm_email;
pub mod forgot;
pub mod lockdown;
pub mod not_found;
pub mod signin;
pub mod support;
