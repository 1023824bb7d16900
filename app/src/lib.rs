//! Gatehouse: the account-security area of a hosting control panel.
//!
//! This crate holds the pages, components and server functions, compiled twice: with
//! `ssr` into the server and with `hydrate` into the browser's wasm. Pages render on the
//! server only (Leptos's islands mode); the browser hydrates just the islands in
//! [`islands`], so that folder is the whole client.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod islands;
pub mod notice;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use islands::enhance::Enhance;
use pages::account::{AccountLayout, HistoryTab, ProfileTab, SecurityTab};
use pages::confirm_email::ConfirmEmailPage;
use pages::forgot::{ForgotPasswordPage, ForgotUsernamePage, ResetPasswordPage};
use pages::lockdown::{NewPasswordPage, ThisWasntMePage};
use pages::not_found::NotFound;
use pages::signin::LoginPage;
use pages::support::{CancelResetPage, StaffActionsPage, SupportCustomerPage, SupportPage};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HashedStylesheet options=options.clone() id="leptos"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
                // Last, so that it runs once every other island on the page is hydrated.
                <Enhance/>
            </body>
        </html>
    }
}

/// The application's routes, rendered on the server (every page completely before it is
/// sent, so that it works without JavaScript), with the notice the request brought.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    {
        server::platform::csp::set_page_policy();
        if let Some(shown) = server::platform::flash::take() {
            provide_context(shown);
        }
    }

    view! {
        <Title formatter=|text: String| if text.is_empty() { "Gatehouse".to_owned() } else { format!("{text} · Gatehouse") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/forgot-username") view=ForgotUsernamePage ssr=SsrMode::Async/>
                <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/this-wasnt-me") view=ThisWasntMePage ssr=SsrMode::Async/>
                <Route path=path!("/new-password") view=NewPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/confirm-email") view=ConfirmEmailPage ssr=SsrMode::Async/>
                <Route path=path!("/cancel-reset") view=CancelResetPage ssr=SsrMode::Async/>
                <Route path=path!("/support") view=SupportPage ssr=SsrMode::Async/>
                <Route path=path!("/support/customer/:id") view=SupportCustomerPage ssr=SsrMode::Async/>
                <Route path=path!("/support/actions") view=StaffActionsPage ssr=SsrMode::Async/>
                <Route path=path!("/") view=|| view! { <Redirect path="/account/security"/> } ssr=SsrMode::Async/>
                <ParentRoute path=path!("/account") view=AccountLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=ProfileTab ssr=SsrMode::Async/>
                    <Route path=path!("security") view=SecurityTab ssr=SsrMode::Async/>
                    <Route path=path!("history") view=HistoryTab ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
