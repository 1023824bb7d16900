-- A mobile number waiting to be proven with a texted code before it is saved (and 2FA
-- turned on). One per account: a new request replaces the old.
CREATE TABLE phone_verifications (
    user_id         BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    phone_e164      TEXT NOT NULL CHECK (phone_e164 ~ '^\+[1-9][0-9]{6,14}$'),
    -- Whether proving the number also turns two-factor authentication on.
    enable_2fa      BOOLEAN NOT NULL,
    code_salt       BYTEA NOT NULL CHECK (length(code_salt) = 16),
    code_hash       BYTEA NOT NULL CHECK (length(code_hash) = 32),
    code_expires_at TIMESTAMPTZ NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    created_at      TIMESTAMPTZ NOT NULL
);
