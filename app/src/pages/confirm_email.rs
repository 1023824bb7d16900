//! `/confirm-email?token=…`: the link sent to a new email address. Opening it changes
//! nothing (mail scanners open links); the button does.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::email_change::ConfirmEmail;
use crate::components::alert::{Alert, ErrorAlert};
use crate::components::brand::Brand;
use crate::components::field::action_error;

/// Confirms the new address with one button; then says so.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let done = move || query.with(|q| q.get("done").is_some());
    let confirm = ServerAction::<ConfirmEmail>::new();
    let error = action_error(confirm.value());
    view! {
        <Title text="Confirm your new email address"/>
        <main class="auth-page">
            <div class="card auth-card">
                <Brand/>
                <h1>"Confirm your new email address"</h1>
                <Show when=done fallback=move || view! {
                    <ErrorAlert message=error/>
                    <ActionForm action=confirm attr:class="stack">
                        <input type="hidden" name="token" value=token/>
                        <button type="submit" class="btn btn-primary">"Use this address"</button>
                    </ActionForm>
                }>
                    <Alert status=true testid="email-confirmed">
                        "Done: password resets, usernames and security notices now go to this address."
                    </Alert>
                </Show>
                <nav class="auth-links" aria-label="Account help">
                    <a href="/account">"Account › Profile"</a>
                </nav>
            </div>
        </main>
    }
}
