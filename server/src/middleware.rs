//! Cross-cutting HTTP rules: security headers on every response, and the refusal of
//! state-changing requests from other origins.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::server::csp::DEFAULT_POLICY;
use app::server::session::SessionMemo;
use app::server::AppState;

/// Gives every GET (a page render) a [`SessionMemo`], so the server functions its
/// resources call look the session up once between them.
pub async fn session_memo(mut request: Request, next: Next) -> Response {
    if request.method() == Method::GET {
        request.extensions_mut().insert(SessionMemo::default());
    }
    next.run(request).await
}

/// Adds the headers every response carries, keeping any a handler set (pages set their
/// own CSP with a nonce).
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The reset page's URL holds its token: no Referer may carry it anywhere, not even
    // to our own /pkg requests.
    let referrer = if path == "/reset-password" || path == "/api/reset-link" {
        "no-referrer"
    } else {
        "strict-origin-when-cross-origin"
    };
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(DEFAULT_POLICY));
    if !is_static_asset(&path) {
        // Sign-in, account and recovery pages and every API answer are private.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state
        .settings
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
    {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    h.remove(header::SERVER);
    response
}

fn is_static_asset(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg" || path == "/favicon.ico"
}

/// Refuses state-changing requests (anything but GET, HEAD, OPTIONS) that a browser says
/// come from another origin: Leptos server functions accept form posts, which any site
/// could otherwise send to us with the customer's cookies.
pub async fn same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) || is_same_origin(request.headers(), state.settings.public_url.as_deref())
    {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), "refused a cross-origin request");
    (
        StatusCode::FORBIDDEN,
        Body::from("Cross-origin requests are not allowed.\n"),
    )
        .into_response()
}

/// Whether the browser's own headers place the request on our origin. Requests without
/// either header (not from a browser) pass: they carry no ambient credentials to abuse.
pub fn is_same_origin(headers: &HeaderMap, public_url: Option<&str>) -> bool {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(origin) = get("origin") {
        if origin == "null" {
            return false;
        }
        let host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
        let matches_host = get("host").is_some_and(|h| h.eq_ignore_ascii_case(host));
        let matches_public =
            public_url.is_some_and(|u| u.trim_end_matches('/').eq_ignore_ascii_case(origin));
        return matches_host || matches_public;
    }
    match get("sec-fetch-site") {
        Some(site) => matches!(site, "same-origin" | "none"),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn same_origin_rules() {
        assert!(is_same_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:3000"),
                ("host", "127.0.0.1:3000")
            ]),
            None
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "http://127.0.0.1:4000"),
                ("host", "127.0.0.1:3000")
            ]),
            None
        ));
        assert!(!is_same_origin(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "panel.example")
            ]),
            None
        ));
        assert!(!is_same_origin(
            &headers(&[("origin", "null"), ("host", "panel.example")]),
            None
        ));
        assert!(is_same_origin(
            &headers(&[
                ("origin", "https://panel.example"),
                ("host", "10.0.0.5:3000")
            ]),
            Some("https://panel.example/")
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "cross-site")]),
            None
        ));
        assert!(!is_same_origin(
            &headers(&[("sec-fetch-site", "same-site")]),
            None
        ));
        assert!(is_same_origin(
            &headers(&[("sec-fetch-site", "same-origin")]),
            None
        ));
        assert!(is_same_origin(&headers(&[]), None), "non-browser clients");
    }
}
