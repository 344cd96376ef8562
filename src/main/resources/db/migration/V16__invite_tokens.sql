-- An invite is accepted only with the secret mailed to the invited address: its SHA-256 is kept.
-- Invites pending from before carry no secret and can never be accepted: the admin sends them again.
ALTER TABLE org_invites ADD COLUMN token_hash text;
