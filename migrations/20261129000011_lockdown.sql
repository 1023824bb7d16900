-- "This wasn't me" (issue #16): after a lockdown the session that asked for it stays
-- signed in only to set a new password; nothing else answers it until then.
ALTER TABLE sessions ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT false;

-- The lockdown's Login History row.
ALTER TABLE login_attempts DROP CONSTRAINT login_attempts_outcome_check;
ALTER TABLE login_attempts ADD CONSTRAINT login_attempts_outcome_check CHECK (outcome IN (
    'signed_in', 'code_sent', 'wrong_password', 'wrong_code', 'expired_code',
    'too_many_attempts', 'locked', 'password_reset', 'password_changed', 'locked_down'));
