//! The Security tab: one card after another.

use leptos::prelude::*;
use leptos_meta::Title;

use super::authenticator::AuthenticatorCard;
use super::devices::TrustedDevices;
use super::password_change::ChangePasswordCard;
use super::recovery_token::RecoveryTokenCard;
use super::two_factor::TwoFactorCard;

/// Security tab: the Two Factor Authentication settings and trusted devices.
#[component]
pub fn SecurityTab() -> impl IntoView {
    view! {
        <Title text="Security"/>
        <TwoFactorCard/>
        <AuthenticatorCard/>
        <RecoveryTokenCard/>
        <ChangePasswordCard/>
        <TrustedDevices/>
    }
}
