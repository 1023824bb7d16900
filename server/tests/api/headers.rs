//! Security headers on every response (docs/security.md §22), the cross-origin refusal of
//! state-changing requests (19), and the body limit (23).

use crate::helpers::{client, spawn_app, spawn_app_with};
use app::error::AppError;
use reqwest::header::HeaderMap;

const PASSWORD: &str = "a perfectly fine passphrase";

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).map(|v| v.to_str().unwrap()).unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_pages_carry_a_nonce_csp_and_the_rest() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let b = app.browser();
    b.login_form("alice", PASSWORD).await;
    let c = b.client();
    for path in [
        "/login",
        "/account/security",
        "/account/history",
        "/no/such/page",
    ] {
        let res = c.get(app.url(path)).send().await.unwrap();
        let csp = header(res.headers(), "content-security-policy").to_owned();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}");
        assert_eq!(
            header(res.headers(), "x-content-type-options"),
            "nosniff",
            "{path}"
        );
        assert_eq!(
            header(res.headers(), "referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        assert_eq!(header(res.headers(), "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(res.headers(), "cache-control"), "no-store", "{path}");
        assert!(res.headers().get("server").is_none());
        assert!(
            res.headers().get("strict-transport-security").is_none(),
            "no HSTS over http"
        );
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|r| r.split('\'').next())
            .unwrap()
            .to_owned();
        let html = res.text().await.unwrap();
        assert!(
            html.contains(&format!("nonce=\"{nonce}\"")),
            "{path}: the page's scripts carry the nonce"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_api_and_health_answers_are_private_and_locked_down() {
    let app = spawn_app().await;
    let b = app.browser();
    let login = b.login("x", "y").await;
    assert_eq!(login.status, 401);
    assert_eq!(login.result, Err(AppError::InvalidCredentials));
    let account = b.account().await;
    assert_eq!(account.result, Err(AppError::Unauthorized));
    for headers in [
        b.client()
            .get(app.url("/healthz"))
            .send()
            .await
            .unwrap()
            .headers()
            .clone(),
        login.headers,
        account.headers,
    ] {
        assert_eq!(header(&headers, "cache-control"), "no-store");
        assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
        assert!(header(&headers, "content-security-policy").contains("frame-ancestors 'none'"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_hsts_when_the_public_url_is_https() {
    let mut settings = app::server::Settings::dev();
    settings.public_url = Some("https://panel.example".into());
    let app = spawn_app_with(settings).await;
    let res = client().get(app.url("/login")).send().await.unwrap();
    assert!(header(res.headers(), "strict-transport-security").starts_with("max-age="));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn csrf_a_foreign_origin_cannot_sign_in_or_change_anything() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;

    // Login CSRF from another site.
    let res = client()
        .post(app.url("/api/login"))
        .header("origin", "https://evil.example")
        .form(&[("username", "alice"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert!(res.headers().get("set-cookie").is_none());

    // A signed-in customer's browser, lured to another page on another port.
    let b = app.browser();
    b.login_form("alice", PASSWORD).await;
    let c = b.client();
    for endpoint in ["revoke-all-devices", "logout"] {
        let res = c
            .post(app.url(&format!("/api/{endpoint}")))
            .header("origin", "http://127.0.0.1:1")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{endpoint}");
    }
    let res = c
        .post(app.url("/api/logout"))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        b.account().await.status,
        200,
        "still signed in: logout was refused"
    );

    // The same request from our own origin goes through.
    let res = c
        .post(app.url("/api/logout"))
        .header("origin", format!("http://{}", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = b.account().await;
    assert_eq!((res.status, res.err()), (401, Some(AppError::Unauthorized)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_a_huge_body_is_refused_with_413() {
    let app = spawn_app().await;
    let big = "a".repeat(1024 * 1024);
    let res = client()
        .post(app.url("/api/login"))
        .form(&[("username", "alice"), ("password", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
}

/// Attack 10: the expected headers, route by route.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_table_of_expected_headers_per_route() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let b = app.browser();
    b.login_form("alice", PASSWORD).await;
    let c = b.client();
    // (method, path, referrer-policy, content-security-policy is a page's nonce policy)
    let table: &[(&str, &str, &str, bool)] = &[
        ("GET", "/login", "strict-origin-when-cross-origin", true),
        (
            "GET",
            "/forgot-password",
            "strict-origin-when-cross-origin",
            true,
        ),
        (
            "GET",
            "/forgot-username",
            "strict-origin-when-cross-origin",
            true,
        ),
        ("GET", "/reset-password?token=00", "no-referrer", true),
        ("GET", "/confirm-email?token=00", "no-referrer", true),
        ("GET", "/cancel-reset?token=00", "no-referrer", true),
        ("GET", "/account", "strict-origin-when-cross-origin", true),
        (
            "GET",
            "/account/security",
            "strict-origin-when-cross-origin",
            true,
        ),
        (
            "GET",
            "/account/history",
            "strict-origin-when-cross-origin",
            true,
        ),
        ("GET", "/healthz", "strict-origin-when-cross-origin", false),
        (
            "GET",
            "/dev/outbox",
            "strict-origin-when-cross-origin",
            false,
        ),
        (
            "POST",
            "/api/account",
            "strict-origin-when-cross-origin",
            false,
        ),
        ("POST", "/api/reset-link", "no-referrer", false),
        (
            "POST",
            "/api/forgot-password",
            "strict-origin-when-cross-origin",
            false,
        ),
    ];
    for (method, path, referrer, page) in table {
        let request = match *method {
            "GET" => c.get(app.url(path)),
            _ => c
                .post(app.url(path))
                .header("accept", "application/json")
                .form(&[("token", "00"), ("login", "x")]),
        };
        let res = request.send().await.unwrap();
        let row = format!("{method} {path}");
        assert_eq!(header(res.headers(), "cache-control"), "no-store", "{row}");
        assert_eq!(
            header(res.headers(), "x-content-type-options"),
            "nosniff",
            "{row}"
        );
        assert_eq!(header(res.headers(), "x-frame-options"), "DENY", "{row}");
        assert_eq!(header(res.headers(), "referrer-policy"), *referrer, "{row}");
        let csp = header(res.headers(), "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{row}: {csp}");
        assert_eq!(csp.contains("'nonce-"), *page, "{row}: {csp}");
        assert!(res.headers().get("server").is_none(), "{row}");
        assert!(
            res.headers().get("strict-transport-security").is_none(),
            "{row}"
        );
    }
}

/// A site folder as `scripts/build` leaves it: a hashed file with brotli and gzip copies.
fn hashed_site(test: &str) -> String {
    let root = std::env::temp_dir().join(format!("gatehouse-site-{}-{test}", std::process::id()));
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    for (name, body) in [
        ("gatehouse.Xy12.wasm", "raw wasm"),
        ("gatehouse.Xy12.wasm.br", "brotli wasm"),
        ("gatehouse.Xy12.wasm.gz", "gzip wasm"),
    ] {
        std::fs::write(pkg.join(name), body).unwrap();
    }
    root.to_string_lossy().into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hashed_client_files_are_served_precompressed_and_cached_for_a_year() {
    let site = crate::helpers::Site {
        root: hashed_site("hashed"),
        hash_files: true,
    };
    let app =
        crate::helpers::spawn_app_serving(app::server::platform::settings::Settings::dev(), site)
            .await;
    let get = |encoding: &'static str| {
        let c = client();
        let url = app.url("/pkg/gatehouse.Xy12.wasm");
        async move {
            c.get(url)
                .header("accept-encoding", encoding)
                .send()
                .await
                .unwrap()
        }
    };

    let res = get("gzip, deflate, br").await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(res.headers(), "content-encoding"), "br");
    assert_eq!(
        header(res.headers(), "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert_eq!(header(res.headers(), "content-type"), "application/wasm");
    assert_eq!(res.text().await.unwrap(), "brotli wasm");

    let res = get("gzip").await;
    assert_eq!(header(res.headers(), "content-encoding"), "gzip");
    assert_eq!(res.text().await.unwrap(), "gzip wasm");

    let res = get("identity").await;
    assert_eq!(header(res.headers(), "content-encoding"), "");
    assert_eq!(res.text().await.unwrap(), "raw wasm");

    let res = client()
        .get(app.url("/pkg/gatehouse.Nope.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_ne!(
        header(res.headers(), "cache-control"),
        "public, max-age=31536000, immutable",
        "a missing file is not remembered"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unhashed_client_files_are_revalidated_on_every_load() {
    let site = crate::helpers::Site {
        root: hashed_site("unhashed"),
        hash_files: false,
    };
    let app =
        crate::helpers::spawn_app_serving(app::server::platform::settings::Settings::dev(), site)
            .await;
    let res = client()
        .get(app.url("/pkg/gatehouse.Xy12.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(res.headers(), "cache-control"), "no-cache");
}

/// Every rendered page's policy allows exactly the nonce its own scripts carry, also when
/// many pages render at once (a page whose policy lost its nonce never hydrates).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headers_each_of_many_parallel_pages_gets_its_own_scripts_nonce() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    let b = app.browser();
    b.login_form("alice", PASSWORD).await;
    let paths = [
        "/login",
        "/account/security",
        "/account/history",
        "/account",
        "/no/such/page",
    ];
    let tasks: Vec<_> = (0..60)
        .map(|i| {
            let (c, url) = (b.client().clone(), app.url(paths[i % paths.len()]));
            tokio::spawn(async move {
                let res = c
                    .get(&url)
                    .header("accept", "text/html")
                    .send()
                    .await
                    .unwrap();
                let csp = header(res.headers(), "content-security-policy").to_owned();
                (url, csp, res.text().await.unwrap())
            })
        })
        .collect();
    for t in tasks {
        let (url, csp, body) = t.await.unwrap();
        let start = body
            .find("nonce=\"")
            .unwrap_or_else(|| panic!("{url}: no nonce"))
            + 7;
        let nonce = &body[start..start + body[start..].find('"').unwrap()];
        assert!(
            csp.contains(&format!("'nonce-{nonce}'")),
            "{url}: {csp} vs {nonce}"
        );
    }
}
