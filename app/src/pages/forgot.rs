//! `/forgot-username`, `/forgot-password` and `/reset-password`: getting back in by email.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::forgot::{reset_link_status, ForgotPassword, ForgotUsername, ResetPassword};
use crate::components::alert::{Alert, ErrorAlert};
use crate::components::brand::Brand;
use crate::components::field::{field_error, other_error, Field};
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

/// A "Forgot …?" page's form until it is sent, then `sent_text`. The reply is the same
/// whether or not an account matched.
#[component]
fn UntilSent(
    #[prop(into)] sent: Signal<bool>,
    sent_text: &'static str,
    children: ChildrenFn,
) -> impl IntoView {
    view! {
        <Show when=move || sent.get() fallback=move || children()>
            <Alert status=true testid="forgot-sent">{sent_text}</Alert>
        </Show>
    }
}

/// Forgot Username?
#[component]
pub fn ForgotUsernamePage() -> impl IntoView {
    let action = ServerAction::<ForgotUsername>::new();
    let value = action.value();
    let pending = action.pending();
    view! {
        <RecoveryCard title="Forgot your username?">
            <UntilSent sent=move || matches!(value.get(), Some(Ok(())))
                sent_text="If an account uses that address, we've emailed its username.">
                <p>"Enter the email address on your account and we'll email you your username."</p>
                <ActionForm action=action attr:class="stack">
                    <ErrorAlert message=other_error(value, &["email"])/>
                    <Field id="email" label="Email address" name="email" kind="email" autocomplete="email"
                        maxlength="254" required=true autofocus=true error=field_error(value, "email")
                        invalid=true/>
                    <button type="submit" class="btn btn-primary btn-block" disabled=pending>
                        "Email my username"
                    </button>
                </ActionForm>
            </UntilSent>
        </RecoveryCard>
    }
}

/// Forgot Password?
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let value = action.value();
    let pending = action.pending();
    view! {
        <RecoveryCard title="Forgot your password?">
            <UntilSent sent=move || matches!(value.get(), Some(Ok(())))
                sent_text="If an account matches, we've emailed it a link to choose a new password. The link works for one hour.">
                <p>"Enter your username or the email address on your account, and we'll email you a link to choose a new password."</p>
                <ActionForm action=action attr:class="stack">
                    <ErrorAlert message=other_error(value, &["login"])/>
                    <Field id="login" label="Username or email address" name="login" kind="text"
                        autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="254"
                        required=true autofocus=true error=field_error(value, "login") invalid=true/>
                    <button type="submit" class="btn btn-primary btn-block" disabled=pending>
                        "Email me a reset link"
                    </button>
                </ActionForm>
            </UntilSent>
        </RecoveryCard>
    }
}

/// `/reset-password?token=…`: choose a new password. It does not sign in.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let token = move || use_query_map().with(|q| q.get("token").unwrap_or_default());
    let live = Resource::new(token, reset_link_status);
    let action = ServerAction::<ResetPassword>::new();
    view! {
        <RecoveryCard title="Choose a new password">
            <Transition fallback=Loading>
                {move || Suspend::new(async move {
                    if !matches!(live.await, Ok(true)) {
                        return Either::Left(view! {
                            <Alert testid="reset-invalid">
                                "This link has expired or has already been used. "
                                <a href="/forgot-password">"Ask for a new one"</a> "."
                            </Alert>
                        });
                    }
                    Either::Right(view! { <NewPasswordForm action token=token()/> })
                })}
            </Transition>
        </RecoveryCard>
    }
}

#[component]
fn NewPasswordForm(action: ServerAction<ResetPassword>, token: String) -> impl IntoView {
    let value = action.value();
    let done = move || matches!(value.get(), Some(Ok(())));
    let other = other_error(value, &["password", "password_again"]);
    let pending = action.pending();
    view! {
        <Show
            when=done
            fallback=move || {
                let token = token.clone();
                view! {
                    <ActionForm action=action attr:class="stack">
                        <ErrorAlert message=other/>
                        <input type="hidden" name="token" value=token/>
                        <Field id="new-password" label="New password" name="password" kind="password"
                            autocomplete="new-password" minlength="12" maxlength="256" required=true autofocus=true
                            help="At least 12 characters. A few unrelated words make a strong, memorable password."
                            error=field_error(value, "password") invalid=true/>
                        <Field id="new-password-again" label="Confirm new password" name="password_again"
                            kind="password" autocomplete="new-password" maxlength="256" required=true
                            error=field_error(value, "password_again") invalid=true/>
                        <button type="submit" class="btn btn-primary btn-block" disabled=pending>
                            "Set New Password"
                        </button>
                    </ActionForm>
                }
            }
        >
            <Alert status=true testid="reset-done">
                "Your password has been changed and every session signed out. Log in with your new password."
            </Alert>
        </Show>
    }
}
