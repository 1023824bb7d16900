//! The Two Factor Authentication card: mobile number and on/off.

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

use super::sudo::SudoPrompt;
use crate::api::two_factor::{two_factor_settings, ConfirmPhone, TwoFactorView, UpdateTwoFactor};
use crate::components::alert::Alert;
use crate::components::card::Card;
use crate::components::field::Field;
use crate::components::form::{Form, Submit};
use crate::components::loaded::Loaded;

/// The card, with the account's settings as they are now.
#[component]
pub(super) fn TwoFactorCard() -> impl IntoView {
    let settings = Resource::new(|| (), |_| two_factor_settings());
    view! {
        <Card id="tfa" title="Two Factor Authentication">
            <Loaded resource=settings ok=move |s| view! { <TwoFactorForm settings=s/> }/>
        </Card>
    }
}

/// The seed's form: Mobile, "Two Factor Authentication Enabled", Update; then the
/// Confirmation code for a new number (which has the focus), and the password prompt
/// when a change needs it.
#[component]
fn TwoFactorForm(settings: TwoFactorView) -> impl IntoView {
    let state = match (settings.enabled, &settings.phone_masked) {
        (true, Some(phone)) => format!("On — codes go to {phone}"),
        (true, None) => "On — authenticator app".to_owned(),
        _ => "Off".to_owned(),
    };
    view! {
        {settings.required.then(|| view! {
            <Alert testid="tfa-required">
                "Your hosting provider requires two-factor authentication. Enter your mobile number, "
                "tick Two Factor Authentication Enabled and press Update to continue."
            </Alert>
        })}
        <p class="status-line">
            <span class="status-label">"Status: "</span>
            <strong data-testid="tfa-state">{state}</strong>
        </p>
        <p class="muted">"Information."</p>
        <Form action=UpdateTwoFactor::PATH class="stack">
            <Field id="phone" label="Mobile" name="phone" kind="tel" autocomplete="tel"
                placeholder="Your Mobile Number" maxlength="40"
                value=settings.phone.clone().unwrap_or_default()/>
            <label class="checkbox">
                <input type="checkbox" name="enabled" value="on" checked=settings.enabled/>
                <span>"Two Factor Authentication Enabled"</span>
            </label>
            <Submit label="Update" busy="Updating…"/>
        </Form>
        <SudoPrompt id="sudo-password" for_actions=&[UpdateTwoFactor::PATH]/>
        {settings.pending_masked.map(|masked| view! {
            <Form action=ConfirmPhone::PATH class="stack confirm">
                <p>"We texted a code to " <strong>{masked}</strong> ". Enter it to save this number."</p>
                <Field id="confirm-code" label="Confirmation code" name="code" field="confirm_code"
                    kind="text" inputmode="numeric" autocomplete="one-time-code" maxlength="16"
                    required=true autofocus=true/>
                <Submit label="Confirm" busy="Checking…"/>
            </Form>
        })}
        <p class="muted">
            "Two Factor Authentication asks for a passcode texted to your mobile phone each time you log in, "
            "so a stolen password alone is not enough to get into your account."
        </p>
    }
}
