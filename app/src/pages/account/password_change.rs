//! The Change password card.

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

use crate::api::password_change::ChangePassword;
use crate::components::card::Card;
use crate::components::field::Field;
use crate::components::form::{Form, Submit};

/// Change password: the current one, then the new one twice.
#[component]
pub(crate) fn ChangePasswordCard() -> impl IntoView {
    view! {
        <Card id="password" title="Change password">
            <Form action=ChangePassword::PATH class="stack">
                <Field id="current-password" label="Current password" name="current_password"
                    kind="password" autocomplete="current-password" maxlength="256" required=true/>
                <Field id="changed-password" label="New password" name="password" kind="password"
                    autocomplete="new-password" minlength="12" maxlength="256" required=true/>
                <Field id="changed-password-again" label="Confirm new password" name="password_again"
                    kind="password" autocomplete="new-password" maxlength="256" required=true/>
                <Submit label="Change password" busy="Changing…" class="btn btn-quiet"/>
            </Form>
        </Card>
    }
}
