//! Account settings: the frame with its tabs, and one component per tab.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect, A};

use leptos_router::hooks::{use_location, use_query_map};

use crate::api::account::{account_summary, AccountView};
use crate::api::authenticator::{
    authenticator_status, ConfirmAuthenticator, RemoveAuthenticator, SetupAuthenticator,
};
use crate::api::devices::{trusted_devices, RevokeAllDevices, RevokeDevice};
use crate::api::history::{login_history, AttemptKind, HistoryPage};
use crate::api::recover::ChangePassword;
use crate::api::security::{
    recovery_status, two_factor_settings, ConfirmPassword, ConfirmPhone, CreateRecoveryToken,
    RevokeRecoveryToken, TwoFactorView, UpdateResult, UpdateTwoFactor,
};
use crate::components::local_time::LocalTime;
use crate::components::sidebar::Sidebar;
use crate::error::AppError;

/// The signed-in customer's account, shared by the tabs.
type AccountResource = Resource<Result<AccountView, AppError>>;

/// `/account/*`: sidebar, the page header with the tabs on the upper right, and the tab.
/// A visitor who is not signed in is sent to `/login` (a 302 when rendered on the server).
#[component]
pub fn AccountLayout() -> impl IntoView {
    let account: AccountResource = Resource::new(|| (), |_| account_summary());
    provide_context(account);

    view! {
        <div class="panel">
            <Sidebar/>
            <div class="panel-main">
                <header class="page-header">
                    <div>
                        <p class="eyebrow">"Account settings"</p>
                        <h1>"Account"</h1>
                    </div>
                    <nav class="tabs" aria-label="Account settings">
                        <A href="/account" exact=true attr:class="tab">"Profile"</A>
                        <A href="/account/security" exact=true attr:class="tab">"Security"</A>
                        <A href="/account/history" exact=true attr:class="tab">"Login History"</A>
                    </nav>
                </header>
                <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match account.await {
                            Err(AppError::Unauthorized) => {
                                // Back here after signing in.
                                let here = use_location();
                                let search = here.search.get_untracked();
                                let search = search.trim_start_matches('?');
                                let mut path = here.pathname.get_untracked();
                                if !search.is_empty() {
                                    path = format!("{path}?{search}");
                                }
                                let to = match path.as_str() {
                                    "/account/security" => "/login".to_owned(),
                                    p => format!("/login?next={}", crate::domain::encode_query_value(p)),
                                };
                                Either::Left(view! { <Redirect path=to/> })
                            }
                            Err(e) => Either::Right(Either::Left(view! {
                                <p class="alert alert-error" role="alert">{e.to_string()}</p>
                            })),
                            Ok(a) if a.two_factor_required
                                && use_location().pathname.get_untracked() != "/account/security" =>
                            {
                                Either::Left(view! { <Redirect path="/account/security"/> })
                            }
                            Ok(_) => Either::Right(Either::Right(view! { <Outlet/> })),
                        }
                    })}
                </Transition>
            </div>
        </div>
    }
}

fn use_account() -> AccountResource {
    expect_context::<AccountResource>()
}

/// Renders `f` with the account once it has loaded.
fn with_account<V: IntoView + 'static>(
    f: impl Fn(AccountView) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView {
    let account = use_account();
    move || {
        let f = f.clone();
        Suspend::new(async move { account.await.ok().map(f) })
    }
}

/// Profile tab: who is signed in.
#[component]
pub fn ProfileTab() -> impl IntoView {
    view! {
        <Title text="Profile"/>
        <section class="card" aria-labelledby="profile-title">
            <h2 id="profile-title">"Profile"</h2>
            {with_account(|a| view! {
                <dl class="facts">
                    <dt>"Username"</dt><dd>{a.username}</dd>
                    <dt>"Email"</dt><dd>{a.email}</dd>
                </dl>
            })}
        </section>
    }
}

/// Security tab: the Two Factor Authentication settings and trusted devices.
#[component]
pub fn SecurityTab() -> impl IntoView {
    let update = ServerAction::<UpdateTwoFactor>::new();
    let confirm = ServerAction::<ConfirmPhone>::new();
    let sudo = ServerAction::<ConfirmPassword>::new();
    let settings = Resource::new(
        move || {
            (
                update.version().get(),
                confirm.version().get(),
                sudo.version().get(),
            )
        },
        |_| two_factor_settings(),
    );
    view! {
        <Title text="Security"/>
        <section class="card" aria-labelledby="tfa-title">
            <h2 id="tfa-title">"Two Factor Authentication"</h2>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => view! { <TwoFactorForm settings=s update confirm sudo/> }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
        <AuthenticatorCard/>
        <RecoveryTokenCard/>
        <ChangePasswordCard/>
        <TrustedDevices/>
    }
}

/// The authenticator app: Set up (QR code and typed secret, then "Code from the app"),
/// or Remove. Both need a recent password.
#[component]
fn AuthenticatorCard() -> impl IntoView {
    let setup = ServerAction::<SetupAuthenticator>::new();
    let confirm = ServerAction::<ConfirmAuthenticator>::new();
    let remove = ServerAction::<RemoveAuthenticator>::new();
    let sudo = ServerAction::<ConfirmPassword>::new();
    let status = Resource::new(
        move || (confirm.version().get(), remove.version().get()),
        |_| authenticator_status(),
    );
    let confirmed = move || matches!(confirm.value().get(), Some(Ok(())));
    let showing = move || {
        setup
            .value()
            .get()
            .and_then(Result::ok)
            .filter(|_| !confirmed())
    };
    let needs_sudo = move || {
        let asked = setup.value().get().and_then(Result::err) == Some(AppError::SudoRequired)
            || remove.value().get().and_then(Result::err) == Some(AppError::SudoRequired);
        asked && !matches!(sudo.value().get(), Some(Ok(())))
    };
    let code_error = move || {
        confirm
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.for_field("app_code").unwrap_or_else(|| e.to_string()))
    };
    let setup_error = move || {
        setup
            .value()
            .get()
            .and_then(Result::err)
            .filter(|e| *e != AppError::SudoRequired)
            .map(|e| e.for_field("app_code").unwrap_or_else(|| e.to_string()))
    };
    view! {
        <section class="card" aria-labelledby="app-title">
            <h2 id="app-title">"Authenticator app"</h2>
            <p class="muted">
                "Safer than texts: an app such as Google Authenticator, Microsoft Authenticator or 1Password "
                "shows a new 6-digit code every 30 seconds. Sign-in asks for it first; texts stay available."
            </p>
            {move || confirmed().then(|| view! {
                <p class="alert alert-ok" role="status">"Your authenticator app is set up. Sign-in will ask for its code."</p>
            })}
            {move || setup_error().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let s = status.await.ok()?;
                    Some(match s.added_at {
                        Some(at) => view! {
                            <p data-testid="app-state">"On — added " <LocalTime iso=at date_only=true/> "."</p>
                            <ActionForm action=remove>
                                <button type="submit" class="btn btn-quiet">"Remove"</button>
                            </ActionForm>
                        }.into_any(),
                        None => view! {
                            <p data-testid="app-state">"Not set up."</p>
                            <ActionForm action=setup>
                                <button type="submit" class="btn btn-primary needs-js">"Set up"</button>
                            </ActionForm>
                        }.into_any(),
                    })
                })}
            </Transition>
            <Show when=needs_sudo>
                <SudoPrompt action=sudo id="app-sudo-password"/>
            </Show>
            {move || showing().map(|s| view! {
                <div class="app-setup stack" data-testid="app-setup">
                    <p>"Scan this QR code with your authenticator app:"</p>
                    <div class="qr" inner_html=s.qr_svg></div>
                    <p>"Or type this key into the app:"</p>
                    <p class="recovery-token" data-testid="app-secret">{s.secret_text}</p>
                    <ActionForm action=confirm attr:class="stack">
                        <div class="field">
                            <label for="app-code">"Code from the app"</label>
                            <input id="app-code" name="code" type="text" inputmode="numeric" autocomplete="one-time-code"
                                maxlength="12" placeholder="123 456" required aria-describedby="app-code-error"/>
                            <p id="app-code-error" class="field-error" aria-live="polite">{code_error}</p>
                        </div>
                        <button type="submit" class="btn btn-primary">"Confirm"</button>
                    </ActionForm>
                </div>
            })}
        </section>
    }
}

/// "Sudo mode": the password again, asked for inline when a change needs a recent one.
#[component]
fn SudoPrompt(action: ServerAction<ConfirmPassword>, id: &'static str) -> impl IntoView {
    let error = move || {
        action
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    view! {
        <ActionForm action=action attr:class="stack sudo">
            <p class="alert alert-error" role="alert">{AppError::SudoRequired.to_string()}</p>
            <div class="field">
                <label for=id>"Password"</label>
                <input id=id name="password" type="password" autocomplete="current-password" required/>
                <p class="field-error">{error}</p>
            </div>
            <button type="submit" class="btn btn-quiet">"Confirm password"</button>
        </ActionForm>
    }
}

/// Change password: the current one, then the new one twice.
#[component]
fn ChangePasswordCard() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let value = change.value();
    let error_for = move |field: &'static str| {
        move || {
            value
                .get()
                .and_then(Result::err)
                .and_then(|e| e.for_field(field))
        }
    };
    let other = move || {
        value
            .get()
            .and_then(Result::err)
            .filter(|e| {
                ["current_password", "password", "password_again"]
                    .iter()
                    .all(|f| e.for_field(f).is_none())
            })
            .map(|e| e.to_string())
    };
    let done = move || matches!(value.get(), Some(Ok(())));
    let pending = change.pending();
    view! {
        <section class="card" aria-labelledby="password-title">
            <h2 id="password-title">"Change password"</h2>
            <div aria-live="polite">
                {move || done().then(|| view! {
                    <p class="alert alert-ok" role="status" data-testid="password-changed">
                        "Your password was changed. Your other sessions were signed out and trusted devices forgotten."
                    </p>
                })}
                {move || other().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
            </div>
            <ActionForm action=change attr:class="stack">
                <div class="field">
                    <label for="current-password">"Current password"</label>
                    <input id="current-password" name="current_password" type="password" autocomplete="current-password"
                        maxlength="256" required aria-describedby="current-password-error"/>
                    <p id="current-password-error" class="field-error" aria-live="polite">{error_for("current_password")}</p>
                </div>
                <div class="field">
                    <label for="changed-password">"New password"</label>
                    <input id="changed-password" name="password" type="password" autocomplete="new-password"
                        minlength="12" maxlength="256" required aria-describedby="changed-password-error"/>
                    <p id="changed-password-error" class="field-error" aria-live="polite">{error_for("password")}</p>
                </div>
                <div class="field">
                    <label for="changed-password-again">"Confirm new password"</label>
                    <input id="changed-password-again" name="password_again" type="password" autocomplete="new-password"
                        maxlength="256" required aria-describedby="changed-password-again-error"/>
                    <p id="changed-password-again-error" class="field-error" aria-live="polite">{error_for("password_again")}</p>
                </div>
                <button type="submit" class="btn btn-quiet" disabled=pending>"Change password"</button>
            </ActionForm>
        </section>
    }
}

/// Seed step 7: the Recovery Token, created and shown once, with Print and Copy.
#[component]
fn RecoveryTokenCard() -> impl IntoView {
    let create = ServerAction::<CreateRecoveryToken>::new();
    let revoke = ServerAction::<RevokeRecoveryToken>::new();
    let sudo = ServerAction::<ConfirmPassword>::new();
    let status = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| recovery_status(),
    );
    let saved = RwSignal::new(false);
    let copied = RwSignal::new(false);
    // The token exists only in this signal, once, in this tab.
    let shown = move || {
        create
            .value()
            .get()
            .and_then(Result::ok)
            .filter(|_| !saved.get())
    };
    let needs_sudo = move || {
        let asked = create.value().get().and_then(Result::err) == Some(AppError::SudoRequired)
            || revoke.value().get().and_then(Result::err) == Some(AppError::SudoRequired);
        asked && !matches!(sudo.value().get(), Some(Ok(())))
    };
    crate::components::leave_guard::use_leave_guard(
        Signal::derive(move || shown().is_some()),
        "You haven't confirmed that you saved your recovery token. You will not be able to see it again. Leave anyway?",
    );
    let username = move || {
        use_account()
            .get()
            .and_then(Result::ok)
            .map(|a| a.username)
            .unwrap_or_default()
    };

    view! {
        <section class="card" aria-labelledby="recovery-title">
            <h2 id="recovery-title">"Recovery Token"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let s = status.await.ok()?;
                    Some(view! {
                        {s.used.then(|| view! {
                            <p class="alert alert-error" role="alert" data-testid="recovery-banner">
                                "You used your recovery token. Create a new one now, and check your mobile number."
                            </p>
                        })}
                        {match s.created_at {
                            Some(at) => view! {
                                <p data-testid="recovery-state">"Recovery token created on " <LocalTime iso=at date_only=true/> "."</p>
                                <ActionForm action=revoke>
                                    <button type="submit" class="btn btn-quiet">"Revoke"</button>
                                </ActionForm>
                            }.into_any(),
                            None => view! {
                                <p data-testid="recovery-state">
                                    "If you lose your phone, a recovery token lets you log in instead of the texted code. "
                                    "It works once."
                                </p>
                                <ActionForm action=create>
                                    <button type="submit" class="btn btn-primary needs-js">"Create Recovery Token"</button>
                                </ActionForm>
                            }.into_any(),
                        }}
                    })
                })}
            </Transition>
            <Show when=needs_sudo>
                <SudoPrompt action=sudo id="recovery-sudo-password"/>
            </Show>
            {move || shown().map(|token| {
                let for_copy = token.clone();
                view! {
                    <div class="recovery-print" data-testid="recovery-token-box">
                        <p class="print-only">"Gatehouse recovery token for " <strong>{username}</strong></p>
                        <p class="recovery-token" data-testid="recovery-token">{token}</p>
                        <p><strong>"Please print this or write it down. You will not be able to retrieve it again."</strong></p>
                        <p class="muted no-print">
                            "If you lose it, you can obtain another by first revoking this one. Recovery tokens are single use: "
                            "after using yours, create a new one once you have recovered your account."
                        </p>
                    </div>
                    <div class="recovery-actions no-print">
                        <button type="button" class="btn btn-quiet" on:click=move |_| print_page()>"Print"</button>
                        <button type="button" class="btn btn-quiet" on:click=move |_| {
                            copy_text(&for_copy);
                            copied.set(true);
                        }>{move || if copied.get() { "Copied" } else { "Copy" }}</button>
                        <button type="button" class="btn btn-primary" on:click=move |_| saved.set(true)>"I have saved it"</button>
                    </div>
                }
            })}
        </section>
    }
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.print();
    }
}

fn copy_text(_text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(_text);
    }
}

/// The seed's form: Mobile, "Two Factor Authentication Enabled", Update; then the
/// Confirmation code for a new number, and the password prompt when a change needs it.
#[component]
fn TwoFactorForm(
    settings: TwoFactorView,
    update: ServerAction<UpdateTwoFactor>,
    confirm: ServerAction<ConfirmPhone>,
    sudo: ServerAction<ConfirmPassword>,
) -> impl IntoView {
    let state = match (settings.enabled, &settings.phone_masked) {
        (true, Some(phone)) => format!("On — codes go to {phone}"),
        (true, None) => "On — authenticator app".to_owned(),
        _ => "Off".to_owned(),
    };
    let update_error = move || update.value().get().and_then(Result::err);
    let phone_error = move || update_error().and_then(|e| e.for_field("phone"));
    let other_update_error = move || {
        update_error().filter(|e| e.for_field("phone").is_none() && *e != AppError::SudoRequired)
    };
    let needs_sudo = move || {
        update_error() == Some(AppError::SudoRequired)
            && !matches!(sudo.value().get(), Some(Ok(())))
    };
    let confirm_error = move || {
        confirm
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| e.to_string())
    };
    let notice = move || {
        if let Some(Ok((phone, enabled))) = confirm.value().get() {
            return Some(if enabled {
                format!("Two Factor Authentication is on. Codes will go to {phone}.")
            } else {
                format!("Your mobile number {phone} is saved.")
            });
        }
        match update.value().get() {
            Some(Ok(UpdateResult::TurnedOff)) => Some(
                "Two Factor Authentication is off. Your trusted devices were signed out of it too."
                    .to_owned(),
            ),
            Some(Ok(UpdateResult::Unchanged)) => Some("Nothing to change.".to_owned()),
            _ => None,
        }
    };
    let pending = settings.pending_masked.clone();
    let required = settings.required;
    view! {
        {required.then(|| view! {
            <p class="alert alert-error" role="alert" data-testid="tfa-required">
                "Your hosting provider requires two-factor authentication. Enter your mobile number, "
                "tick Two Factor Authentication Enabled and press Update to continue."
            </p>
        })}
        <p class="status-line">
            <span class="status-label">"Status: "</span>
            <strong data-testid="tfa-state">{state}</strong>
        </p>
        <div aria-live="polite">
            {move || notice().map(|n| view! { <p class="alert alert-ok" role="status">{n}</p> })}
            {move || other_update_error().map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })}
        </div>
        <p class="muted">"Information."</p>
        <ActionForm action=update attr:class="stack">
            <div class="field">
                <label for="phone">"Mobile"</label>
                <input id="phone" name="phone" type="tel" autocomplete="tel" placeholder="Your Mobile Number"
                    maxlength="40" value=settings.phone.clone().unwrap_or_default()
                    aria-invalid=move || phone_error().is_some().to_string() aria-describedby="phone-error"/>
                <p id="phone-error" class="field-error">{phone_error}</p>
            </div>
            <label class="checkbox">
                <input type="checkbox" name="enabled" value="on" checked=settings.enabled/>
                <span>"Two Factor Authentication Enabled"</span>
            </label>
            <button type="submit" class="btn btn-primary" disabled=update.pending()>"Update"</button>
        </ActionForm>
        <Show when=needs_sudo>
            <SudoPrompt action=sudo id="sudo-password"/>
        </Show>
        {move || matches!(sudo.value().get(), Some(Ok(()))).then(|| view! {
            <p class="alert alert-ok" role="status">"Thanks. Press Update again to make the change."</p>
        })}
        {pending.map(|masked| view! {
            <ActionForm action=confirm attr:class="stack confirm">
                <p>"We texted a code to " <strong>{masked}</strong> ". Enter it to save this number."</p>
                <div class="field">
                    <label for="confirm-code">"Confirmation code"</label>
                    <input id="confirm-code" name="code" type="text" inputmode="numeric"
                        autocomplete="one-time-code" maxlength="16" required autofocus/>
                    <p class="field-error">{confirm_error}</p>
                </div>
                <button type="submit" class="btn btn-primary" disabled=confirm.pending()>"Confirm"</button>
            </ActionForm>
        })}
        <p class="muted">
            "Two Factor Authentication asks for a passcode texted to your mobile phone each time you log in, "
            "so a stolen password alone is not enough to get into your account."
        </p>
    }
}

/// The account's trusted devices, each with Revoke, and Revoke all.
#[component]
fn TrustedDevices() -> impl IntoView {
    let revoke = ServerAction::<RevokeDevice>::new();
    let revoke_all = ServerAction::<RevokeAllDevices>::new();
    let devices = Resource::new(
        move || (revoke.version().get(), revoke_all.version().get()),
        |_| trusted_devices(),
    );
    view! {
        <section class="card" aria-labelledby="devices-title">
            <h2 id="devices-title">"Trusted devices"</h2>
            <p class="muted">
                "These browsers skip the texted code for 30 days after you tick “Trust this device”. "
                "They still need your password. Revoke any you don't recognise."
            </p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match devices.await {
                        Ok(list) if list.is_empty() => view! {
                            <p role="status" data-testid="no-devices">"No trusted devices."</p>
                        }.into_any(),
                        Ok(list) => view! {
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
                        }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Login History tab: every attempt on the account, newest first, 50 a page.
#[component]
pub fn HistoryTab() -> impl IntoView {
    let query = use_query_map();
    let page = move || {
        query
            .read()
            .get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1)
            .max(1)
    };
    let history = Resource::new(page, login_history);
    view! {
        <Title text="Login History"/>
        <section class="card" aria-labelledby="history-title">
            <h2 id="history-title">"Login History"</h2>
            <p class="muted">"Every attempt to log in to your account: when, from where, and whether it succeeded."</p>
            <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(h) => Either::Left(view! { <HistoryTable history=h/> }),
                        Err(e) => Either::Right(view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn HistoryTable(history: HistoryPage) -> impl IntoView {
    let HistoryPage {
        page,
        attempts,
        has_next,
    } = history;
    if attempts.is_empty() {
        return Either::Left(view! { <p>"No login attempts yet."</p> });
    }
    Either::Right(view! {
        <div class="table-wrap">
            <table class="history">
                <thead>
                    <tr>
                        <th scope="col">"Date and time"</th>
                        <th scope="col">"Result"</th>
                        <th scope="col">"IP address"</th>
                        <th scope="col">"Device"</th>
                        <th scope="col">"Factor"</th>
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
