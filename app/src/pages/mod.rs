//! One module per page.

pub mod account;
pub mod forgot;
pub mod login;
pub mod not_found;
