//! "Sign in with a passkey" and "Use a passkey": the button, and the passkeys a browser
//! offers in the Username field's autofill. Shown only once the page is hydrated and the
//! browser can use passkeys: without JavaScript every other way in still works.

use leptos::prelude::*;

/// Where the button is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Above Username: a complete sign-in; the Username field's autofill offers passkeys
    /// too.
    SignIn,
    /// At the second step of a password sign-in, instead of the code.
    SecondStep,
}

/// "Sign in with a passkey", above Username. The browser also offers the site's passkeys
/// in the field marked `autocomplete="username webauthn"` until the button is pressed
/// or the page moves on. Signed in, the page goes where the server says.
#[island]
pub fn PasskeySignIn() -> impl IntoView {
    button(Step::SignIn)
}

/// "Use a passkey", at the second step of a password sign-in.
#[island]
pub fn PasskeySecondStep() -> impl IntoView {
    button(Step::SecondStep)
}

fn button(step: Step) -> impl IntoView {
    let (label, testid) = match step {
        Step::SignIn => ("Sign in with a passkey", "passkey-signin"),
        Step::SecondStep => ("Use a passkey", "passkey-second-step"),
    };
    let usable = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    #[cfg(feature = "hydrate")]
    let press = {
        let autofill_request = StoredValue::new_local(None::<web_sys::AbortController>);
        Effect::new(move |_| {
            if !super::webauthn::supported() {
                return;
            }
            usable.set(true);
            if step == Step::SignIn {
                leptos::task::spawn_local(async move {
                    if !super::webauthn::autofill_supported().await {
                        return;
                    }
                    let Ok(controller) = web_sys::AbortController::new() else {
                        return;
                    };
                    let signal = controller.signal();
                    autofill_request.set_value(Some(controller));
                    if let Err(e) = sign_in(Some(signal)).await {
                        if e != Failure::Aborted {
                            let _ = error.try_set(Some(e.message()));
                        }
                    }
                });
            }
        });
        move |_| {
            // The button replaces the autofill request.
            if let Some(Some(controller)) = autofill_request.try_update_value(Option::take) {
                controller.abort();
            }
            busy.set(true);
            error.set(None);
            leptos::task::spawn_local(async move {
                if let Err(e) = sign_in(None).await {
                    let _ = error.try_set(Some(e.message()));
                }
                let _ = busy.try_set(false);
            });
        }
    };
    #[cfg(not(feature = "hydrate"))]
    let press = |_: leptos::ev::MouseEvent| {};
    view! {
        <div class="passkey-signin stack" hidden=move || !usable.get()>
            <p class="alert alert-error" role="alert" hidden=move || error.with(Option::is_none)>
                {move || error.get()}
            </p>
            <button type="button" class="btn btn-quiet btn-block" data-testid=testid
                disabled=move || busy.get() on:click=press>
                {move || if busy.get() { "Waiting for your passkey…" } else { label }}
            </button>
        </div>
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

/// Begin on the server, the browser's prompt (or autofill), the answer, and on: to the
/// page's `next` (the server checks it is one of ours) or the Security tab.
#[cfg(feature = "hydrate")]
async fn sign_in(autofill: Option<web_sys::AbortSignal>) -> Result<(), Failure> {
    use super::call::{call, field};
    use super::webauthn::BrowserError;
    use crate::api::signin::{PasskeySignin, PasskeyVerify};
    use leptos::server_fn::ServerFn;
    let shown = |e: crate::error::AppError| Failure::Shown(e.to_string());
    // A `PasskeyChallenge`.
    let started = call(PasskeySignin::PATH, &[]).await.map_err(shown)?;
    let ceremony = field(&started, "ceremony").map_err(shown)?;
    let options = field(&started, "options").map_err(shown)?;
    let answer = super::webauthn::get_credential(&options, autofill.as_ref())
        .await
        .map_err(|e| match e {
            BrowserError::Aborted => Failure::Aborted,
            e => Failure::Shown(e.message()),
        })?;
    let next =
        web_sys::UrlSearchParams::new_with_str(&window().location().search().unwrap_or_default())
            .ok()
            .and_then(|q| q.get("next"));
    let mut args = vec![
        ("ceremony", ceremony.as_str()),
        ("credential", answer.as_str()),
    ];
    if let Some(next) = next.as_deref() {
        args.push(("next", next));
    }
    // Where to go next.
    let to = call(PasskeyVerify::PATH, &args).await.map_err(shown)?;
    let to = field(&to, "").map_err(shown)?;
    let _ = window().location().assign(&to);
    Ok(())
}
