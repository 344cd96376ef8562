-- Responses of the Responses API kept for GET, DELETE, input_items and previous_response_id
-- (owned by the responses package). `body` is the response object as it was answered,
-- `input_items` the items of its own request with the ids the API shows. A response belongs to
-- the user who made it; `org_id` is the org context it was made (and billed) in.
CREATE TABLE responses (
  id text PRIMARY KEY,
  user_id text NOT NULL,
  org_id text,
  previous_response_id text,
  model text NOT NULL,
  status text NOT NULL,
  input_items jsonb NOT NULL,
  body jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX responses_user_idx ON responses (user_id, created_at);
