-- Whether a ledger row's token counts are the provider's own (false) or the gateway's estimate
-- (true: the stream ended before the provider reported usage — client gone, connection cut,
-- timeout — or the provider never reported any). Rows from before this column were not told apart.
-- A constant default makes this a catalog-only change in PostgreSQL 11+, no table rewrite.
ALTER TABLE usage_events ADD COLUMN estimated boolean NOT NULL DEFAULT false;
