use leptos::prelude::*;

/// A moment shown in the reader's own time zone. The server renders it in UTC (it cannot
/// know the browser's zone); once hydrated, the browser rewrites it in local time.
#[component]
pub fn LocalTime(
    /// RFC 3339 timestamp.
    iso: String,
    /// Show only the date ("3 March 2027").
    #[prop(optional)]
    date_only: bool,
) -> impl IntoView {
    let text = RwSignal::new(if date_only {
        iso.get(0..10).unwrap_or(&iso).to_owned()
    } else {
        utc_text(&iso)
    });
    #[cfg(feature = "hydrate")]
    {
        let iso = iso.clone();
        Effect::new(move |_| {
            if let Some(local) = local_text(&iso, date_only) {
                text.set(local);
            }
        });
    }
    view! { <time datetime=iso.clone()>{move || text.get()}</time> }
}

/// "2027-03-03 14:05 UTC" from "2027-03-03T14:05:09Z".
fn utc_text(iso: &str) -> String {
    match (iso.get(0..10), iso.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => iso.to_owned(),
    }
}

#[cfg(feature = "hydrate")]
fn local_text(iso: &str, date_only: bool) -> Option<String> {
    use wasm_bindgen::JsValue;
    let date = js_sys::Date::new(&JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return None;
    }
    let options = js_sys::Object::new();
    if date_only {
        js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into()).ok()?;
    } else {
        js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into()).ok()?;
        js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into()).ok()?;
    }
    Some(String::from(date.to_locale_string("default", &options)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_text_is_readable() {
        assert_eq!(
            super::utc_text("2027-03-03T14:05:09.123Z"),
            "2027-03-03 14:05 UTC"
        );
        assert_eq!(super::utc_text("bad"), "bad");
    }
}
