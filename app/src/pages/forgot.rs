//! `/forgot-username`, `/forgot-password` and `/reset-password`: getting back in by email.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::recover::{reset_link_status, ForgotPassword, ForgotUsername, ResetPassword};
use crate::components::brand::Brand;
use crate::error::AppError;

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

fn field_error(
    value: impl Get<Value = Option<Result<(), AppError>>> + Copy + Send + Sync + 'static,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync {
    move || {
        value
            .get()
            .and_then(Result::err)
            .and_then(|e| e.for_field(field))
    }
}

fn other_error(
    value: impl Get<Value = Option<Result<(), AppError>>> + Copy + Send + Sync + 'static,
    fields: &'static [&'static str],
) -> impl Fn() -> Option<String> + Copy + Send + Sync {
    move || {
        value
            .get()
            .and_then(Result::err)
            .filter(|e| fields.iter().all(|f| e.for_field(f).is_none()))
            .map(|e| e.to_string())
    }
}

/// Forgot Username?
#[component]
pub fn ForgotUsernamePage() -> impl IntoView {
    let action = ServerAction::<ForgotUsername>::new();
    let value = action.value();
    let sent = move || matches!(value.get(), Some(Ok(())));
    let email_error = field_error(value, "email");
    let other = other_error(value, &["email"]);
    let pending = action.pending();
    view! {
        <RecoveryCard title="Forgot your username?">
            <Show
                when=sent
                fallback=move || view! {
                    <p>"Enter the email address on your account and we'll email you your username."</p>
                    <ActionForm action=action attr:class="stack">
                        {move || other().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                        <div class="field">
                            <label for="email">"Email address"</label>
                            <input id="email" name="email" type="email" autocomplete="email" maxlength="254"
                                required autofocus aria-describedby="email-error"
                                aria-invalid=move || email_error().is_some().to_string()/>
                            <p id="email-error" class="field-error" aria-live="polite">{email_error}</p>
                        </div>
                        <button type="submit" class="btn btn-primary btn-block" disabled=pending>
                            "Email my username"
                        </button>
                    </ActionForm>
                }
            >
                <p class="alert alert-ok" role="status" data-testid="forgot-sent">
                    "If an account uses that address, we've emailed its username."
                </p>
            </Show>
        </RecoveryCard>
    }
}

/// Forgot Password?
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let value = action.value();
    let sent = move || matches!(value.get(), Some(Ok(())));
    let login_error = field_error(value, "login");
    let other = other_error(value, &["login"]);
    let pending = action.pending();
    view! {
        <RecoveryCard title="Forgot your password?">
            <Show
                when=sent
                fallback=move || view! {
                    <p>"Enter your username or the email address on your account, and we'll email you a link to choose a new password."</p>
                    <ActionForm action=action attr:class="stack">
                        {move || other().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                        <div class="field">
                            <label for="login">"Username or email address"</label>
                            <input id="login" name="login" type="text" autocomplete="username" autocapitalize="none"
                                spellcheck="false" maxlength="254" required autofocus aria-describedby="login-error"
                                aria-invalid=move || login_error().is_some().to_string()/>
                            <p id="login-error" class="field-error" aria-live="polite">{login_error}</p>
                        </div>
                        <button type="submit" class="btn btn-primary btn-block" disabled=pending>
                            "Email me a reset link"
                        </button>
                    </ActionForm>
                }
            >
                <p class="alert alert-ok" role="status" data-testid="forgot-sent">
                    "If an account matches, we've emailed it a link to choose a new password. The link works for one hour."
                </p>
            </Show>
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
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    if !matches!(live.await, Ok(true)) {
                        return Either::Left(view! {
                            <p class="alert alert-error" role="alert" data-testid="reset-invalid">
                                "This link has expired or has already been used. "
                                <a href="/forgot-password">"Ask for a new one"</a> "."
                            </p>
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
    let password_error = field_error(value, "password");
    let again_error = field_error(value, "password_again");
    let other = other_error(value, &["password", "password_again"]);
    let pending = action.pending();
    view! {
        <Show
            when=done
            fallback=move || {
                let token = token.clone();
                view! {
                    <ActionForm action=action attr:class="stack">
                        {move || other().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
                        <input type="hidden" name="token" value=token/>
                        <div class="field">
                            <label for="new-password">"New password"</label>
                            <input id="new-password" name="password" type="password" autocomplete="new-password"
                                minlength="12" maxlength="256" required autofocus aria-describedby="new-password-help new-password-error"
                                aria-invalid=move || password_error().is_some().to_string()/>
                            <p id="new-password-help" class="muted">"At least 12 characters. A few unrelated words make a strong, memorable password."</p>
                            <p id="new-password-error" class="field-error" aria-live="polite">{password_error}</p>
                        </div>
                        <div class="field">
                            <label for="new-password-again">"Confirm new password"</label>
                            <input id="new-password-again" name="password_again" type="password" autocomplete="new-password"
                                maxlength="256" required aria-describedby="new-password-again-error"
                                aria-invalid=move || again_error().is_some().to_string()/>
                            <p id="new-password-again-error" class="field-error" aria-live="polite">{again_error}</p>
                        </div>
                        <button type="submit" class="btn btn-primary btn-block" disabled=pending>
                            "Set New Password"
                        </button>
                    </ActionForm>
                }
            }
        >
            <p class="alert alert-ok" role="status" data-testid="reset-done">
                "Your password has been changed and every session signed out. Log in with your new password."
            </p>
        </Show>
    }
}
