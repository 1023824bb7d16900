use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::Login;
use crate::components::brand::Brand;

/// `/login`: the seed's sign-in form (Username, Password, Log In).
///
/// The form is an `ActionForm`, so it posts to the same server function with or without
/// JavaScript; after hydration it submits without a page reload and shows progress.
#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let pending = login.pending();
    let error = move || login.value().get().and_then(Result::err);
    let show_password = RwSignal::new(false);

    view! {
        <Title text="Log In"/>
        <main class="auth-page">
            <div class="card auth-card">
                <Brand/>
                <h1>"Log in to your control panel"</h1>
                <ActionForm action=login attr:class="stack" attr:aria-describedby="login-error">
                    <div id="login-error" aria-live="assertive">
                        {move || error().map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })}
                    </div>
                    <div class="field">
                        <label for="username">"Username"</label>
                        <input
                            id="username"
                            name="username"
                            type="text"
                            autocomplete="username"
                            autocapitalize="none"
                            spellcheck="false"
                            maxlength="64"
                            required
                            autofocus
                        />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <div class="input-with-button">
                            <input
                                id="password"
                                name="password"
                                type=move || if show_password.get() { "text" } else { "password" }
                                autocomplete="current-password"
                                maxlength="256"
                                required
                            />
                            <button
                                type="button"
                                class="btn btn-quiet needs-js"
                                aria-controls="password"
                                aria-pressed=move || show_password.get().to_string()
                                on:click=move |_| show_password.update(|s| *s = !*s)
                            >
                                {move || if show_password.get() { "Hide" } else { "Show" }}
                            </button>
                        </div>
                    </div>
                    <button type="submit" class="btn btn-primary btn-block" disabled=pending aria-busy=move || pending.get().to_string()>
                        {move || if pending.get() { "Logging in…" } else { "Log In" }}
                    </button>
                </ActionForm>
            </div>
        </main>
    }
}
