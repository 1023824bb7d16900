//! Every form posts to its server function, and the page the browser lands on next says
//! what happened: a refusal in the address (`__err`, no JavaScript) under the field it
//! names, with the focus; news of a success in the notice cookie, shown once by the next
//! page and cleared. The page's script posts the same forms in place
//! (`app::islands::enhance`, end-to-end tests); these are the server's side of it.

use crate::helpers::{spawn_app, Browser, TestApp};

const PASSWORD: &str = "a perfectly fine passphrase";
const NEW_PASSWORD: &str = "another entirely fine passphrase";

/// `form` posted to a server function as a browser without JavaScript does, from a
/// page that sends no Referer (its address holds a token: `Referrer-Policy:
/// no-referrer`).
fn plain_form(b: &Browser, endpoint: &str, form: &[(&str, &str)]) -> reqwest::RequestBuilder {
    b.client()
        .post(b.url(&format!("/api/{endpoint}")))
        .header("accept", "text/html")
        .form(form)
}

/// Posts `form` to a server function as a browser without JavaScript does, from the
/// page at `from`.
async fn plain_post(
    b: &Browser,
    from: &str,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let req = plain_form(b, endpoint, form).header("referer", b.url(from));
    req.send().await.unwrap()
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_owned()
}

fn notice_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("gatehouse_notice="))
}

async fn signed_in(app: &TestApp) -> Browser {
    app.add_user("alice", PASSWORD).await;
    app.signed_in("alice", PASSWORD).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_form_post_goes_back_to_its_page_which_says_what_happened_once() {
    let app = spawn_app().await;
    let b = signed_in(&app).await;
    let res = plain_post(
        &b,
        "/account/security",
        "change-password",
        &[
            ("current_password", PASSWORD),
            ("password", NEW_PASSWORD),
            ("password_again", NEW_PASSWORD),
        ],
    )
    .await;
    assert_eq!(res.status(), 302);
    // (server_fn leaves an empty query behind when it strips an earlier refusal.)
    assert_eq!(
        location(&res).trim_end_matches('?'),
        b.url("/account/security")
    );
    let set = notice_cookie(&res).expect("the notice of the change");
    assert!(set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Max-Age=60"));

    let page = b.page("/account/security").await;
    let cleared = notice_cookie(&page).expect("the page clears the notice it shows");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let html = page.text().await.unwrap();
    assert!(
        html.contains("Your password was changed. Your other sessions were signed out"),
        "the page says it"
    );
    assert!(html.contains(r#"data-testid="password-changed""#));

    let again = b.page("/account/security").await.text().await.unwrap();
    assert!(!again.contains("Your password was changed"), "said once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_posts_refusal_shows_under_its_field_which_has_the_focus() {
    let app = spawn_app().await;
    let b = signed_in(&app).await;
    let res = plain_post(
        &b,
        "/account/security",
        "update-two-factor",
        &[("phone", "12"), ("enabled", "on")],
    )
    .await;
    assert_eq!(res.status(), 302);
    let to = location(&res);
    assert!(
        to.contains("__path=%2Fapi%2Fupdate-two-factor") && to.contains("__err="),
        "{to}"
    );
    assert!(notice_cookie(&res).is_none(), "a refusal is no news");

    let back = to.strip_prefix(&b.url("")).expect("back to this site");
    let html = b.page(back).await.text().await.unwrap();
    let field = &html[html.find(r#"id="phone""#).expect("the Mobile field")..];
    let input = &field[..field.find('>').unwrap()];
    assert!(input.contains(r#"aria-invalid="true""#), "{input}");
    assert!(input.contains("autofocus"), "{input}");
    assert!(html.contains(
        r#"<p id="phone-error" class="field-error">That number is too short for the United Kingdom.</p>"#
    ));
    // The field showed it: the form's alert does not say it again.
    assert_eq!(html.matches("That number is too short").count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_cookie_chooses_among_fixed_texts_and_its_argument_is_text() {
    let app = spawn_app().await;
    let b = signed_in(&app).await;
    // Not a notice: nothing is shown.
    b.add_cookie("gatehouse_notice=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
    let html = b.page("/account").await.text().await.unwrap();
    assert!(!html.contains("data-notice") && !html.contains("alert(1)"));
    // A notice whose argument (an address, normally) holds markup: shown as text.
    let arg = hex_of("<img src=x onerror=alert(1)>");
    b.add_cookie(&format!("gatehouse_notice=email-link-sent.{arg}"));
    let html = b.page("/account").await.text().await.unwrap();
    assert!(
        html.contains("We sent a link to &lt;img src=x onerror=alert(1)&gt;."),
        "escaped"
    );
    assert!(!html.contains("<img src=x"));
}

fn hex_of(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_prompt_says_make_the_change_again_only_to_a_plain_form() {
    let app = spawn_app().await;
    let b = signed_in(&app).await;
    // The page's script makes the refused change again by itself: no notice for it.
    let res = b
        .post_raw("confirm-password", &[("password", PASSWORD)])
        .await;
    assert_eq!(res.status(), 200);
    assert!(notice_cookie(&res).is_none());
    // Without JavaScript the customer does: the page they go back to says so.
    let res = plain_post(
        &b,
        "/account/security",
        "confirm-password",
        &[("password", PASSWORD)],
    )
    .await;
    assert_eq!(res.status(), 302);
    assert!(notice_cookie(&res).is_some_and(|c| c.starts_with("gatehouse_notice=sudo-confirmed;")));
    let html = b.page("/account/security").await.text().await.unwrap();
    assert!(html.contains("Thanks. Make the change again to go ahead."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_form_of_a_page_posts_to_a_server_function_and_is_marked_for_the_page_script() {
    let app = spawn_app().await;
    let b = signed_in(&app).await;
    for path in ["/account", "/account/security"] {
        let html = b.page(path).await.text().await.unwrap();
        let forms: Vec<&str> = html
            .split("<form")
            .skip(1)
            .map(|f| &f[..f.find('>').unwrap()])
            .collect();
        assert!(forms.len() >= 2, "{path}: {forms:?}");
        for form in forms {
            assert!(form.contains(r#"method="post""#), "{path}: {form}");
            assert!(form.contains(r#"action="/api/"#), "{path}: {form}");
            assert!(form.contains("data-enhance"), "{path}: {form}");
        }
    }
    // The sign-in page too, signed out.
    let html = app.browser().page("/login").await.text().await.unwrap();
    assert!(html.contains(r#"<form method="post" action="/api/login""#));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refusal_on_a_page_that_sends_no_referer_goes_back_to_that_page_and_its_token() {
    let app = spawn_app().await;
    app.add_user("alice", PASSWORD).await;
    app.browser().forgot_password("alice").await.ok();
    let email = app
        .wait_for_emails("alice@example.com", 1)
        .await
        .remove(0)
        .1;
    let at = email.find("token=").expect("a reset link") + "token=".len();
    let token = &email[at..at + 64];

    let b = app.browser();
    let form = [
        ("token", token),
        ("password", NEW_PASSWORD),
        ("password_again", "not the same passphrase"),
    ];
    let res = plain_form(&b, "reset-password", &form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let to = location(&res);
    assert!(to.starts_with("/reset-password?"), "not to / : {to}");
    assert!(
        to.contains(&format!("token={token}")) && to.contains("__err="),
        "{to}"
    );
    let html = b.page(&to).await.text().await.unwrap();
    assert!(
        html.contains("Set New Password"),
        "the form again, for the same link"
    );
    assert!(
        html.contains("The two passwords don&#x27;t match.")
            || html.contains("The two passwords don't match.")
    );
    // Nothing was used up: the right passwords still reset.
    assert_eq!(
        b.reset_password(token, NEW_PASSWORD, NEW_PASSWORD)
            .await
            .status,
        200
    );

    // The email-change link's page: a used or unknown link says so there.
    let form = [("token", token)];
    let res = plain_form(&b, "confirm-email", &form).send().await.unwrap();
    assert_eq!(res.status(), 302);
    let to = location(&res);
    assert!(to.starts_with("/confirm-email?"), "{to}");
    let html = b.page(&to).await.text().await.unwrap();
    assert!(
        html.contains("This link has expired or has already been used."),
        "shown"
    );

    // Support's cancel-reset link likewise.
    let res = plain_form(&b, "cancel-reset", &form).send().await.unwrap();
    assert_eq!(res.status(), 302);
    let to = location(&res);
    assert!(
        to.starts_with("/cancel-reset?") && to.contains(&format!("token={token}")),
        "{to}"
    );
    let html = b.page(&to).await.text().await.unwrap();
    assert!(html.contains("This reset link is no longer valid"), "shown");

    // The page's script still gets the refusal itself, not a redirect.
    let res = b.post_raw("confirm-email", &[("token", token)]).await;
    assert_eq!(res.status(), 422);
    assert!(res.headers().get("location").is_none());
}
