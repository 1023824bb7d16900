//! The controls that only work with JavaScript, drawn by the server hidden until the page
//! is hydrated (`needs-js`):
//!
//! - `<button data-reveal aria-controls="{input}">`: Show and Hide the password.
//! - `<button data-token-switch aria-controls="{input}">`: the code field takes a
//!   recovery token instead (another keyboard and example; the field takes either).
//!   `data-app` when the code comes from an authenticator app.
//! - `<button data-countdown="{seconds}">`: disabled and counting down until the server
//!   allows it ("Resend code (29 s)"); without JavaScript it stays enabled and the server
//!   enforces the wait.

use web_sys::{Document, Element, Event};

use super::dom::{all, by_id, listen, target_within};

pub fn install(document: &Document) {
    listen(document, "click", |e: Event| {
        if let Some(button) = target_within(&e, "[data-reveal]") {
            reveal(&button);
        } else if let Some(button) = target_within(&e, "[data-token-switch]") {
            switch_to_token(&button);
        }
    });
    for button in all(document, "[data-countdown]") {
        count_down(button);
    }
}

/// The input a control names in `aria-controls`.
fn controlled(button: &Element) -> Option<Element> {
    button
        .get_attribute("aria-controls")
        .and_then(|id| by_id(&id))
}

/// Show and Hide: the password field becomes a text field and back.
fn reveal(button: &Element) {
    let Some(input) = controlled(button) else {
        return;
    };
    let shown = input.get_attribute("type").as_deref() == Some("text");
    let _ = input.set_attribute("type", if shown { "password" } else { "text" });
    let _ = button.set_attribute("aria-pressed", if shown { "false" } else { "true" });
    button.set_text_content(Some(if shown { "Show" } else { "Hide" }));
}

/// The code field switches between the 6-digit code and the recovery token.
fn switch_to_token(button: &Element) {
    let Some(input) = controlled(button) else {
        return;
    };
    // Taking the token now, unless it already was.
    let token = input.get_attribute("inputmode").as_deref() != Some("text");
    let set = |name: &str, value: &str| {
        let _ = input.set_attribute(name, value);
    };
    if token {
        set("inputmode", "text");
        set("autocomplete", "off");
        set("placeholder", "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX");
    } else {
        set("inputmode", "numeric");
        set("autocomplete", "one-time-code");
        set("placeholder", "123 456");
    }
    let label = match (token, button.has_attribute("data-app")) {
        (true, true) => "Use the code from your app",
        (true, false) => "Use the texted code",
        (false, _) => "Lost your phone? Use your recovery token",
    };
    button.set_text_content(Some(label));
}

/// Counts the button's `data-countdown` seconds down, once a second.
fn count_down(button: Element) {
    let Some(mut left) = button
        .get_attribute("data-countdown")
        .and_then(|s| s.parse::<u32>().ok())
    else {
        return;
    };
    let label = button.text_content().unwrap_or_default();
    leptos::task::spawn_local(async move {
        while left > 0 {
            let _ = button.set_attribute("disabled", "");
            button.set_text_content(Some(&format!("{label} ({left} s)")));
            gloo_timers::future::TimeoutFuture::new(1_000).await;
            left -= 1;
        }
        let _ = button.remove_attribute("disabled");
        button.set_text_content(Some(&label));
    });
}
