//! `/confirm-email?token=…`: the link sent to a new email address. Opening it changes
//! nothing (mail scanners open links); the button does.

use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::email_change::ConfirmEmail;
use crate::components::alert::Alert;
use crate::components::brand::Brand;
use crate::components::form::{Form, Submit};

/// Confirms the new address with one button; then says so.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let (token, done) = use_query_map()
        .with_untracked(|q| (q.get("token").unwrap_or_default(), q.get("done").is_some()));
    view! {
        <Title text="Confirm your new email address"/>
        <main class="auth-page">
            <div class="card auth-card">
                <Brand/>
                <h1>"Confirm your new email address"</h1>
                {if done {
                    Either::Left(view! {
                        <Alert status=true testid="email-confirmed">
                            "Done: password resets, usernames and security notices now go to this address."
                        </Alert>
                    })
                } else {
                    Either::Right(view! {
                        <Form action=ConfirmEmail::PATH class="stack">
                            <input type="hidden" name="token" value=token/>
                            <Submit label="Use this address" busy="Saving…"/>
                        </Form>
                    })
                }}
                <nav class="auth-links" aria-label="Account help">
                    <a href="/account">"Account › Profile"</a>
                </nav>
            </div>
        </main>
    }
}
