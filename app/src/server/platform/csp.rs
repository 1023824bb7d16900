//! The Content-Security-Policy of rendered pages.

/// The policy for a page whose inline scripts carry `nonce`: scripts only from this origin
/// or with the nonce (Leptos puts it on its hydration and streaming scripts), wasm allowed
/// to compile, nothing framed, forms posting only here. `dev` also allows the websocket
/// that `cargo leptos watch` reloads through.
pub fn page_policy(nonce: &str, dev: bool) -> String {
    let connect = if dev { "'self' ws: wss:" } else { "'self'" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src {connect}; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy for everything that is not a rendered page (JSON, the dev outbox, files).
pub const DEFAULT_POLICY: &str =
    "default-src 'self'; script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Sets the page policy on the response being rendered (server only).
pub fn set_page_policy() {
    use leptos::prelude::use_context;
    let (Some(res), Some(nonce)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        leptos::nonce::use_nonce(),
    ) else {
        return;
    };
    let dev = use_context::<crate::server::AppState>().is_some_and(|s| s.settings.is_dev());
    if let Ok(value) = http::HeaderValue::from_str(&page_policy(&nonce.to_string(), dev)) {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_page_policy_forbids_framing_and_foreign_scripts() {
        let p = super::page_policy("abc", false);
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(p.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval'"));
        assert!(!p.contains("unsafe-inline"));
        assert!(!p.contains("ws:"));
        assert!(super::page_policy("abc", true).contains("connect-src 'self' ws: wss:"));
    }
}
