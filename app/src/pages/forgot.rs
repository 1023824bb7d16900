//! `/forgot-username`, `/forgot-password` and `/reset-password`: getting back in by email.

use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::forgot::{reset_link_status, ForgotPassword, ForgotUsername, ResetPassword};
use crate::components::alert::{Alert, UnlessNotice};
use crate::components::brand::Brand;
use crate::components::field::Field;
use crate::components::form::{Form, Submit};
use crate::components::loaded::Loading;

/// The frame every recovery page shares: brand, title, content, way back.
#[component]
fn RecoveryCard(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title/>
        <main class="auth-page">
            <div class="card auth-card">
                <Brand/>
                <h1>{title}</h1>
                {children()}
                <nav class="auth-links" aria-label="Account help">
                    <a href="/login">"Back to Log In"</a>
                </nav>
            </div>
        </main>
    }
}

/// Forgot Username? Once sent, the page says so, whether or not an account matched.
#[component]
pub fn ForgotUsernamePage() -> impl IntoView {
    view! {
        <RecoveryCard title="Forgot your username?">
            <UnlessNotice name="forgot">
                <p>"Enter the email address on your account and we'll email you your username."</p>
                <Form action=ForgotUsername::PATH class="stack">
                    <Field id="email" label="Email address" name="email" kind="email" autocomplete="email"
                        maxlength="254" required=true autofocus=true/>
                    <Submit label="Email my username" busy="Sending…" class="btn btn-primary btn-block"/>
                </Form>
            </UnlessNotice>
        </RecoveryCard>
    }
}

/// Forgot Password? Once sent, the page says so, whether or not an account matched.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    view! {
        <RecoveryCard title="Forgot your password?">
            <UnlessNotice name="forgot">
                <p>"Enter your username or the email address on your account, and we'll email you a link to choose a new password."</p>
                <Form action=ForgotPassword::PATH class="stack">
                    <Field id="login" label="Username or email address" name="login" kind="text"
                        autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="254"
                        required=true autofocus=true/>
                    <Submit label="Email me a reset link" busy="Sending…" class="btn btn-primary btn-block"/>
                </Form>
            </UnlessNotice>
        </RecoveryCard>
    }
}

/// `/reset-password?token=…`: choose a new password. It does not sign in; once set, the
/// page (without its token) says so.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = use_query_map().with_untracked(|q| q.get("token").unwrap_or_default());
    let live = Resource::new(
        {
            let token = token.clone();
            move || token.clone()
        },
        reset_link_status,
    );
    view! {
        <RecoveryCard title="Choose a new password">
            <UnlessNotice name="reset">
                <Suspense fallback=Loading>
                    {move || {
                        let token = token.clone();
                        Suspend::new(async move {
                            if !matches!(live.await, Ok(true)) {
                                return Either::Left(view! {
                                    <Alert testid="reset-invalid">
                                        "This link has expired or has already been used. "
                                        <a href="/forgot-password">"Ask for a new one"</a> "."
                                    </Alert>
                                });
                            }
                            Either::Right(view! { <NewPasswordForm token/> })
                        })
                    }}
                </Suspense>
            </UnlessNotice>
        </RecoveryCard>
    }
}

#[component]
fn NewPasswordForm(token: String) -> impl IntoView {
    view! {
        <Form action=ResetPassword::PATH class="stack">
            <input type="hidden" name="token" value=token/>
            <Field id="new-password" label="New password" name="password" kind="password"
                autocomplete="new-password" minlength="12" maxlength="256" required=true autofocus=true
                help="At least 12 characters. A few unrelated words make a strong, memorable password."/>
            <Field id="new-password-again" label="Confirm new password" name="password_again"
                kind="password" autocomplete="new-password" maxlength="256" required=true/>
            <Submit label="Set New Password" busy="Saving…" class="btn btn-primary btn-block"/>
        </Form>
    }
}
