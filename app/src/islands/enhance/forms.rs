//! Forms marked `data-enhance` post with `fetch`, and the answer is handled in place:
//!
//! - **Accepted:** the browser goes where the server function redirects (signed in,
//!   logged out), or else reloads the page, which the server renders with the outcome and
//!   its notice (`crate::notice`). So what the page shows is always the server's truth.
//! - **Refused for a field** (`AppError::InvalidInput`): the message goes into that
//!   field's slot, the field gets `aria-invalid` and the focus; what was typed stays.
//! - **Refused for want of a recent password** (`SudoRequired`): the card's password
//!   prompt opens; once it is confirmed, the refused form is sent again by itself.
//! - **Anything else:** the message goes into the form's alert slot (`role="alert"`).
//!
//! While a form is being sent it is `aria-busy`, its buttons are disabled and say their
//! `data-busy` text, and pressing again sends nothing.

use std::cell::RefCell;

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, HtmlElement, HtmlFormElement, SubmitEvent};

use super::dom::{all, first, focus, listen};
use crate::api::lockdown::NEW_PASSWORD_PAGE;
use crate::error::AppError;

/// What a confirmed password makes happen again.
enum Resume {
    Submit(HtmlFormElement),
    Click(HtmlElement),
}

thread_local! {
    static RESUME: RefCell<Option<Resume>> = const { RefCell::new(None) };
}

pub fn install(document: &Document) {
    listen(document, "submit", |e: Event| {
        if let Ok(e) = e.dyn_into::<SubmitEvent>() {
            on_submit(e);
        }
    });
    // An island's button whose server function asked for the password again.
    listen(document, crate::islands::SUDO_EVENT, |e: Event| {
        let Some(button) = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else {
            return;
        };
        if open_prompt(&button, Resume::Click(button.clone())) {
            e.prevent_default();
        }
    });
    // A page restored from the back-forward cache kept its forms as they were when it
    // was left: busy.
    listen(&leptos::prelude::window(), "pageshow", |_| {
        for form in all(&leptos::prelude::document(), "form[aria-busy]") {
            if let Ok(form) = form.dyn_into::<HtmlFormElement>() {
                busy(&form, false);
            }
        }
    });
}

/// The answer of a server function, as far as the page cares.
enum Answer {
    /// Go there (the server function redirected).
    GoTo(String),
    /// Accepted; the page shows the outcome once reloaded.
    Done,
}

fn on_submit(e: SubmitEvent) {
    if e.default_prevented() {
        return;
    }
    let Some(form) = e
        .target()
        .and_then(|t| t.dyn_into::<HtmlFormElement>().ok())
    else {
        return;
    };
    if !form.has_attribute("data-enhance") {
        return;
    }
    e.prevent_default();
    // Being sent already: a second press sends nothing.
    if form.has_attribute("aria-busy") {
        return;
    }
    let submitter = e.submitter();
    leptos::task::spawn_local(send(form, submitter));
}

async fn send(form: HtmlFormElement, submitter: Option<HtmlElement>) {
    busy(&form, true);
    clear(&form);
    match post(&form, submitter.as_ref()).await {
        // The page is left busy: nothing more is to be sent from it.
        Ok(Answer::GoTo(to)) => go(&to),
        Ok(Answer::Done) => {
            if form.has_attribute("data-sudo-prompt") && resume(&form) {
                busy(&form, false);
            } else {
                reload();
            }
        }
        Err(e) => {
            busy(&form, false);
            refused(&form, e);
        }
    }
}

/// Posts the form's fields as its plain submission would, asking for the server
/// function's own answer rather than a redirect.
async fn post(form: &HtmlFormElement, submitter: Option<&HtmlElement>) -> Result<Answer, AppError> {
    let data = web_sys::FormData::new_with_form(form).map_err(|_| AppError::Internal)?;
    if let Some(button) = submitter {
        let name = button.get_attribute("name").unwrap_or_default();
        if !name.is_empty() {
            let value = button.get_attribute("value").unwrap_or_default();
            let _ = data.append_with_str(&name, &value);
        }
    }
    let fields = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data)
        .map_err(|_| AppError::Internal)?;
    let answer = crate::islands::call::send(&form.action(), &fields).await?;
    Ok(match answer.redirect {
        Some(to) => Answer::GoTo(to),
        None => Answer::Done,
    })
}

/// Shows a refusal where it belongs.
fn refused(form: &HtmlFormElement, e: AppError) {
    match &e {
        AppError::SudoRequired if open_prompt(form, Resume::Submit(form.clone())) => return,
        // The session ended elsewhere ("Where you're signed in", "This wasn't me"): on
        // to where the customer can go on.
        AppError::Unauthorized => return go("/login"),
        AppError::NewPasswordRequired => return go(NEW_PASSWORD_PAGE),
        AppError::InvalidInput { field, message } => {
            if let Some(input) = field_input(form, field) {
                let slot = input
                    .closest(".field")
                    .ok()
                    .flatten()
                    .and_then(|f| first(&f, ".field-error"));
                if let Some(slot) = slot {
                    slot.set_text_content(Some(message));
                    let _ = input.set_attribute("aria-invalid", "true");
                    focus(&input);
                    return;
                }
            }
        }
        _ => {}
    }
    alert(form, &e.to_string());
}

/// The input a refusal for `field` belongs to: `data-field` names it when it is not the
/// input's own name.
fn field_input(form: &HtmlFormElement, field: &str) -> Option<Element> {
    if !field
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return None;
    }
    first(form, &format!("[data-field=\"{field}\"]"))
        .or_else(|| first(form, &format!("[name=\"{field}\"]")))
}

/// The form's alert slot: its own, or the one elsewhere it names.
fn alert_slot(form: &HtmlFormElement) -> Option<Element> {
    match form.get_attribute("data-alert-slot") {
        Some(id) => super::dom::by_id(&id),
        None => first(form, ".form-alert"),
    }
}

/// `message` in the form's alert slot.
fn alert(form: &HtmlFormElement, message: &str) {
    let document = leptos::prelude::document();
    let slot = match alert_slot(form) {
        Some(slot) => slot,
        None => {
            let Ok(slot) = document.create_element("div") else {
                return;
            };
            slot.set_class_name("form-alert");
            let _ = form.prepend_with_node_1(&slot);
            slot
        }
    };
    let Ok(p) = document.create_element("p") else {
        return;
    };
    p.set_class_name("alert alert-error");
    let _ = p.set_attribute("role", "alert");
    p.set_text_content(Some(message));
    slot.set_text_content(None);
    let _ = slot.append_child(&p);
}

/// Clears what the form's last answer showed.
fn clear(form: &HtmlFormElement) {
    for slot in all(form, ".field-error") {
        slot.set_text_content(None);
    }
    for input in all(form, "[aria-invalid]") {
        let _ = input.remove_attribute("aria-invalid");
    }
    if let Some(slot) = alert_slot(form) {
        slot.set_text_content(None);
    }
}

/// Marks the form as being sent (or no longer): its buttons disabled, saying
/// `data-busy` if they have it.
fn busy(form: &HtmlFormElement, on: bool) {
    let _ = form.toggle_attribute_with_force("aria-busy", on);
    for button in all(form, "button[type=submit], button:not([type])") {
        let _ = button.toggle_attribute_with_force("disabled", on);
        let Some(busy) = button.get_attribute("data-busy") else {
            continue;
        };
        if on {
            let label = button.text_content().unwrap_or_default();
            let _ = button.set_attribute("data-label", &label);
            button.set_text_content(Some(&busy));
        } else if let Some(label) = button.get_attribute("data-label") {
            button.set_text_content(Some(&label));
        }
    }
}

/// Opens the password prompt of `from`'s card and keeps what to do once the password is
/// confirmed. `false` when the card has no prompt.
fn open_prompt(from: &Element, then: Resume) -> bool {
    let prompt = from
        .closest("[data-sudo-scope]")
        .ok()
        .flatten()
        .and_then(|scope| first(&scope, "form[data-sudo-prompt]"));
    let Some(prompt) = prompt else {
        return false;
    };
    let _ = prompt.remove_attribute("hidden");
    RESUME.with(|r| *r.borrow_mut() = Some(then));
    if let Some(input) = first(&prompt, "input[type=password]") {
        focus(&input);
    }
    true
}

/// After the prompt's password was confirmed: closes it and makes the refused change
/// again. `false` when there is nothing to make again.
fn resume(prompt: &HtmlFormElement) -> bool {
    let Some(then) = RESUME.with(|r| r.borrow_mut().take()) else {
        return false;
    };
    prompt.reset();
    let _ = prompt.set_attribute("hidden", "");
    match then {
        Resume::Submit(form) => {
            let _ = form.request_submit();
        }
        Resume::Click(button) => button.click(),
    }
    true
}

fn go(to: &str) {
    let _ = leptos::prelude::window().location().assign(to);
}

/// Shows the page again, as the server now renders it.
fn reload() {
    let location = leptos::prelude::window().location();
    let href = location.href().unwrap_or_default();
    // A plain post's refusal, earlier, left its error in the address: not again.
    if href.contains("__err=") {
        if let Ok(url) = web_sys::Url::new(&href) {
            url.search_params().delete("__err");
            url.search_params().delete("__path");
            let _ = location.replace(&url.href());
            return;
        }
    }
    let _ = location.reload();
}
