use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_router::components::A;

use super::brand::Brand;
use super::form::Form;
use super::icons::{HomeIcon, LogOutIcon, PersonIcon};
use crate::api::signin::Logout;

/// The control panel's left sidebar: icon links, the Account silhouette among them, and
/// Log Out (a form, like every action).
#[component]
pub fn Sidebar() -> impl IntoView {
    view! {
        <nav class="sidebar" aria-label="Control panel">
            <a class="sidebar-brand" href="/" aria-label="Gatehouse"><Brand/></a>
            <ul class="sidebar-links">
                <li>
                    <A href="/" exact=true attr:class="sidebar-link">
                        <HomeIcon/>
                        <span>"Home"</span>
                    </A>
                </li>
                <li>
                    <A href="/account" attr:class="sidebar-link">
                        <PersonIcon/>
                        <span>"Account"</span>
                    </A>
                </li>
            </ul>
            <Form action=Logout::PATH class="sidebar-logout">
                <button type="submit" class="sidebar-link">
                    <LogOutIcon/>
                    <span>"Log Out"</span>
                </button>
            </Form>
        </nav>
    }
}
