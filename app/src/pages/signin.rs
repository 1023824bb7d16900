//! `/login`: the seed's sign-in form, in two steps.

use leptos::either::{Either, EitherOf3};
use leptos::html;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::signin::{
    pending_signin, CancelSignin, Login, PendingSignIn, ResendCode, VerifyCode,
};
use crate::components::alert::{Alert, ErrorAlert};
use crate::components::brand::Brand;
use crate::components::busy_button::BusyButton;
use crate::components::field::{action_error, Field};
use crate::components::loaded::Loading;
use crate::components::passkey::PasskeySignIn;
use crate::error::AppError;

/// The sign-in page. Step 1 asks for Username and Password; if the account needs a
/// second factor, step 2 asks for the texted Authentication Token. Which step shows comes
/// from the server (the pending sign-in), so both steps work with or without JavaScript.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let verify = ServerAction::<VerifyCode>::new();
    let resend = ServerAction::<ResendCode>::new();
    let cancel = ServerAction::<CancelSignin>::new();
    // Where to go after signing in (checked on the server: local paths only).
    let next = use_query_map().with_untracked(|q| q.get("next"));
    let pending = Resource::new(
        move || {
            (
                login.version().get(),
                resend.version().get(),
                verify.version().get(),
                cancel.version().get(),
            )
        },
        |_| pending_signin(),
    );

    view! {
        <Title text="Log In"/>
        <main class="auth-page">
            <div class="card auth-card">
                <Brand/>
                <h1>"Log in to your control panel"</h1>
                <Transition fallback=Loading>
                    {move || {
                        let next = next.clone();
                        Suspend::new(async move {
                            match pending.await {
                                Ok(Some(p)) => Either::Left(view! { <CodeStep pending=p verify resend cancel next/> }),
                                _ => Either::Right(view! { <PasswordStep login next/> }),
                            }
                        })
                    }}
                </Transition>
                <nav class="auth-links" aria-label="Account help">
                    <a href="/forgot-password">"Forgot Password?"</a>
                    <a href="/forgot-username">"Forgot Username?"</a>
                </nav>
            </div>
        </main>
    }
}

#[component]
fn PasswordStep(login: ServerAction<Login>, next: Option<String>) -> impl IntoView {
    let pending = login.pending();
    let error = action_error(login.value());
    let show_password = RwSignal::new(false);
    view! {
        <ActionForm action=login attr:class="stack">
            {next.clone().map(|n| view! { <input type="hidden" name="next" value=n/> })}
            <div aria-live="assertive">
                <ErrorAlert message=error/>
            </div>
            <PasskeySignIn label="Sign in with a passkey" testid="passkey-signin" next=next.clone() autofill=true/>
            <Field id="username" label="Username" name="username" kind="text" autocomplete="username webauthn"
                autocapitalize="none" spellcheck="false" maxlength="64" required=true autofocus=true/>
            <div class="field">
                <label for="password">"Password"</label>
                <div class="input-with-button">
                    <input id="password" name="password"
                        type=move || if show_password.get() { "text" } else { "password" }
                        autocomplete="current-password" maxlength="256" required/>
                    <button type="button" class="btn btn-quiet needs-js" aria-controls="password"
                        aria-pressed=move || show_password.get().to_string()
                        on:click=move |_| show_password.update(|s| *s = !*s)>
                        {move || if show_password.get() { "Hide" } else { "Show" }}
                    </button>
                </div>
            </div>
            <BusyButton pending label="Log In" busy="Logging in…"/>
        </ActionForm>
    }
}

#[component]
fn CodeStep(
    pending: PendingSignIn,
    verify: ServerAction<VerifyCode>,
    resend: ServerAction<ResendCode>,
    cancel: ServerAction<CancelSignin>,
    next: Option<String>,
) -> impl IntoView {
    let verifying = verify.pending();
    let resending = resend.pending();
    let verify_error = action_error(verify.value());
    let resend_error = action_error(resend.value());
    let resent = move || matches!(resend.value().get(), Some(Ok(_)));
    let over = pending.attempts_left == 0;

    // Seconds until "Resend code" is allowed, counted down in the browser. Without
    // JavaScript the button stays enabled and the server enforces the cooldown.
    let remaining = RwSignal::new(pending.resend_in_seconds);
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        loop {
            gloo_timers::future::TimeoutFuture::new(1_000).await;
            // The signal is gone once this step is replaced: stop then.
            if remaining.try_update(|s| *s = s.saturating_sub(1)).is_none() {
                break;
            }
        }
    });

    // The same field takes the recovery token; this only changes the keyboard offered.
    let use_token = RwSignal::new(false);

    // Focus moves to the code field when it appears after the password step.
    let code_input = NodeRef::<html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = code_input.get() {
            let _ = input.focus();
        }
    });

    let sms_refused = pending.sms_refused.clone();
    let passkey_next = next.clone();
    let app = pending.app;
    let can_text = pending.can_text;
    view! {
        {match (app, sms_refused) {
            (true, _) => EitherOf3::A(view! {
                <p class="code-sent" data-testid="code-app">
                    "Enter the 6-digit code from your authenticator app."
                </p>
            }),
            (false, Some(why)) => EitherOf3::B(view! {
                <Alert testid="sms-refused">{why}</Alert>
            }),
            (false, None) => EitherOf3::C(view! {
                <p class="code-sent" data-testid="code-sent">
                    "We sent a code to " <strong>{pending.masked_phone.clone()}</strong> "."
                </p>
            }),
        }}
        {if over {
            Either::Left(view! {
                <Alert>{AppError::TooManyAttempts.to_string()}</Alert>
            })
        } else {
            Either::Right(view! {
                <ActionForm action=verify attr:class="stack">
                    {next.clone().map(|n| view! { <input type="hidden" name="next" value=n/> })}
                    <div aria-live="assertive">
                        <ErrorAlert message=verify_error/>
                    </div>
                    <div class="field">
                        <div class="label-row">
                            <label for="code">"Authentication Token"</label>
                            <details class="help">
                                <summary aria-label="What is the Authentication Token?">"?"</summary>
                                <p>
                                    {if app {
                                        "The 6-digit code your authenticator app shows for this account. It changes every 30 seconds. "
                                    } else {
                                        "The 6-digit passcode we just texted to your mobile phone. It works once and expires after 10 minutes. "
                                    }}
                                    "Lost your phone? Enter your recovery token here instead."
                                </p>
                            </details>
                        </div>
                        <input id="code" name="code" type="text"
                            inputmode=move || if use_token.get() { "text" } else { "numeric" }
                            autocomplete=move || if use_token.get() { "off" } else { "one-time-code" }
                            autocapitalize="characters" spellcheck="false" maxlength="40"
                            placeholder=move || if use_token.get() { "XXXX-XXXX-XXXX-XXXX-XXXX-XXXX" } else { "123 456" }
                            required autofocus node_ref=code_input/>
                        <button type="button" class="btn-link needs-js small"
                            on:click=move |_| use_token.update(|t| *t = !*t)>
                            {move || match (use_token.get(), app) {
                                (true, true) => "Use the code from your app",
                                (true, false) => "Use the texted code",
                                (false, _) => "Lost your phone? Use your recovery token",
                            }}
                        </button>
                    </div>
                    <label class="checkbox">
                        <input type="checkbox" name="trust_device" value="on"/>
                        <span>"Trust this device for 30 days"</span>
                    </label>
                    <BusyButton pending=verifying label="Log In" busy="Checking…"/>
                </ActionForm>
            })
        }}
        {(!over && pending.passkey).then(|| view! {
            <PasskeySignIn label="Use a passkey" testid="passkey-second-step" next=passkey_next/>
        })}
        <div aria-live="polite">
            <ErrorAlert message=resend_error/>
            {move || resent().then(|| view! { <Alert status=true no_role=true>"We sent you a new code."</Alert> })}
        </div>
        <div class="code-actions">
            {(!over && app && can_text).then(|| view! {
                <ActionForm action=resend>
                    <button type="submit" class="btn btn-quiet" data-testid="text-instead" disabled=resending>
                        "Text me a code instead"
                    </button>
                </ActionForm>
            })}
            {(!over && !app).then(|| view! {
                <ActionForm action=resend>
                    <button type="submit" class="btn btn-quiet" data-testid="resend"
                        disabled=move || resending.get() || (hydrated.get() && remaining.get() > 0)>
                        {move || {
                            let left = remaining.get();
                            if hydrated.get() && left > 0 { format!("Resend code ({left} s)") } else { "Resend code".to_owned() }
                        }}
                    </button>
                </ActionForm>
            })}
            <ActionForm action=cancel>
                <button type="submit" class="btn btn-link">"Start over"</button>
            </ActionForm>
        </div>
    }
}
