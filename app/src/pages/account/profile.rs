//! The Profile tab.

use leptos::prelude::*;
use leptos_meta::Title;

use super::email_change::EmailChangeCard;
use super::with_account;
use crate::components::card::Card;

/// Profile tab: who is signed in, and changing the email address.
#[component]
pub fn ProfileTab() -> impl IntoView {
    view! {
        <Title text="Profile"/>
        <Card id="profile" title="Profile">
            {with_account(|a| view! {
                <dl class="facts">
                    <dt>"Username"</dt><dd>{a.username}</dd>
                    <dt>"Email"</dt><dd>{a.email}</dd>
                </dl>
            })}
        </Card>
        <EmailChangeCard/>
    }
}
