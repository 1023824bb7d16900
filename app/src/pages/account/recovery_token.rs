//! The Recovery Token card.

use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;

use super::sudo::SudoPrompt;
use super::{use_account, AddedState};
use crate::api::recovery_token::{
    recovery_status, CreateRecoveryToken as Create, RevokeRecoveryToken,
};
use crate::components::alert::Alert;
use crate::components::card::Card;
use crate::components::form::ButtonForm;
use crate::components::loaded::Loaded;
use crate::islands::recovery_token::CreateRecoveryToken;

/// Seed step 7: the Recovery Token, created and shown once (in the browser only), with
/// Print and Copy.
#[component]
pub(super) fn RecoveryTokenCard() -> impl IntoView {
    let status = Resource::new(|| (), |_| recovery_status());
    let account = use_account();
    view! {
        <Card id="recovery" title="Recovery Token">
            <Loaded resource=status quiet=true ok=move |s| {
                let username = account.get_untracked().and_then(Result::ok).map(|a| a.username).unwrap_or_default();
                view! {
                    {s.used.then(|| view! {
                        <Alert testid="recovery-banner">
                            "You used your recovery token. Create a new one now, and check your mobile number."
                        </Alert>
                    })}
                    <AddedState testid="recovery-state" added_at=s.created_at added="Recovery token created on "
                        absent=concat!(
                            "If you lose your phone, a recovery token lets you log in instead of the texted code. ",
                            "It works once.",
                        )
                        remove=move || view! { <ButtonForm action=RevokeRecoveryToken::PATH label="Revoke"/> }
                        add=move || view! {
                            <CreateRecoveryToken>"Gatehouse recovery token for " <strong>{username}</strong></CreateRecoveryToken>
                        }/>
                }
            }/>
            <SudoPrompt id="recovery-sudo-password" for_actions=&[Create::PATH, RevokeRecoveryToken::PATH]/>
        </Card>
    }
}
