-- The per-user project cap counts a user's projects (personal and in orgs) on every creation, and
-- deleting a user cascades to its projects: both look projects up by owner. The unique slug index
-- covers personal projects only, so without this one each of them scanned the whole table.
CREATE INDEX projects_owner_idx ON projects (owner_id, created_at DESC, id DESC);
