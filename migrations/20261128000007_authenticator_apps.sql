-- The authenticator app (TOTP) as a second factor beside SMS.

CREATE TABLE authenticator_apps (
    user_id        BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    -- The 160-bit secret, sealed with ChaCha20-Poly1305 under GATEHOUSE_SECRET_KEY.
    secret_nonce   BYTEA NOT NULL CHECK (length(secret_nonce) = 12),
    secret_sealed  BYTEA NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    -- NULL while set-up waits for the first code from the app.
    confirmed_at   TIMESTAMPTZ,
    -- The newest 30-second step a code was accepted for: that step and older ones are
    -- never accepted again.
    last_used_step BIGINT NOT NULL DEFAULT 0
);

-- Two-factor authentication may now rest on the app alone; the application checks that
-- a factor exists before turning it on.
ALTER TABLE users DROP CONSTRAINT users_two_factor_needs_phone;

-- A pending sign-in for an account with an app sends no SMS until asked (sends = 0).
ALTER TABLE signin_challenges DROP CONSTRAINT signin_challenges_sends_check;
ALTER TABLE signin_challenges ADD CONSTRAINT signin_challenges_sends_check CHECK (sends >= 0);

ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_factor_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_factor_check CHECK (factor IN (
    'password', 'sms_code', 'trusted_device', 'recovery_token', 'email_link',
    'authenticator_app'));
