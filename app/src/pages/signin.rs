//! `/login`: the seed's sign-in form, in two steps.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::signin::{
    pending_signin, CancelSignin, Login, PendingSignIn, ResendCode, VerifyCode,
};
use crate::components::alert::{Alert, NoticeSlot};
use crate::components::brand::Brand;
use crate::components::field::Field;
use crate::components::form::{claim, refused, Form, Submit};
use crate::components::loaded::Loading;
use crate::error::AppError;
use crate::islands::passkey_signin::{PasskeySecondStep, PasskeySignIn};

/// The sign-in page. Step 1 asks for Username and Password; if the account needs a
/// second factor, step 2 asks for the Authentication Token. Which step shows comes from
/// the server (the pending sign-in of this browser's session), so a submitted step is
/// answered by this page rendered again.
#[component]
pub fn LoginPage() -> impl IntoView {
    // Where to go after signing in (checked on the server: local paths only).
    let next = use_query_map().with_untracked(|q| q.get("next"));
    let pending = Resource::new(|| (), |_| pending_signin());
    view! {
        <Title text="Log In"/>
        <main class="auth-page">
            <div class="card auth-card">
                <Brand/>
                <h1>"Log in to your control panel"</h1>
                <Suspense fallback=Loading>
                    {move || {
                        let next = next.clone();
                        Suspend::new(async move {
                            match pending.await {
                                Ok(Some(p)) => Either::Left(view! { <CodeStep pending=p next/> }),
                                _ => Either::Right(view! { <PasswordStep next/> }),
                            }
                        })
                    }}
                </Suspense>
                <nav class="auth-links" aria-label="Account help">
                    <a href="/forgot-password">"Forgot Password?"</a>
                    <a href="/forgot-username">"Forgot Username?"</a>
                </nav>
            </div>
        </main>
    }
}

/// `next`, carried through the form.
fn next_field(next: &Option<String>) -> impl IntoView {
    next.clone()
        .map(|n| view! { <input type="hidden" name="next" value=n/> })
}

#[component]
fn PasswordStep(next: Option<String>) -> impl IntoView {
    view! {
        <Form action=Login::PATH class="stack">
            {next_field(&next)}
            <PasskeySignIn/>
            <Field id="username" label="Username" name="username" kind="text" autocomplete="username webauthn"
                autocapitalize="none" spellcheck="false" maxlength="64" required=true autofocus=true/>
            <PasswordField/>
            <Submit label="Log In" busy="Logging in…" class="btn btn-primary btn-block"/>
        </Form>
    }
}

#[component]
fn CodeStep(pending: PendingSignIn, next: Option<String>) -> impl IntoView {
    let over = pending.attempts_left == 0;
    let app = pending.app;
    let resend_refused =
        refused(ResendCode::PATH).map(|e| view! { <Alert>{e.to_string()}</Alert> });
    view! {
        {match (app, pending.sms_refused.clone()) {
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
            Either::Left(view! { <Alert>{AppError::TooManyAttempts.to_string()}</Alert> })
        } else {
            Either::Right(view! {
                <Form action=VerifyCode::PATH class="stack">
                    {next_field(&next)}
                    <CodeField app/>
                    <label class="checkbox">
                        <input type="checkbox" name="trust_device" value="on"/>
                        <span>"Trust this device for 30 days"</span>
                    </label>
                    <Submit label="Log In" busy="Checking…" class="btn btn-primary btn-block"/>
                </Form>
            })
        }}
        {(!over && pending.passkey).then(|| view! {
            <PasskeySecondStep/>
        })}
        <NoticeSlot name="code"/>
        // Resend's refusals go here, above its row of buttons.
        <div id="resend-alert" class="form-alert">{resend_refused}</div>
        <div class="code-actions">
            {(!over && app && pending.can_text).then(|| view! {
                <Form action=ResendCode::PATH alert_slot="resend-alert">
                    <button type="submit" class="btn btn-quiet" data-testid="text-instead">
                        "Text me a code instead"
                    </button>
                </Form>
            })}
            {(!over && !app).then(|| view! {
                <Form action=ResendCode::PATH alert_slot="resend-alert">
                    // Counts down until the server allows another (the page's script).
                    <button type="submit" class="btn btn-quiet" data-testid="resend"
                        data-countdown=pending.resend_in_seconds.to_string()>"Resend code"</button>
                </Form>
            })}
            <Form action=CancelSignin::PATH>
                <button type="submit" class="btn btn-link">"Start over"</button>
            </Form>
        </div>
    }
}

/// The Password field, with Show and Hide.
#[component]
fn PasswordField() -> impl IntoView {
    let error = claim("password");
    view! {
        <div class="field">
            <label for="password">"Password"</label>
            // Show turns it into a text field and back (the page's script; hidden
            // until it runs).
            <div class="input-with-button">
                <input id="password" name="password" type="password" autocomplete="current-password"
                    maxlength="256" required aria-describedby="password-error"
                    aria-invalid=error.as_ref().map(|_| "true")/>
                <button type="button" class="btn btn-quiet needs-js" aria-controls="password"
                    aria-pressed="false" data-reveal="">"Show"</button>
            </div>
            <p id="password-error" class="field-error">{error.clone()}</p>
        </div>
    }
}

/// The Authentication Token field, which takes the recovery token too.
#[component]
fn CodeField(app: bool) -> impl IntoView {
    let code_error = claim("code");
    view! {
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
            <input id="code" name="code" type="text" inputmode="numeric"
                autocomplete="one-time-code" autocapitalize="characters" spellcheck="false"
                maxlength="40" placeholder="123 456" required autofocus
                aria-describedby="code-error" aria-invalid=code_error.as_ref().map(|_| "true")/>
            // The same field takes the recovery token; this only changes the
            // keyboard offered (the page's script).
            <button type="button" class="btn-link needs-js small" aria-controls="code"
                data-token-switch="" data-app=app.then_some("")>
                "Lost your phone? Use your recovery token"
            </button>
            <p id="code-error" class="field-error">{code_error.clone()}</p>
        </div>
    }
}
