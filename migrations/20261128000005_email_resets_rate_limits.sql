-- Email (subjects in the dev outbox), password resets, and fixed-window rate-limit
-- counters shared by every server instance.

ALTER TABLE outbox ADD COLUMN subject TEXT;

-- A password reset link: one per account (a newer request replaces the older), stored
-- as the SHA-256 of its random token, valid for an hour, used once.
CREATE TABLE password_resets (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);

-- Counters per key (e.g. 'forgot-ip:203.0.113.9') and fixed window; old windows are
-- deleted as new ones are written.
CREATE TABLE rate_limits (
    key          TEXT NOT NULL,
    window_start TIMESTAMPTZ NOT NULL,
    hits         INTEGER NOT NULL,
    PRIMARY KEY (key, window_start)
);
CREATE INDEX rate_limits_window_start ON rate_limits (window_start);

ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_outcome_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_outcome_check CHECK (outcome IN (
    'signed_in', 'code_sent', 'wrong_password', 'wrong_code', 'expired_code',
    'too_many_attempts', 'locked', 'password_reset', 'password_changed'));
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_factor_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_factor_check CHECK (factor IN (
    'password', 'sms_code', 'trusted_device', 'recovery_token', 'email_link'));
