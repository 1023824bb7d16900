//! The Trusted devices card.

use leptos::either::Either;
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

use crate::api::devices::{trusted_devices, RevokeAllDevices, RevokeDevice};
use crate::components::card::Card;
use crate::components::form::ButtonForm;
use crate::components::loaded::Loaded;
use crate::components::local_time::LocalTime;

/// The account's trusted devices, each with Revoke, and Revoke all.
#[component]
pub(super) fn TrustedDevices() -> impl IntoView {
    let devices = Resource::new(|| (), |_| trusted_devices());
    view! {
        <Card id="devices" title="Trusted devices" intro=concat!(
            "These browsers skip the texted code for 30 days after you tick “Trust this device”. ",
            "They still need your password. Revoke any you don't recognise.",
        )>
            <Loaded resource=devices ok=move |list| {
                if list.is_empty() {
                    return Either::Left(view! {
                        <p role="status" data-testid="no-devices">"No trusted devices."</p>
                    });
                }
                Either::Right(view! {
                    <ul class="device-list">
                        {list.into_iter().map(|d| view! {
                            <li class="device">
                                <div>
                                    <strong>{d.device}</strong>
                                    <span class="muted">" · " {d.ip}</span>
                                    <div class="muted small">
                                        "Trusted " <LocalTime iso=d.created_at/>
                                        " · last used " <LocalTime iso=d.last_used_at/>
                                    </div>
                                </div>
                                <ButtonForm action=RevokeDevice::PATH label="Revoke"
                                    hidden=vec![("id", d.id.to_string())]/>
                            </li>
                        }).collect_view()}
                    </ul>
                    <ButtonForm action=RevokeAllDevices::PATH label="Revoke all"/>
                })
            }/>
        </Card>
    }
}
