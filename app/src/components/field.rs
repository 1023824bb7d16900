//! A labelled form field: label, input, and the message under it.

use leptos::prelude::*;

use super::form::claim;

/// `<div class="field">`: the label, the input, an optional hint, and the message slot
/// under it (`id="{id}-error"`, named by the input's `aria-describedby` after the hint).
///
/// The message is the refusal of the surrounding [`Form`](super::form::Form)'s last plain
/// post when it names this field (`field`, or else `name`); the field then has the focus
/// and `aria-invalid`. With JavaScript the page's script writes the same slot.
#[component]
pub fn Field(
    /// The input's id, which the label points at and the message ids start with.
    id: &'static str,
    label: &'static str,
    name: &'static str,
    /// The input's `type`.
    kind: &'static str,
    /// The field a refusal names when it is not `name` (`AppError::InvalidInput`'s `field`).
    #[prop(optional)]
    field: Option<&'static str>,
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
) -> impl IntoView {
    let error = claim(field.unwrap_or(name));
    let help_id = help.map(|_| format!("{id}-help"));
    let error_id = format!("{id}-error");
    let described_by = match &help_id {
        Some(h) => format!("{h} {error_id}"),
        None => error_id.clone(),
    };
    let invalid = error.is_some().then_some("true");
    let autofocus = autofocus || error.is_some();
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id name=name type=kind data-field=field autocomplete=autocomplete
                inputmode=inputmode autocapitalize=autocapitalize spellcheck=spellcheck
                minlength=minlength maxlength=maxlength placeholder=placeholder value=value
                required=required autofocus=autofocus aria-describedby=described_by
                aria-invalid=invalid/>
            {help.map(|text| view! { <p id=help_id class="muted">{text}</p> })}
            <p id=error_id class="field-error">{error}</p>
        </div>
    }
}
