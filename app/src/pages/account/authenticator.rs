//! The authenticator app card.

use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

use super::sudo::SudoPrompt;
use super::AddedState;
use crate::api::authenticator::{
    authenticator_status, AuthenticatorSetup, ConfirmAuthenticator, RemoveAuthenticator,
    SetupAuthenticator,
};
use crate::components::card::Card;
use crate::components::field::Field;
use crate::components::form::{ButtonForm, Form, Submit};
use crate::components::loaded::Loaded;

/// The authenticator app: Set up (QR code and typed secret, then "Code from the app"),
/// or Remove. Both need a recent password.
#[component]
pub(super) fn AuthenticatorCard() -> impl IntoView {
    let status = Resource::new(|| (), |_| authenticator_status());
    view! {
        <Card id="app" title="Authenticator app" intro=concat!(
            "Safer than texts: an app such as Google Authenticator, Microsoft Authenticator or 1Password ",
            "shows a new 6-digit code every 30 seconds. Sign-in asks for it first; texts stay available.",
        )>
            <Loaded resource=status quiet=true ok=move |s| match s.setting_up {
                Some(setup) => Either::Left(view! { <SetUp setup/> }),
                None => Either::Right(view! {
                    <AddedState testid="app-state" added_at=s.added_at added="On — added " absent="Not set up."
                        remove=move || view! { <ButtonForm action=RemoveAuthenticator::PATH label="Remove"/> }
                        add=move || view! {
                            <ButtonForm action=SetupAuthenticator::PATH label="Set up" class="btn btn-primary"/>
                        }/>
                }),
            }/>
            <SudoPrompt id="app-sudo-password"
                for_actions=&[SetupAuthenticator::PATH, RemoveAuthenticator::PATH]/>
        </Card>
    }
}

/// A set-up waiting for the app's first code: the QR code (an SVG the server drew), the
/// key as text, and "Code from the app", which has the focus.
#[component]
fn SetUp(setup: AuthenticatorSetup) -> impl IntoView {
    view! {
        <div class="app-setup stack" data-testid="app-setup">
            <p>"Scan this QR code with your authenticator app:"</p>
            <div class="qr" inner_html=setup.qr_svg></div>
            <p>"Or type this key into the app:"</p>
            <p class="recovery-token" data-testid="app-secret">{setup.secret_text}</p>
            <Form action=ConfirmAuthenticator::PATH class="stack">
                <Field id="app-code" label="Code from the app" name="code" field="app_code" kind="text"
                    inputmode="numeric" autocomplete="one-time-code" maxlength="12"
                    placeholder="123 456" required=true autofocus=true/>
                <Submit label="Confirm" busy="Checking…"/>
            </Form>
        </div>
    }
}
