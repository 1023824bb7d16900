//! The Trusted devices card.

use leptos::either::Either;
use leptos::prelude::*;

use crate::api::devices::{trusted_devices, RevokeAllDevices, RevokeDevice};
use crate::components::card::Card;
use crate::components::loaded::Loaded;
use crate::components::local_time::LocalTime;

/// The account's trusted devices, each with Revoke, and Revoke all.
#[component]
pub(super) fn TrustedDevices() -> impl IntoView {
    let revoke = ServerAction::<RevokeDevice>::new();
    let revoke_all = ServerAction::<RevokeAllDevices>::new();
    let devices = Resource::new(
        move || (revoke.version().get(), revoke_all.version().get()),
        |_| trusted_devices(),
    );
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
                                <ActionForm action=revoke>
                                    <input type="hidden" name="id" value=d.id.to_string()/>
                                    <button type="submit" class="btn btn-quiet">"Revoke"</button>
                                </ActionForm>
                            </li>
                        }).collect_view()}
                    </ul>
                    <ActionForm action=revoke_all>
                        <button type="submit" class="btn btn-quiet">"Revoke all"</button>
                    </ActionForm>
                })
            }/>
        </Card>
    }
}
