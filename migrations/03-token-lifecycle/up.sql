-- API tokens get a name, an optional expiry, a last-used time and the time they were revoked.

ALTER TABLE api_tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE api_tokens ADD COLUMN last_used_at TEXT;
ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;

CREATE INDEX api_tokens_by_user ON api_tokens (user_id);
