//! The message box above a form: an error, or news of what just happened.

use leptos::prelude::*;

/// `<p class="alert alert-error" role="alert">`, or with `status` the good-news
/// `<p class="alert alert-ok" role="status">`. `no_role` leaves the role out.
#[component]
pub fn Alert(
    #[prop(optional)] status: bool,
    #[prop(optional)] no_role: bool,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let (class, role) = if status {
        ("alert alert-ok", "status")
    } else {
        ("alert alert-error", "alert")
    };
    let role = (!no_role).then_some(role);
    view! { <p class=class role=role data-testid=testid>{children()}</p> }
}

/// An error [`Alert`] while `message` holds one, nothing otherwise.
#[component]
pub fn ErrorAlert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <Alert>{m}</Alert> })
}
