//! Waiting for a resource: "Loading…", then its view, or the error in an [`Alert`].

use leptos::either::Either;
use leptos::prelude::*;

use super::alert::Alert;
use crate::error::AppError;

/// The "Loading…" line shown while a resource loads.
#[component]
pub fn Loading() -> impl IntoView {
    view! { <p class="muted">"Loading…"</p> }
}

/// A [`Transition`] over `resource`: [`Loading`] at first, then `ok` with the value, or
/// an error [`Alert`]. `quiet` shows nothing while loading and nothing for an error.
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
        <Transition fallback=move || (!quiet).then(Loading)>
            {move || {
                let ok = ok.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(value) => Either::Left(ok(value)),
                        Err(e) => Either::Right((!quiet).then(|| view! { <Alert>{e.to_string()}</Alert> })),
                    }
                })
            }}
        </Transition>
    }
}
