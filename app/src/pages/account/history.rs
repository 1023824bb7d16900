//! The Login History tab.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::history::{login_history, AttemptKind, HistoryPage};
use crate::components::card::Card;
use crate::components::loaded::Loaded;
use crate::components::local_time::LocalTime;

/// Login History tab: every attempt on the account, newest first, 50 a page.
#[component]
pub fn HistoryTab() -> impl IntoView {
    // Read once: the page is rendered once, on the server, and a tracked read made the
    // resource load twice (the router's query signal settles during the render).
    let page = use_query_map().with_untracked(|q| {
        q.get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .max(1)
    });
    let history = Resource::new(move || page, login_history);
    view! {
        <Title text="Login History"/>
        <Card id="history" title="Login History"
            intro="Every attempt to log in to your account: when, from where, and whether it succeeded.">
            <Loaded resource=history ok=|h| view! { <HistoryTable history=h/> }/>
        </Card>
    }
}

#[component]
fn HistoryTable(history: HistoryPage) -> impl IntoView {
    let HistoryPage {
        kept_days,
        page,
        attempts,
        has_next,
    } = history;
    let kept = view! {
        <p class="muted small" data-testid="history-kept">
            {format!("Attempts are kept for {kept_days} days, then deleted.")}
        </p>
    };
    if attempts.is_empty() {
        return Either::Left(view! { <p>"No login attempts yet."</p> {kept} });
    }
    Either::Right(view! {
        {kept}
        // Scrolls sideways on a phone: reachable and named for the keyboard.
        <div class="table-wrap" tabindex="0" role="region" aria-label="Login History, scrolls sideways">
            <table class="history">
                <thead>
                    <tr>
                        <th scope="col">"Date and time"</th>
                        <th scope="col">"Result"</th>
                        <th scope="col">"IP address"</th>
                        <th scope="col">"Device"</th>
                        <th scope="col">"Factor"</th>
                        <th scope="col"><span class="visually-hidden">"Not you?"</span></th>
                    </tr>
                </thead>
                <tbody>
                    {attempts.into_iter().map(|a| {
                        let (class, mark) = match a.kind {
                            AttemptKind::Success => ("result result-ok", "✓"),
                            AttemptKind::Step => ("result result-step", "…"),
                            AttemptKind::Failure => ("result result-fail", "✗"),
                        };
                        let outcome = a.outcome.clone();
                        view! {
                            <tr data-outcome=outcome>
                                <td><LocalTime iso=a.at/></td>
                                <td><span class=class><span aria-hidden="true">{mark}" "</span>{a.outcome}</span></td>
                                <td>{a.ip}</td>
                                <td>{a.device}</td>
                                <td>{a.factor}</td>
                                <td>{(!a.mine).then(|| view! {
                                    <a href="/this-wasnt-me" class="small">"This wasn't me"</a>
                                })}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="pager" aria-label="Login history pages">
            {(page > 1).then(|| view! { <a href=format!("/account/history?page={}", page - 1)>"← Newer"</a> })}
            <span class="muted">"Page " {page}</span>
            {has_next.then(|| view! { <a href=format!("/account/history?page={}", page + 1)>"Older →"</a> })}
        </nav>
    })
}
