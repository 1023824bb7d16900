//! The Two Factor Authentication card: mobile number and on/off.

use leptos::prelude::*;

use super::sudo::{asks_for_sudo, sudo_confirmed, SudoPrompt};
use crate::api::sudo::ConfirmPassword;
use crate::api::two_factor::{
    two_factor_settings, ConfirmPhone, TwoFactorView, UpdateResult, UpdateTwoFactor,
};
use crate::components::alert::{Alert, ErrorAlert};
use crate::components::card::Card;
use crate::components::field::{action_error, Field};
use crate::components::loaded::Loaded;
use crate::error::AppError;

/// The card, reloading its settings after each change.
#[component]
pub(super) fn TwoFactorCard() -> impl IntoView {
    let update = ServerAction::<UpdateTwoFactor>::new();
    let confirm = ServerAction::<ConfirmPhone>::new();
    let sudo = ServerAction::<ConfirmPassword>::new();
    let settings = Resource::new(
        move || {
            let versions = [update.version(), confirm.version(), sudo.version()];
            versions.map(|v| v.get())
        },
        |_| two_factor_settings(),
    );
    view! {
        <Card id="tfa" title="Two Factor Authentication">
            <Loaded resource=settings ok=move |s| view! { <TwoFactorForm settings=s update confirm sudo/> }/>
        </Card>
    }
}

/// Whether Update's last answer refused the number.
fn phone_error_in(value: &Option<Result<UpdateResult, AppError>>) -> bool {
    matches!(value, Some(Err(e)) if e.for_field("phone").is_some())
}

/// The seed's form: Mobile, "Two Factor Authentication Enabled", Update; then the
/// Confirmation code for a new number, and the password prompt when a change needs it.
#[component]
fn TwoFactorForm(
    settings: TwoFactorView,
    update: ServerAction<UpdateTwoFactor>,
    confirm: ServerAction<ConfirmPhone>,
    sudo: ServerAction<ConfirmPassword>,
) -> impl IntoView {
    let state = match (settings.enabled, &settings.phone_masked) {
        (true, Some(phone)) => format!("On — codes go to {phone}"),
        (true, None) => "On — authenticator app".to_owned(),
        _ => "Off".to_owned(),
    };
    let update_error = move || update.value().get().and_then(Result::err);
    let phone_error = move || update_error().and_then(|e| e.for_field("phone"));
    let other_update_error = move || {
        update_error()
            .filter(|e| e.for_field("phone").is_none() && *e != AppError::SudoRequired)
            .map(|e| e.to_string())
    };
    let confirm_error = action_error(confirm.value());
    let notice = move || {
        if let Some(Ok((phone, enabled))) = confirm.value().get() {
            return Some(if enabled {
                format!("Two Factor Authentication is on. Codes will go to {phone}.")
            } else {
                format!("Your mobile number {phone} is saved.")
            });
        }
        match update.value().get() {
            Some(Ok(UpdateResult::TurnedOff)) => Some(
                "Two Factor Authentication is off. Your trusted devices were signed out of it too."
                    .to_owned(),
            ),
            Some(Ok(UpdateResult::Unchanged)) => Some("Nothing to change.".to_owned()),
            _ => None,
        }
    };
    let pending = settings.pending_masked.clone();
    let required = settings.required;
    // After each submit the card is drawn anew: focus goes to what comes next (the
    // Confirmation code) or to the field that was refused, never back to the page's top.
    let next_focus = if pending.is_some() {
        Some("confirm-code")
    } else if update.value().with_untracked(phone_error_in) {
        Some("phone")
    } else {
        None
    };
    Effect::new(move |_| {
        // On the next frame: the new card is in the document by then.
        request_animation_frame(move || {
            use leptos::wasm_bindgen::JsCast;
            if let Some(el) = next_focus.and_then(|id| document().get_element_by_id(id)) {
                let _ = el.unchecked_into::<leptos::web_sys::HtmlElement>().focus();
            }
        });
    });
    view! {
        {required.then(|| view! {
            <Alert testid="tfa-required">
                "Your hosting provider requires two-factor authentication. Enter your mobile number, "
                "tick Two Factor Authentication Enabled and press Update to continue."
            </Alert>
        })}
        <p class="status-line">
            <span class="status-label">"Status: "</span>
            <strong data-testid="tfa-state">{state}</strong>
        </p>
        <div aria-live="polite">
            {move || notice().map(|n| view! { <Alert status=true>{n}</Alert> })}
            <ErrorAlert message=other_update_error/>
        </div>
        <p class="muted">"Information."</p>
        <ActionForm action=update attr:class="stack">
            <Field id="phone" label="Mobile" name="phone" kind="tel" autocomplete="tel"
                placeholder="Your Mobile Number" maxlength="40"
                value=settings.phone.clone().unwrap_or_default()
                error=phone_error invalid=true quiet=true/>
            <label class="checkbox">
                <input type="checkbox" name="enabled" value="on" checked=settings.enabled/>
                <span>"Two Factor Authentication Enabled"</span>
            </label>
            <button type="submit" class="btn btn-primary" disabled=update.pending()>"Update"</button>
        </ActionForm>
        <SudoPrompt action=sudo id="sudo-password" asked=move || asks_for_sudo(update.value())/>
        {move || sudo_confirmed(sudo).then(|| view! {
            <Alert status=true>"Thanks. Press Update again to make the change."</Alert>
        })}
        {pending.map(|masked| view! {
            <ActionForm action=confirm attr:class="stack confirm">
                <p>"We texted a code to " <strong>{masked}</strong> ". Enter it to save this number."</p>
                <Field id="confirm-code" label="Confirmation code" name="code" kind="text"
                    inputmode="numeric" autocomplete="one-time-code" maxlength="16" required=true
                    autofocus=true error=confirm_error unlinked=true/>
                <button type="submit" class="btn btn-primary" disabled=confirm.pending()>"Confirm"</button>
            </ActionForm>
        })}
        <p class="muted">
            "Two Factor Authentication asks for a passcode texted to your mobile phone each time you log in, "
            "so a stolen password alone is not enough to get into your account."
        </p>
    }
}
