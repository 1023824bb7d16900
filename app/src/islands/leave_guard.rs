//! Asking before the customer leaves a page that shows something they cannot get back
//! (the Recovery Token): closing or reloading the tab (the browser's own prompt), and
//! following any link of the page (ours, which can say why).

use leptos::prelude::*;

/// While `active` reads true, leaving the page asks "`message`" first.
pub fn use_leave_guard(active: Signal<bool>, message: &'static str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};

        // Read without tracking and without panicking once the page has moved on.
        let is_active = move || active.try_get_untracked().unwrap_or(false);

        let _ = window_event_listener(leptos::ev::beforeunload, move |e| {
            if is_active() {
                e.prevent_default();
                e.set_return_value(message);
            }
        });

        // Capture phase on the document, before any other click handler: a refusal
        // stops the link whatever else listens.
        let on_click =
            Closure::<dyn FnMut(web_sys::MouseEvent)>::new(move |e: web_sys::MouseEvent| {
                if !is_active() {
                    return;
                }
                let on_link = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|el| el.closest("a[href]").ok().flatten())
                    .is_some();
                if !on_link {
                    return;
                }
                let leave = web_sys::window()
                    .and_then(|w| w.confirm_with_message(message).ok())
                    .unwrap_or(true);
                if !leave {
                    e.prevent_default();
                    e.stop_immediate_propagation();
                }
            });
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            let _ = doc.add_event_listener_with_callback_and_bool(
                "click",
                on_click.as_ref().unchecked_ref(),
                true,
            );
        }
        // One small listener per shown token; it goes quiet once `active` is gone.
        on_click.forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (active, message);
}
