//! `server`: parses the command line and runs Gatehouse (see `gatehouse_server::run`).

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // GATEHOUSE_LOG_FORMAT=json: one JSON object a line, the request's span (with its
    // request id) in each.
    if std::env::var("GATEHOUSE_LOG_FORMAT").is_ok_and(|f| f == "json") {
        logs.json()
            .with_current_span(true)
            .with_span_list(false)
            .init();
    } else {
        logs.init();
    }
    let cli = gatehouse_server::config::Cli::parse();
    match gatehouse_server::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
