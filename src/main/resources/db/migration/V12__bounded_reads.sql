-- What a context node takes: the UTF-8 bytes of its title, body and encoded metadata, computed
-- when it is stored. A thread's total is the sum (capped where contexts are added), and a page of
-- contexts stops once the running sum passes its byte budget, without reading the bodies first.
ALTER TABLE thread_contexts ADD COLUMN size_bytes integer NOT NULL DEFAULT 0;
UPDATE thread_contexts
   SET size_bytes = octet_length(title) + COALESCE(octet_length(body), 0) + octet_length(metadata::text);

-- Rotation of a thread session: attempts that failed, and the earliest time of the next one (a
-- claim also sets it, as a lease, so concurrent messages do not summarize the same session twice).
ALTER TABLE sessions ADD COLUMN rotation_attempts integer NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN rotation_not_before timestamptz;

-- The cycle check walks child_of and continues_from edges from thread to thread.
CREATE INDEX thread_relations_walk_idx ON thread_relations (from_thread_id, to_thread_id)
  WHERE relation_type IN ('child_of', 'continues_from');
