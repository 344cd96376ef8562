-- Provider keys (BYOK). A row belongs to a user (personal key) or to an organization (org key),
-- never both. The key itself is only ever stored encrypted: v<version>:<base64(nonce|ct|tag)>,
-- AES-256-GCM with associated data "<user|org>:<owner id>:<provider>:<id>".
-- org_id has no foreign key: organizations belong to the workspace package.
CREATE TABLE provider_keys (
  id              text PRIMARY KEY,
  user_id         text REFERENCES users(id) ON DELETE CASCADE,
  org_id          text,
  provider        text NOT NULL CHECK (provider IN
                    ('openai', 'anthropic', 'google', 'mistral', 'cohere', 'ollama', 'vllm', 'custom')),
  encrypted_key   text NOT NULL,
  key_version     integer NOT NULL,
  key_hint        text NOT NULL,
  base_url        text,
  created_by      text REFERENCES users(id) ON DELETE SET NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  validated_at    timestamptz,
  is_valid        boolean NOT NULL DEFAULT true,
  invalid_reason  text,
  CHECK ((user_id IS NULL) <> (org_id IS NULL))
);
CREATE UNIQUE INDEX provider_keys_user_provider_uq ON provider_keys (user_id, provider) WHERE org_id IS NULL;
CREATE UNIQUE INDEX provider_keys_org_provider_uq ON provider_keys (org_id, provider) WHERE org_id IS NOT NULL;
CREATE INDEX provider_keys_version_idx ON provider_keys (key_version, id);
