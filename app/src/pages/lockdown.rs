//! `/this-wasnt-me` and `/new-password`: locking the account down from this device, then
//! setting a new password before anything else.

use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;

use crate::api::lockdown::LockDown;
use crate::api::profile::account_summary;
use crate::components::alert::Alert;
use crate::components::brand::Brand;
use crate::components::form::{Form, Submit};
use crate::components::loaded::Loading;
use crate::error::AppError;
use crate::pages::account::ChangePasswordCard;

/// "This wasn't me", from a Login History row or a security email. The link carries no
/// power: signed out, it asks to sign in first (or offers Forgot Password); signed in, one
/// confirmation locks the account down.
#[component]
pub fn ThisWasntMePage() -> impl IntoView {
    let account = Resource::new(|| (), |_| account_summary());
    view! {
        <Title text="This wasn't me"/>
        <main class="auth-page">
            <div class="card auth-card">
                <Brand/>
                <h1>"This wasn't me"</h1>
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match account.await {
                            Ok(a) => EitherOf4::A(view! {
                                <p>"Signed in as " <strong>{a.username}</strong>
                                    ". If someone else signed in or changed something, lock the account down now:"</p>
                                <ul>
                                    <li>"every other session and sign-in in progress ends, at once;"</li>
                                    <li>"every trusted device, passkey and your Recovery Token stop working;"</li>
                                    <li>"this browser stays signed in only to set a new password."</li>
                                </ul>
                                <Form action=LockDown::PATH>
                                    <Submit label="Lock my account down" busy="Locking…"/>
                                </Form>
                            }),
                            Err(AppError::NewPasswordRequired) => EitherOf4::B(view! {
                                <Alert status=true>"Your account is locked down."</Alert>
                                <p><a href="/new-password">"Set your new password"</a></p>
                            }),
                            Err(AppError::Unauthorized) => EitherOf4::C(view! {
                                <p>"Sign in first: this link does nothing by itself."</p>
                                <nav class="auth-links" aria-label="Account help">
                                    <a href="/login?next=/this-wasnt-me">"Log In"</a>
                                    <a href="/forgot-password">"Forgot Password?"</a>
                                </nav>
                            }),
                            Err(e) => EitherOf4::D(view! { <Alert>{e.to_string()}</Alert> }),
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
}

/// After a lockdown: the Change password form alone, then on to the account.
#[component]
pub fn NewPasswordPage() -> impl IntoView {
    view! {
        <Title text="Set a new password"/>
        <main class="auth-page">
            <div class="card auth-card">
                <Brand/>
                <h1>"Set a new password"</h1>
                <p>"Your account is locked down: every other session ended and trusted devices, passkeys and your Recovery Token were revoked. Set a new password to go on."</p>
            </div>
            <ChangePasswordCard/>
            <p><a href="/account/security">"Continue to Account › Security"</a></p>
        </main>
    }
}
