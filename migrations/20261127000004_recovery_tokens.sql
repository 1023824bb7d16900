-- The single-use Recovery Token (one per account; a new one replaces the old).
CREATE TABLE recovery_tokens (
    user_id    BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- SHA-256 of the normalised token (120 random bits); never the token.
    token_hash BYTEA NOT NULL CHECK (length(token_hash) = 32),
    created_at TIMESTAMPTZ NOT NULL
);

-- Set when a recovery token is used to sign in; the Security tab asks for a new token
-- until one is created.
ALTER TABLE users ADD COLUMN recovery_used_at TIMESTAMPTZ;
