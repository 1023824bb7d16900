//! `/forgot-password` and `/forgot-username`: until self-service recovery by email
//! exists, these tell the customer how to get help instead of leading nowhere.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::brand::Brand;

#[component]
fn HelpCard(title: &'static str, body: &'static str) -> impl IntoView {
    view! {
        <Title text=title/>
        <main class="auth-page">
            <div class="card auth-card">
                <Brand/>
                <h1>{title}</h1>
                <p>{body}</p>
                <p>"Please contact our support team from the email address on your account and we will help you get back in."</p>
                <a class="btn btn-primary" href="/login">"Back to Log In"</a>
            </div>
        </main>
    }
}

/// Forgot Password?
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    view! { <HelpCard title="Forgot your password?" body="Resetting your password by email is not available yet."/> }
}

/// Forgot Username?
#[component]
pub fn ForgotUsernamePage() -> impl IntoView {
    view! { <HelpCard title="Forgot your username?" body="Reminding you of your username by email is not available yet."/> }
}
