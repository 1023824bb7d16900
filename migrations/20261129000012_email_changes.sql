-- Changing the email address (issue #16): a link to the new address, one live per
-- account, stored as the SHA-256 of its 256-bit token, an hour, single use.
CREATE TABLE email_changes (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash BYTEA NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    new_email  TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
