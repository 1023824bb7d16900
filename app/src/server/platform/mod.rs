//! What every feature stands on: the application state and its settings, the clock, the
//! request's client and context, the page's security policy, and turning results into
//! responses, and the sweeper that deletes expired rows.

pub mod client;
pub mod clock;
pub mod csp;
pub mod ctx;
pub mod flash;
pub mod metrics;
pub mod respond;
pub mod settings;
pub mod state;
pub mod sweeper;
