// Versioned schema migrations, applied in order at start. `PRAGMA user_version` records
// how many have run. Never edit a migration that has shipped: add a new one.

export const migrations: readonly string[] = [
  `
  CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL COLLATE NOCASE UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    -- Maintained in the same transaction as inserts and deletes, so the per-user cap is
    -- checked in O(1) instead of counting up to 100k rows on every create.
    todo_count    INTEGER NOT NULL DEFAULT 0
  ) STRICT;

  CREATE TABLE todos (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title       TEXT NOT NULL,
    description TEXT NOT NULL,
    priority    INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
    completed   INTEGER NOT NULL CHECK (completed IN (0, 1)),
    due_date    TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    version     INTEGER NOT NULL CHECK (version >= 1)
  ) STRICT;

  -- One index per sort order, each ending in id: keyset pagination reads only one page of
  -- rows whatever the number of todos a user has.
  CREATE INDEX todos_by_created  ON todos (user_id, created_at, id);
  CREATE INDEX todos_by_updated  ON todos (user_id, updated_at, id);
  CREATE INDEX todos_by_priority ON todos (user_id, priority, id);
  CREATE INDEX todos_by_due      ON todos (user_id, coalesce(due_date, '9999-12-31'), id);
  `,
  `
  -- Long-lived tokens a person mints for one agent. Only what verification and listing need
  -- is kept: never the token itself, which is shown once when minted.
  CREATE TABLE agent_tokens (
    id           TEXT PRIMARY KEY,                  -- the token's jti
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    scopes       TEXT NOT NULL,                     -- space-separated, as in the token
    audience     TEXT NOT NULL,                     -- space-separated: api, mcp
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
  ) STRICT;
  CREATE INDEX agent_tokens_by_user ON agent_tokens (user_id, created_at);
  `,
  `
  -- One row the health check rewrites: proof that the database still takes writes, which a
  -- read cannot give (a read-only or full disk still answers reads).
  CREATE TABLE health_probe (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at TEXT NOT NULL
  ) STRICT;
  `,
  `
  -- The OAuth authorization server. Codes, refresh tokens and session ids are kept only as
  -- SHA-256 hashes (hex). Times are ISO 8601 UTC strings, compared as text.
  CREATE TABLE oauth_clients (
    id            TEXT PRIMARY KEY,       -- random for registrations; the URL for metadata documents
    source        TEXT NOT NULL CHECK (source IN ('registration', 'metadata_document')),
    name          TEXT,
    uri           TEXT,
    redirect_uris TEXT NOT NULL,          -- JSON array of strings
    created_at    TEXT NOT NULL,
    expires_at    TEXT                    -- unused registration lapses / cached document goes stale
  ) STRICT;
  CREATE INDEX oauth_clients_by_expiry ON oauth_clients (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE oauth_grants (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id    TEXT NOT NULL REFERENCES oauth_clients(id),
    scopes       TEXT NOT NULL,           -- space-separated
    resources    TEXT NOT NULL,           -- space-separated: api, mcp
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
  ) STRICT;
  CREATE INDEX oauth_grants_by_user ON oauth_grants (user_id, created_at);
  CREATE INDEX oauth_grants_by_client ON oauth_grants (client_id);

  CREATE TABLE oauth_codes (
    code_hash      TEXT PRIMARY KEY,
    grant_id       TEXT NOT NULL,         -- the grant it becomes; no row exists before the exchange
    user_id        TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL,
    redirect_uri   TEXT NOT NULL,
    code_challenge TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    resources      TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    consumed_at    TEXT,
    replayed_at    TEXT
  ) STRICT;
  CREATE INDEX oauth_codes_by_expiry ON oauth_codes (expires_at);

  CREATE TABLE oauth_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    grant_id   TEXT NOT NULL REFERENCES oauth_grants(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
  ) STRICT;
  CREATE INDEX oauth_refresh_tokens_by_expiry ON oauth_refresh_tokens (expires_at);

  CREATE TABLE oauth_consents (
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id  TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    resources  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (user_id, client_id)
  ) STRICT;

  CREATE TABLE web_sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
  `,
  `
  -- The activity log: who changed which todo, how, through which interface. Written by the
  -- repositories in the transaction of the change it records. Field names, never values.
  -- activity_seq numbers each user's entries 1, 2, 3...: incremented in the writing
  -- transaction, it orders a user's entries by commit even when several processes write.
  ALTER TABLE users ADD COLUMN activity_seq INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE activity (
    id          INTEGER PRIMARY KEY,               -- storage order; never shown
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,                  -- the entry's id as clients see it
    at          TEXT NOT NULL,
    todo_id     TEXT NOT NULL,                     -- no foreign key: entries outlive deleted todos
    action      TEXT NOT NULL CHECK (action IN ('created', 'updated', 'completed', 'reopened', 'deleted')),
    fields      TEXT NOT NULL,                     -- space-separated names of the changed fields
    version     INTEGER NOT NULL,
    via         TEXT NOT NULL CHECK (via IN ('web', 'api', 'mcp')),
    client_kind TEXT,                              -- agent_token (oauth_client next); null for the person
    client_id   TEXT,
    client_name TEXT,                              -- the client's name when the change was made
    UNIQUE (user_id, seq)
  ) STRICT;
  CREATE INDEX activity_by_todo ON activity (user_id, todo_id, seq);
  `,
  `
  -- Grants that ended (revoked, or lapsed unrefreshed) are purged a while later: these find
  -- them without reading every grant.
  CREATE INDEX oauth_grants_by_expiry ON oauth_grants (expires_at);
  CREATE INDEX oauth_grants_by_revocation ON oauth_grants (revoked_at) WHERE revoked_at IS NOT NULL;
  -- A deleted grant's refresh tokens are found by this (ON DELETE CASCADE), not by reading them
  -- all, as in the PostgreSQL schema.
  CREATE INDEX oauth_refresh_tokens_by_grant ON oauth_refresh_tokens (grant_id);
  `,
];
