//! The Passkeys card: add one (sudo mode, then the browser's own prompt, then a name),
//! the list with Rename and Remove.

use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

use super::sudo::SudoPrompt;
use crate::api::passkeys::{
    passkeys, AddPasskey as Add, PasskeyView, RemovePasskey, RenamePasskey,
};
use crate::components::alert::NoticeSlot;
use crate::components::card::Card;
use crate::components::form::{ButtonForm, Form, Submit};
use crate::components::loaded::Loaded;
use crate::components::local_time::LocalTime;
use crate::domain::MAX_PASSKEYS;
use crate::islands::add_passkey::AddPasskey;
use crate::notice::{Notice, Shown};

/// Passkeys: "Add a passkey", and each passkey with its name, when it was added and last
/// used, whether it is synced, Rename and Remove.
#[component]
pub(super) fn PasskeysCard() -> impl IntoView {
    let list = Resource::new(|| (), |_| passkeys());
    // The passkey just added ("Passkey added", the notice, names it by its id).
    let added: Option<i64> = use_context::<Shown>()
        .filter(|s| s.notice == Notice::PasskeyAdded)
        .and_then(|s| s.arg.parse().ok());
    view! {
        <Card id="passkeys" title="Passkeys" intro=concat!(
            "Sign in with your fingerprint, face or screen lock instead of a password and a code. ",
            "A passkey can't be phished: it only works on this site. Your password and other ",
            "sign-in methods keep working.",
        )>
            <Loaded resource=list quiet=true ok=move |view| {
                if !view.available {
                    return Either::Left(view! {
                        <p data-testid="passkeys-unavailable">"Passkeys aren't available on this server."</p>
                    });
                }
                let count = view.passkeys.len();
                let new = added.and_then(|id| view.passkeys.iter().find(|p| p.id == id).cloned());
                Either::Right(view! {
                    {new.map(|p| view! { <NameNewPasskey passkey=p/> })}
                    {if view.passkeys.is_empty() {
                        Either::Left(view! { <p data-testid="passkeys-state">"No passkeys yet."</p> })
                    } else {
                        Either::Right(view! {
                            <ul class="device-list" data-testid="passkey-list">
                                {view.passkeys.into_iter().map(|p| view! { <PasskeyItem passkey=p/> }).collect_view()}
                            </ul>
                        })
                    }}
                    {if count < MAX_PASSKEYS {
                        Either::Left(view! { <AddPasskey/> })
                    } else {
                        Either::Right(view! {
                            <p class="muted small">"You have 10 passkeys, the most an account can have."</p>
                        })
                    }}
                })
            }/>
            <SudoPrompt id="passkey-sudo-password" for_actions=&[Add::PATH, RemovePasskey::PATH]/>
        </Card>
    }
}

/// Right after adding: the name the device gave it, with the focus, ready to change.
#[component]
fn NameNewPasskey(passkey: PasskeyView) -> impl IntoView {
    view! {
        <div class="stack" data-testid="passkey-added">
            <NoticeSlot name="passkey-added"/>
            <Form action=RenamePasskey::PATH class="stack">
                <input type="hidden" name="id" value=passkey.id.to_string()/>
                <div class="field">
                    <label for="new-passkey-name">"Name this passkey"</label>
                    <input id="new-passkey-name" name="name" type="text" maxlength="64" required
                        value=passkey.name autofocus data-select="" aria-describedby="new-passkey-name-error"/>
                    <p id="new-passkey-name-error" class="field-error"></p>
                </div>
                <Submit label="Save name" busy="Saving…"/>
            </Form>
        </div>
    }
}

/// One passkey in the list.
#[component]
fn PasskeyItem(passkey: PasskeyView) -> impl IntoView {
    let id = passkey.id.to_string();
    let rename_id = id.clone();
    let field_id = format!("passkey-name-{}", passkey.id);
    let error_id = format!("{field_id}-error");
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
                    <Form action=RenamePasskey::PATH class="stack">
                        <input type="hidden" name="id" value=rename_id/>
                        <div class="field">
                            <label for=field_id.clone()>"New name"</label>
                            <input id=field_id name="name" type="text" maxlength="64" required
                                value=passkey.name aria-describedby=error_id.clone()/>
                            <p id=error_id class="field-error"></p>
                        </div>
                        <Submit label="Save name" busy="Saving…" class="btn btn-quiet"/>
                    </Form>
                </details>
            </div>
            <ButtonForm action=RemovePasskey::PATH label="Remove" hidden=vec![("id", id)]/>
        </li>
    }
}
