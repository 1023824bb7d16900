//! Where to go after signing in: `?next=` holds a path on this site, never another site.

/// The furthest a `next` path may be.
const MAX_NEXT: usize = 512;

/// `next` if it is a path on this site (`/account/history?page=2`), else `None`.
///
/// Refused: anything not starting with one `/` (absolute and scheme-relative URLs,
/// `//evil.example`, `/\evil.example` which browsers read as `//`), backslashes anywhere,
/// whitespace and control characters (browsers strip some of them, turning `/\t/evil`
/// into `//evil`), and very long values.
pub fn local_path(next: &str) -> Option<&str> {
    let ok = next.len() <= MAX_NEXT
        && next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then_some(next)
}

/// `path` written as a query value (for `/login?next=`): everything but unreserved
/// characters and `/` is percent-encoded.
pub fn encode_query_value(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn local_paths_pass_and_everything_else_is_refused() {
        for ok in ["/", "/account/history", "/account/history?page=2", "/a#b"] {
            assert_eq!(local_path(ok), Some(ok), "{ok}");
        }
        for bad in [
            "",
            "account",
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/ /evil.example",
            "\n/account",
            "javascript:alert(1)",
            "http:/evil.example",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
        assert_eq!(local_path(&format!("/{}", "a".repeat(600))), None);
    }

    #[test]
    fn encoding_keeps_slashes_and_escapes_the_rest() {
        assert_eq!(encode_query_value("/account/history"), "/account/history");
        assert_eq!(encode_query_value("/a?b=c&d"), "/a%3Fb%3Dc%26d");
    }

    proptest! {
        // Whatever is accepted stays on this host when a browser resolves it.
        #[test]
        fn accepted_values_are_never_another_host(s in "\\PC{0,40}") {
            if let Some(p) = local_path(&s) {
                prop_assert!(p.starts_with('/'));
                prop_assert!(!p.starts_with("//"));
                prop_assert!(!p.contains('\\'));
            }
        }
    }
}
