//! `/support`: the support console, and `/cancel-reset`, the customer's way to stop a
//! two-factor reset support started. To anyone but staff the console's pages are the
//! "Page not found" page, with its 404.

use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos::server_fn::ServerFn as _;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::support::{
    staff_actions, support_customer, support_staff, AuditView, CancelReset, CustomerFile,
    FindCustomer, SupportResetLink, SupportResetTwoFactor, SupportUnlock,
};
use crate::components::alert::{Alert, NoticeSlot};
use crate::components::brand::Brand;
use crate::components::card::Card;
use crate::components::field::Field;
use crate::components::form::{claim, Form, Submit};
use crate::components::loaded::Loading;
use crate::components::local_time::LocalTime;
use crate::error::AppError;
use crate::pages::account::SudoPrompt;
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
            <NoticeSlot name="page"/>
            {children()}
        </main>
    }
}

/// `/support`: find a customer by exact username, email address or full phone number;
/// the customers this staff member found in the last four hours are listed (a search
/// adds to the list), and open from there.
#[component]
pub fn SupportPage() -> impl IntoView {
    let staff = Resource::new(|| (), |_| support_staff());
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match staff.await {
                    Err(e) => Either::Left(refused(e)),
                    Ok(staff) => Either::Right(view! {
                        <ConsoleFrame title="Find a customer">
                            <Card id="find" title="Find a customer" intro="The exact username, email address or full mobile number (+44…). Partial searches find nothing.">
                                <Form action=FindCustomer::PATH class="stack">
                                    <Field id="query" label="Username, email or mobile number" name="query" kind="text"
                                        autocomplete="off" spellcheck="false" maxlength="200" required=true autofocus=true/>
                                    <Submit label="Find" busy="Finding…"/>
                                </Form>
                                {(!staff.found.is_empty()).then(|| view! {
                                    <h3>"Found in the last four hours"</h3>
                                    <ul class="device-list" data-testid="customers">
                                        {staff.found.into_iter().map(|h| view! {
                                            <li class="device"><a href=format!("/support/customer/{}", h.id)>{h.username}</a></li>
                                        }).collect_view()}
                                    </ul>
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

/// `/support/customer/:id`: the customer's factors, lock, waiting reset, Login History and
/// the staff actions on them, with Unlock, Send a password reset link, Reset two-factor.
#[component]
pub fn SupportCustomerPage() -> impl IntoView {
    // Read once (see `HistoryTab`): a second load would also audit a second "view".
    let id = use_params_map()
        .with_untracked(|p| p.get("id").and_then(|s| s.parse::<i64>().ok()).unwrap_or(0));
    let file = Resource::new(move || id, support_customer);
    view! {
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match file.await {
                    Err(e) => Either::Left(refused(e)),
                    Ok(c) => Either::Right(view! { <CustomerFileView c/> }),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CustomerFileView(c: CustomerFile) -> impl IntoView {
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
                <SudoPrompt id="support-sudo-password" label="Your password"
                    for_actions=&[SupportUnlock::PATH, SupportResetLink::PATH, SupportResetTwoFactor::PATH]/>
                <Form action=SupportUnlock::PATH class="stack action" testid="unlock">
                    <ReasonFields id=id_unlock notice="unlock" field="unlock-reason" label="Unlock"/>
                </Form>
                <Form action=SupportResetLink::PATH class="stack action" testid="reset-link">
                    <ReasonFields id=id_link notice="reset-link" field="link-reason" label="Send a password reset link"/>
                </Form>
                <Form action=SupportResetTwoFactor::PATH class="stack action" testid="reset-2fa">
                    <ReasonFields id=id_reset notice="reset-2fa" field="reset-reason" label="Reset two-factor"/>
                </Form>
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

/// One action's fields: the customer, the reason, what came of it (the notice of the
/// action's `notice` slot), and the button.
#[component]
fn ReasonFields(
    id: String,
    /// The slot of the action's notice.
    notice: &'static str,
    field: &'static str,
    label: &'static str,
) -> impl IntoView {
    let error_id = format!("{field}-error");
    let error = claim("reason");
    view! {
        <input type="hidden" name="id" value=id/>
        <div class="field">
            <label for=field>{label} " — reason"</label>
            <textarea id=field name="reason" rows="2" maxlength="500" required
                aria-describedby=error_id.clone() aria-invalid=error.is_some().then_some("true")></textarea>
            <p id=error_id class="field-error">{error}</p>
        </div>
        <NoticeSlot name=notice/>
        <Submit label class="btn btn-quiet"/>
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
    let staff =
        use_query_map().with_untracked(|q| q.get("staff").and_then(|s| s.parse::<i64>().ok()));
    let rows = Resource::new(move || staff, staff_actions);
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
    let (token, done) = use_query_map()
        .with_untracked(|q| (q.get("token").unwrap_or_default(), q.get("done").is_some()));
    view! {
        <Title text="Cancel the two-factor reset"/>
        <main class="auth-page">
            <div class="card auth-card">
                <Brand/>
                <h1>"Cancel the two-factor reset"</h1>
                {if done {
                    Either::Left(view! {
                        <Alert status=true testid="reset-cancelled">
                            "Cancelled. Your sign-in methods stay as they are. If you did not ask for the reset, change your password."
                        </Alert>
                    })
                } else {
                    Either::Right(view! {
                        <p>"Our support team started a reset of your two-factor authentication. If you did not ask for it, cancel it: nothing will be removed."</p>
                        <Form action=CancelReset::PATH class="stack">
                            <input type="hidden" name="token" value=token/>
                            <Submit label="Cancel the reset" busy="Cancelling…"/>
                        </Form>
                    })
                }}
                <nav class="auth-links" aria-label="Account help">
                    <a href="/login">"Log in"</a>
                </nav>
            </div>
        </main>
    }
}
