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
use crate::server::signin::session::{clear_cookie, cookie_header, cookie_value, CookieKind};
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

/// `result`, with its refusal of a plain form post sent back to `page?token={token}`
/// (where the page shows it as it shows any refusal) rather than to the Referer. For the
/// pages whose address holds a token and is therefore never sent as a Referer
/// (`Referrer-Policy: no-referrer`): server_fn would send the post to `/` and drop the
/// refusal. A post from the page's script is answered as usual.
pub fn back_to_token_page<T, E: Into<AppError>>(
    headers: &HeaderMap,
    page: &str,
    token: &str,
    path: &'static str,
    result: Result<T, E>,
) -> Result<T, AppError> {
    let error = match result {
        Ok(value) => return Ok(value),
        Err(e) => e.into(),
    };
    if is_plain_form_post(headers) {
        leptos_axum::redirect(&refusal_address(page, token, path, &error));
    }
    Err(error)
}

/// `page` with `path`'s refusal `error` in its query (as server_fn reads it back) and
/// `token`, unless it is longer than a notice's argument may be (a real one is 64
/// characters).
fn refusal_address(page: &str, token: &str, path: &'static str, error: &AppError) -> String {
    // `to_url` wants an absolute address; only its path and query are kept.
    let base = format!("http://gatehouse{page}");
    let Ok(mut url) = ServerFnUrlError::new(path, error.clone()).to_url(&base) else {
        return page.to_owned();
    };
    if token.len() <= MAX_ARG {
        url.query_pairs_mut().append_pair("token", token);
    }
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    }
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
            clear_cookie(&state.settings, CookieKind::Notice),
        );
    }
    decode(&value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_goes_back_to_its_token_page_which_reads_it_back() {
        let error = AppError::invalid("password_again", "The two passwords don't match.");
        let token = "ab".repeat(32);
        let to = refusal_address("/reset-password", &token, "/api/reset-password", &error);
        assert!(
            to.starts_with("/reset-password?__path=%2Fapi%2Freset-password&__err="),
            "{to}"
        );
        assert!(to.ends_with(&format!("&token={token}")), "{to}");
        let err = to
            .split("__err=")
            .nth(1)
            .unwrap()
            .split('&')
            .next()
            .unwrap();
        // (URL-safe base64: only its padding is percent-encoded in a query.)
        let decoded = ServerFnUrlError::<AppError>::decode_err(&err.replace("%3D", "="));
        assert_eq!(decoded, error);
        // Characters that mean something in an address stay inside the value.
        let to = refusal_address("/confirm-email", "x&done=1", "/api/confirm-email", &error);
        assert!(to.ends_with("&token=x%26done%3D1"), "{to}");
        // No real token is this long: it is not copied into the address.
        let to = refusal_address(
            "/cancel-reset",
            &"a".repeat(10_000),
            "/api/cancel-reset",
            &error,
        );
        assert!(
            to.starts_with("/cancel-reset?__path=") && !to.contains("token="),
            "{to}"
        );
    }

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
