use leptos::prelude::*;

use super::icons::ShieldIcon;

/// The Gatehouse wordmark.
#[component]
pub fn Brand() -> impl IntoView {
    view! {
        <div class="brand">
            <ShieldIcon/>
            <span>"Gatehouse"</span>
        </div>
    }
}
