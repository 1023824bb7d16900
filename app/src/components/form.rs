//! Forms: plain HTML forms posting to a server function. Without JavaScript the server
//! answers with a redirect back and the page shows the outcome; with it, the page's
//! [`Enhance`](crate::islands::enhance::Enhance) island posts them in place. Either way
//! the markup is the same, and this is where it is made.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use leptos::server::ServerActionError;
use leptos::server_fn::error::ServerFnUrlError;

use crate::components::alert::Alert;
use crate::error::AppError;

/// The error the server function at `path` answered this browser's last plain form post
/// with: the redirect back carries it in the address (`__path`, `__err`), and the page is
/// rendered with it.
pub fn refused(path: &str) -> Option<AppError> {
    let e = use_context::<ServerActionError>()?;
    (e.path() == path).then(|| ServerFnUrlError::<AppError>::decode_err(e.err()))
}

/// What the fields of a [`Form`] read: its refusal, and whether a field took it.
#[derive(Clone)]
struct Refusal {
    error: Option<AppError>,
    claimed: Arc<AtomicBool>,
}

/// The message of the refusal for the field reported as `field`, taken by that field.
pub(crate) fn claim(field: &str) -> Option<String> {
    let refusal = use_context::<Refusal>()?;
    let message = refusal.error.as_ref()?.for_field(field)?;
    refusal.claimed.store(true, Ordering::Relaxed);
    Some(message)
}

/// `<form method="post" action="{action}" data-enhance>`: an alert slot first (the
/// refusal of a plain post, unless one of the form's fields showed it), then `children`.
#[component]
pub fn Form(
    /// The server function's path (its `PATH`).
    action: &'static str,
    #[prop(optional)] class: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
    /// Hidden until the page's script (or a plain post's refusal) opens it.
    #[prop(optional)]
    hidden: bool,
    /// The password prompt of its card (`data-sudo-prompt`): a change there refused for
    /// want of a recent password opens it, and its success makes that change again.
    #[prop(optional)]
    sudo_prompt: bool,
    /// The id of an alert slot elsewhere on the page (which shows this form's refusal
    /// itself), for a form too small to hold one: a button in a row of buttons.
    #[prop(optional)]
    alert_slot: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let error = refused(action);
    let refusal = Refusal {
        error: error.clone(),
        claimed: Arc::new(AtomicBool::new(false)),
    };
    provide_context(refusal.clone());
    // The fields first, so that the alert knows whether one of them took the refusal.
    let fields = children();
    let alert = error
        .filter(|e| !refusal.claimed.load(Ordering::Relaxed) && *e != AppError::SudoRequired)
        .map(|e| view! { <Alert>{e.to_string()}</Alert> });
    let slot = alert_slot
        .is_none()
        .then(|| view! { <div class="form-alert">{alert}</div> });
    view! {
        <form method="post" action=action class=(!class.is_empty()).then_some(class) data-testid=testid data-enhance=""
            hidden=hidden data-sudo-prompt=sudo_prompt.then_some("") data-alert-slot=alert_slot>
            {slot}
            {fields}
        </form>
    }
}

/// A form's submit button; `busy` is what it says while the form is being sent.
#[component]
pub fn Submit(
    label: &'static str,
    #[prop(optional)] busy: Option<&'static str>,
    #[prop(default = "btn btn-primary")] class: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    view! { <button type="submit" class=class data-busy=busy data-testid=testid>{label}</button> }
}

/// A form holding one button (and hidden fields): Sign out, Revoke, Remove.
#[component]
pub fn ButtonForm(
    action: &'static str,
    label: &'static str,
    #[prop(default = "btn btn-quiet")] class: &'static str,
    #[prop(optional)] form_class: &'static str,
    /// Hidden fields, `(name, value)`.
    #[prop(optional)]
    hidden: Vec<(&'static str, String)>,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <Form action class=form_class>
            {hidden.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <button type="submit" class=class data-testid=testid>{label}</button>
        </Form>
    }
}
