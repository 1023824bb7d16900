//! What the page does as it arrives: times in the reader's zone, and the focus where the
//! page's news is.

use wasm_bindgen::{JsCast, JsValue};
use web_sys::Document;

use super::dom::{all, focus};

pub fn install(document: &Document) {
    localise_times(document);
    focus_on_arrival(document);
}

/// Every `<time datetime data-local="datetime|date">` the server wrote in UTC, in the
/// browser's zone and language.
fn localise_times(document: &Document) {
    for time in all(document, "time[data-local]") {
        let (Some(iso), Some(kind)) = (
            time.get_attribute("datetime"),
            time.get_attribute("data-local"),
        ) else {
            continue;
        };
        if let Some(text) = local_text(&iso, kind == "date") {
            time.set_text_content(Some(&text));
        }
    }
}

fn local_text(iso: &str, date_only: bool) -> Option<String> {
    use js_sys::Reflect;
    let date = js_sys::Date::new(&JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return None;
    }
    let options = js_sys::Object::new();
    let date_style = if date_only { "long" } else { "medium" };
    Reflect::set(&options, &"dateStyle".into(), &date_style.into()).ok()?;
    if !date_only {
        Reflect::set(&options, &"timeStyle".into(), &"short".into()).ok()?;
    }
    Some(String::from(date.to_locale_string("default", &options)))
}

/// The page's notice takes the focus when nothing else did (an `autofocus` field comes
/// first), so a screen reader says what just happened. A field filled in for the
/// customer to change (`data-select`: a new passkey's name) is selected, so typing
/// replaces it.
fn focus_on_arrival(document: &Document) {
    match document.active_element() {
        Some(active) if !active.tag_name().eq_ignore_ascii_case("body") => {
            if active.has_attribute("data-select") {
                if let Ok(input) = active.dyn_into::<web_sys::HtmlInputElement>() {
                    input.select();
                }
            }
        }
        _ => {
            if let Some(notice) = document.query_selector("[data-notice]").ok().flatten() {
                focus(&notice);
            }
        }
    }
}
