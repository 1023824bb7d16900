//! Waiting for a resource: "Loading…", then its view, or the error in an [`Alert`].

use leptos::either::EitherOf3;
use leptos::prelude::*;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_location;

use super::alert::Alert;
use crate::api::lockdown::NEW_PASSWORD_PAGE;
use crate::error::AppError;

/// The "Loading…" line shown while a resource loads.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted">"Loading…"</p> }
}

/// A [`Suspense`] over `resource` (resolved before the page is sent): [`Loading`] at first, then `ok` with the value, or
/// an error [`Alert`] (a signed-out or locked-down session is sent on instead). `quiet` shows nothing while loading and nothing for an error.
#[component]
pub fn Loaded<T, V, F>(
    resource: Resource<Result<T, AppError>>,
    ok: F,
    #[prop(optional)] quiet: bool,
) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Suspense fallback=move || (!quiet).then(Loading)>
            {move || {
                let ok = ok.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => EitherOf3::A(ok(value)),
                        // The session ended elsewhere ("Where you're signed in", "This
                        // wasn't me"): the page sends the browser where it can go on.
                        Err(AppError::Unauthorized) => EitherOf3::B(view! { <Redirect path=sign_in_path()/> }),
                        Err(AppError::NewPasswordRequired) => {
                            EitherOf3::B(view! { <Redirect path=NEW_PASSWORD_PAGE/> })
                        }
                        Err(e) => EitherOf3::C((!quiet).then(|| view! { <Alert>{e.to_string()}</Alert> })),
                    }
                })
            }}
        </Suspense>
    }
}

/// `/login`, with `next` bringing the visitor back here after signing in.
pub(crate) fn sign_in_path() -> String {
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
