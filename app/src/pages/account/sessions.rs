//! The "Where you're signed in" card.

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

use crate::api::sessions::{signed_in_sessions, SignOutOtherSessions, SignOutSession};
use crate::components::card::Card;
use crate::components::form::ButtonForm;
use crate::components::loaded::Loaded;
use crate::components::local_time::LocalTime;

/// Every live session of the account, "This device" on this one, "Sign out" on the
/// others, and "Sign out everywhere else".
#[component]
pub(super) fn SessionsCard() -> impl IntoView {
    let sessions = Resource::new(|| (), |_| signed_in_sessions());
    view! {
        <Card id="sessions" title="Where you're signed in" intro=concat!(
            "Every browser signed in to your account right now. Signing one out ends it at ",
            "once; it needs your password (and code) to come back. Trusted devices, below, ",
            "are different: they only skip the texted code when they next sign in. Changing ",
            "your password signs out every other session; a reset signs out all of them.",
        )>
            <Loaded resource=sessions ok=move |list| {
                let others = list.iter().any(|s| !s.current);
                view! {
                    <ul class="device-list" data-testid="sessions">
                        {list.into_iter().map(|s| view! {
                            <li class="device">
                                <div>
                                    <strong>{s.device}</strong>
                                    <span class="muted">" · " {s.ip}</span>
                                    <div class="muted small">
                                        "Signed in " <LocalTime iso=s.signed_in_at/>
                                        " with " {s.factor}
                                        " · last active " <LocalTime iso=s.last_active_at/>
                                    </div>
                                </div>
                                {if s.current {
                                    view! { <span class="badge">"This device"</span> }.into_any()
                                } else {
                                    view! {
                                        <ButtonForm action=SignOutSession::PATH label="Sign out"
                                            hidden=vec![("id", s.id.to_string())]/>
                                    }.into_any()
                                }}
                            </li>
                        }).collect_view()}
                    </ul>
                    {others.then(|| view! {
                        <ButtonForm action=SignOutOtherSessions::PATH label="Sign out everywhere else"/>
                    })}
                }
            }/>
        </Card>
    }
}
