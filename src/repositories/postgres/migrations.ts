// Versioned schema migrations for PostgreSQL, applied in order at start (migrate.ts);
// `schema_migrations` records which ran. Never edit a migration that has shipped: add one.
//
// The schema keeps SQLite's contract exactly: ids and text compare byte by byte (COLLATE "C",
// as SQLite's BINARY does), so that keyset pages and ties by id come in the same order on both
// engines, and case-insensitive search folds ASCII letters only, as SQLite's LIKE does.
// Times are timestamptz; repositories read them back as the same ISO-8601 strings they wrote.

export const migrations: readonly string[] = [
  `
  CREATE TABLE users (
    id            text COLLATE "C" PRIMARY KEY,
    username      text COLLATE "C" NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL,
    -- Kept in the same statement as inserts and deletes of todos: the per-user cap is one
    -- row lock and an O(1) check, and concurrent creates queue on that row instead of racing.
    todo_count    integer NOT NULL DEFAULT 0 CHECK (todo_count >= 0)
  );
  -- Usernames are ASCII ([A-Za-z0-9_.-]), so lower() is the same folding as SQLite's NOCASE.
  CREATE UNIQUE INDEX users_username ON users (lower(username));

  CREATE TABLE todos (
    id          text COLLATE "C" PRIMARY KEY,
    user_id     text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title       text COLLATE "C" NOT NULL,
    description text COLLATE "C" NOT NULL,
    priority    integer NOT NULL CHECK (priority BETWEEN 1 AND 5),
    completed   boolean NOT NULL,
    due_date    date,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     integer NOT NULL CHECK (version >= 1)
  );

  -- One index per sort order, each ending in id: keyset pagination reads one page of rows
  -- whatever the number of todos a user has.
  CREATE INDEX todos_by_created  ON todos (user_id, created_at, id);
  CREATE INDEX todos_by_updated  ON todos (user_id, updated_at, id);
  CREATE INDEX todos_by_priority ON todos (user_id, priority, id);
  CREATE INDEX todos_by_due      ON todos (user_id, coalesce(due_date, DATE '9999-12-31'), id);
  `,
  `
  -- Long-lived tokens a person mints for one agent; never the token itself.
  CREATE TABLE agent_tokens (
    id           text COLLATE "C" PRIMARY KEY,       -- the token's jti
    user_id      text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         text NOT NULL,
    scopes       text[] NOT NULL,
    audience     text[] NOT NULL,                    -- api, mcp
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
  );
  CREATE INDEX agent_tokens_by_user ON agent_tokens (user_id, created_at);
  `,
  `
  -- Rate-limit buckets every process spends together (sign-in, registration, MCP calls).
  -- Times are milliseconds since the epoch, as the services compute them. UNLOGGED: written on
  -- every MCP call, so no WAL and no flush to disk per call; a crash of the database server
  -- empties it, which only forgets who was near a limit.
  CREATE UNLOGGED TABLE rate_buckets (
    key           text COLLATE "C" PRIMARY KEY,
    tokens        double precision NOT NULL,
    at            bigint NOT NULL,
    pending       integer NOT NULL DEFAULT 0,
    pending_until bigint NOT NULL DEFAULT 0,
    -- When the bucket is full again with nothing pending: from then on it can be forgotten.
    expires_at    bigint NOT NULL
  );
  CREATE INDEX rate_buckets_by_expiry ON rate_buckets (expires_at);
  `,
  `
  -- One row the health check rewrites: proof that the database still takes writes, which a
  -- read cannot give (a read-only replica or a full disk still answers reads).
  CREATE TABLE health_probe (
    id         integer PRIMARY KEY CHECK (id = 1),
    checked_at timestamptz NOT NULL
  );
  `,
  `
  -- The OAuth authorization server. Codes, refresh tokens and session ids are kept only as
  -- SHA-256 hashes (hex), so a copy of the database grants nothing by itself.
  CREATE TABLE oauth_clients (
    id            text COLLATE "C" PRIMARY KEY,  -- random for registrations; the URL for metadata documents
    source        text NOT NULL CHECK (source IN ('registration', 'metadata_document')),
    name          text,
    uri           text,
    redirect_uris text[] NOT NULL,
    created_at    timestamptz NOT NULL,
    expires_at    timestamptz                    -- unused registration lapses / cached document goes stale
  );
  CREATE INDEX oauth_clients_by_expiry ON oauth_clients (expires_at) WHERE expires_at IS NOT NULL;

  CREATE TABLE oauth_grants (
    id           text COLLATE "C" PRIMARY KEY,
    user_id      text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id    text COLLATE "C" NOT NULL REFERENCES oauth_clients(id),
    scopes       text[] NOT NULL,
    resources    text[] NOT NULL,                -- api, mcp
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
  );
  CREATE INDEX oauth_grants_by_user ON oauth_grants (user_id, created_at);
  CREATE INDEX oauth_grants_by_client ON oauth_grants (client_id);

  CREATE TABLE oauth_codes (
    code_hash      text COLLATE "C" PRIMARY KEY,
    grant_id       text COLLATE "C" NOT NULL,    -- the grant it becomes; no row exists before the exchange
    user_id        text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id      text COLLATE "C" NOT NULL,
    redirect_uri   text NOT NULL,
    code_challenge text NOT NULL,
    scopes         text[] NOT NULL,
    resources      text[] NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    consumed_at    timestamptz,
    replayed_at    timestamptz
  );
  CREATE INDEX oauth_codes_by_expiry ON oauth_codes (expires_at);

  CREATE TABLE oauth_refresh_tokens (
    token_hash text COLLATE "C" PRIMARY KEY,
    grant_id   text COLLATE "C" NOT NULL REFERENCES oauth_grants(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
  );
  CREATE INDEX oauth_refresh_tokens_by_expiry ON oauth_refresh_tokens (expires_at);
  CREATE INDEX oauth_refresh_tokens_by_grant ON oauth_refresh_tokens (grant_id);

  CREATE TABLE oauth_consents (
    user_id    text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id  text COLLATE "C" NOT NULL,
    scopes     text[] NOT NULL,
    resources  text[] NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (user_id, client_id)
  );

  CREATE TABLE web_sessions (
    id_hash    text COLLATE "C" PRIMARY KEY,
    user_id    text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
  );
  CREATE INDEX web_sessions_by_expiry ON web_sessions (expires_at);
  `,
  `
  -- The activity log: who changed which todo, how, through which interface; written in the
  -- transaction of the change it records. Field names, never values. activity_seq numbers each
  -- user's entries 1, 2, 3...: incremented under the user's row lock in the writing
  -- transaction, it orders a user's entries by commit whichever process wrote them.
  ALTER TABLE users ADD COLUMN activity_seq bigint NOT NULL DEFAULT 0;

  CREATE TABLE activity (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- storage order; never shown
    user_id     text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    seq         bigint NOT NULL,                                   -- the entry's id as clients see it
    at          timestamptz NOT NULL,
    todo_id     text COLLATE "C" NOT NULL,                         -- no foreign key: entries outlive deleted todos
    action      text NOT NULL CHECK (action IN ('created', 'updated', 'completed', 'reopened', 'deleted')),
    fields      text[] NOT NULL,                                   -- names of the changed fields
    version     integer NOT NULL,
    via         text NOT NULL CHECK (via IN ('web', 'api', 'mcp')),
    client_kind text CHECK (client_kind IN ('agent_token', 'oauth_client')),  -- null for the person
    client_id   text,
    client_name text,                                              -- the client's name when the change was made
    UNIQUE (user_id, seq)
  );
  CREATE INDEX activity_by_todo ON activity (user_id, todo_id, seq);
  `,
  `
  -- Grants that ended (revoked, or lapsed unrefreshed) are purged a while later: these find
  -- them without reading every grant.
  CREATE INDEX oauth_grants_by_expiry ON oauth_grants (expires_at);
  CREATE INDEX oauth_grants_by_revocation ON oauth_grants (revoked_at) WHERE revoked_at IS NOT NULL;
  `,
];
