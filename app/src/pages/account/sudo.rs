//! "Sudo mode": the password again, asked for inline when a change needs a recent one.

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

use crate::api::sudo::ConfirmPassword;
use crate::components::alert::Alert;
use crate::components::field::Field;
use crate::components::form::{refused, Form, Submit};
use crate::error::AppError;

/// A card's password prompt. It stays hidden until a change in its card is refused for
/// want of a recent password: the page's script then opens it and, once the password is
/// confirmed, makes that change again. Without JavaScript the refused post's page shows
/// it, and the change is made again by hand. `for_actions`: the paths of the card's
/// server functions that need sudo mode.
#[component]
pub(crate) fn SudoPrompt(
    id: &'static str,
    for_actions: &'static [&'static str],
    #[prop(default = "Password")] label: &'static str,
) -> impl IntoView {
    let asked = for_actions
        .iter()
        .any(|path| refused(path) == Some(AppError::SudoRequired));
    view! {
        <Form action=ConfirmPassword::PATH class="stack sudo" hidden=!asked sudo_prompt=true>
            <Alert>{AppError::SudoRequired.to_string()}</Alert>
            <Field id label name="password" kind="password" autocomplete="current-password"
                required=true autofocus=asked/>
            <Submit label="Confirm password" busy="Checking…" class="btn btn-quiet"/>
        </Form>
    }
}
