//! The message box above a form: an error, or news of what just happened.

use leptos::prelude::*;

use crate::notice::Shown;

/// `<p class="alert alert-error" role="alert">`, or with `status` the good-news
/// `<p class="alert alert-ok" role="status">`.
#[component]
pub fn Alert(
    #[prop(optional)] status: bool,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let (class, role) = if status {
        ("alert alert-ok", "status")
    } else {
        ("alert alert-error", "alert")
    };
    view! { <p class=class role=role data-testid=testid>{children()}</p> }
}

/// The notice of what the last change did, when it belongs in the slot `name` (a card's
/// id, mostly): see [`crate::notice`]. It takes the focus on arrival when nothing else on
/// the page asks for it, so a screen reader says it first.
#[component]
pub fn NoticeSlot(name: &'static str) -> impl IntoView {
    use_context::<Shown>()
        .filter(|shown| shown.notice.slot() == name)
        .map(|shown| {
            view! {
                <p class="alert alert-ok" role="status" tabindex="-1" data-notice=""
                    data-testid=shown.notice.testid()>{shown.text()}</p>
            }
        })
}

/// The page's notice, if it has one, and else `children`: for pages whose form gives way
/// to what it did (Forgot Password?, a reset).
#[component]
pub fn UnlessNotice(name: &'static str, children: Children) -> impl IntoView {
    let shown = use_context::<Shown>().is_some_and(|shown| shown.notice.slot() == name);
    if shown {
        leptos::either::Either::Left(view! { <NoticeSlot name/> })
    } else {
        leptos::either::Either::Right(children())
    }
}
