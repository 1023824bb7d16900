//! The Security tab: one card after another.

use leptos::prelude::*;
use leptos_meta::Title;

use super::authenticator::AuthenticatorCard;
use super::devices::TrustedDevices;
use super::passkeys::PasskeysCard;
use super::password_change::ChangePasswordCard;
use super::recovery_token::RecoveryTokenCard;
use super::sessions::SessionsCard;
use super::two_factor::TwoFactorCard;

/// Security tab: the Two Factor Authentication settings, where the account is signed in,
/// and trusted devices.
#[component]
pub fn SecurityTab() -> impl IntoView {
    view! {
        <Title text="Security"/>
        <TwoFactorCard/>
        <AuthenticatorCard/>
        <PasskeysCard/>
        <RecoveryTokenCard/>
        <ChangePasswordCard/>
        <SessionsCard/>
        <TrustedDevices/>
    }
}
