//! The Passkeys card: add one (sudo mode, then the browser's own prompt, then a name),
//! the list with Rename and Remove.

use leptos::either::Either;
use leptos::prelude::*;

use super::sudo::{asks_for_sudo, SudoPrompt};
use crate::api::passkeys::{passkeys, PasskeyView, RemovePasskey, RenamePasskey};
use crate::api::sudo::ConfirmPassword;
use crate::components::alert::{Alert, ErrorAlert};
use crate::components::card::Card;
use crate::components::field::action_error;
use crate::components::loaded::Loaded;
use crate::components::local_time::LocalTime;
use crate::error::AppError;

/// Passkeys: "Add a passkey", and each passkey with its name, when it was added and last
/// used, whether it is synced, Rename and Remove.
#[component]
pub(super) fn PasskeysCard() -> impl IntoView {
    let rename = ServerAction::<RenamePasskey>::new();
    let remove = ServerAction::<RemovePasskey>::new();
    let sudo = ServerAction::<ConfirmPassword>::new();
    // The passkey just added, named after the device until the customer renames it.
    let added = RwSignal::new(None::<PasskeyView>);
    let add_error = RwSignal::new(None::<String>);
    let add_needs_sudo = RwSignal::new(false);
    let adding = RwSignal::new(false);
    let list = Resource::new(
        move || {
            (
                rename.version().get(),
                remove.version().get(),
                added.with(|a| a.as_ref().map(|a| a.id)),
            )
        },
        |_| passkeys(),
    );
    // The browser can make passkeys (known once hydrated).
    let usable = RwSignal::new(false);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        usable.set(crate::webauthn::supported());
    });
    let add = move |_| {
        add_error.set(None);
        add_needs_sudo.set(false);
        adding.set(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match add_passkey().await {
                Ok(view) => {
                    let _ = added.try_set(Some(view));
                }
                Err(AppError::SudoRequired) => {
                    let _ = add_needs_sudo.try_set(true);
                }
                Err(e) => {
                    let _ = add_error.try_set(Some(
                        e.for_field("passkey").unwrap_or_else(|| e.to_string()),
                    ));
                }
            }
            let _ = adding.try_set(false);
        });
    };
    let asked = move || add_needs_sudo.get() || asks_for_sudo(remove.value());
    let rename_error = action_error(rename.value());
    let remove_error = move || {
        remove
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| *e != AppError::SudoRequired)
            .map(|e| e.for_field("passkey").unwrap_or_else(|| e.to_string()))
    };
    view! {
        <Card id="passkeys" title="Passkeys" intro=concat!(
            "Sign in with your fingerprint, face or screen lock instead of a password and a code. ",
            "A passkey can't be phished: it only works on this site. Your password and other ",
            "sign-in methods keep working.",
        )>
            <div aria-live="polite">
                <ErrorAlert message=add_error/>
                <ErrorAlert message=Signal::derive(remove_error)/>
                <ErrorAlert message=rename_error/>
            </div>
            {move || added.get().map(|p| view! { <NameNewPasskey passkey=p rename added/> })}
            <Loaded resource=list quiet=true ok=move |view| {
                if !view.available {
                    return Either::Left(view! {
                        <p data-testid="passkeys-unavailable">"Passkeys aren't available on this server."</p>
                    });
                }
                let count = view.passkeys.len();
                Either::Right(view! {
                    {if view.passkeys.is_empty() {
                        Either::Left(view! { <p data-testid="passkeys-state">"No passkeys yet."</p> })
                    } else {
                        Either::Right(view! {
                            <ul class="device-list" data-testid="passkey-list">
                                {view.passkeys.into_iter().map(|p| view! { <PasskeyItem passkey=p rename remove/> }).collect_view()}
                            </ul>
                        })
                    }}
                    <Show when=move || usable.get() && count < 10 fallback=move || view! {
                        <p class="muted small needs-js">
                            {if count >= 10 { "You have 10 passkeys, the most an account can have." } else { "This browser can't create passkeys." }}
                        </p>
                    }>
                        <button type="button" class="btn btn-primary" data-testid="add-passkey"
                            disabled=move || adding.get() on:click=add>
                            {move || if adding.get() { "Waiting for your passkey…" } else { "Add a passkey" }}
                        </button>
                    </Show>
                })
            }/>
            <SudoPrompt action=sudo id="passkey-sudo-password" asked/>
        </Card>
    }
}

/// "Add a passkey": options from the server, the browser's prompt, the answer stored.
#[cfg(feature = "hydrate")]
async fn add_passkey() -> Result<PasskeyView, AppError> {
    use crate::api::passkeys::{add_passkey, save_passkey};
    let started = add_passkey().await?;
    let answer = crate::webauthn::create(&started.options)
        .await
        .map_err(|e| AppError::invalid("passkey", e.message()))?;
    save_passkey(started.ceremony, answer).await
}

/// Right after adding: the name, ready to change, with the focus on it.
#[component]
fn NameNewPasskey(
    passkey: PasskeyView,
    rename: ServerAction<RenamePasskey>,
    added: RwSignal<Option<PasskeyView>>,
) -> impl IntoView {
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
            input.select();
        }
    });
    // Renamed: the list shows the new name; this form has done its job.
    Effect::new(move |prev: Option<usize>| {
        let v = rename.version().get();
        if prev.is_some_and(|p| p != v) && matches!(rename.value().get_untracked(), Some(Ok(()))) {
            added.set(None);
        }
        v
    });
    view! {
        <div class="stack" data-testid="passkey-added">
            <Alert status=true>"Passkey added. You can sign in with it now."</Alert>
            <ActionForm action=rename attr:class="stack">
                <input type="hidden" name="id" value=passkey.id.to_string()/>
                <div class="field">
                    <label for="new-passkey-name">"Name this passkey"</label>
                    <input id="new-passkey-name" name="name" type="text" maxlength="64" required
                        value=passkey.name node_ref=input/>
                </div>
                <button type="submit" class="btn btn-primary">"Save name"</button>
            </ActionForm>
        </div>
    }
}

/// One passkey in the list.
#[component]
fn PasskeyItem(
    passkey: PasskeyView,
    rename: ServerAction<RenamePasskey>,
    remove: ServerAction<RemovePasskey>,
) -> impl IntoView {
    let id = passkey.id.to_string();
    let rename_id = id.clone();
    let field_id = format!("passkey-name-{}", passkey.id);
    view! {
        <li class="device" data-testid="passkey">
            <div>
                <strong data-testid="passkey-name">{passkey.name.clone()}</strong>
                <span class="muted">
                    {if passkey.synced { " · synced between your devices" } else { " · on one device or key" }}
                </span>
                <div class="muted small">
                    "Added " <LocalTime iso=passkey.created_at/>
                    {match passkey.last_used_at {
                        Some(at) => Either::Left(view! { " · last used " <LocalTime iso=at/> }),
                        None => Either::Right(" · never used"),
                    }}
                </div>
                <details class="rename">
                    <summary>"Rename"</summary>
                    <ActionForm action=rename attr:class="stack">
                        <input type="hidden" name="id" value=rename_id/>
                        <div class="field">
                            <label for=field_id.clone()>"New name"</label>
                            <input id=field_id.clone() name="name" type="text" maxlength="64" required value=passkey.name/>
                        </div>
                        <button type="submit" class="btn btn-quiet">"Save name"</button>
                    </ActionForm>
                </details>
            </div>
            <ActionForm action=remove>
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="btn btn-quiet">"Remove"</button>
            </ActionForm>
        </li>
    }
}
