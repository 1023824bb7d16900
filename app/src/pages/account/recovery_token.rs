//! The Recovery Token card.

use leptos::prelude::*;

use super::sudo::{asks_for_sudo, SudoPrompt};
use super::{use_account, AddedState};
use crate::api::recovery_token::{recovery_status, CreateRecoveryToken, RevokeRecoveryToken};
use crate::api::sudo::ConfirmPassword;
use crate::components::alert::Alert;
use crate::components::card::Card;
use crate::components::loaded::Loaded;

/// Seed step 7: the Recovery Token, created and shown once, with Print and Copy.
#[component]
pub(super) fn RecoveryTokenCard() -> impl IntoView {
    let create = ServerAction::<CreateRecoveryToken>::new();
    let revoke = ServerAction::<RevokeRecoveryToken>::new();
    let sudo = ServerAction::<ConfirmPassword>::new();
    let status = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| recovery_status(),
    );
    let saved = RwSignal::new(false);
    let copied = RwSignal::new(false);
    // The token exists only in this signal, once, in this tab.
    let shown = move || {
        create
            .value()
            .get()
            .and_then(Result::ok)
            .filter(|_| !saved.get())
    };
    let asked = move || asks_for_sudo(create.value()) || asks_for_sudo(revoke.value());
    crate::components::leave_guard::use_leave_guard(
        Signal::derive(move || shown().is_some()),
        "You haven't confirmed that you saved your recovery token. You will not be able to see it again. Leave anyway?",
    );
    let username = move || {
        use_account()
            .get()
            .and_then(Result::ok)
            .map(|a| a.username)
            .unwrap_or_default()
    };

    view! {
        <Card id="recovery" title="Recovery Token">
            <Loaded resource=status quiet=true ok=move |s| view! {
                {s.used.then(|| view! {
                    <Alert testid="recovery-banner">
                        "You used your recovery token. Create a new one now, and check your mobile number."
                    </Alert>
                })}
                <AddedState testid="recovery-state" added_at=s.created_at added="Recovery token created on "
                    absent=concat!(
                        "If you lose your phone, a recovery token lets you log in instead of the texted code. ",
                        "It works once.",
                    )
                    remove=move || view! {
                        <ActionForm action=revoke>
                            <button type="submit" class="btn btn-quiet">"Revoke"</button>
                        </ActionForm>
                    }
                    add=move || view! {
                        <ActionForm action=create>
                            <button type="submit" class="btn btn-primary needs-js">"Create Recovery Token"</button>
                        </ActionForm>
                    }/>
            }/>
            <SudoPrompt action=sudo id="recovery-sudo-password" asked/>
            {move || shown().map(|token| {
                let for_copy = token.clone();
                view! {
                    <div class="recovery-print" data-testid="recovery-token-box">
                        <p class="print-only">"Gatehouse recovery token for " <strong>{username}</strong></p>
                        <p class="recovery-token" data-testid="recovery-token">{token}</p>
                        <p><strong>"Please print this or write it down. You will not be able to retrieve it again."</strong></p>
                        <p class="muted no-print">
                            "If you lose it, you can obtain another by first revoking this one. Recovery tokens are single use: "
                            "after using yours, create a new one once you have recovered your account."
                        </p>
                    </div>
                    <div class="recovery-actions no-print">
                        <button type="button" class="btn btn-quiet" on:click=move |_| print_page()>"Print"</button>
                        <button type="button" class="btn btn-quiet" on:click=move |_| {
                            copy_text(&for_copy);
                            copied.set(true);
                        }>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
                        <button type="button" class="btn btn-primary" on:click=move |_| saved.set(true)>"I have saved it"</button>
                    </div>
                }
            })}
        </Card>
    }
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

fn copy_text(_text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(_text);
    }
}
