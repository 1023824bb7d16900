//! Inline SVG icons (no icon font, nothing fetched from elsewhere). Decorative: the text
//! beside each icon is what assistive technology reads.

use leptos::prelude::*;

/// The `<svg>` every icon shares: a 24-unit square, hidden from assistive technology.
#[component]
fn Icon(#[prop(default = "icon")] class: &'static str, children: Children) -> impl IntoView {
    view! {
        <svg class=class viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            {children()}
        </svg>
    }
}

/// The Account person silhouette.
#[component]
pub fn PersonIcon() -> impl IntoView {
    view! {
        <Icon>
            <circle cx="12" cy="8" r="4.2" fill="currentColor"/>
            <path d="M3.5 21c0-4.7 3.8-8 8.5-8s8.5 3.3 8.5 8z" fill="currentColor"/>
        </Icon>
    }
}

/// A house, for the control panel's home.
#[component]
pub fn HomeIcon() -> impl IntoView {
    view! {
        <Icon>
            <path d="M12 3 2.5 11h2.8v9.5h5.2v-6h3v6h5.2V11h2.8z" fill="currentColor"/>
        </Icon>
    }
}

/// A door with an arrow, for Log Out.
#[component]
pub fn LogOutIcon() -> impl IntoView {
    view! {
        <Icon>
            <path d="M10 4H5v16h5" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
            <path d="M14 8l4 4-4 4M18 12H9" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
        </Icon>
    }
}

/// A shield, the Gatehouse mark.
#[component]
pub fn ShieldIcon() -> impl IntoView {
    view! {
        <Icon class="icon icon-brand">
            <path d="M12 2 4 5v6c0 5 3.4 9.4 8 11 4.6-1.6 8-6 8-11V5z" fill="currentColor"/>
            <path d="m8.5 12 2.5 2.5 4.5-5" fill="none" stroke="#fff" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"/>
        </Icon>
    }
}
