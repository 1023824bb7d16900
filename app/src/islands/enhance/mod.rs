//! The page's own script, once per page (the last island of `<body>`).
//!
//! Every page works as server-rendered HTML, every form as a plain form posting to its
//! server function. Once this island runs it enhances what the page marks for it:
//!
//! - forms marked `data-enhance` post in place ([`forms`]);
//! - Show/Hide on the password, the recovery-token switch on the code field and the
//!   Resend countdown ([`controls`]);
//! - times in the reader's zone, and the focus on the page's notice ([`arrival`]).
//!
//! These are behaviours of marked-up HTML rather than islands of their own: one small,
//! non-generic piece of code for all of them, where an island apiece would carry its own
//! hydration and props code into every visitor's download (docs/performance.md).
//! Last, it marks `<body data-hydrated="true">`: every island before it in the page is
//! hydrated by then (tests, and the CSS that hides JavaScript-only controls, wait for it).

use leptos::prelude::*;

#[cfg(feature = "hydrate")]
mod arrival;
#[cfg(feature = "hydrate")]
mod controls;
#[cfg(feature = "hydrate")]
mod forms;

/// The page's script; renders nothing.
#[island]
pub fn Enhance() -> impl IntoView {
    #[cfg(feature = "hydrate")]
    install();
}

#[cfg(feature = "hydrate")]
fn install() {
    use std::cell::Cell;
    thread_local! {
        static INSTALLED: Cell<bool> = const { Cell::new(false) };
    }
    if INSTALLED.with(|i| i.replace(true)) {
        return;
    }
    let document = document();
    forms::install(&document);
    controls::install(&document);
    arrival::install(&document);
    if let Some(body) = document.body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

/// Small DOM helpers the behaviours share.
#[cfg(feature = "hydrate")]
mod dom {
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};
    use web_sys::{Element, Event, EventTarget, HtmlElement};

    /// Calls `f` for every `name` event on `target`, for the page's lifetime.
    pub fn listen(target: &EventTarget, name: &str, f: impl FnMut(Event) + 'static) {
        let f = Closure::<dyn FnMut(Event)>::new(f);
        let _ = target.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
        f.forget();
    }

    /// The elements under `root` (an element or the document) matching `selector`.
    pub fn all(root: &JsValue, selector: &str) -> Vec<Element> {
        let list = if let Some(e) = root.dyn_ref::<Element>() {
            e.query_selector_all(selector)
        } else if let Some(d) = root.dyn_ref::<web_sys::Document>() {
            d.query_selector_all(selector)
        } else {
            return Vec::new();
        };
        let Ok(list) = list else {
            return Vec::new();
        };
        (0..list.length())
            .filter_map(|i| list.item(i))
            .filter_map(|n| n.dyn_into::<Element>().ok())
            .collect()
    }

    /// The first element under `root` matching `selector`.
    pub fn first(root: &Element, selector: &str) -> Option<Element> {
        root.query_selector(selector).ok().flatten()
    }

    /// The element an event happened in, or its closest ancestor, matching `selector`.
    pub fn target_within(e: &Event, selector: &str) -> Option<Element> {
        e.target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|el| el.closest(selector).ok().flatten())
    }

    /// The element `id` names.
    pub fn by_id(id: &str) -> Option<Element> {
        leptos::prelude::document().get_element_by_id(id)
    }

    pub fn focus(el: &Element) {
        if let Some(el) = el.dyn_ref::<HtmlElement>() {
            let _ = el.focus();
        }
    }
}
