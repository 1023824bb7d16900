//! The notice cookie: a server function names the [`Notice`] its success earned, and the
//! next page render shows it once and clears it. The cookie holds a notice's key and, hex
//! encoded, its argument (a masked number, an address the customer typed): nothing
//! secret, and nothing a forged cookie could use but to choose one of the fixed texts.

use http::header::{ACCEPT, SET_COOKIE};
use http::HeaderMap;

use leptos::server_fn::error::ServerFnUrlError;

use crate::error::AppError;
use crate::notice::{Notice, Shown};
use crate::server::platform::settings::Settings;
use crate::server::signin::session::{cookie_header, cookie_value, CookieKind};
use crate::server::AppState;

/// How long a notice waits for the page that shows it.
const MAX_AGE_SECONDS: i64 = 60;

/// Arguments longer than this are not kept (an address is at most 254 characters).
const MAX_ARG: usize = 300;

/// The cookie's value for `notice` with `arg`.
fn encode(notice: Notice, arg: &str) -> String {
    if arg.is_empty() {
        notice.key().to_owned()
    } else {
        format!("{}.{}", notice.key(), hex::encode(arg))
    }
}

/// The notice a cookie's value names, if it names one.
fn decode(value: &str) -> Option<Shown> {
    let (key, arg) = value.split_once('.').unwrap_or((value, ""));
    let notice = Notice::from_key(key)?;
    if arg.len() > 2 * MAX_ARG {
        return None;
    }
    let arg = String::from_utf8(hex::decode(arg).ok()?).ok()?;
    Some(Shown { notice, arg })
}

/// Sets `notice` for the next page this browser loads (in a server function).
pub fn set(settings: &Settings, notice: Notice, arg: &str) {
    let arg: String = arg.chars().take(MAX_ARG).collect();
    let value = encode(notice, &arg);
    crate::server::signin::session::send_cookie(cookie_header(
        settings,
        CookieKind::Notice,
        &value,
        MAX_AGE_SECONDS,
    ));
}

/// Whether the request is a plain HTML form's post (no JavaScript ran): the server answers
/// it with a redirect, and the page then rendered is all the customer sees of the outcome.
pub fn is_plain_form_post(headers: &HeaderMap) -> bool {
    headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Sends a plain form post's refusal back to `page` with `query` (its `(name, value)`
/// pairs, each at most `MAX_ARG` long), where the page shows it as it shows any refusal. For pages whose address holds
/// a token and is therefore never sent as a Referer (`Referrer-Policy: no-referrer`):
/// server_fn sends a refused post back to its Referer and, without one, to `/` with the
/// refusal dropped. A post from the page's script is answered as usual.
pub fn refuse_back_to(
    headers: &HeaderMap,
    page: &str,
    query: &[(&str, &str)],
    path: &'static str,
    error: &AppError,
) {
    if !is_plain_form_post(headers) {
        return;
    }
    // `to_url` wants an absolute address; only its path and query are sent.
    let Ok(mut url) =
        ServerFnUrlError::new(path, error.clone()).to_url(&format!("http://gatehouse{page}"))
    else {
        return;
    };
    // A real token is 64 characters: a longer value is not echoed into the address.
    let query = query.iter().filter(|(_, value)| value.len() <= MAX_ARG);
    url.query_pairs_mut().extend_pairs(query);
    let location = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    leptos_axum::redirect(&location);
}

/// The notice this page render is to show, if the request brought one; the response
/// then clears the cookie. (During a page render.)
pub fn take() -> Option<Shown> {
    use leptos::prelude::use_context;
    let parts = use_context::<http::request::Parts>()?;
    let state = use_context::<AppState>()?;
    let value = cookie_value(&state.settings, CookieKind::Notice, &parts.headers)?;
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.append_header(
            SET_COOKIE,
            cookie_header(&state.settings, CookieKind::Notice, "", 0),
        );
    }
    decode(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_notice_and_its_argument_survive_the_cookie() {
        let value = encode(Notice::TwoFactorOn, "•••• 1234");
        assert!(value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.'));
        assert_eq!(
            decode(&value),
            Some(Shown {
                notice: Notice::TwoFactorOn,
                arg: "•••• 1234".into()
            })
        );
        assert_eq!(
            decode("password-changed"),
            Some(Shown {
                notice: Notice::PasswordChanged,
                arg: String::new()
            })
        );
    }

    #[test]
    fn a_forged_cookie_chooses_nothing_but_a_fixed_text() {
        assert_eq!(decode("nonsense"), None);
        assert_eq!(decode("two-factor-on.zz"), None);
        assert_eq!(
            decode(&format!("two-factor-on.{}", "ab".repeat(1000))),
            None
        );
        // Not UTF-8.
        assert_eq!(decode("two-factor-on.ff"), None);
    }
}
