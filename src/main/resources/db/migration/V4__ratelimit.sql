-- Per-day request counters of the in-process rate limiter (the Redis backend keeps its own in
-- Redis). One row per subject (u:<user id>) and UTC day; incremented with a conditional upsert,
-- so concurrent requests on any number of nodes never push a count past its limit.
CREATE TABLE rate_limit_days (
  subject  text    NOT NULL,
  day      date    NOT NULL,
  count    integer NOT NULL CHECK (count >= 0),
  PRIMARY KEY (subject, day)
);
CREATE INDEX rate_limit_days_day_idx ON rate_limit_days (day);
