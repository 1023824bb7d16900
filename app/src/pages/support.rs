//! `/support`: the support console, and `/cancel-reset`, the customer's way to stop a
//! two-factor reset support started. To anyone but staff the console's pages are the
//! "Page not found" page, with its 404.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::sudo::ConfirmPassword;
use crate::api::support::{
    staff_actions, support_customer, support_staff, AuditView, CancelReset, CustomerFile,
    SupportResetLink, SupportResetTwoFactor, SupportUnlock,
};
use crate::components::alert::{Alert, ErrorAlert};
use crate::components::brand::Brand;
use crate::components::card::Card;
use crate::components::field::{action_error, Field};
use crate::components::loaded::Loading;
use crate::components::local_time::LocalTime;
use crate::error::AppError;
use crate::pages::not_found::NotFound;

/// What a console page shows when its request is refused: "not found" to everyone but
/// staff, or what staff must do first.
fn refused(e: AppError) -> impl IntoView {
    match e {
        AppError::NotFound => Either::Left(view! { <NotFound/> }),
        other => Either::Right(view! {
            <ConsoleFrame title="Support console">
                <Alert>{other.to_string()}</Alert>
                <p><a href="/account/security">"Account › Security"</a></p>
            </ConsoleFrame>
        }),
    }
}

#[component]
fn ConsoleFrame(title: &'static str, children: Children) -> impl IntoView {
    view! {
        <Title text=title/>
        <main class="support">
            <header class="page-header">
                <div>
                    <p class="eyebrow">"Support console"</p>
                    <h1>{title}</h1>
                </div>
                <nav class="tabs" aria-label="Support console">
                    <a class="tab" href="/support">"Find a customer"</a>
                    <a class="tab" href="/support/actions">"My actions"</a>
                    <a class="tab" href="/account/security">"My account"</a>
                </nav>
            </header>
            {children()}
        </main>
    }
}

/// `/support`: find a customer by exact username, email address or full phone number.
#[component]
pub fn SupportPage() -> impl IntoView {
    let staff = Resource::new(|| (), |_| support_staff());
    let find = ServerAction::<FindCustomer>::new();
    let error = action_error(find.value());
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match staff.await {
                    Err(e) => Either::Left(refused(e)),
                    Ok(staff) => Either::Right(view! {
                        <ConsoleFrame title="Find a customer">
                            <Card id="find" title="Find a customer" intro="The exact username, email address or full mobile number (+44…). Partial searches find nothing.">
                                <ActionForm action=find attr:class="stack">
                                    <ErrorAlert message=error/>
                                    <Field id="query" label="Username, email or mobile number" name="query" kind="text"
                                        autocomplete="off" spellcheck="false" maxlength="200" required=true/>
                                    <button type="submit" class="btn btn-primary">"Find"</button>
                                </ActionForm>
                                {move || find.value().get().and_then(Result::ok).map(|hits| if hits.is_empty() {
                                    Either::Left(view! { <p role="status" data-testid="no-customer">"No customer matches exactly."</p> })
                                } else {
                                    Either::Right(view! {
                                        <ul class="device-list" data-testid="customers">
                                            {hits.into_iter().map(|h| view! {
                                                <li class="device"><a href=format!("/support/customer/{}", h.id)>{h.username}</a></li>
                                            }).collect_view()}
                                        </ul>
                                    })
                                })}
                            </Card>
                            <p class="muted small">"Signed in as " {staff.username} ". Every search and action is logged."</p>
                        </ConsoleFrame>
                    }),
                }
            })}
        </Suspense>
    }
}

use crate::api::support::FindCustomer;

/// `/support/customer/:id`: the customer's factors, lock, waiting reset, Login History and
/// the staff actions on them, with Unlock, Send a password reset link, Reset two-factor.
#[component]
pub fn SupportCustomerPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id"))
            .and_then(|s| s.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let unlock = ServerAction::<SupportUnlock>::new();
    let link = ServerAction::<SupportResetLink>::new();
    let reset = ServerAction::<SupportResetTwoFactor>::new();
    let sudo = ServerAction::<ConfirmPassword>::new();
    let file = Resource::new(
        move || {
            (
                id(),
                unlock.version().get(),
                link.version().get(),
                reset.version().get(),
                sudo.version().get(),
            )
        },
        |(id, ..)| support_customer(id),
    );
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match file.await {
                    Err(e) => Either::Left(refused(e)),
                    Ok(c) => Either::Right(view! { <CustomerFileView c unlock link reset sudo/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CustomerFileView(
    c: CustomerFile,
    unlock: ServerAction<SupportUnlock>,
    link: ServerAction<SupportResetLink>,
    reset: ServerAction<SupportResetTwoFactor>,
    sudo: ServerAction<ConfirmPassword>,
) -> impl IntoView {
    let asks_sudo = move || {
        [
            unlock
                .value()
                .with(|v| matches!(v, Some(Err(AppError::SudoRequired)))),
            link.value()
                .with(|v| matches!(v, Some(Err(AppError::SudoRequired)))),
            reset
                .value()
                .with(|v| matches!(v, Some(Err(AppError::SudoRequired)))),
        ]
        .contains(&true)
    };
    let sudo_error = action_error(sudo.value());
    let (id_unlock, id_link, id_reset) = (c.id.to_string(), c.id.to_string(), c.id.to_string());
    let yes_no = |b: bool| if b { "Yes" } else { "No" };
    view! {
        <ConsoleFrame title="Customer">
            <Card id="customer" title="Sign-in methods">
                <dl class="facts" data-testid="customer-facts">
                    <dt>"Username"</dt><dd data-testid="customer-username">{c.username.clone()}</dd>
                    <dt>"Email"</dt><dd>{c.email_masked.clone()}</dd>
                    <dt>"Two-factor authentication"</dt><dd>{if c.two_factor { "On" } else { "Off" }}</dd>
                    <dt>"Mobile"</dt><dd>{c.phone_masked.clone().unwrap_or_else(|| "None".into())}</dd>
                    <dt>"Authenticator app"</dt><dd>{yes_no(c.app)}</dd>
                    <dt>"Passkeys"</dt><dd>{c.passkeys}</dd>
                    <dt>"Recovery Token"</dt><dd>{yes_no(c.recovery_token)}</dd>
                    <dt>"Name locked"</dt>
                    <dd data-testid="customer-lock">{match c.locked_until.clone() {
                        Some(at) => Either::Left(view! { "Until " <LocalTime iso=at/> }),
                        None => Either::Right("No"),
                    }}</dd>
                    <dt>"Two-factor reset"</dt>
                    <dd data-testid="customer-reset">{match c.waiting_reset.clone() {
                        Some(r) => EitherOf3::A(view! { "Waiting: takes effect " <LocalTime iso=r.effective_at/> " (started by " {r.started_by} ")" }),
                        None if c.must_set_up_two_factor => EitherOf3::B("Done: a factor must be set up at the next sign-in"),
                        None => EitherOf3::C("None"),
                    }}</dd>
                </dl>
            </Card>
            <Card id="actions" title="Actions" intro="Each needs a written reason and your password within the last 10 minutes. The customer is emailed, and sees it in their Login History.">
                <Show when=asks_sudo>
                    <ActionForm action=sudo attr:class="stack sudo">
                        <Alert>{AppError::SudoRequired.to_string()}</Alert>
                        <Field id="support-sudo-password" label="Your password" name="password" kind="password"
                            autocomplete="current-password" required=true error=sudo_error unlinked=true/>
                        <button type="submit" class="btn btn-quiet">"Confirm password"</button>
                    </ActionForm>
                </Show>
                <ActionForm action=unlock attr:class="stack action" attr:data-testid="unlock">
                    <ReasonFields id=id_unlock field="unlock-reason" label="Unlock" error=reason_error(unlock.value())
                        done=Signal::derive(move || matches!(unlock.value().get(), Some(Ok(()))).then(|| "Unlocked. The customer was emailed.".to_owned()))/>
                </ActionForm>
                <ActionForm action=link attr:class="stack action" attr:data-testid="reset-link">
                    <ReasonFields id=id_link field="link-reason" label="Send a password reset link" error=reason_error(link.value())
                        done=Signal::derive(move || match link.value().get() {
                            Some(Ok(true)) => Some("A reset link went to the address on file.".to_owned()),
                            Some(Ok(false)) => Some("Nothing sent: the hourly limit of reset links for this account is reached.".to_owned()),
                            _ => None,
                        })/>
                </ActionForm>
                <ActionForm action=reset attr:class="stack action" attr:data-testid="reset-2fa">
                    <ReasonFields id=id_reset field="reset-reason" label="Reset two-factor" error=reason_error(reset.value())
                        done=Signal::derive(move || reset.value().get().and_then(Result::ok).map(|_| "Reset started. It takes effect after the waiting period unless the customer cancels it.".to_owned()))/>
                </ActionForm>
            </Card>
            <Card id="history" title="Login History (last 50)">
                <div class="table-wrap" tabindex="0" role="region" aria-label="Customer's Login History, scrolls sideways">
                    <table class="history">
                        <thead><tr><th scope="col">"Date and time"</th><th scope="col">"Result"</th><th scope="col">"IP address"</th><th scope="col">"Device"</th><th scope="col">"Factor"</th></tr></thead>
                        <tbody>
                            {c.history.into_iter().map(|a| view! {
                                <tr><td><LocalTime iso=a.at/></td><td>{a.outcome}</td><td>{a.ip}</td><td>{a.device}</td><td>{a.factor}</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
            </Card>
            <Card id="audit" title="Staff actions on this customer">
                <AuditList rows=c.audit/>
            </Card>
        </ConsoleFrame>
    }
}

/// An action's error for the reason field (sudo mode is asked for above, not here).
fn reason_error<T: Send + Sync + 'static>(
    value: impl With<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<String>> {
    Signal::derive(move || {
        value.with(|v| match v {
            Some(Err(AppError::SudoRequired)) | None | Some(Ok(_)) => None,
            Some(Err(e)) => Some(e.for_field("reason").unwrap_or_else(|| e.to_string())),
        })
    })
}

/// One action's fields: the customer, the reason, what came of it, and the button.
#[component]
fn ReasonFields(
    id: String,
    field: &'static str,
    label: &'static str,
    error: Signal<Option<String>>,
    #[prop(into)] done: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <input type="hidden" name="id" value=id/>
        <div class="field">
            <label for=field>{label} " — reason"</label>
            <textarea id=field name="reason" rows="2" maxlength="500" required></textarea>
        </div>
        <ErrorAlert message=error/>
        {move || done.get().map(|m| view! { <Alert status=true>{m}</Alert> })}
        <button type="submit" class="btn btn-quiet">{label}</button>
    }
}

#[component]
fn AuditList(rows: Vec<AuditView>) -> impl IntoView {
    if rows.is_empty() {
        return Either::Left(view! { <p>"No staff actions yet."</p> });
    }
    Either::Right(view! {
        <ul class="device-list" data-testid="audit">
            {rows.into_iter().map(|r| view! {
                <li class="device">
                    <div>
                        <strong>{r.action}</strong>
                        {r.customer.map(|c| view! { <span class="muted">" · " {c}</span> })}
                        <span class="muted">" · by " <a href=format!("/support/actions?staff={}", r.staff_id)>{r.staff}</a></span>
                        <div class="muted small"><LocalTime iso=r.at/> " · " {r.ip} " · " {r.result}</div>
                        {(!r.reason.is_empty()).then(|| view! { <div class="small">{r.reason}</div> })}
                    </div>
                </li>
            }).collect_view()}
        </ul>
    })
}

/// `/support/actions[?staff=ID]`: a staff member's actions (yours by default).
#[component]
pub fn StaffActionsPage() -> impl IntoView {
    let query = use_query_map();
    let staff = move || query.with(|q| q.get("staff").and_then(|s| s.parse::<i64>().ok()));
    let rows = Resource::new(staff, staff_actions);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(e) => Either::Left(refused(e)),
                    Ok(rows) => Either::Right(view! {
                        <ConsoleFrame title="Staff actions">
                            <Card id="actions" title="Staff actions">
                                <AuditList rows/>
                            </Card>
                        </ConsoleFrame>
                    }),
                }
            })}
        </Suspense>
    }
}

/// `/cancel-reset?token=…`: the link in the email support's two-factor reset sends.
/// Opening it changes nothing (mail scanners open links); the button does.
#[component]
pub fn CancelResetPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.with(|q| q.get("token").unwrap_or_default());
    let done = move || query.with(|q| q.get("done").is_some());
    let cancel = ServerAction::<CancelReset>::new();
    let error = action_error(cancel.value());
    view! {
        <Title text="Cancel the two-factor reset"/>
        <main class="auth-page">
            <div class="card auth-card">
                <Brand/>
                <h1>"Cancel the two-factor reset"</h1>
                <Show when=done fallback=move || view! {
                    <p>"Our support team started a reset of your two-factor authentication. If you did not ask for it, cancel it: nothing will be removed."</p>
                    <ErrorAlert message=error/>
                    <ActionForm action=cancel attr:class="stack">
                        <input type="hidden" name="token" value=token/>
                        <button type="submit" class="btn btn-primary">"Cancel the reset"</button>
                    </ActionForm>
                }>
                    <Alert status=true testid="reset-cancelled">
                        "Cancelled. Your sign-in methods stay as they are. If you did not ask for the reset, change your password."
                    </Alert>
                </Show>
                <nav class="auth-links" aria-label="Account help">
                    <a href="/login">"Log in"</a>
                </nav>
            </div>
        </main>
    }
}
