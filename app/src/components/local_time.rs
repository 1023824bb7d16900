use leptos::prelude::*;

/// A moment shown in the reader's own time zone. The server writes it in UTC (it cannot
/// know the browser's zone); the page's script rewrites every `<time data-local>` in local
/// time once it runs (`islands::enhance`).
#[component]
pub fn LocalTime(
    /// RFC 3339 timestamp.
    iso: String,
    /// Show only the date ("3 March 2027").
    #[prop(optional)]
    date_only: bool,
) -> impl IntoView {
    let text = if date_only {
        iso.get(0..10).unwrap_or(&iso).to_owned()
    } else {
        utc_text(&iso)
    };
    let kind = if date_only { "date" } else { "datetime" };
    view! { <time datetime=iso data-local=kind>{text}</time> }
}

/// "2027-03-03 14:05 UTC" from "2027-03-03T14:05:09Z".
fn utc_text(iso: &str) -> String {
    match (iso.get(0..10), iso.get(11..16)) {
        (Some(date), Some(time)) => format!("{date} {time} UTC"),
        _ => iso.to_owned(),
    }
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
