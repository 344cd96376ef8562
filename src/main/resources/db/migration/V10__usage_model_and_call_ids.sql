-- The ledger's id of a call is the server's own (the chat completion id the client receives);
-- the client's x-request-id is kept beside it for correlation only, never as a key.
-- `model` holds the catalog's canonical model (the family a dated snapshot, alias or other
-- spelling resolves to; provider/name for an unlisted one), `requested_model` the name the
-- client sent. Nullable columns without defaults: catalog-only changes, no table rewrite.
ALTER TABLE usage_events ADD COLUMN requested_model text;
ALTER TABLE usage_events ADD COLUMN client_request_id text;
ALTER TABLE billing_reservations ADD COLUMN client_request_id text;
CREATE INDEX usage_events_client_request_idx ON usage_events (user_id, client_request_id)
  WHERE client_request_id IS NOT NULL;
