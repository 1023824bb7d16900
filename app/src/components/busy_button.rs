//! A form's submit button that says so while the form is being sent.

use leptos::prelude::*;

/// `<button type="submit" class="btn btn-primary btn-block">`: disabled and `aria-busy`
/// while `pending`, showing `busy` instead of `label` meanwhile.
#[component]
pub fn BusyButton(pending: Memo<bool>, label: &'static str, busy: &'static str) -> impl IntoView {
    view! {
        <button type="submit" class="btn btn-primary btn-block" disabled=pending
            aria-busy=move || pending.get().to_string()>
            {move || if pending.get() { busy } else { label }}
        </button>
    }
}
