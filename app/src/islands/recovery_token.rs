//! Seed step 7: the Recovery Token, made and shown once, in this tab only.

use leptos::prelude::*;

/// "Create Recovery Token", then the token with Print, Copy and "I have saved it". The
/// token exists only in this island's memory: leaving the page before "I have saved it"
/// asks first, and a reload shows it no more. `children`: the heading of the printed copy
/// (drawn by the server: it names the account).
#[island]
pub fn CreateRecoveryToken(children: Children) -> impl IntoView {
    let token = RwSignal::new(None::<String>);
    let creating = RwSignal::new(false);
    let copied = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let shown = move || token.with(Option::is_some);
    super::leave_guard::use_leave_guard(
        Signal::derive(shown),
        "You haven't confirmed that you saved your recovery token. You will not be able to see it again. Leave anyway?",
    );
    let create = move |_e: leptos::ev::MouseEvent| {
        error.set(None);
        creating.set(true);
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let button = _e
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok());
            leptos::task::spawn_local(async move {
                use crate::api::recovery_token::CreateRecoveryToken as Create;
                use leptos::server_fn::ServerFn;
                let made = super::call::call(Create::PATH, &[]).await;
                match made.and_then(|t| super::call::field(&t, "")) {
                    Ok(t) => token.set(Some(t)),
                    Err(crate::error::AppError::SudoRequired)
                        if button.as_ref().is_some_and(super::ask_for_password) => {}
                    Err(e) => error.set(Some(e.to_string())),
                }
                creating.set(false);
            });
        }
    };
    let saved = move |_| {
        token.set(None);
        #[cfg(feature = "hydrate")]
        let _ = window().location().reload();
    };
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(t) = token.get_untracked() {
            let _ = window().navigator().clipboard().write_text(&t);
        }
        copied.set(true);
    };
    let print = move |_| {
        #[cfg(feature = "hydrate")]
        let _ = window().print();
    };
    view! {
        <p class="alert alert-error" role="alert" hidden=move || error.with(Option::is_none)>
            {move || error.get()}
        </p>
        <button type="button" class="btn btn-primary needs-js" hidden=shown
            disabled=move || creating.get() on:click=create>"Create Recovery Token"</button>
        <div hidden=move || !shown()>
            <div class="recovery-print" data-testid="recovery-token-box">
                <p class="print-only">{children()}</p>
                {move || token.get().map(|t| view! { <p class="recovery-token" data-testid="recovery-token">{t}</p> })}
                <p><strong>"Please print this or write it down. You will not be able to retrieve it again."</strong></p>
                <p class="muted no-print">
                    "If you lose it, you can obtain another by first revoking this one. Recovery tokens are single use: "
                    "after using yours, create a new one once you have recovered your account."
                </p>
            </div>
            <div class="recovery-actions no-print">
                <button type="button" class="btn btn-quiet" on:click=print>"Print"</button>
                <button type="button" class="btn btn-quiet" on:click=copy>
                    {move || if copied.get() { "Copied" } else { "Copy" }}
                </button>
                <button type="button" class="btn btn-primary" on:click=saved>"I have saved it"</button>
            </div>
        </div>
    }
}
