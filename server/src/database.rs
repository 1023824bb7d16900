//! Connecting to PostgreSQL, creating the database, and migrating it.

use std::time::Duration;

use sqlx::migrate::MigrateDatabase;
use sqlx::postgres::PgPoolOptions;
use sqlx::{PgPool, Postgres};

/// Why the database could not be made ready; each names what to check.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error("cannot reach PostgreSQL at {url}: {source}\n  Is it running? Start it with: pg_ctlcluster 15 main start (or scripts/dev, which starts it)")]
    Connect { url: String, source: sqlx::Error },
    #[error("cannot create database {url}: {source}")]
    Create { url: String, source: sqlx::Error },
    #[error("database migration failed: {0}\n  The database was left as it was before the failing migration; fix the migration or the database and start again.")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Query(sqlx::Error),
}

/// Every migration, embedded in the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations");

/// Creates the database if it does not exist yet.
pub async fn ensure_exists(url: &str) -> Result<(), DatabaseError> {
    let redacted = redact(url);
    let exists = Postgres::database_exists(url)
        .await
        .map_err(|source| DatabaseError::Connect {
            url: redacted.clone(),
            source,
        })?;
    if !exists {
        Postgres::create_database(url)
            .await
            .map_err(|source| DatabaseError::Create {
                url: redacted,
                source,
            })?;
        tracing::info!("created database");
    }
    Ok(())
}

/// Opens a pool of at most `max` connections.
pub async fn connect(url: &str, max: u32) -> Result<PgPool, DatabaseError> {
    PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(Duration::from_secs(5))
        .connect(url)
        .await
        .map_err(|source| DatabaseError::Connect {
            url: redact(url),
            source,
        })
}

/// Applies pending migrations.
pub async fn migrate(pool: &PgPool) -> Result<(), DatabaseError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match url.split_once("://").and_then(|(scheme, rest)| {
        let (userinfo, host) = rest.rsplit_once('@')?;
        let user = userinfo.split(':').next().unwrap_or_default();
        Some(format!("{scheme}://{user}@{host}"))
    }) {
        Some(clean) => clean,
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_are_removed_from_urls() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u@h:5432/db"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/db"),
            "postgres://postgres@127.0.0.1/db"
        );
        assert_eq!(redact("postgres:///db"), "postgres:///db");
    }
}
