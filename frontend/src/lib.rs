//! The wasm entry point. It only starts the client: every island lives in `app`.

/// Called by the generated JS loader once the wasm module is instantiated.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    app::islands::hydrate();
}
