//! "Sudo mode": the password again, asked for inline when a change needs a recent one.

use leptos::prelude::*;

use crate::api::sudo::ConfirmPassword;
use crate::components::alert::Alert;
use crate::components::field::{action_error, Field};
use crate::error::AppError;

/// Whether an action's last answer was "enter your password again".
pub(super) fn asks_for_sudo<T>(value: impl Get<Value = Option<Result<T, AppError>>>) -> bool {
    matches!(value.get(), Some(Err(AppError::SudoRequired)))
}

/// Whether the password has just been confirmed.
pub(super) fn sudo_confirmed(action: ServerAction<ConfirmPassword>) -> bool {
    action.value().with(|v| matches!(v, Some(Ok(()))))
}

/// The password prompt, shown while `asked` reads true and until the password is
/// confirmed.
#[component]
pub(super) fn SudoPrompt(
    action: ServerAction<ConfirmPassword>,
    id: &'static str,
    asked: impl Fn() -> bool + Send + Sync + 'static,
) -> impl IntoView {
    let error = action_error(action.value());
    view! {
        <Show when=move || asked() && !sudo_confirmed(action)>
            <ActionForm action=action attr:class="stack sudo">
                <Alert>{AppError::SudoRequired.to_string()}</Alert>
                <Field id label="Password" name="password" kind="password"
                    autocomplete="current-password" required=true error=error unlinked=true/>
                <button type="submit" class="btn btn-quiet">"Confirm password"</button>
            </ActionForm>
        </Show>
    }
}
