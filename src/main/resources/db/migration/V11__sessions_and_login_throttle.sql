-- Session revocation: a JWT carries the session_version it was issued under; logout, password
-- change or reset, suspension and reactivation raise it, and older tokens stop working.
ALTER TABLE users ADD COLUMN session_version bigint NOT NULL DEFAULT 0;

-- Failed logins counted per account (email, known or not) and client network, so a stranger's
-- failures slow down that stranger's network, not the owner's. Replaces the per-email lockout.
DROP TABLE login_failures;
CREATE TABLE login_throttle (
  email           text NOT NULL,
  network         text NOT NULL,
  failures        integer NOT NULL,
  last_failed_at  timestamptz NOT NULL,
  blocked_until   timestamptz,
  PRIMARY KEY (email, network)
);
CREATE INDEX login_throttle_last_failed_idx ON login_throttle (last_failed_at);
