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
use crate::components::alert::NoticeSlot;
use crate::components::loaded::sign_in_path;
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
                // Where a visitor who may not see the tab is sent instead (a 302). The tab
                // is not built inside it: SSR polls a Suspend's future twice (a dry run,
                // then the render), and a tab made in its async block would be made, and
                // its data loaded, twice. The tab's own server functions refuse such a
                // visitor anyway, and its cards say why.
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match account.await {
                            Err(AppError::Unauthorized) => Some(view! { <Redirect path=sign_in_path()/> }),
                            Err(AppError::NewPasswordRequired) => {
                                Some(view! { <Redirect path=NEW_PASSWORD_PAGE/> })
                            }
                            Ok(a) if a.two_factor_required
                                && use_location().pathname.get_untracked() != "/account/security" =>
                            {
                                Some(view! { <Redirect path="/account/security"/> })
                            }
                            _ => None,
                        }
                    })}
                </Suspense>
                <Outlet/>
            </main>
        </div>
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
