//! The authenticator app card.

use leptos::prelude::*;

use super::sudo::{asks_for_sudo, SudoPrompt};
use super::AddedState;
use crate::api::authenticator::{
    authenticator_status, ConfirmAuthenticator, RemoveAuthenticator, SetupAuthenticator,
};
use crate::api::sudo::ConfirmPassword;
use crate::components::alert::{Alert, ErrorAlert};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::components::loaded::Loaded;
use crate::error::AppError;

/// The authenticator app: Set up (QR code and typed secret, then "Code from the app"),
/// or Remove. Both need a recent password.
#[component]
pub(super) fn AuthenticatorCard() -> impl IntoView {
    let setup = ServerAction::<SetupAuthenticator>::new();
    let confirm = ServerAction::<ConfirmAuthenticator>::new();
    let remove = ServerAction::<RemoveAuthenticator>::new();
    let sudo = ServerAction::<ConfirmPassword>::new();
    let status = Resource::new(
        move || (confirm.version().get(), remove.version().get()),
        |_| authenticator_status(),
    );
    let confirmed = move || matches!(confirm.value().get(), Some(Ok(())));
    let showing = move || {
        setup
            .value()
            .get()
            .and_then(Result::ok)
            .filter(|_| !confirmed())
    };
    let asked = move || asks_for_sudo(setup.value()) || asks_for_sudo(remove.value());
    let code_error = move || {
        confirm
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.for_field("app_code").unwrap_or_else(|| e.to_string()))
    };
    let setup_error = move || {
        setup
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| *e != AppError::SudoRequired)
            .map(|e| e.for_field("app_code").unwrap_or_else(|| e.to_string()))
    };
    view! {
        <Card id="app" title="Authenticator app" intro=concat!(
            "Safer than texts: an app such as Google Authenticator, Microsoft Authenticator or 1Password ",
            "shows a new 6-digit code every 30 seconds. Sign-in asks for it first; texts stay available.",
        )>
            {move || confirmed().then(|| view! {
                <Alert status=true>"Your authenticator app is set up. Sign-in will ask for its code."</Alert>
            })}
            <ErrorAlert message=setup_error/>
            <Loaded resource=status quiet=true ok=move |s| view! {
                <AddedState testid="app-state" added_at=s.added_at added="On — added " absent="Not set up."
                    remove=move || view! {
                        <ActionForm action=remove>
                            <button type="submit" class="btn btn-quiet">"Remove"</button>
                        </ActionForm>
                    }
                    add=move || view! {
                        <ActionForm action=setup>
                            <button type="submit" class="btn btn-primary needs-js">"Set up"</button>
                        </ActionForm>
                    }/>
            }/>
            <SudoPrompt action=sudo id="app-sudo-password" asked/>
            {move || showing().map(|s| view! {
                <div class="app-setup stack" data-testid="app-setup">
                    <p>"Scan this QR code with your authenticator app:"</p>
                    <div class="qr" inner_html=s.qr_svg></div>
                    <p>"Or type this key into the app:"</p>
                    <p class="recovery-token" data-testid="app-secret">{s.secret_text}</p>
                    <ActionForm action=confirm attr:class="stack">
                        <Field id="app-code" label="Code from the app" name="code" kind="text"
                            inputmode="numeric" autocomplete="one-time-code" maxlength="12"
                            placeholder="123 456" required=true error=code_error/>
                        <button type="submit" class="btn btn-primary">"Confirm"</button>
                    </ActionForm>
                </div>
            })}
        </Card>
    }
}
