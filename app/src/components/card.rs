//! A titled card, the unit the account pages are built from.

use leptos::prelude::*;

/// `<section class="card">` headed by `<h2 id="{id}-title">`, which labels it, and an
/// optional `intro` line under the heading.
#[component]
pub fn Card(
    /// Starts the heading's id: `{id}-title`.
    id: &'static str,
    title: &'static str,
    #[prop(optional)] intro: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let title_id = format!("{id}-title");
    let labelled_by = title_id.clone();
    view! {
        <section class="card" aria-labelledby=labelled_by>
            <h2 id=title_id>{title}</h2>
            {intro.map(|text| view! { <p class="muted">{text}</p> })}
            {children()}
        </section>
    }
}
