//! Account settings: the frame with its tabs, and one component per tab.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect, A};

use crate::api::account::{account_summary, AccountView};
use crate::components::sidebar::Sidebar;
use crate::error::AppError;

/// The signed-in customer's account, shared by the tabs.
type AccountResource = Resource<Result<AccountView, AppError>>;

/// `/account/*`: sidebar, the page header with the tabs on the upper right, and the tab.
/// A visitor who is not signed in is sent to `/login` (a 302 when rendered on the server).
#[component]
pub fn AccountLayout() -> impl IntoView {
    let account: AccountResource = Resource::new(|| (), |_| account_summary());
    provide_context(account);

    view! {
        <div class="panel">
            <Sidebar/>
            <div class="panel-main">
                <header class="page-header">
                    <div>
                        <p class="eyebrow">"Account settings"</p>
                        <h1>"Account"</h1>
                    </div>
                    <nav class="tabs" aria-label="Account settings">
                        <A href="/account" exact=true attr:class="tab">"Profile"</A>
                        <A href="/account/security" exact=true attr:class="tab">"Security"</A>
                        <A href="/account/history" exact=true attr:class="tab">"Login History"</A>
                    </nav>
                </header>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match account.await {
                            Err(AppError::Unauthorized) => Either::Left(view! { <Redirect path="/login"/> }),
                            Err(e) => Either::Right(Either::Left(view! {
                                <p class="alert alert-error" role="alert">{e.to_string()}</p>
                            })),
                            Ok(_) => Either::Right(Either::Right(view! { <Outlet/> })),
                        }
                    })}
                </Transition>
            </div>
        </div>
    }
}

fn use_account() -> AccountResource {
    expect_context::<AccountResource>()
}

/// Renders `f` with the account once it has loaded.
fn with_account<V: IntoView + 'static>(
    f: impl Fn(AccountView) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let account = use_account();
    move || {
        let f = f.clone();
        Suspend::new(async move { account.await.ok().map(f) })
    }
}

/// Profile tab: who is signed in.
#[component]
pub fn ProfileTab() -> impl IntoView {
    view! {
        <Title text="Profile"/>
        <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">"Profile"</h2>
            {with_account(|a| view! {
                <dl class="facts">
                    <dt>"Username"</dt><dd>{a.username}</dd>
                    <dt>"Email"</dt><dd>{a.email}</dd>
                </dl>
            })}
        </section>
    }
}

/// Security tab: the Two Factor Authentication settings.
#[component]
pub fn SecurityTab() -> impl IntoView {
    view! {
        <Title text="Security"/>
        <section class="card" aria-labelledby="tfa-title">
            <h2 id="tfa-title">"Two Factor Authentication"</h2>
            {with_account(|a| {
                let state = match (a.two_factor_enabled, a.phone_masked) {
                    (true, Some(phone)) => format!("On — codes go to {phone}"),
                    _ => "Off".to_owned(),
                };
                view! {
                    <p class="status-line">
                        <span class="status-label">"Status: "</span>
                        <strong data-testid="tfa-state">{state}</strong>
                    </p>
                }
            })}
            <p class="muted">
                "Two Factor Authentication asks for a passcode texted to your mobile phone each time you log in, "
                "so a stolen password alone is not enough to get into your account."
            </p>
        </section>
    }
}

/// Login History tab.
#[component]
pub fn HistoryTab() -> impl IntoView {
    view! {
        <Title text="Login History"/>
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title">"Login History"</h2>
            <p class="muted">
                "Every attempt to log in to your account — its IP address, date and time, and whether it succeeded — will be listed here."
            </p>
        </section>
    }
}
