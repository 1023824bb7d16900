//! "Sign in with a passkey" and "Use a passkey": the button, and the passkeys a browser
//! offers in the Username field's autofill. Rendered only once the page is hydrated and
//! the browser can use passkeys: without JavaScript every other way in still works.

use leptos::prelude::*;

use crate::components::alert::ErrorAlert;

/// The passkey sign-in button. With `autofill`, the browser also offers the site's
/// passkeys in the field marked `autocomplete="username webauthn"` until the button is
/// pressed or the page moves on. On success the page goes where the server says.
#[component]
pub fn PasskeySignIn(
    label: &'static str,
    testid: &'static str,
    next: Option<String>,
    #[prop(optional)] autofill: bool,
) -> impl IntoView {
    let usable = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    let press = {
        let autofill_request = StoredValue::new_local(None::<web_sys::AbortController>);
        on_cleanup(move || abort(autofill_request));
        let for_autofill = next.clone();
        Effect::new(move |_| {
            if !crate::webauthn::supported() {
                return;
            }
            usable.set(true);
            if autofill {
                let next = for_autofill.clone();
                leptos::task::spawn_local(async move {
                    if !crate::webauthn::autofill_supported().await {
                        return;
                    }
                    let Ok(controller) = web_sys::AbortController::new() else {
                        return;
                    };
                    let signal = controller.signal();
                    autofill_request.set_value(Some(controller));
                    if let Err(e) = sign_in(next, Some(signal)).await {
                        if e != Failure::Aborted {
                            let _ = error.try_set(Some(e.message()));
                        }
                    }
                });
            }
        });
        let next = StoredValue::new(next);
        move |_| {
            abort(autofill_request);
            busy.set(true);
            error.set(None);
            let next = next.get_value();
            leptos::task::spawn_local(async move {
                if let Err(e) = sign_in(next, None).await {
                    let _ = error.try_set(Some(e.message()));
                }
                let _ = busy.try_set(false);
            });
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let press = {
        let _ = (next, autofill);
        |_: leptos::ev::MouseEvent| {}
    };
    view! {
        <Show when=move || usable.get()>
            <div class="passkey-signin stack">
                <div aria-live="assertive">
                    <ErrorAlert message=error/>
                </div>
                <button type="button" class="btn btn-quiet btn-block" data-testid=testid
                    disabled=move || busy.get() on:click=press>
                    {move || if busy.get() { "Waiting for your passkey…" } else { label }}
                </button>
            </div>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
fn abort(request: StoredValue<Option<web_sys::AbortController>, LocalStorage>) {
    if let Some(Some(controller)) = request.try_update_value(Option::take) {
        controller.abort();
    }
}

/// Why a passkey sign-in did not finish.
#[cfg(feature = "hydrate")]
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    /// The autofill request gave way to the button (or the page moved on).
    Aborted,
    Shown(String),
}

#[cfg(feature = "hydrate")]
impl Failure {
    fn message(self) -> String {
        match self {
            Self::Aborted => String::new(),
            Self::Shown(m) => m,
        }
    }
}

/// Begin on the server, the browser's prompt (or autofill), the answer, and on.
#[cfg(feature = "hydrate")]
async fn sign_in(
    next: Option<String>,
    autofill: Option<web_sys::AbortSignal>,
) -> Result<(), Failure> {
    use crate::api::signin::{passkey_signin, passkey_verify};
    use crate::webauthn::BrowserError;
    let started = passkey_signin()
        .await
        .map_err(|e| Failure::Shown(e.to_string()))?;
    let answer = crate::webauthn::get_credential(&started.options, autofill.as_ref())
        .await
        .map_err(|e| match e {
            BrowserError::Aborted => Failure::Aborted,
            e => Failure::Shown(e.message()),
        })?;
    let to = passkey_verify(started.ceremony, answer, next)
        .await
        .map_err(|e| Failure::Shown(e.to_string()))?;
    let _ = window().location().assign(&to);
    Ok(())
}
