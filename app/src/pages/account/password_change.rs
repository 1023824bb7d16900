//! The Change password card.

use leptos::prelude::*;

use crate::api::password_change::ChangePassword;
use crate::components::alert::{Alert, ErrorAlert};
use crate::components::card::Card;
use crate::components::field::{field_error, other_error, Field};

/// Change password: the current one, then the new one twice.
#[component]
pub(crate) fn ChangePasswordCard() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let value = change.value();
    let other = other_error(value, &["current_password", "password", "password_again"]);
    let done = move || matches!(value.get(), Some(Ok(())));
    let pending = change.pending();
    view! {
        <Card id="password" title="Change password">
            <div aria-live="polite">
                {move || done().then(|| view! {
                    <Alert status=true testid="password-changed">
                        "Your password was changed. Your other sessions were signed out and trusted devices forgotten."
                    </Alert>
                })}
                <ErrorAlert message=other/>
            </div>
            <ActionForm action=change attr:class="stack">
                <Field id="current-password" label="Current password" name="current_password"
                    kind="password" autocomplete="current-password" maxlength="256" required=true
                    error=field_error(value, "current_password")/>
                <Field id="changed-password" label="New password" name="password" kind="password"
                    autocomplete="new-password" minlength="12" maxlength="256" required=true
                    error=field_error(value, "password")/>
                <Field id="changed-password-again" label="Confirm new password" name="password_again"
                    kind="password" autocomplete="new-password" maxlength="256" required=true
                    error=field_error(value, "password_again")/>
                <button type="submit" class="btn btn-quiet" disabled=pending>"Change password"</button>
            </ActionForm>
        </Card>
    }
}
