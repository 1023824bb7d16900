-- Passkeys (issue #15): discoverable, user-verified WebAuthn credentials, a complete
-- sign-in of their own and an option at the second step.

-- The WebAuthn user handle: 16 random bytes made when the account's first passkey is
-- added, never the username or the id (authenticators may show or sync it).
ALTER TABLE users ADD COLUMN webauthn_handle BYTEA UNIQUE
    CHECK (webauthn_handle IS NULL OR octet_length(webauthn_handle) = 16);
-- How many passkeys the account has: adding one reserves a place here first
-- (`passkey_count < cap`), so parallel adds cannot pass the cap.
ALTER TABLE users ADD COLUMN passkey_count INTEGER NOT NULL DEFAULT 0
    CHECK (passkey_count >= 0);

CREATE TABLE passkeys (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- The authenticator's credential id: unique across every account.
    credential_id   BYTEA NOT NULL UNIQUE,
    -- webauthn-rs's Passkey: the public key, its algorithm, the sign count and the
    -- backup flags. A public key only: nothing here signs anything.
    credential      JSONB NOT NULL,
    name            TEXT NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    -- Copied out of `credential` for the list and for the atomic counter check.
    sign_count      BIGINT NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
    backup_eligible BOOLEAN NOT NULL,
    backed_up       BOOLEAN NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    last_used_at    TIMESTAMPTZ
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- A registration or authentication ceremony between its two round trips: webauthn-rs's
-- state (the challenge), bound to the session that began it, used once, 5 minutes.
-- Kept here rather than in process memory so that any instance can finish what
-- another began.
CREATE TABLE passkey_ceremonies (
    -- SHA-256 of the random ceremony id the browser holds.
    id_hash      BYTEA PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('register', 'sign_in', 'second_step')),
    user_id      BIGINT REFERENCES users(id) ON DELETE CASCADE,
    -- The session (full for 'register', pending for 'second_step') it belongs to;
    -- none for a sign-in from the first page.
    session_hash BYTEA,
    state        JSONB NOT NULL,
    expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX passkey_ceremonies_expiry ON passkey_ceremonies (expires_at);

ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_factor_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_factor_check CHECK (factor IN (
    'password', 'sms_code', 'trusted_device', 'recovery_token', 'email_link',
    'authenticator_app', 'passkey'));

ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_outcome_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_outcome_check CHECK (outcome IN (
    'signed_in', 'code_sent', 'wrong_password', 'wrong_code', 'expired_code',
    'too_many_attempts', 'locked', 'password_reset', 'password_changed', 'locked_down',
    'passkey_refused'));
