-- Lockout and slow-down: failures per account name, shared by every server instance.

CREATE TABLE account_throttles (
    -- The username as typed, normalised (trimmed, lowercase): names with no account are
    -- throttled exactly like real ones, so a lock says nothing about existence.
    username      TEXT PRIMARY KEY,
    -- Failures (passwords and second-factor codes) since the last successful sign-in.
    failures      INTEGER NOT NULL,
    -- Failures in the hour that began at hour_start (hard cap: 100 an hour).
    hour_start    TIMESTAMPTZ NOT NULL,
    hour_failures INTEGER NOT NULL,
    locked_until  TIMESTAMPTZ
);

-- When a lock began, the history row says until when.
ALTER TABLE login_attempts ADD COLUMN locked_until TIMESTAMPTZ;
