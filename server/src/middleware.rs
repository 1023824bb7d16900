//! Cross-cutting HTTP rules: security headers on every response, and the refusal of
//! state-changing requests from other origins.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use leptos::server_fn::error::SERVER_FN_ERROR_HEADER;

use app::error::AppError;
use app::server::platform::csp::{page_policy, PageNonce, DEFAULT_POLICY};
use app::server::signin::session::SessionMemo;
use app::server::AppState;

/// Gives every GET (a page render) a [`SessionMemo`], so the server functions its
/// resources call look the session up once between them.
pub async fn session_memo(mut request: Request, next: Next) -> Response {
    if request.method() == Method::GET {
        request.extensions_mut().insert(SessionMemo::default());
    }
    next.run(request).await
}

/// Gives a failed server function's answer the HTTP status of its error (a wrong code is
/// 422, a lock 429, a database restart 503 with `Retry-After`), in one place, instead of
/// the framework's blanket 500. A plain form post without JavaScript is answered with a
/// redirect back to its form, which is left alone.
pub async fn server_fn_status(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(err.status()) {
            parts.status = status;
        }
        // Every 503 is momentary (a full hashing queue, a database restart): say when
        // to come back, so clients retry soon instead of giving up.
        if parts.status == StatusCode::SERVICE_UNAVAILABLE {
            parts
                .headers
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// Adds the headers every response carries, keeping any a handler set (pages set their
/// own CSP with a nonce).
pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let page_nonce = PageNonce::default();
    let mut request = request;
    request.extensions_mut().insert(page_nonce.clone());
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    // A rendered page left its scripts' nonce: its policy allows exactly those.
    if let Some(nonce) = page_nonce.take() {
        if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce, state.settings.is_dev())) {
            h.insert(header::CONTENT_SECURITY_POLICY, value);
        }
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The reset, confirm-email and cancel-reset pages' URLs hold their tokens: no
    // Referer may carry them anywhere, not even to our own /pkg requests.
    let referrer = if matches!(
        path.as_str(),
        "/reset-password" | "/api/reset-link" | "/confirm-email" | "/cancel-reset"
    ) {
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
    ) || is_same_origin(
        request.headers(),
        state.settings.public_url.as_deref(),
        state.settings.cookie_secure,
    ) {
        return next.run(request).await;
    }
    tracing::warn!(path = %request.uri().path(), "refused a cross-origin request");
    (
        StatusCode::FORBIDDEN,
        Body::from("Cross-origin requests are not allowed.\n"),
    )
        .into_response()
}

/// Whether the browser's own headers place the request on our origin.
///
/// Our origin is that of `public_url` when it is set (its path ignored); otherwise
/// `{scheme}://{Host}`, with `https` when cookies are `Secure` (we are served over HTTPS)
/// and `http` otherwise. An `Origin` must equal it in scheme, host and port (ASCII
/// case-insensitively, a default port the same as none); one that cannot be read (not
/// UTF-8, no scheme) is another origin, and so is `null` unless `Sec-Fetch-Site` says
/// `same-origin`. Without `Origin`, `Sec-Fetch-Site` must
/// say `same-origin` or `none`. Requests with neither header (not from a browser) pass:
/// they carry no ambient credentials to abuse.
pub fn is_same_origin(headers: &HeaderMap, public_url: Option<&str>, cookie_secure: bool) -> bool {
    let site = headers
        .get("sec-fetch-site")
        .map(|v| v.to_str().unwrap_or_default());
    // A form posted from one of our own pages served with `Referrer-Policy: no-referrer`
    // (the reset and confirm-email pages, whose URLs hold tokens) says `Origin: null`;
    // the browser's own `Sec-Fetch-Site: same-origin` vouches for it. An opaque origin
    // elsewhere (a sandboxed frame) is never `same-origin`.
    if headers.get(header::ORIGIN).is_some_and(|o| o == "null") {
        return site == Some("same-origin");
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Some(origin) = origin.to_str().ok().and_then(WebOrigin::parse_header) else {
            return false;
        };
        let ours = match public_url {
            Some(url) => WebOrigin::parse_url(url),
            None => {
                let scheme = if cookie_secure { "https" } else { "http" };
                headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .and_then(|host| WebOrigin::parse_header(&format!("{scheme}://{host}")))
            }
        };
        return ours.is_some_and(|ours| ours == origin);
    }
    match site {
        Some(site) => matches!(site, "same-origin" | "none"),
        None => true,
    }
}

/// A web origin, normalised for comparison: lower-case scheme and host, and no port when
/// it is the scheme's default.
#[derive(Debug, PartialEq, Eq)]
struct WebOrigin {
    scheme: String,
    host: String,
    port: Option<u16>,
}

impl WebOrigin {
    /// The origin of a URL such as `https://panel.example/base/`; path and query are
    /// ignored.
    fn parse_url(text: &str) -> Option<Self> {
        let uri: http::Uri = text.trim().parse().ok()?;
        let scheme = uri.scheme_str()?.to_ascii_lowercase();
        let authority = uri.authority()?;
        // User info has no place in an origin (and `https://panel.example@evil.example`
        // is evil.example).
        if authority.as_str().contains('@') || authority.host().is_empty() {
            return None;
        }
        let port = match (scheme.as_str(), authority.port_u16()) {
            ("http", Some(80)) | ("https", Some(443)) => None,
            (_, port) => port,
        };
        Some(Self {
            host: authority.host().to_ascii_lowercase(),
            scheme,
            port,
        })
    }

    /// An `Origin` header's value: scheme, host and port only, as browsers send it.
    fn parse_header(text: &str) -> Option<Self> {
        let (_, rest) = text.split_once("://")?;
        if rest.contains(['/', '?', '#']) {
            return None;
        }
        Self::parse_url(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(
                http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn without_a_public_url_the_origin_must_be_the_host_with_the_cookies_scheme() {
        // (Origin, Host, cookie_secure, same origin?)
        let cases: &[(&str, &str, bool, bool)] = &[
            ("http://127.0.0.1:3000", "127.0.0.1:3000", false, true),
            ("http://127.0.0.1:4000", "127.0.0.1:3000", false, false),
            ("http://127.0.0.1", "127.0.0.1:3000", false, false),
            ("https://evil.example", "panel.example", true, false),
            ("https://panel.example", "panel.example", true, true),
            ("http://panel.example", "panel.example", true, false),
            ("https://panel.example", "panel.example", false, false),
            ("HTTPS://Panel.Example", "panel.EXAMPLE", true, true),
            ("https://panel.example:443", "panel.example", true, true),
            ("https://panel.example", "panel.example:443", true, true),
            ("http://panel.example:80", "panel.example", false, true),
            ("https://panel.example:8443", "panel.example", true, false),
            ("http://[::1]:3000", "[::1]:3000", false, true),
            // The old comparison took anything after "://" for the host.
            ("ftp://panel.example", "panel.example", false, false),
            ("panel.example", "panel.example", false, false),
            ("//panel.example", "panel.example", false, false),
            ("http://x@panel.example", "panel.example", false, false),
            ("http://panel.example/", "panel.example", false, false),
            ("null", "panel.example", false, false),
            ("", "panel.example", false, false),
        ];
        for (origin, host, secure, expected) in cases {
            let h = headers(&[("origin", origin), ("host", host)]);
            assert_eq!(
                is_same_origin(&h, None, *secure),
                *expected,
                "Origin {origin}, Host {host}, secure {secure}"
            );
        }
        let no_host = headers(&[("origin", "http://panel.example")]);
        assert!(!is_same_origin(&no_host, None, false));
        // `Origin: null`: only our own no-referrer pages, by the browser's word.
        for (site, expected) in [
            (Some("same-origin"), true),
            (Some("same-site"), false),
            (Some("cross-site"), false),
            (Some("none"), false),
            (None, false),
        ] {
            let mut pairs = vec![("origin", "null"), ("host", "panel.example")];
            pairs.extend(site.map(|s| ("sec-fetch-site", s)));
            assert_eq!(
                is_same_origin(&headers(&pairs), None, false),
                expected,
                "{site:?}"
            );
        }
    }

    #[test]
    fn with_a_public_url_the_origin_must_be_exactly_its_origin() {
        // (Origin, Host, GATEHOUSE_PUBLIC_URL, same origin?)
        let cases: &[(&str, &str, &str, bool)] = &[
            (
                "https://panel.example",
                "10.0.0.5:3000",
                "https://panel.example/",
                true,
            ),
            (
                "https://panel.example",
                "10.0.0.5:3000",
                "https://panel.example/a/b?x",
                true,
            ),
            (
                "https://PANEL.example:443",
                "x",
                "https://panel.example",
                true,
            ),
            (
                "http://panel.example",
                "panel.example",
                "https://panel.example",
                false,
            ),
            (
                "https://panel.example:8443",
                "panel.example",
                "https://panel.example",
                false,
            ),
            (
                "https://panel.example.evil",
                "panel.example",
                "https://panel.example",
                false,
            ),
            (
                "http://10.0.0.5:3000",
                "10.0.0.5:3000",
                "https://panel.example",
                false,
            ),
            ("https://panel.example", "panel.example", "not a url", false),
        ];
        for (origin, host, public_url, expected) in cases {
            let h = headers(&[("origin", origin), ("host", host)]);
            for secure in [false, true] {
                assert_eq!(
                    is_same_origin(&h, Some(public_url), secure),
                    *expected,
                    "Origin {origin}, Host {host}, public URL {public_url}"
                );
            }
        }
    }

    #[test]
    fn without_origin_sec_fetch_site_decides_and_non_browsers_pass() {
        let cases: &[(&[(&str, &str)], bool)] = &[
            (&[("sec-fetch-site", "cross-site")], false),
            (&[("sec-fetch-site", "same-site")], false),
            (&[("sec-fetch-site", "same-origin")], true),
            (&[("sec-fetch-site", "none")], true),
            (&[], true),
            (&[("host", "panel.example")], true),
        ];
        for (pairs, expected) in cases {
            for public_url in [None, Some("https://panel.example")] {
                assert_eq!(
                    is_same_origin(&headers(pairs), public_url, true),
                    *expected,
                    "{pairs:?}"
                );
            }
        }
    }

    #[test]
    fn an_origin_that_is_not_utf8_is_another_origin() {
        let mut h = headers(&[("host", "panel.example")]);
        h.insert(
            header::ORIGIN,
            HeaderValue::from_bytes(b"http://panel.example\xff").unwrap(),
        );
        assert!(!is_same_origin(&h, None, false));
    }
}
