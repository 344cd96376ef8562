-- Workspace: organizations and their members and invites, projects, threads (relations and
-- context trees), chat sessions and their messages, and the audit log.
-- Deleting an org keeps the original's semantics: memberships and invites go with it
-- (CASCADE), threads, projects and sessions stay with their creators (SET NULL).

CREATE TABLE organizations (
  id          text PRIMARY KEY,
  name        text NOT NULL,
  slug        text NOT NULL UNIQUE,
  owner_id    text REFERENCES users(id) ON DELETE SET NULL,
  settings    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE org_members (
  org_id     text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role       text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'reader')),
  joined_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_user_idx ON org_members (user_id);
CREATE INDEX org_members_page_idx ON org_members (org_id, joined_at DESC, user_id DESC);

CREATE TABLE org_invites (
  id           text PRIMARY KEY,
  org_id       text NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email        text NOT NULL,
  role         text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'reader')),
  invited_by   text REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz NOT NULL,
  accepted_at  timestamptz,
  accepted_by  text REFERENCES users(id) ON DELETE SET NULL
);
-- one pending invite per address and org; sending again refreshes it
CREATE UNIQUE INDEX org_invites_pending_idx ON org_invites (org_id, email) WHERE accepted_at IS NULL;
CREATE INDEX org_invites_email_idx ON org_invites (email) WHERE accepted_at IS NULL;

CREATE TABLE projects (
  id           text PRIMARY KEY,
  owner_id     text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  org_id       text REFERENCES organizations(id) ON DELETE SET NULL,
  name         text NOT NULL,
  slug         text NOT NULL,
  description  text,
  settings     jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX projects_org_slug_idx ON projects (org_id, slug) WHERE org_id IS NOT NULL;
CREATE UNIQUE INDEX projects_owner_slug_idx ON projects (owner_id, slug) WHERE org_id IS NULL;
CREATE INDEX projects_page_idx ON projects (created_at DESC, id DESC);

CREATE TABLE threads (
  id          text PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  org_id      text REFERENCES organizations(id) ON DELETE SET NULL,
  project_id  text REFERENCES projects(id) ON DELETE SET NULL,
  title       text,
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'done', 'archived')),
  summary     text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX threads_user_idx ON threads (user_id, created_at DESC, id DESC);
CREATE INDEX threads_org_idx ON threads (org_id, created_at DESC, id DESC) WHERE org_id IS NOT NULL;
CREATE INDEX threads_project_idx ON threads (project_id, created_at DESC, id DESC) WHERE project_id IS NOT NULL;

-- "from relation_type to": T2 continues_from T1, T3 child_of T1, T4 relates_to T1
CREATE TABLE thread_relations (
  from_thread_id  text NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  to_thread_id    text NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  relation_type   text NOT NULL CHECK (relation_type IN ('continues_from', 'child_of', 'relates_to')),
  created_by      text REFERENCES users(id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (from_thread_id, to_thread_id, relation_type),
  CHECK (from_thread_id <> to_thread_id)
);
CREATE INDEX thread_relations_to_idx ON thread_relations (to_thread_id);
-- a thread has at most one parent and continues at most one other thread
CREATE UNIQUE INDEX thread_relations_one_parent_idx ON thread_relations (from_thread_id)
  WHERE relation_type = 'child_of';
CREATE UNIQUE INDEX thread_relations_one_source_idx ON thread_relations (from_thread_id)
  WHERE relation_type = 'continues_from';

CREATE TABLE thread_contexts (
  id          text PRIMARY KEY,
  thread_id   text NOT NULL REFERENCES threads(id) ON DELETE CASCADE,
  parent_id   text REFERENCES thread_contexts(id) ON DELETE CASCADE,
  title       text NOT NULL,
  kind        text NOT NULL DEFAULT 'note' CHECK (kind IN ('note', 'task', 'area', 'file_group', 'plan')),
  body        text,
  metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_by  text REFERENCES users(id) ON DELETE SET NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX thread_contexts_thread_idx ON thread_contexts (thread_id, created_at, id);

CREATE TABLE sessions (
  id           text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  org_id       text REFERENCES organizations(id) ON DELETE SET NULL,
  thread_id    text REFERENCES threads(id) ON DELETE SET NULL,
  mode         text NOT NULL DEFAULT 'ask' CHECK (mode IN ('ask', 'architect', 'code', 'semantic')),
  title        text,
  status       text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'archived')),
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  archived_at  timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id, created_at DESC, id DESC);
-- the gateway's get-or-create of "the active session of this thread for this user"
CREATE UNIQUE INDEX sessions_active_thread_idx ON sessions (thread_id, user_id)
  WHERE status = 'active' AND thread_id IS NOT NULL;

CREATE TABLE session_messages (
  id          text PRIMARY KEY,
  session_id  text NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  seq         bigint GENERATED ALWAYS AS IDENTITY,
  role        text NOT NULL CHECK (role IN ('system', 'user', 'assistant', 'tool')),
  content     text NOT NULL,
  tokens_in   integer NOT NULL DEFAULT 0 CHECK (tokens_in >= 0),
  tokens_out  integer NOT NULL DEFAULT 0 CHECK (tokens_out >= 0),
  cost_usd    numeric(14, 8) NOT NULL DEFAULT 0 CHECK (cost_usd >= 0),
  model       text,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_messages_session_idx ON session_messages (session_id, seq);

-- no foreign keys: the log outlives the users and orgs it mentions
CREATE TABLE audit_events (
  id          text PRIMARY KEY,
  action      text NOT NULL,
  actor_id    text,
  target      text,
  org_id      text,
  ip          text,
  user_agent  text,
  metadata    jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_org_idx ON audit_events (org_id, created_at DESC, id DESC) WHERE org_id IS NOT NULL;
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, created_at DESC);
