-- Billing: plan assignments, daily message counters with their reservations, the usage ledger
-- with its daily aggregates, and the outbox of calls still owed to Autumn.
-- user and org ids are not foreign keys: orgs live in the workspace package, and ledger rows
-- must outlive the accounts they describe.

-- A plan set by an operator (local mode). No row = the configured default plan.
CREATE TABLE billing_plan_assignments (
  subject_type  text NOT NULL CHECK (subject_type IN ('user', 'org')),
  subject_id    text NOT NULL,
  plan_id       text NOT NULL,
  assigned_by   text,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (subject_type, subject_id)
);

-- Messages consumed per subject (the user, or the org in an org context) per UTC day. Check and
-- consume is one conditional upsert on this row.
CREATE TABLE billing_message_counters (
  subject_type  text NOT NULL CHECK (subject_type IN ('user', 'org')),
  subject_id    text NOT NULL,
  day           date NOT NULL,
  used          integer NOT NULL CHECK (used >= 0),
  PRIMARY KEY (subject_type, subject_id, day)
);

-- One consumed message, until the call completes (consumed) or fails upstream (released).
CREATE TABLE billing_reservations (
  id            text PRIMARY KEY,
  request_id    text NOT NULL,
  user_id       text NOT NULL,
  subject_type  text NOT NULL,
  subject_id    text NOT NULL,
  day           date NOT NULL,
  status        text NOT NULL DEFAULT 'reserved' CHECK (status IN ('reserved', 'released', 'consumed')),
  created_at    timestamptz NOT NULL DEFAULT now(),
  settled_at    timestamptz
);
CREATE INDEX billing_reservations_open_idx ON billing_reservations (created_at) WHERE status = 'reserved';

-- The usage ledger: one row per completed call, idempotent by (user, request id).
CREATE TABLE usage_events (
  user_id          text NOT NULL,
  id               text NOT NULL,
  org_id           text,
  session_id       text,
  model            text NOT NULL,
  provider         text NOT NULL,
  input_tokens     bigint NOT NULL CHECK (input_tokens >= 0),
  output_tokens    bigint NOT NULL CHECK (output_tokens >= 0),
  cost_usd         numeric(20, 8) NOT NULL,
  is_byok          boolean NOT NULL,
  provider_key_id  text,
  reservation_id   text,
  day              date NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, id)
);
CREATE INDEX usage_events_user_day_idx ON usage_events (user_id, day);
CREATE INDEX usage_events_org_day_idx ON usage_events (org_id, day) WHERE org_id IS NOT NULL;

-- Daily aggregates, updated in the same transaction as each event. org_key '' = personal use.
CREATE TABLE usage_daily (
  user_id        text NOT NULL,
  org_key        text NOT NULL,
  day            date NOT NULL,
  model          text NOT NULL,
  messages       bigint NOT NULL,
  input_tokens   bigint NOT NULL,
  output_tokens  bigint NOT NULL,
  cost_usd       numeric(24, 8) NOT NULL,
  PRIMARY KEY (user_id, org_key, day, model)
);
CREATE INDEX usage_daily_org_idx ON usage_daily (org_key, day) WHERE org_key <> '';

-- Calls owed to Autumn (Autumn mode only), written in the same transaction as what caused them.
-- The relay claims due rows with FOR UPDATE SKIP LOCKED and a lease (next_attempt_at in the
-- future), so several nodes can relay and a crashed node's claims come due again.
CREATE TABLE billing_outbox (
  id               text PRIMARY KEY,
  kind             text NOT NULL CHECK (kind IN ('track', 'customer')),
  payload          jsonb NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  failed_at        timestamptz
);
CREATE INDEX billing_outbox_due_idx ON billing_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
