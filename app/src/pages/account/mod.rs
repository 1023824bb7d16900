//! Account settings: the frame with its tabs, and one file per tab and card.

mod authenticator;
mod devices;
mod email_change;
mod history;
mod passkeys;
mod password_change;
mod profile;
mod recovery_token;
mod security;
mod sessions;
mod sudo;
mod two_factor;

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};
use leptos_router::hooks::use_location;

pub use history::HistoryTab;
pub(crate) use password_change::ChangePasswordCard;
pub use profile::ProfileTab;
pub use security::SecurityTab;
pub(crate) use sudo::SudoPrompt;

use crate::api::lockdown::NEW_PASSWORD_PAGE;
use crate::api::profile::{account_summary, AccountView};
use crate::components::alert::{Alert, NoticeSlot};
use crate::components::loaded::Loading;
use crate::components::local_time::LocalTime;
use crate::components::sidebar::Sidebar;
use crate::error::AppError;

/// The signed-in customer's account, shared by the tabs.
type AccountResource = Resource<Result<AccountView, AppError>>;

/// `/account/*`: sidebar, the page header with the tabs on the upper right (links: each
/// tab is a page of its own), and the tab. A visitor who is not signed in is sent to
/// `/login` with a 302.
#[component]
pub fn AccountLayout() -> impl IntoView {
    let account: AccountResource = Resource::new(|| (), |_| account_summary());
    provide_context(account);

    view! {
        <div class="panel">
            <Sidebar/>
            <main class="panel-main">
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
                <NoticeSlot name="page"/>
                <Suspense fallback=Loading>
                    {move || Suspend::new(async move {
                        match account.await {
                            Err(AppError::Unauthorized) => Either::Left(view! { <Redirect path=sign_in_path()/> }),
                            Err(AppError::NewPasswordRequired) => {
                                Either::Left(view! { <Redirect path=NEW_PASSWORD_PAGE/> })
                            }
                            Err(e) => Either::Right(Either::Left(view! { <Alert>{e.to_string()}</Alert> })),
                            Ok(a) if a.two_factor_required
                                && use_location().pathname.get_untracked() != "/account/security" =>
                            {
                                Either::Left(view! { <Redirect path="/account/security"/> })
                            }
                            Ok(_) => Either::Right(Either::Right(view! { <Outlet/> })),
                        }
                    })}
                </Suspense>
            </main>
        </div>
    }
}

/// `/login`, with `next` bringing the visitor back here after signing in.
fn sign_in_path() -> String {
    let here = use_location();
    let search = here.search.get_untracked();
    let search = search.trim_start_matches('?');
    let mut path = here.pathname.get_untracked();
    if !search.is_empty() {
        path = format!("{path}?{search}");
    }
    match path.as_str() {
        "/account/security" => "/login".to_owned(),
        p => format!("/login?next={}", crate::domain::encode_query_value(p)),
    }
}

/// Something the customer adds once and can remove (the authenticator app, the recovery
/// token): the state line (`data-testid=testid`), "`added` <date>." or `absent`, then the
/// button for that state.
#[component]
fn AddedState(
    testid: &'static str,
    added_at: Option<String>,
    added: &'static str,
    absent: &'static str,
    #[prop(into)] remove: ViewFnOnce,
    #[prop(into)] add: ViewFnOnce,
) -> impl IntoView {
    match added_at {
        Some(at) => Either::Left(view! {
            <p data-testid=testid>{added} <LocalTime iso=at date_only=true/> "."</p>
            {remove.run()}
        }),
        None => Either::Right(view! {
            <p data-testid=testid>{absent}</p>
            {add.run()}
        }),
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
