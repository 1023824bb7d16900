//! Everything the browser runs.
//!
//! Gatehouse renders its pages on the server only (Leptos's islands mode): every page
//! works as plain HTML, and every form is a plain form posting to its server function.
//! The `#[island]` components here are the only parts the browser hydrates, so this
//! folder *is* the client: its size is a budget (`scripts/client-size`,
//! docs/performance.md), and whatever is added here is paid for by every visitor.
//!
//! - [`enhance::Enhance`], once per page: forms post in place, a change refused for want
//!   of a recent password resumes after it, Show/Hide and the Resend countdown work,
//!   times show in the reader's zone.
//! - [`passkey_signin::PasskeySignIn`] and [`add_passkey::AddPasskey`]: WebAuthn.
//! - [`recovery_token::CreateRecoveryToken`]: the Recovery Token, shown once, in this
//!   tab only.

pub mod add_passkey;
#[cfg(feature = "hydrate")]
mod call;
pub mod enhance;
mod leave_guard;
pub mod passkey_signin;
pub mod recovery_token;
pub mod webauthn;

/// Starts the client: called once by the wasm entry point, after which Leptos hydrates
/// each island on the page.
#[cfg(feature = "hydrate")]
pub fn hydrate() {
    leptos::mount::hydrate_islands();
}

/// The name of the event an island sends from its button when the server asked for the
/// password again: [`enhance`] opens the card's prompt, and clicks the button again once
/// the password is confirmed.
pub const SUDO_EVENT: &str = "gatehouse:sudo";

/// Asks the page for the password again on behalf of `button`; `false` when no prompt
/// could be opened (the island then says so itself).
#[cfg(feature = "hydrate")]
pub(crate) fn ask_for_password(button: &web_sys::HtmlElement) -> bool {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(SUDO_EVENT, &init) else {
        return false;
    };
    // The page's script cancels the event when it opened a prompt.
    !button.dispatch_event(&event).unwrap_or(true)
}
