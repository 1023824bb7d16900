//! The Email address card on the Profile tab.

use leptos::prelude::*;

use super::sudo::{asks_for_sudo, SudoPrompt};
use crate::api::email_change::ChangeEmail;
use crate::api::sudo::ConfirmPassword;
use crate::components::alert::{Alert, ErrorAlert};
use crate::components::card::Card;
use crate::components::field::{field_error, other_error, Field};

/// A new address gets a link; it becomes the account's when the link is followed.
#[component]
pub(super) fn EmailChangeCard() -> impl IntoView {
    let change = ServerAction::<ChangeEmail>::new();
    let sudo = ServerAction::<ConfirmPassword>::new();
    let value = change.value();
    let sent = move || value.get().and_then(Result::ok);
    let other = other_error(value, &["new_email"]);
    let pending = change.pending();
    view! {
        <Card id="email" title="Email address" intro=concat!(
            "Password resets, usernames and security notices go to this address. A new one ",
            "is used once you follow the link we send to it; your current address is told.",
        )>
            <div aria-live="polite">
                {move || sent().map(|to| view! {
                    <Alert status=true testid="email-link-sent">
                        "We sent a link to " {to} ". Your address changes when you follow it (within an hour)."
                    </Alert>
                })}
                <ErrorAlert message=move || other().filter(|_| !asks_for_sudo(value))/>
            </div>
            <SudoPrompt action=sudo id="email-sudo-password" asked=move || asks_for_sudo(value)/>
            <ActionForm action=change attr:class="stack">
                <Field id="new-email" label="New email address" name="new_email" kind="email"
                    autocomplete="email" maxlength="254" required=true invalid=true
                    error=field_error(value, "new_email")/>
                <button type="submit" class="btn btn-quiet" disabled=pending>"Send confirmation link"</button>
            </ActionForm>
        </Card>
    }
}
