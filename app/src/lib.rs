//! Gatehouse: the account-security area of a hosting control panel.
//!
//! This crate holds the pages, components and server functions, compiled twice: with
//! `ssr` into the server and with `hydrate` into the browser's wasm.

#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod domain;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;
pub mod webauthn;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::components::{ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::{path, SsrMode};

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
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: routes and the hydration signal.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    #[cfg(feature = "ssr")]
    server::platform::csp::set_page_policy();

    // Effects only run in the browser, after hydration: tests (and CSS hiding controls
    // that need JavaScript) wait for this attribute.
    Effect::new(move |_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Title formatter=|text: String| if text.is_empty() { "Gatehouse".to_owned() } else { format!("{text} · Gatehouse") }/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=path!("/forgot-password") view=ForgotPasswordPage/>
                <Route path=path!("/forgot-username") view=ForgotUsernamePage/>
                <Route path=path!("/reset-password") view=ResetPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/this-wasnt-me") view=ThisWasntMePage ssr=SsrMode::Async/>
                <Route path=path!("/new-password") view=NewPasswordPage/>
                <Route path=path!("/confirm-email") view=ConfirmEmailPage/>
                <Route path=path!("/cancel-reset") view=CancelResetPage/>
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
