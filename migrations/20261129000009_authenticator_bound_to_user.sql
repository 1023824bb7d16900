-- Authenticator secrets are now sealed with their account's id as associated data, so a
-- sealed secret copied onto another account's row no longer opens there. Rows sealed
-- before this have no associated data: they are marked here and re-sealed with it the
-- first time the application opens them.
--
-- The default stays FALSE on purpose: the application always writes TRUE, and an older
-- instance still running during a rolling deploy (which seals without associated data
-- and does not know this column) then writes rows correctly marked as legacy.
ALTER TABLE authenticator_apps
    ADD COLUMN bound_to_user BOOLEAN NOT NULL DEFAULT FALSE;
