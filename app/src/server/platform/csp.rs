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

/// Where a page render leaves its nonce for the security-headers middleware, which put
/// this in the request's extensions and writes the page policy from it once the response
/// is back. (Through Leptos's `ResponseOptions` the header was, now and then under
/// parallel load, missing from a rendered page, which then could not hydrate.)
#[derive(Debug, Clone, Default)]
pub struct PageNonce(std::sync::Arc<std::sync::Mutex<Option<String>>>);

impl PageNonce {
    /// The nonce the page's scripts carry, once it has rendered.
    pub fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut n| n.take())
    }

    fn record(&self, nonce: String) {
        if let Ok(mut slot) = self.0.lock() {
            *slot = Some(nonce);
        }
    }
}

/// Records the page's nonce for its response's policy (server only).
pub fn set_page_policy() {
    use leptos::prelude::use_context;
    let (Some(parts), Some(nonce)) = (
        use_context::<http::request::Parts>(),
        leptos::nonce::use_nonce(),
    ) else {
        return;
    };
    if let Some(slot) = parts.extensions.get::<PageNonce>() {
        slot.record(nonce.to_string());
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
