-- Rate limiter: the in-process backend leases blocks of a day's count instead of one unit per
-- request. last_grant is how many units the latest lease actually got (its request clamped to the
-- limit), written in the same statement as count, because RETURNING only sees the new row.
ALTER TABLE rate_limit_days ADD COLUMN last_grant integer NOT NULL DEFAULT 0;
