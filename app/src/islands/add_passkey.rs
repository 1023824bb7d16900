//! "Add a passkey": the server's options, the browser's own prompt, the answer stored.

use leptos::prelude::*;

/// The button of the Passkeys card (the server draws it only while the account may add
/// one). Once the new passkey is stored the page is loaded again, and the server asks for
/// its name. When the server wants the password again first, the card's prompt opens,
/// and the button is pressed again once it is confirmed.
#[island]
pub fn AddPasskey() -> impl IntoView {
    let usable = RwSignal::new(false);
    let adding = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        usable.set(super::webauthn::supported());
    });
    let add = move |_e: leptos::ev::MouseEvent| {
        error.set(None);
        adding.set(true);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let button = _e
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
            leptos::task::spawn_local(async move {
                match add_passkey().await {
                    Ok(()) => {
                        let _ = window().location().reload();
                        return;
                    }
                    Err(crate::error::AppError::SudoRequired)
                        if button.as_ref().is_some_and(super::ask_for_password) => {}
                    Err(e) => {
                        let _ = error.try_set(Some(
                            e.for_field("passkey").unwrap_or_else(|| e.to_string()),
                        ));
                    }
                }
                let _ = adding.try_set(false);
            });
        }
    };
    view! {
        <p class="alert alert-error" role="alert" hidden=move || error.with(Option::is_none)>
            {move || error.get()}
        </p>
        <button type="button" class="btn btn-primary" data-testid="add-passkey"
            hidden=move || !usable.get() disabled=move || adding.get() on:click=add>
            {move || if adding.get() { "Waiting for your passkey…" } else { "Add a passkey" }}
        </button>
        <p class="muted small needs-js" hidden=move || usable.get()>"This browser can't create passkeys."</p>
    }
}

/// The two round trips around the browser's prompt.
#[cfg(feature = "hydrate")]
async fn add_passkey() -> Result<(), crate::error::AppError> {
    use super::call::{call, field};
    use crate::api::passkeys::{AddPasskey as Begin, SavePasskey};
    use crate::error::AppError;
    use leptos::server_fn::ServerFn;
    // A `PasskeyChallenge`.
    let started = call(Begin::PATH, &[]).await?;
    let (ceremony, options) = (field(&started, "ceremony")?, field(&started, "options")?);
    let answer = super::webauthn::create(&options)
        .await
        .map_err(|e| AppError::invalid("passkey", e.message()))?;
    let args = [
        ("ceremony", ceremony.as_str()),
        ("credential", answer.as_str()),
    ];
    // Its answer is the new passkey, which the reloaded page shows.
    call(SavePasskey::PATH, &args).await?;
    Ok(())
}
