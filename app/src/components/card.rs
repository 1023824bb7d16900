//! A titled card, the unit the account pages are built from.

use leptos::prelude::*;

use super::alert::NoticeSlot;

/// `<section class="card">` headed by `<h2 id="{id}-title">`, which labels it, an optional
/// `intro` line, and the notice of the card's last change. A change in the card that
/// needs the password again opens the card's own prompt (`data-sudo-scope`).
#[component]
pub fn Card(
    /// Starts the heading's id (`{id}-title`); the card's notices are the slot `id`'s.
    id: &'static str,
    title: &'static str,
    #[prop(optional)] intro: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by data-sudo-scope="">
            <h2 id=title_id>{title}</h2>
            {intro.map(|text| view! { <p class="muted">{text}</p> })}
            <NoticeSlot name=id/>
            {children()}
        </section>
    }
}
