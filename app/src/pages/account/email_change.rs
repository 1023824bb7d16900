//! The Email address card on the Profile tab.

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

use super::sudo::SudoPrompt;
use crate::api::email_change::ChangeEmail;
use crate::components::card::Card;
use crate::components::field::Field;
use crate::components::form::{Form, Submit};

/// A new address gets a link; it becomes the account's when the link is followed.
#[component]
pub(super) fn EmailChangeCard() -> impl IntoView {
    view! {
        <Card id="email" title="Email address" intro=concat!(
            "Password resets, usernames and security notices go to this address. A new one ",
            "is used once you follow the link we send to it; your current address is told.",
        )>
            <SudoPrompt id="email-sudo-password" for_actions=&[ChangeEmail::PATH]/>
            <Form action=ChangeEmail::PATH class="stack">
                <Field id="new-email" label="New email address" name="new_email" kind="email"
                    autocomplete="email" maxlength="254" required=true/>
                <Submit label="Send confirmation link" busy="Sending…" class="btn btn-quiet"/>
            </Form>
        </Card>
    }
}
