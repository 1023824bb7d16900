//! A labelled form field: label, input, and the message under it.

use leptos::prelude::*;

use crate::error::AppError;

/// `<div class="field">`: the label, the input and, when `error` is given, the message
/// under it.
///
/// Wiring by default: the input names the message with `aria-describedby="{id}-error"`,
/// and the message (`id="{id}-error"`) is announced politely. `invalid` adds
/// `aria-invalid` while there is a message; `quiet` keeps the id but drops the live
/// region; `unlinked` leaves out the id and the `aria-describedby` (and the live region).
/// `help` adds a hint (`id="{id}-help"`) between the input and the message, named first
/// by `aria-describedby`.
#[component]
pub fn Field(
    /// The input's id, which the label points at and the message ids start with.
    id: &'static str,
    label: &'static str,
    name: &'static str,
    /// The input's `type`.
    kind: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] autocapitalize: Option<&'static str>,
    #[prop(optional)] spellcheck: Option<&'static str>,
    #[prop(optional)] minlength: Option<&'static str>,
    #[prop(optional)] maxlength: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autofocus: bool,
    #[prop(optional)] help: Option<&'static str>,
    /// The message under the input; without it there is no message element.
    #[prop(optional, into)]
    error: Option<Signal<Option<String>>>,
    #[prop(optional)] invalid: bool,
    #[prop(optional)] quiet: bool,
    #[prop(optional)] unlinked: bool,
) -> impl IntoView {
    let help_id = help.map(|_| format!("{id}-help"));
    let error_id = (error.is_some() && !unlinked).then(|| format!("{id}-error"));
    let described_by = match (&help_id, &error_id) {
        (Some(h), Some(e)) => Some(format!("{h} {e}")),
        (Some(h), None) => Some(h.clone()),
        (None, Some(e)) => Some(e.clone()),
        (None, None) => None,
    };
    let invalid = (invalid && error.is_some())
        .then_some(move || error.is_some_and(|e| e.get().is_some()).to_string());
    let live = (!quiet && !unlinked).then_some("polite");
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=name type=kind autocomplete=autocomplete inputmode=inputmode
                autocapitalize=autocapitalize spellcheck=spellcheck minlength=minlength
                maxlength=maxlength placeholder=placeholder value=value required=required
                autofocus=autofocus aria-describedby=described_by aria-invalid=invalid/>
            {help.map(|text| view! { <p id=help_id class="muted">{text}</p> })}
            {error.map(|e| view! {
                <p id=error_id class="field-error" aria-live=live>{move || e.get()}</p>
            })}
        </div>
    }
}

/// The message for the form input `field` from an action's last error, if it has one.
pub fn field_error<T: Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    move || {
        value
            .get()
            .and_then(Result::err)
            .and_then(|e| e.for_field(field))
    }
}

/// An action's last error unless it belongs to one of `fields` (those show under their
/// inputs).
pub fn other_error<T: Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
    fields: &'static [&'static str],
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    move || {
        value
            .get()
            .and_then(Result::err)
            .filter(|e| fields.iter().all(|f| e.for_field(f).is_none()))
            .map(|e| e.to_string())
    }
}

/// An action's last error, as text.
pub fn action_error<T: Send + Sync + 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Copy + Send + Sync + 'static,
) -> impl Fn() -> Option<String> + Copy + Send + Sync + 'static {
    move || value.get().and_then(Result::err).map(|e| e.to_string())
}
